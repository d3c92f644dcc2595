/** The counters of one reporting day (`YYYY-MM-DD`). */
export interface CountsByDate {
  readonly date: string;
  readonly counts: Readonly<Record<string, number>>;
}

/**
 * What the reports read: counters the loop keeps as it runs (lambdas/domain/report-counts.ts), so that no report
 * scans the table. Call counters are by the day a call was placed; cohort counters by the day a lead was created.
 */
export interface ReportStore {
  /** Call counters of each date, in the order given (empty counters for a day without calls). */
  getDailyCountsRange(dates: readonly string[]): Promise<CountsByDate[]>;
  /** Cohort counters of the dates in [from, to] (all dates when both are absent), ascending. */
  listCohortCounts(from?: string, to?: string): Promise<CountsByDate[]>;
  /** Active leads whose pending attempt falls in [from, to). */
  countDue(from: number, to: number): Promise<number>;
  getSystemPaused(): Promise<boolean>;
}
