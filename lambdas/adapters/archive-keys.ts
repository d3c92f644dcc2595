/**
 * Archive keys start with the receiving day's folder and the receiving instant (`<day>/<ISO instant>-<route>-<id>`,
 * `inbound/` first on S3; the local file names write the instant's colons and dot as dashes), so keys sort in time
 * order within a day and a range is listed day by day.
 */

/** The instant a key was received at, or null for a key of another shape. */
export function receivedAtOfKey(key: string): number | null {
  const name = key.slice(key.lastIndexOf('/') + 1);
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2})[:-](\d{2})[:-](\d{2})[.-](\d{3})Z/.exec(name);
  if (!m) return null;
  const at = Date.parse(`${m[1]}T${m[2]}:${m[3]}:${m[4]}.${m[5]}Z`);
  return Number.isNaN(at) ? null : at;
}

/** The UTC days (YYYY-MM-DD) from `from` to `to`, both included. */
export function utcDaysBetween(from: number, to: number): string[] {
  const days: string[] = [];
  for (let day = Date.UTC(new Date(from).getUTCFullYear(), new Date(from).getUTCMonth(), new Date(from).getUTCDate()); day <= to; day += 86_400_000) {
    days.push(new Date(day).toISOString().slice(0, 10));
  }
  return days;
}

/** The UTC day a key was received on (its folder), or null. */
export function dayOfKey(key: string): string | null {
  const at = receivedAtOfKey(key);
  return at === null ? null : new Date(at).toISOString().slice(0, 10);
}
