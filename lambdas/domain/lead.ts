import type { E164 } from './phone';
import type { Outcome } from './outcome';

/**
 * A lead: one phone number (E.164 is its identity, whatever CRM lists it sits in), its location, its call history
 * window and its single pending attempt. Pure data; the store keeps it with optimistic locking (`version`).
 */
export type LeadStatus = 'ACTIVE' | 'PAUSED' | 'DONE';

/** What the CRM and Zapier tell us about a lead, all optional: shared by intake, new leads and stored leads. */
export interface LeadDetails {
  readonly firstName?: string | undefined;
  readonly lastName?: string | undefined;
  readonly email?: string | undefined;
  readonly state?: string | undefined;
  readonly zip?: string | undefined;
  readonly tz?: string | undefined;
  readonly crmLeadId?: string | undefined;
  readonly crmListId?: string | undefined;
}

export interface Lead extends LeadDetails {
  readonly phone: E164;
  readonly status: LeadStatus;
  /** Terminal outcome once DONE (SALE, DNC, BAD_NUMBER...). */
  readonly outcome: Outcome | null;
  readonly source: string;
  /** Other fields from the intake, passed to the voice agent as request_data. */
  readonly fields: Readonly<Record<string, string>>;
  readonly zones: readonly string[];
  readonly primaryZone: string;
  readonly regions: readonly string[];
  /** Location hints that were not recognized or only roughly (an unknown state, zone or ZIP) and what they meant. */
  readonly locationWarnings?: readonly string[];
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly attemptsTotal: number;
  /** Instants of calls placed to the number in (at least) the last 48 h, whatever placed them. */
  readonly recentCallTimes: readonly number[];
  /** The one pending attempt: when, and the token that names it. Null when DONE or PAUSED. */
  readonly nextAttemptAt: number | null;
  readonly scheduleToken: string | null;
  /** Why the next attempt is when it is (for operators). */
  readonly nextAttemptReason: string | null;
  /**
   * How the pending attempt was sent: `queue` (due within 15 minutes: a delayed dial-queue message, which cannot be
   * cancelled and goes stale when the token changes) or `scheduler` (a one-off schedule, deleted when replaced).
   * Absent on leads stored before it was kept: `scheduler`.
   */
  readonly attemptVia?: 'queue' | 'scheduler';
  /** Why the pending attempt exists (`callback`: the customer's promised time), for its priority when capacity is short. */
  readonly attemptReason?: 'first' | 'gap' | 'callback' | 'transfer-hold';
  /** When the pending attempt was first deferred for capacity (it fell due then); null once dialed or replaced. */
  readonly deferredSince?: number | null;
  /** The token of the last attempt claimed for dialing: a token is dialed at most once. */
  readonly claimedToken: string | null;
  /** When that token was claimed (absent on leads claimed before it was kept: `updatedAt` stands in). */
  readonly claimedAt?: number;
  readonly lastCallId: string | null;
  readonly lastOutcome: Outcome | null;
  /** Calls that ended TRANSFERRED (absent on leads stored before it was kept: 0). */
  readonly transfers?: number;
  /** Instants of texts sent in (at least) the last 48 h: the per-24 h state caps count texts with calls. */
  readonly recentTextTimes?: readonly number[];
  /** The lead's text sequence, once a trigger outcome started it. */
  readonly sms?: SmsSequence | null;
  /** Set when an operator stopped the lead (`npx redial lead <phone> stop`): who, and when (epoch ms). */
  readonly stopped?: { readonly by: string; readonly at: number } | null;
  /** Our caller ID this lead last picked up from (the pool prefers it). */
  readonly lastPickupFrom?: string | null;
  readonly version: number;
}

/** Calls older than this are dropped from recentCallTimes: caps look back at most 24 h, local days at most 26 h. */
/** A lead's SMS follow-up: started on a calendar day of the lead's zone; each step claimed once before it is sent. */
export interface SmsSequence {
  readonly startedDay: string;
  /** The step waiting to be sent (steps.length = finished). */
  readonly nextStep: number;
  /** The highest step claimed for sending: a step is sent at most once. */
  readonly claimedStep: number;
  /** The token of the pending step's schedule (a stale message is ignored). */
  readonly token: string | null;
  readonly lastSentAt: number | null;
  readonly sent: number;
  /** When the pending step was claimed: a claim older than a few minutes belongs to a sender that crashed. */
  readonly claimedAt?: number | null;
}

export const CALL_HISTORY_MS = 48 * 3_600_000;

export function trimCallTimes(times: readonly number[], now: number): number[] {
  return times.filter((t) => t > now - CALL_HISTORY_MS).sort((a, b) => a - b);
}

export interface NewLeadInput extends LeadDetails {
  readonly phone: E164;
  readonly location: { readonly zones: readonly string[]; readonly primaryZone: string; readonly regions: readonly string[]; readonly warnings?: readonly string[] };
  readonly now: number;
  readonly source: string;
  readonly fields?: Readonly<Record<string, string>>;
}

function details(d: LeadDetails): LeadDetails {
  return { firstName: d.firstName, lastName: d.lastName, email: d.email, state: d.state, zip: d.zip, tz: d.tz, crmLeadId: d.crmLeadId, crmListId: d.crmListId };
}

/** A new ACTIVE lead with no attempt yet (the caller schedules the first one). */
export function newLead(input: NewLeadInput): Lead {
  return {
    phone: input.phone,
    status: 'ACTIVE',
    outcome: null,
    ...details(input),
    source: input.source,
    fields: input.fields ?? {},
    zones: input.location.zones,
    primaryZone: input.location.primaryZone,
    regions: input.location.regions,
    ...(input.location.warnings?.length ? { locationWarnings: input.location.warnings } : {}),
    createdAt: input.now,
    updatedAt: input.now,
    attemptsTotal: 0,
    recentCallTimes: [],
    nextAttemptAt: null,
    scheduleToken: null,
    nextAttemptReason: null,
    claimedToken: null,
    lastCallId: null,
    lastOutcome: null,
    version: 0,
  };
}
