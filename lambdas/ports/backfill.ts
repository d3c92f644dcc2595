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
  /** Set on every start or resume: progress and ETA are measured from it. */
  readonly startedAt: number;
  readonly dates: number;
}

/** What a date's check counts (added chunk by chunk). */
export interface DateCounts {
  /** Phones SALE or DNC in the CRM (not enqueued; an active lead here is ended). */
  sale: number;
  dnc: number;
  /** Phones the CRM does not know: skipped. */
  notInCrm: number;
  /** Leads created (or given back a stranded attempt) by this date; in a dry run, those that would be. */
  enqueued: number;
  /** Leads already active with a pending attempt: they keep it. */
  alreadyQueued: number;
  /** Leads already finished here (SALE, DNC, stopped): never reactivated. */
  closed: number;
  /** Calls of the date whose number is not a valid one: logged (call id only). */
  failed: number;
}

export const ZERO_COUNTS: Readonly<DateCounts> = { sale: 0, dnc: 0, notInCrm: 0, enqueued: 0, alreadyQueued: 0, closed: 0, failed: 0 };

export type DateStatus = 'checking' | 'done' | 'failed';

/** The checkpoint of one date of a run. */
export interface BackfillDate extends DateCounts {
  readonly date: string;
  readonly status: DateStatus;
  /** Calls of the date in the platform's list, and their distinct valid numbers. */
  readonly calls: number;
  readonly unique: number;
  /** Phones of the date's list already checked (the resume point within the date). */
  readonly offset: number;
  readonly error: string | null;
  readonly updatedAt: number;
}

export interface SummaryLine {
  readonly date: string;
  readonly status: DateStatus | 'pending';
  readonly calls: number;
  readonly unique: number;
  /** Phones not seen on an earlier date of the run, and the run's distinct phones so far (date order). */
  readonly new: number;
  readonly cumulative: number;
  readonly counts: DateCounts;
  readonly error: string | null;
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
  readonly totals: DateCounts & { calls: number; unique: number };
  readonly lines: readonly SummaryLine[];
  readonly failedDates: readonly string[];
  readonly summarizedAt: number;
}

export class DateConflictError extends Error {
  constructor(runId: string, date: string) {
    super(`backfill ${runId} ${date}: the checkpoint moved (another execution is working on this date)`);
    this.name = 'DateConflictError';
  }
}

/** Runs and their per-date checkpoints (DynamoDB: pk RUN#<runId>). */
export interface BackfillStore {
  /** Creates the run; false if the runId exists already. */
  createRun(run: BackfillRun): Promise<boolean>;
  getRun(runId: string): Promise<BackfillRun | null>;
  markRunStarted(runId: string, at: number): Promise<void>;
  listDates(runId: string): Promise<BackfillDate[]>;
  getDate(runId: string, date: string): Promise<BackfillDate | null>;
  /**
   * (Re)starts a date: its list was fetched, counters zero, offset 0. Refused (DateConflictError) if the date is done
   * and was done after `dayEnd` (finished for good, e.g. by another execution of the run).
   */
  startDate(runId: string, date: string, fetched: { calls: number; unique: number; failed: number }, at: number, dayEnd: number): Promise<void>;
  /** Adds a checked chunk's counts and moves the offset, only if the offset is still `fromOffset`; else DateConflictError. */
  commitChunk(runId: string, date: string, fromOffset: number, toOffset: number, counts: Readonly<DateCounts>, at: number): Promise<void>;
  finishDate(runId: string, date: string, at: number): Promise<void>;
  /** Records the date failed, unless it is done (another execution finished it): then false. */
  failDate(runId: string, date: string, error: string, at: number): Promise<boolean>;
  putSummary(summary: BackfillSummary): Promise<void>;
  getSummary(runId: string): Promise<BackfillSummary | null>;
}
