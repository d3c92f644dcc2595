export type MetricUnit = 'Count' | 'Milliseconds' | 'None';

/**
 * Operational metrics (CloudWatch through Powertools EMF on AWS, an in-memory tally locally). Names are fixed
 * (`Dials`, `Outcome_SALE`, `DialRefused_Window`...); never a phone number or other PII in a name or dimension.
 */
export interface MetricsSink {
  add(name: string, value: number, unit?: MetricUnit): void;
}

/** The metric names the dashboard and alarms read (lib/observability.ts); one list so the two cannot drift. */
export const METRIC = {
  dials: 'Dials',
  dialLatenessMs: 'DialLatenessMs',
  dialsOutsideWindow: 'DialsOutsideWindow',
  dialRefusedWindow: 'DialRefused_Window',
  dialRefusedCap: 'DialRefused_Cap',
  dialRefusedBlocked: 'DialRefused_Blocked',
  dialHeldPaused: 'DialHeld_Paused',
  /** The pre-dial CRM lookup failed (Convoso down): no call, the attempt looked at again a few minutes later. */
  dialHeldCrmUnavailable: 'DialHeld_CrmUnavailable',
  /** A due dial deferred because the voice platform's capacity (the pacer) had no room for its class. */
  dialDeferredCapacity: 'DialDeferred_Capacity',
  /** Calls holding a pacer slot, seen at each admission (Maximum: concurrency in use against the cap). */
  pacerInFlight: 'PacerInFlight',
  /** A dial refused because the day's Bland spend cap is reached. */
  spendCapReached: 'SpendCapReached',
  blandErrors: 'BlandErrors',
  blandCostUsd: 'BlandCostUsd',
  callSeconds: 'CallSeconds',
  answered: 'Answered',
  watchdogRecoveries: 'WatchdogRecoveries',
  sweeperRecoveries: 'SweeperRecoveries',
  webhookSignatureFailures: 'WebhookRejected_Signature',
  backfillDatesDone: 'BackfillDatesDone',
  backfillDatesFailed: 'BackfillDatesFailed',
  crmWrites: 'CrmWrites',
  crmWritesParked: 'CrmWritesParked',
  leadsCreated: 'LeadsCreated',
  inboundCalls: 'InboundCalls',
  smsSent: 'SmsSent',
  /** A report counter write failed after its lead write (the reports drift by one lead). */
  counterWriteFailures: 'CounterWriteFailures',
  /** Gauge: ACTIVE leads, from the cohort counters (the sweeper, every 5 minutes). */
  openLeads: 'OpenLeads',
} as const;

export const outcomeMetric = (outcome: string) => `Outcome_${outcome}`;
export const webhookRejectedMetric = (reason: string) => `WebhookRejected_${reason}`;
/** Per caller-ID pool number (ours, never a customer's): `CallerIdDials_12125550001`. */
export const callerIdMetric = (kind: 'Dials' | 'Pickups', number: string) => `CallerId${kind}_${number.replace(/^\+/, '')}`;
