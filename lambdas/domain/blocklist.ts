import { maskPhone, type E164 } from './phone';

/**
 * The operator's blocklist: numbers never to call or text, whatever any other rule says. An entry is one number
 * (E.164), a whole area code (3 digits, NANP), or an E.164 prefix (`+1212555`). Numbers whose calls fail for good
 * (BAD_NUMBER) are listed too (`source: 'bad-number'`), with the reason and date, until an operator releases them.
 */
export type BlockKind = 'number' | 'areaCode' | 'prefix';

export interface BlockEntry {
  readonly kind: BlockKind;
  readonly value: string;
  readonly reason: string;
  readonly source: 'operator' | 'bad-number';
  readonly addedAt: number;
  readonly addedBy: string;
}

/** A checked entry key, or the reason it is refused (named by field). */
export function parseBlockTarget(kind: BlockKind, raw: string): { ok: true; value: string } | { ok: false; reason: string } {
  const value = raw.trim();
  if (kind === 'areaCode') return /^[2-9]\d{2}$/.test(value) ? { ok: true, value } : { ok: false, reason: 'areaCode: must be 3 digits, the first 2-9 (e.g. 212)' };
  if (kind === 'prefix') return /^\+1\d{1,9}$/.test(value) ? { ok: true, value } : { ok: false, reason: 'prefix: must be +1 and 1 to 9 more digits (e.g. +1212555)' };
  return /^\+1\d{10}$/.test(value) ? { ok: true, value } : { ok: false, reason: 'number: must be an E.164 US/Canada number (+1 and 10 digits)' };
}

/** The entry that blocks `phone`, most specific first (number, prefix, area code), or null. */
export function blockingEntry(phone: E164 | string, entries: readonly BlockEntry[]): BlockEntry | null {
  const number = entries.find((e) => e.kind === 'number' && e.value === phone);
  if (number) return number;
  const prefix = entries.filter((e) => e.kind === 'prefix' && phone.startsWith(e.value)).sort((a, b) => b.value.length - a.value.length)[0];
  if (prefix) return prefix;
  return entries.find((e) => e.kind === 'areaCode' && phone.startsWith(`+1${e.value}`)) ?? null;
}

/** Why a lead is blocked, for its record and the log line: a blocked number is shown masked (it is the lead's own). */
export function describeBlock(entry: BlockEntry): string {
  const what = entry.kind === 'number' ? maskPhone(entry.value) : entry.kind === 'areaCode' ? `area code ${entry.value}` : `prefix ${entry.value}`;
  return `blocked (${what}: ${entry.reason})`;
}
