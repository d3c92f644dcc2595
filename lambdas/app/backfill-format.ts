import type { SummaryLine, SummaryTotals } from '../ports/backfill';

/** The backfill's tables as operators read them (the CLI loads this without the workflow's code). */

/** `2025-12-01:    500 calls |   120 unique |    45 new |    45 total`: the per-date table operators know. */
export function formatSummaryLine(line: SummaryLine): string {
  const head = `${line.date}: ${String(line.calls).padStart(6)} calls | ${String(line.unique).padStart(5)} unique | ${String(line.new).padStart(5)} new | ${String(line.cumulative).padStart(6)} total`;
  if (line.status === 'pending') return `${head} | pending`;
  if (line.status === 'failed') return `${head} | FAILED ${line.error ?? ''}`;
  return line.invalid > 0 ? `${head} | ${line.invalid} invalid number(s)` : head;
}

/** The totals line: every figure but calls a count of distinct phones, the outcomes adding up to the unique phones. */
export function formatTotals(t: SummaryTotals): string {
  return `total: ${t.calls} calls, ${t.unique} unique phones | sale ${t.sale}, dnc ${t.dnc}, not in CRM ${t.notInCrm}, ` +
    `enqueued ${t.enqueued}, already queued ${t.alreadyQueued}, closed ${t.closed}, failed ${t.failed}` +
    (t.invalid > 0 ? ` | ${t.invalid} call(s) to invalid numbers` : '');
}
