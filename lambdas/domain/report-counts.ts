import type { Lead } from './lead';
import { OUTCOMES } from './outcome';
import { wallAt } from './zone-time';

/**
 * The counters the reports read, kept as the loop runs (no table scans). Two kinds, both per calendar day of the
 * reporting zone:
 *   - call counters, by the day a call was placed: dials, redials, outcomes, answered, cost, lateness histogram...
 *   - cohort counters, by the day a lead was created: how many of that day's leads are in each state now. A lead's
 *     state change moves it from one bucket to another (`leadCountsDelta`), so the counters always sum to the leads.
 */

/** The reporting day (`YYYY-MM-DD`) of an instant. */
export function reportingDate(zone: string, ms: number): string {
  return wallAt(zone, ms).date;
}

/** Upper bounds (seconds) of the dial-lateness histogram buckets; a last bucket holds everything later. */
export const LATENESS_BOUNDS_S = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600] as const;
const LAST_BOUND = LATENESS_BOUNDS_S[LATENESS_BOUNDS_S.length - 1];

/** Counter name of the histogram bucket holding a dial `lateMs` after its scheduled time. */
export function latenessBucket(lateMs: number): string {
  const s = Math.max(0, lateMs) / 1000;
  const bound = LATENESS_BOUNDS_S.find((b) => s <= b);
  return bound === undefined ? `late_gt_${LAST_BOUND}` : `late_le_${bound}`;
}

/**
 * The `p` quantile (0..1) of the lateness histogram in `counts`, as the bucket it falls in: `atMostS` its upper bound
 * (null for the open last bucket, which is reported as "over 3600 s"). Null when no dial was counted.
 */
export function latenessPercentile(counts: Readonly<Record<string, number>>, p: number): { atMostS: number | null } | null {
  const buckets: [number | null, number][] = [
    ...LATENESS_BOUNDS_S.map((b) => [b, counts[`late_le_${b}`] ?? 0] as [number, number]),
    [null, counts[`late_gt_${LAST_BOUND}`] ?? 0],
  ];
  const total = buckets.reduce((sum, [, n]) => sum + n, 0);
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil(p * total));
  let seen = 0;
  for (const [bound, n] of buckets) {
    seen += n;
    if (seen >= rank) return { atMostS: bound };
  }
  return { atMostS: null };
}

/** A human answered and stayed at least `minSeconds` (the floor's definition of an answered call). */
export function isAnswered(answeredBy: string | null, durationS: number | null, minSeconds: number): boolean {
  return answeredBy?.toLowerCase() === 'human' && (durationS ?? 0) >= minSeconds;
}

/**
 * The cohort buckets one lead is counted in: `leads`; its status; for finished leads `terminal_SALE`, `terminal_DNC`
 * or `terminal_other`; `transferredActive` when it is still redialing after a transfer (transferred, not sold); and
 * `last_<outcome>` (`last_NONE` before its first outcome).
 */
export function leadBuckets(lead: Lead): string[] {
  const buckets = ['leads', `status_${lead.status}`, `last_${lead.lastOutcome ?? 'NONE'}`];
  if (lead.status === 'DONE') {
    const outcome = lead.outcome === 'SALE' || lead.outcome === 'DNC' ? lead.outcome : 'other';
    buckets.push(`terminal_${outcome}`);
  } else if (lead.status === 'ACTIVE' && (lead.transfers ?? 0) > 0) {
    // Still redialing: a lead an operator paused is not (it counts under `paused` alone).
    buckets.push('transferredActive');
  }
  return buckets;
}

/** The counter changes of one lead going from `before` (null: new) to `after` (null: gone); empty when no bucket moved. */
export function leadCountsDelta(before: Lead | null, after: Lead | null): Record<string, number> {
  const delta: Record<string, number> = {};
  for (const b of before ? leadBuckets(before) : []) delta[b] = (delta[b] ?? 0) - 1;
  for (const b of after ? leadBuckets(after) : []) delta[b] = (delta[b] ?? 0) + 1;
  for (const [k, v] of Object.entries(delta)) if (v === 0) delete delta[k];
  return delta;
}

/** Adds counter maps (reports over several days). */
export function sumCounts(all: readonly Readonly<Record<string, number>>[]): Record<string, number> {
  const sum: Record<string, number> = {};
  for (const counts of all) for (const [k, v] of Object.entries(counts)) sum[k] = (sum[k] ?? 0) + v;
  return sum;
}

export const LAST_OUTCOME_KEYS = ['NONE', ...OUTCOMES] as const;
