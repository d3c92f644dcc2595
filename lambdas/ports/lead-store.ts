import type { Lead } from '../domain/lead';
import type { Outcome } from '../domain/outcome';

/** One finished call, kept under its lead (the attempt history). */
export interface AttemptRecord {
  readonly phone: string;
  readonly callId: string;
  readonly calledAt: number;
  readonly outcome: Outcome;
  readonly evidence: string;
  readonly disposition: string | null;
  readonly answeredBy: string | null;
  readonly durationS: number | null;
  readonly price: number | null;
  readonly summary: string | null;
  readonly archiveKey: string | null;
}

/** The call → lead index: resolves webhooks and watchdogs; `outcomeRecorded` makes outcomes idempotent. */
export interface CallRecord {
  readonly callId: string;
  readonly phone: string;
  readonly scheduleToken: string;
  readonly placedAt: number;
  readonly outcomeRecorded: boolean;
  /** The caller ID the call went out from (pool), if one was chosen. */
  readonly callerId?: string | null;
}

export class VersionConflictError extends Error {
  constructor(readonly phone: string, readonly expectedVersion: number) {
    super(`lead ${phone.slice(0, 2)}…${phone.slice(-4)} changed since version ${expectedVersion}`);
    this.name = 'VersionConflictError';
  }
}

/** Durable leads, attempts, the call index and daily counters. Every lead update is optimistic (version). */
export interface LeadStore {
  get(phone: string): Promise<Lead | null>;
  /** Stores a new lead (version 1). False if the phone already has one. */
  create(lead: Lead): Promise<boolean>;
  /** Writes `lead` as version + 1 if the stored version is still `lead.version`; else VersionConflictError. */
  update(lead: Lead): Promise<Lead>;
  /**
   * Claims the pending attempt named `token` for dialing: succeeds once, only while it is the lead's current token.
   * Returns the claimed lead, or null (stale token, or already claimed: a redelivery must not dial again).
   */
  claim(phone: string, token: string, now: number): Promise<Lead | null>;
  /** Indexes a placed call. False if the call id is already indexed. */
  putCall(call: CallRecord): Promise<boolean>;
  getCall(callId: string): Promise<CallRecord | null>;
  /** Marks the call's outcome recorded; false if it already was (the outcome is applied once). */
  markOutcomeRecorded(callId: string): Promise<boolean>;
  putAttempt(attempt: AttemptRecord): Promise<void>;
  listAttempts(phone: string): Promise<AttemptRecord[]>;
  /** Adds to the counters of a reporting day (`YYYY-MM-DD`). */
  addDailyCounts(date: string, counts: Readonly<Record<string, number>>): Promise<void>;
  getDailyCounts(date: string): Promise<Record<string, number>>;
  /** Adds 1 to a day's counter if it is still below `cap` (atomic); false when the cap is reached. */
  reserveDailyCount(date: string, name: string, cap: number): Promise<boolean>;
  /** The kill switch: while paused, the dialer places no call. */
  getSystemPaused(): Promise<boolean>;
  setSystemPaused(paused: boolean, by: string, now: number): Promise<void>;
  /** Active leads whose next attempt is at or before `before` (sweeper, tests). */
  listDue(before: number, limit?: number): Promise<Lead[]>;
}
