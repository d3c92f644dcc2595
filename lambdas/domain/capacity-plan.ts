import { BLAND_PLANS, type BlandPlanName, type PlanLimits } from './pacing';

/**
 * Demand against a plan's caps (docs/operations.md, "Capacity"): how many dials a day the cadence makes due for N open
 * leads, how many the plan can place inside the day's calling window, and which plan would cover the difference.
 */
export interface CadenceInput {
  readonly gapsMinutes: readonly number[];
  readonly maxCallsPerDay: number;
  /** Length of the business calling window of a day (minutes). */
  readonly windowMinutes: number;
  readonly avgCallSeconds: number;
}

/** Dials one never-finishing lead gets in a day: the gap ladder played from the window's opening until it closes. */
export function dialsPerLeadPerDay(c: CadenceInput): number {
  let t = 0;
  let dials = 0;
  while (dials < c.maxCallsPerDay && t <= c.windowMinutes) {
    dials++;
    t += c.avgCallSeconds / 60 + c.gapsMinutes[Math.min(dials, c.gapsMinutes.length - 1)]!;
  }
  return dials;
}

/** Dials a plan can place in a day's window: its daily cap, its hourly cap times the hours, its concurrency's turnover. */
export function possibleDialsPerDay(limits: PlanLimits, windowMinutes: number, avgCallSeconds: number): number {
  const byConcurrency = Math.floor((limits.concurrency * windowMinutes * 60) / avgCallSeconds);
  const byHour = limits.perHour === null ? Infinity : limits.perHour * Math.ceil(windowMinutes / 60);
  const bySecond = limits.perSecond === null ? Infinity : limits.perSecond * windowMinutes * 60;
  return Math.min(limits.perDay ?? Infinity, byHour, byConcurrency, bySecond);
}

export interface CapacityPlan {
  readonly leads: number;
  readonly dialsPerLeadPerDay: number;
  readonly dueDialsPerDay: number;
  readonly possibleDialsPerDay: number;
  readonly shortfallPerDay: number;
  /** Leads the plan covers at this cadence. */
  readonly leadsCovered: number;
  /** The smallest self-serve plan whose caps cover the demand, or null (an Enterprise agreement is needed). */
  readonly coveringPlan: BlandPlanName | null;
}

export function capacityPlan(leads: number, cadence: CadenceInput, limits: PlanLimits): CapacityPlan {
  const perLead = dialsPerLeadPerDay(cadence);
  const due = leads * perLead;
  const possible = possibleDialsPerDay(limits, cadence.windowMinutes, cadence.avgCallSeconds);
  const covering = (Object.keys(BLAND_PLANS) as BlandPlanName[]).find((name) => possibleDialsPerDay(BLAND_PLANS[name], cadence.windowMinutes, cadence.avgCallSeconds) >= due) ?? null;
  return {
    leads,
    dialsPerLeadPerDay: perLead,
    dueDialsPerDay: due,
    possibleDialsPerDay: possible,
    shortfallPerDay: Math.max(0, due - possible),
    leadsCovered: perLead === 0 ? 0 : Math.floor(possible / perLead),
    coveringPlan: covering,
  };
}
