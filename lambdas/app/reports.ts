import { DateTime } from 'luxon';
import type { Config } from '../config/config';
import { OUTCOMES } from '../domain/outcome';
import { LAST_OUTCOME_KEYS, latenessPercentile, reportingDate, sumCounts } from '../domain/report-counts';
import type { Clock } from '../ports/clock';
import type { ReportStore } from '../ports/reports';
import { datesBetween } from './backfill';
import { capacityPlan } from '../domain/capacity-plan';
import { capacityKeys, DIAL_CLASSES, type DialClass } from '../domain/pacing';
import type { CapacityStore } from '../ports/dial-capacity';
import { pacingRules } from './pacing';

/**
 * The operators' reports (docs/operations.md), all computed from counters the loop keeps (ReportStore): a report
 * reads one item per day of its range, never the leads. Days are calendar days of `config.reporting.zone`.
 */

export class ReportRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReportRequestError';
  }
}

export interface ReportDeps {
  readonly reports: ReportStore;
  readonly clock: Clock;
  readonly config: Config;
  /** The pacer's ledger: calls in progress against the plan (absent: not shown). */
  readonly capacity?: CapacityStore | null;
}

/** Demand against the voice platform's plan, today (docs/operations.md, "Capacity"). */
export interface CapacityToday {
  readonly pacing: boolean;
  readonly plan: { readonly name: string; readonly concurrency: number; readonly perHour: number | null; readonly perDay: number | null; readonly dailySpendCapUsd: number | null };
  /** Attempts that fell due today (each counted once: dialed, or first deferred). */
  readonly demand: number;
  readonly dialsPlaced: number;
  /** Attempts deferred for capacity at least once, and the deferrals in all (one attempt may wait more than once). */
  readonly attemptsDeferred: number;
  readonly deferrals: number;
  readonly deferredBy: Readonly<Record<string, number>>;
  /** Dials placed and attempts deferred for capacity, by priority class (fresh, callback, rung, first-of-day). */
  readonly byClass: Readonly<Record<DialClass, { readonly dials: number; readonly deferred: number }>>;
  /** Calls holding a slot now, and the calls the ledger counted today (UTC day). */
  readonly inFlight: number | null;
  readonly ledgerToday: number | null;
  /** Open leads times the dials the cadence gives each a day, against what the plan can place in the day's window. */
  readonly projectedDemand: number;
  readonly possibleDials: number;
  readonly projectedShortfall: number;
  readonly coveringPlan: string | null;
}

/** Longest range one report covers (one counter item per day). */
export const MAX_REPORT_DAYS = 400;

const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Checks a `from`/`to` pair (both `YYYY-MM-DD`, from ≤ to, at most 400 days); missing `to` = `from`. */
export function reportRange(from: string | undefined, to: string | undefined): { from: string; to: string; dates: string[] } {
  if (from === undefined || from === '') throw new ReportRequestError('from: required (YYYY-MM-DD)');
  const end = to === undefined || to === '' ? from : to;
  for (const [name, value] of [['from', from], ['to', end]] as const) {
    if (!ISO_DAY.test(value) || !DateTime.fromISO(value, { zone: 'utc' }).isValid) throw new ReportRequestError(`${name}: "${value}" is not a date YYYY-MM-DD`);
  }
  if (end < from) throw new ReportRequestError(`to: ${end} is before from ${from}`);
  // Counted before listing: a range of centuries is refused at once, not enumerated.
  const days = Math.round(DateTime.fromISO(end, { zone: 'utc' }).diff(DateTime.fromISO(from, { zone: 'utc' }), 'days').days) + 1;
  if (days > MAX_REPORT_DAYS) throw new ReportRequestError(`to: the range covers ${days} days; at most ${MAX_REPORT_DAYS}`);
  return { from, to: end, dates: datesBetween(from, end) };
}

const ratio = (n: number, d: number) => (d > 0 ? Math.round((n / d) * 10_000) / 10_000 : null);
const usd = (n: number) => Math.round(n * 100) / 100;
const pick = (counts: Readonly<Record<string, number>>, prefix: string, keys: readonly string[]) =>
  Object.fromEntries(keys.map((k) => [k, counts[`${prefix}${k}`] ?? 0]));

export interface Breakdown {
  readonly from: string;
  readonly to: string;
  readonly zone: string;
  readonly totalLeads: number;
  /** Still redialing (ACTIVE), including the transferred-not-sold below. */
  readonly active: number;
  /** Still redialing after at least one transfer: transferred, not sold. */
  readonly transferredNotSold: number;
  /** Paused by an operator. */
  readonly paused: number;
  readonly sale: number;
  readonly dnc: number;
  /** Finished otherwise: a bad number, the total cap, a CRM status... */
  readonly otherTerminal: number;
  readonly byLastOutcome: Readonly<Record<string, number>>;
  readonly totalNonSale: number;
  readonly totalNonDnc: number;
}

export interface RangeReport {
  readonly from: string;
  readonly to: string;
  readonly zone: string;
  readonly leadsCreated: number;
  readonly calls: number;
  /** Calls beyond each lead's first. */
  readonly redials: number;
  readonly outcomes: Readonly<Record<string, number>>;
  /** A human answered and the call lasted at least `answeredMinSeconds`. */
  readonly answered: number;
  readonly answeredMinSeconds: number;
  readonly transferred: number;
  /** answered ÷ calls. */
  readonly connectivityRate: number | null;
  /** The floor's definition: transferred ÷ answered. */
  readonly transferRateOfAnswered: number | null;
  /** transferred ÷ calls. */
  readonly transferRateOfCalls: number | null;
  /** Calls ÷ lead-days dialed (a lead dialed on 3 days counts 3). */
  readonly avgCallsPerLeadPerDay: number | null;
  readonly targetCallsPerLeadPerDay: number;
  /** Lead-days on which a lead's calls filled its daily cap. */
  readonly leadsAtCap: number;
  readonly blandCostUsd: number;
  readonly callMinutes: number;
  readonly windowRefusals: number;
  /** Must be 0: calls found outside the calling window after the fact (alarmed on). */
  readonly dialsOutsideWindow: number;
  /** Leads calling back (not outbound dials: not in `calls`). */
  readonly inboundCalls: number;
  readonly texts: TextCounts;
  readonly days: readonly { date: string; calls: number; answered: number; transferred: number; sale: number; dnc: number; blandCostUsd: number }[];
}

export interface TodayReport {
  readonly date: string;
  readonly zone: string;
  readonly asOf: string;
  readonly paused: boolean;
  readonly calls: number;
  readonly byOutcome: Readonly<Record<string, number>>;
  readonly leadsDialed: number;
  /** Leads whose call today filled their daily cap. */
  readonly leadsAtCap: number;
  /** Active leads with an attempt due within the next hour. */
  readonly dueNextHour: number;
  readonly windowRefusals: number;
  readonly capRefusals: number;
  /** Dial lateness (dialed minus scheduled) by histogram bucket: "≤ N s"; null upper bound = over an hour. */
  readonly lateness: { readonly p50: string | null; readonly p95: string | null; readonly p99: string | null };
  readonly blandCostUsd: number;
  readonly dialsOutsideWindow: number;
  readonly inboundCalls: number;
  readonly texts: TextCounts;
  readonly capacity: CapacityToday;
}

/** Texts of the day(s): sent (follow-up steps), received, and received opt-outs. */
export interface TextCounts {
  readonly sent: number;
  readonly received: number;
  readonly optOuts: number;
}

const textCounts = (c: Readonly<Record<string, number>>): TextCounts => ({ sent: c['smsSent'] ?? 0, received: c['smsInbound'] ?? 0, optOuts: c['smsInbound_opt-out'] ?? 0 });

export interface TotalsReport {
  readonly asOf: string;
  readonly zone: string;
  readonly leads: number;
  readonly active: number;
  readonly paused: number;
  readonly completed: number;
  readonly sale: number;
  readonly dnc: number;
  readonly firstSeenToday: number;
  readonly firstSeenYesterday: number;
  readonly older: number;
  /** Leads whose calls today reached their daily max (they wait for the next business day). */
  readonly dailyMaxReachedToday: number;
}

function lateLabel(counts: Readonly<Record<string, number>>, p: number): string | null {
  const q = latenessPercentile(counts, p);
  if (!q) return null;
  return q.atMostS === null ? '> 3600 s' : `≤ ${q.atMostS} s`;
}

export function makeReports(deps: ReportDeps) {
  const zone = deps.config.reporting.zone;

  function breakdownOf(counts: Readonly<Record<string, number>>) {
    const total = counts['leads'] ?? 0;
    const sale = counts['terminal_SALE'] ?? 0;
    const dnc = counts['terminal_DNC'] ?? 0;
    return {
      totalLeads: total,
      active: counts['status_ACTIVE'] ?? 0,
      transferredNotSold: counts['transferredActive'] ?? 0,
      paused: counts['status_PAUSED'] ?? 0,
      sale,
      dnc,
      otherTerminal: counts['terminal_other'] ?? 0,
      byLastOutcome: pick(counts, 'last_', LAST_OUTCOME_KEYS),
      totalNonSale: total - sale,
      totalNonDnc: total - dnc,
    };
  }

  return {
    /** Leads created in [from, to], by where they stand now. */
    async breakdown(from?: string, to?: string): Promise<Breakdown> {
      const range = reportRange(from, to);
      const cohorts = await deps.reports.listCohortCounts(range.from, range.to);
      return { from: range.from, to: range.to, zone, ...breakdownOf(sumCounts(cohorts.map((c) => c.counts))) };
    },

    /** Calls placed in [from, to] and what came of them. */
    async range(from?: string, to?: string): Promise<RangeReport> {
      const range = reportRange(from, to);
      const [daily, cohorts] = await Promise.all([
        deps.reports.getDailyCountsRange(range.dates),
        deps.reports.listCohortCounts(range.from, range.to),
      ]);
      const c = sumCounts(daily.map((d) => d.counts));
      const calls = c['dials'] ?? 0;
      const answered = c['answered'] ?? 0;
      const transferred = c['outcome_TRANSFERRED'] ?? 0;
      return {
        from: range.from,
        to: range.to,
        zone,
        leadsCreated: sumCounts(cohorts.map((x) => x.counts))['leads'] ?? 0,
        calls,
        redials: c['redials'] ?? 0,
        outcomes: pick(c, 'outcome_', OUTCOMES),
        answered,
        answeredMinSeconds: deps.config.reporting.answeredMinSeconds,
        transferred,
        connectivityRate: ratio(answered, calls),
        transferRateOfAnswered: ratio(transferred, answered),
        transferRateOfCalls: ratio(transferred, calls),
        avgCallsPerLeadPerDay: ratio(calls, c['leadsDialed'] ?? 0),
        targetCallsPerLeadPerDay: deps.config.policy.maxCallsPerDay,
        leadsAtCap: c['leadsAtCap'] ?? 0,
        blandCostUsd: usd(c['blandCostUsd'] ?? 0),
        callMinutes: Math.round((c['callSeconds'] ?? 0) / 6) / 10,
        windowRefusals: c['windowRefusals'] ?? 0,
        dialsOutsideWindow: c['outsideWindow'] ?? 0,
        inboundCalls: c['inbound'] ?? 0,
        texts: textCounts(c),
        days: daily.map(({ date, counts }) => ({
          date,
          calls: counts['dials'] ?? 0,
          answered: counts['answered'] ?? 0,
          transferred: counts['outcome_TRANSFERRED'] ?? 0,
          sale: counts['outcome_SALE'] ?? 0,
          dnc: counts['outcome_DNC'] ?? 0,
          blandCostUsd: usd(counts['blandCostUsd'] ?? 0),
        })),
      };
    },

    /** The reporting day so far. */
    async today(): Promise<TodayReport> {
      const now = deps.clock.now();
      const date = reportingDate(zone, now);
      const [[day], paused, dueNextHour, cohorts, usage] = await Promise.all([
        deps.reports.getDailyCountsRange([date]),
        deps.reports.getSystemPaused(),
        deps.reports.countDue(now, now + 3_600_000),
        deps.reports.listCohortCounts(),
        deps.capacity ? deps.capacity.usage(capacityKeys(now), now) : Promise.resolve(null),
      ]);
      const c = day!.counts;
      const rules = pacingRules(deps.config);
      const business = deps.config.window.business;
      const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
      const open = breakdownOf(sumCounts(cohorts.map((x) => x.counts))).active;
      const plan = capacityPlan(open, {
        gapsMinutes: deps.config.policy.gapsMinutes, maxCallsPerDay: deps.config.policy.maxCallsPerDay,
        windowMinutes: minutes(business.end) - minutes(business.start), avgCallSeconds: rules.avgCallSeconds,
      }, rules.limits);
      const demand = c['attemptsDue'] ?? 0;
      const projectedDemand = Math.max(demand, plan.dueDialsPerDay);
      const capacity: CapacityToday = {
        pacing: deps.config.pacer.enabled,
        plan: { name: deps.config.pacer.plan, concurrency: rules.limits.concurrency, perHour: rules.limits.perHour, perDay: rules.limits.perDay, dailySpendCapUsd: rules.dailySpendCapUsd },
        demand,
        dialsPlaced: c['dials'] ?? 0,
        attemptsDeferred: c['attemptsDeferred'] ?? 0,
        deferrals: c['capacityDeferrals'] ?? 0,
        deferredBy: Object.fromEntries(Object.entries(c).filter(([k]) => k.startsWith('deferred_')).map(([k, n]) => [k.slice('deferred_'.length), n])),
        byClass: Object.fromEntries(DIAL_CLASSES.map((cls) => [cls, { dials: c[`dials_${cls}`] ?? 0, deferred: c[`attemptsDeferred_${cls}`] ?? 0 }])) as CapacityToday['byClass'],
        inFlight: usage?.inFlight ?? null,
        ledgerToday: usage?.day ?? null,
        projectedDemand,
        possibleDials: plan.possibleDialsPerDay,
        projectedShortfall: Math.max(0, projectedDemand - plan.possibleDialsPerDay),
        coveringPlan: plan.coveringPlan,
      };
      return {
        date,
        zone,
        asOf: DateTime.fromMillis(now, { zone }).toISO()!,
        paused,
        calls: c['dials'] ?? 0,
        byOutcome: pick(c, 'outcome_', OUTCOMES),
        leadsDialed: c['leadsDialed'] ?? 0,
        leadsAtCap: c['leadsAtCap'] ?? 0,
        dueNextHour,
        windowRefusals: c['windowRefusals'] ?? 0,
        capRefusals: c['capRefusals'] ?? 0,
        lateness: { p50: lateLabel(c, 0.5), p95: lateLabel(c, 0.95), p99: lateLabel(c, 0.99) },
        blandCostUsd: usd(c['blandCostUsd'] ?? 0),
        dialsOutsideWindow: c['outsideWindow'] ?? 0,
        inboundCalls: c['inbound'] ?? 0,
        texts: textCounts(c),
        capacity,
      };
    },

    /** Every lead ever, by where it stands, and by when it was first seen. */
    async totals(): Promise<TotalsReport> {
      const now = deps.clock.now();
      const today = reportingDate(zone, now);
      const yesterday = DateTime.fromMillis(now, { zone }).minus({ days: 1 }).toISODate()!;
      const [cohorts, [day]] = await Promise.all([deps.reports.listCohortCounts(), deps.reports.getDailyCountsRange([today])]);
      const all = breakdownOf(sumCounts(cohorts.map((x) => x.counts)));
      const on = (date: string) => cohorts.find((x) => x.date === date)?.counts['leads'] ?? 0;
      return {
        asOf: DateTime.fromMillis(now, { zone }).toISO()!,
        zone,
        leads: all.totalLeads,
        active: all.active,
        paused: all.paused,
        completed: all.sale + all.dnc + all.otherTerminal,
        sale: all.sale,
        dnc: all.dnc,
        firstSeenToday: on(today),
        firstSeenYesterday: on(yesterday),
        older: all.totalLeads - on(today) - on(yesterday),
        dailyMaxReachedToday: day!.counts['leadsAtCap'] ?? 0,
      };
    },
  };
}

export type Reports = ReturnType<typeof makeReports>;
