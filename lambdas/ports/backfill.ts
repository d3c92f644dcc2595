/** Ports of the backfill / reconcile workflow (lambdas/app/backfill.ts). */

/** One row of the voice platform's call list (Bland `GET /v1/calls`): metadata only, no transcript. */
export interface ListedCall {
  readonly callId: string;
  /** The customer's number as the platform reports it (`to` for outbound calls, `from` for inbound), not normalized. */
  readonly customer: string;
  readonly createdAt: number;
}

export interface CallListPage {
  readonly calls: readonly ListedCall[];
  /** Size of the whole result set when the platform says so. */
  readonly totalCount: number | null;
}

export interface CallListQuery {
  /** Inclusive UTC calendar days `YYYY-MM-DD` (Bland's start_date / end_date). */
  readonly startDate: string;
  readonly endDate: string;
  /** Index of the first row (Bland's `from`); rows sorted by created_at, oldest first. */
  readonly offset: number;
  readonly limit: number;
  /** Only calls to this number (Bland's to_number). */
  readonly toNumber?: string;
}

/** The voice platform's call history. */
export interface CallLog {
  listCalls(query: CallListQuery): Promise<CallListPage>;
}

/** Small blobs the workflow hands between its steps (S3 on AWS, a folder locally): per-date phone lists. */
export interface ArtifactStore {
  put(key: string, body: string): Promise<void>;
  get(key: string): Promise<string | null>;
}

export type RunKind = 'backfill' | 'reconcile';

/** A run: one range of dates, one dry-run flag, any number of executions (resume = same runId). */
export interface BackfillRun {
  readonly runId: string;
  readonly kind: RunKind;
  readonly from: string;
  readonly to: string;
  /** The zone whose calendar days the dates are. */
  readonly zone: string;
  readonly dryRun: boolean;
  readonly createdAt: number;
  /** Set on every start or resume: progress is measured from it. */
  readonly startedAt: number;
  /** The same start on the wall clock (the local runtime's clock may run faster): the ETA is wall-clock time. */
  readonly wallStartedAt?: number;
  /** Dates fetched at once; a resume keeps the run's unless it names another (absent on runs stored before it). */
  readonly maxConcurrency?: number;
  readonly dates: number;
}

/** What the phone check decides, one count per distinct phone of the run (added chunk by chunk). */
export interface PhoneCounts {
  /** SALE or DNC in the CRM, or DNC by the latest call of the range: never enqueued (an active lead here is ended). */
  sale: number;
  dnc: number;
  /** Phones the CRM does not know: skipped. */
  notInCrm: number;
  /** Leads created (or given back a stranded attempt) by the run; in a dry run, those that would be. */
  enqueued: number;
  /** Leads already active with a pending attempt: they keep it. */
  alreadyQueued: number;
  /** Leads already finished here (SALE, DNC, stopped): never reactivated. */
  closed: number;
}

export const ZERO_COUNTS: Readonly<PhoneCounts> = { sale: 0, dnc: 0, notInCrm: 0, enqueued: 0, alreadyQueued: 0, closed: 0 };
export const COUNT_NAMES = Object.keys(ZERO_COUNTS) as (keyof PhoneCounts)[];

export type DateStatus = 'done' | 'failed';

/** One date of a run: its calls were fetched (done) or could not be (failed). */
export interface BackfillDate {
  readonly date: string;
  readonly status: DateStatus;
  /** Calls of the date in the platform's list, and their distinct valid numbers. */
  readonly calls: number;
  readonly unique: number;
  /** Calls of the date whose number is not a valid one: logged (call id only), never a phone. */
  readonly invalid: number;
  readonly error: string | null;
  readonly updatedAt: number;
  /** When it was fetched, on the wall clock (for the ETA). */
  readonly wallAt?: number;
}

export type CheckStatus = 'checking' | 'done' | 'failed';

/**
 * The run's phone check: every distinct phone of the whole range, each with its latest call, checked once (one CRM
 * lookup a phone a run). The checkpoint is the offset in the run's sorted phone list.
 */
export interface PhoneCheck extends PhoneCounts {
  readonly status: CheckStatus;
  /** Distinct phones of the run (the list's length). */
  readonly total: number;
  /** Phones already decided: the resume point. */
  readonly offset: number;
  readonly error: string | null;
  readonly updatedAt: number;
  /** The offset and wall-clock instant of the latest (re)start: the ETA's rate. */
  readonly startOffset: number;
  readonly wallStartedAt: number;
}

export interface SummaryLine {
  readonly date: string;
  readonly status: DateStatus | 'pending';
  readonly calls: number;
  /** Distinct phones called that date. */
  readonly unique: number;
  /** Phones not seen on an earlier date of the run, and the run's distinct phones so far (date order). */
  readonly new: number;
  readonly cumulative: number;
  readonly invalid: number;
  readonly error: string | null;
}

/** The run's totals, every figure but `calls` and `invalid` a count of distinct phones. */
export interface SummaryTotals extends PhoneCounts {
  readonly calls: number;
  readonly invalid: number;
  /** Distinct phones of the run: sale + dnc + notInCrm + enqueued + alreadyQueued + closed + failed. */
  readonly unique: number;
  /** Phones not decided: the check failed or could not run (a date failed); a resume decides them. */
  readonly failed: number;
}

export interface BackfillSummary {
  readonly runId: string;
  readonly kind: RunKind;
  readonly from: string;
  readonly to: string;
  readonly dryRun: boolean;
  readonly dates: number;
  readonly done: number;
  readonly failed: number;
  readonly totals: SummaryTotals;
  /** The phone check's state (null: not started, e.g. a date failed); its error when it failed. */
  readonly check: { readonly status: CheckStatus; readonly checked: number; readonly total: number; readonly error: string | null } | null;
  readonly lines: readonly SummaryLine[];
  readonly failedDates: readonly string[];
  readonly summarizedAt: number;
}

export class DateConflictError extends Error {
  constructor(runId: string, what: string) {
    super(`backfill ${runId} ${what}: the checkpoint moved (another execution is working on this run)`);
    this.name = 'DateConflictError';
  }
}

/** Runs, their dates and their phone check (DynamoDB: pk RUN#<runId>). */
export interface BackfillStore {
  /** Creates the run; false if the runId exists already. */
  createRun(run: BackfillRun): Promise<boolean>;
  getRun(runId: string): Promise<BackfillRun | null>;
  markRunStarted(runId: string, at: number, wallAt: number, maxConcurrency: number): Promise<void>;
  listDates(runId: string): Promise<BackfillDate[]>;
  getDate(runId: string, date: string): Promise<BackfillDate | null>;
  /**
   * Records a fetched date (done). Refused (DateConflictError) if the date is done and was done after `dayEnd`
   * (finished for good, e.g. by another execution of the run).
   */
  recordDate(runId: string, date: string, fetched: { calls: number; unique: number; invalid: number }, at: number, wallAt: number, dayEnd: number): Promise<void>;
  /** Records the date failed, unless it is done (another execution finished it): then false. */
  failDate(runId: string, date: string, error: string, at: number): Promise<boolean>;
  /** Creates the run's phone check over `total` phones, or reopens the existing one (a failed one goes on checking). */
  startCheck(runId: string, total: number, at: number, wallAt: number): Promise<PhoneCheck>;
  getCheck(runId: string): Promise<PhoneCheck | null>;
  /** Adds a checked chunk's counts and moves the offset, only if the offset is still `fromOffset`; else DateConflictError. */
  commitCheck(runId: string, fromOffset: number, toOffset: number, counts: Readonly<PhoneCounts>, at: number): Promise<void>;
  finishCheck(runId: string, at: number): Promise<void>;
  /** Records the check failed with its error, unless it is done: then false. */
  failCheck(runId: string, error: string, at: number): Promise<boolean>;
  putSummary(summary: BackfillSummary): Promise<void>;
  getSummary(runId: string): Promise<BackfillSummary | null>;
}
