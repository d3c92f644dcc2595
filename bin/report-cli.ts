import { parseArgs } from 'node:util';
import type { Breakdown, RangeReport, TodayReport, TotalsReport } from '../lambdas/app/reports';
import type { CallerIdRow } from '../lambdas/domain/caller-id';
import { adminApi, adminEndpoint, BackfillCliError } from './admin-api';

/**
 * `redial report breakdown|range|today|totals [--from YYYY-MM-DD --to YYYY-MM-DD] [--json]`: the admin API's reports
 * (local runtime, or AWS with --url <ApiUrl> --api-key <adminApiKey>) as aligned tables.
 */

const KINDS = ['breakdown', 'range', 'today', 'totals', 'caller-ids'] as const;
type Kind = (typeof KINDS)[number];

const pct = (r: number | null) => (r === null ? 'n/a' : `${(r * 100).toFixed(1)}%`);
const money = (n: number) => `$${n.toFixed(2)}`;

/** Rows of [label, value] as two aligned columns, values right-aligned. */
export function table(rows: readonly (readonly [string, string | number])[]): string[] {
  const labelWidth = Math.max(...rows.map(([l]) => l.length));
  const valueWidth = Math.max(...rows.map(([, v]) => String(v).length));
  return rows.map(([label, value]) => `${label.padEnd(labelWidth)}  ${String(value).padStart(valueWidth)}`);
}

/** A grid with a header row, every column right-aligned but the first. */
export function grid(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string[] {
  const all = [header, ...rows].map((r) => r.map(String));
  const widths = header.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  return all.map((r) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ').trimEnd());
}

const nonZero = (counts: Readonly<Record<string, number>>) => Object.entries(counts).filter(([, n]) => n > 0);

export function formatBreakdown(r: Breakdown): string[] {
  return [
    `leads created ${r.from} to ${r.to} (${r.zone} days), where they stand now`,
    ...table([
      ['total leads', r.totalLeads],
      ['active (redialing)', r.active],
      ['  of which transferred, not sold', r.transferredNotSold],
      ['paused by an operator', r.paused],
      ['SALE', r.sale],
      ['DNC', r.dnc],
      ['other terminal', r.otherTerminal],
      ['total non-sale', r.totalNonSale],
      ['total non-DNC', r.totalNonDnc],
    ]),
    'by last outcome',
    ...table(nonZero(r.byLastOutcome).map(([k, n]) => [`  ${k === 'NONE' ? 'not called yet' : k}`, n])),
  ];
}

export function formatRange(r: RangeReport): string[] {
  return [
    `calls placed ${r.from} to ${r.to} (${r.zone} days)`,
    ...table([
      ['leads created', r.leadsCreated],
      ['calls placed', r.calls],
      ['redials (beyond each lead\'s first call)', r.redials],
      [`answered (human, >= ${r.answeredMinSeconds} s)`, r.answered],
      ['transferred', r.transferred],
      ['connectivity rate (answered / calls)', pct(r.connectivityRate)],
      ['transfer rate (transferred / answered)', pct(r.transferRateOfAnswered)],
      ['transfer rate (transferred / calls)', pct(r.transferRateOfCalls)],
      ['leads that hit the daily cap', r.leadsAtCap],
      ['calls per lead per day (target)', `${r.avgCallsPerLeadPerDay === null ? 'n/a' : r.avgCallsPerLeadPerDay.toFixed(2)} (${r.targetCallsPerLeadPerDay})`],
      ['call minutes', r.callMinutes],
      ['Bland cost', money(r.blandCostUsd)],
      ['refused by the calling window', r.windowRefusals],
      ['dials outside the window (must be 0)', r.dialsOutsideWindow],
      ['inbound calls (leads calling back)', r.inboundCalls],
      ['texts sent / received / opt-outs', `${r.texts.sent} / ${r.texts.received} / ${r.texts.optOuts}`],
    ]),
    'outcomes',
    ...table(nonZero(r.outcomes).map(([k, n]) => [`  ${k}`, n])),
    ...grid(['date', 'calls', 'answered', 'transferred', 'sale', 'dnc', 'cost'], r.days.map((d) => [d.date, d.calls, d.answered, d.transferred, d.sale, d.dnc, money(d.blandCostUsd)])),
  ];
}

export function formatToday(r: TodayReport): string[] {
  return [
    `today ${r.date} (${r.zone}), as of ${r.asOf}${r.paused ? '  ** PAUSED (kill switch on) **' : ''}`,
    ...table([
      ['calls so far', r.calls],
      ['leads dialed', r.leadsDialed],
      ['leads that hit the daily cap', r.leadsAtCap],
      ['leads due in the next hour', r.dueNextHour],
      ['refused by the calling window', r.windowRefusals],
      ['refused by the daily cap', r.capRefusals],
      ['dial lateness p50', r.lateness.p50 ?? 'n/a'],
      ['dial lateness p95', r.lateness.p95 ?? 'n/a'],
      ['dial lateness p99', r.lateness.p99 ?? 'n/a'],
      ['Bland cost', money(r.blandCostUsd)],
      ['dials outside the window (must be 0)', r.dialsOutsideWindow],
      ['inbound calls (leads calling back)', r.inboundCalls],
      ['texts sent / received / opt-outs', `${r.texts.sent} / ${r.texts.received} / ${r.texts.optOuts}`],
    ]),
    'by outcome',
    ...table(nonZero(r.byOutcome).map(([k, n]) => [`  ${k}`, n])),
    ...formatCapacity(r.capacity),
  ];
}

/** Demand against the Bland plan: what fell due, what was placed, what waited for capacity, and the day's shortfall. */
export function formatCapacity(c: TodayReport['capacity']): string[] {
  const cap = (n: number | null) => (n === null ? 'none' : String(n));
  return [
    `capacity: Bland ${c.plan.name} plan (${c.plan.concurrency} at once, ${cap(c.plan.perHour)} an hour, ${cap(c.plan.perDay)} a day)${c.pacing ? '' : '  ** pacing off **'}`,
    ...table([
      ['attempts due today (demand)', c.demand],
      ['dials placed', c.dialsPlaced],
      ['attempts deferred for capacity', `${c.attemptsDeferred} (${c.deferrals} deferrals${Object.keys(c.deferredBy).length ? `: ${Object.entries(c.deferredBy).map(([k, n]) => `${k} ${n}`).join(', ')}` : ''})`],
      ['dials / deferred, by priority class', Object.entries(c.byClass).map(([cls, n]) => `${cls} ${n.dials}/${n.deferred}`).join(', ')],
      ['calls in progress / cap', c.inFlight === null ? 'n/a' : `${c.inFlight} / ${c.plan.concurrency}`],
      ['projected dials due today (open leads x cadence)', c.projectedDemand],
      ['dials the plan can place today', c.possibleDials],
      ['projected shortfall', c.projectedShortfall > 0 ? `${c.projectedShortfall}  ** over the plan: ${c.coveringPlan ? `the ${c.coveringPlan} plan covers it` : 'no self-serve plan covers it (Enterprise)'} **` : 0],
    ]),
  ];
}

export function formatTotals(r: TotalsReport): string[] {
  return [
    `all leads, as of ${r.asOf} (${r.zone} days)`,
    ...table([
      ['lifetime leads', r.leads],
      ['active', r.active],
      ['paused', r.paused],
      ['completed', r.completed],
      ['  SALE', r.sale],
      ['  DNC', r.dnc],
      ['first seen today', r.firstSeenToday],
      ['first seen yesterday', r.firstSeenYesterday],
      ['older', r.older],
      ['daily max reached today', r.dailyMaxReachedToday],
    ]),
  ];
}

export function formatCallerIds(rows: readonly CallerIdRow[]): string[] {
  if (rows.length === 0) return ['no caller-ID pool configured (config.callerIds.numbers): calls go out from Bland\'s numbers'];
  return [
    'caller-ID pool, last 48 hours',
    ...grid(['number', 'dials', 'pickups', 'pickup rate', 'transfers', 'no-pickup streak', 'resting until'],
      rows.map((r) => [r.number, r.dials, r.pickups, pct(r.pickupRate), r.transfers, r.consecutiveNonPickups, r.coolingUntil ?? '-'])),
  ];
}

export async function runReport(argv: string[], out: (line: string) => void, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { from: { type: 'string' }, to: { type: 'string' }, json: { type: 'boolean', default: false }, url: { type: 'string' }, 'api-key': { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
  const kind = positionals[0] as Kind | undefined;
  if (!kind || !KINDS.includes(kind)) throw new BackfillCliError(`report: which one? ${KINDS.join(', ')}`);
  if ((kind === 'breakdown' || kind === 'range') && !values.from) throw new BackfillCliError(`report ${kind} needs --from YYYY-MM-DD (and --to, default --from)`);
  const { baseUrl, apiKey } = adminEndpoint(values, env);
  const query = new URLSearchParams();
  if (values.from) query.set('from', values.from);
  if (values.to) query.set('to', values.to);
  const path = kind === 'today' ? '/admin/stats/today' : `/admin/reports/${kind}${query.size ? `?${query}` : ''}`;
  const json = await adminApi(baseUrl, apiKey).request('GET', path);
  if (values.json) {
    out(JSON.stringify(json));
    return 0;
  }
  if (kind === 'caller-ids') {
    for (const line of formatCallerIds(json['numbers'] as CallerIdRow[])) out(line);
    return 0;
  }
  const lines = kind === 'breakdown' ? formatBreakdown(json as unknown as Breakdown)
    : kind === 'range' ? formatRange(json as unknown as RangeReport)
      : kind === 'today' ? formatToday(json as unknown as TodayReport)
        : formatTotals(json as unknown as TotalsReport);
  for (const line of lines) out(line);
  return 0;
}
