import { z } from 'zod';
import { CALLING_RULES } from '../domain/calling-rules';
import { isValidZone } from '../domain/zone-time';

/** States whose law bans solicitation calls on their legal holidays (calling-rules.ts). */
const HOLIDAY_BAN_STATES: readonly string[] = [...new Set(CALLING_RULES.filter((r) => r.holidayBan).flatMap((r) => r.regions))];

/**
 * All of redial's tunables in one schema, with the defaults the sales floor runs on.
 * `parseConfig` fails at start with a message that names every bad key.
 */

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;
const hhmm = z.string().regex(HHMM, 'must be HH:mm (24-hour)');
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be YYYY-MM-DD');
const ianaZone = z.string().refine((zone) => isValidZone(zone), { message: 'must be an IANA time zone such as America/New_York' });
const weekday = z.number().int().min(1).max(7);
const outcomeName = z.enum(['SALE', 'DNC', 'TRANSFERRED', 'CALLBACK', 'VOICEMAIL', 'NO_ANSWER', 'BUSY', 'NOT_INTERESTED', 'BAD_NUMBER', 'FAILED', 'UNKNOWN']);

export const businessHoursSchema = z.strictObject({
  zone: ianaZone.default('America/New_York'),
  start: hhmm.default('11:00'),
  end: hhmm.default('20:00'),
  /** ISO weekdays, 1 = Monday ... 7 = Sunday. */
  days: z.array(weekday).min(1).default([1, 2, 3, 4, 5]),
  // Compared only when both parse, so a bad start is reported once, as itself.
}).refine((b) => !HHMM.test(b.start) || !HHMM.test(b.end) || b.start < b.end, { message: 'start must be before end', path: ['end'] });

/** A legal rule can be switched off only on purpose: the reason is kept with the config and shown in reports. */
const ruleWaiver = z.strictObject({
  region: z.string().regex(/^[A-Z]{2}$/, 'must be a two-letter state code'),
  reason: z.string().trim().min(20, 'must explain in at least 20 characters why this legal rule is waived (e.g. counsel opinion and date)'),
});

export const callingWindowConfigSchema = z.strictObject({
  business: businessHoursSchema.default({ zone: 'America/New_York', start: '11:00', end: '20:00', days: [1, 2, 3, 4, 5] }),
  /** Business blackout: US federal holidays (observed days included) unless switched off. */
  federalHolidayBlackout: z.boolean().default(true),
  /** Extra blackout dates for every lead, calendar days in the business zone. */
  blackoutDates: z.array(isoDate).default([]),
  /**
   * Extra legal holidays of one state, e.g. a day proclaimed by Louisiana's governor: no calls to that state's leads
   * that day (local date). Only states that ban calls on their holidays are accepted.
   */
  stateHolidayDates: z.record(
    z.string().refine((region) => HOLIDAY_BAN_STATES.includes(region), { message: `must be a state that bans calls on its holidays (${HOLIDAY_BAN_STATES.join(', ')})` }),
    z.array(isoDate),
  ).default({}),
  /**
   * Apply the hours rules that some states set for automated / artificial-voice calls (CA, NV, OK, SD, ME...).
   * The FCC holds AI voices to be "artificial" voices (FCC 24-17), so the default is on.
   */
  automatedVoiceRules: z.boolean().default(true),
  /** State call caps per rolling window (FL, OK, MD, OR...) switched off for a campaign, each with its reason. */
  capWaivers: z.array(ruleWaiver).default([]),
  /** How far ahead nextAllowedAt looks before giving up (days). */
  horizonDays: z.number().int().min(1).max(60).default(14),
});

export const redialPolicyConfigSchema = z.strictObject({
  terminalOutcomes: z.array(outcomeName).min(1).default(['SALE', 'DNC']),
  badNumberTerminal: z.boolean().default(true),
  /** Minutes between dials within one local day; the last gap repeats. */
  gapsMinutes: z.array(z.number().min(0).max(24 * 60)).min(1).default([0, 2, 5, 10, 30, 60, 120]),
  maxCallsPerDay: z.number().int().min(1).max(50).default(8),
  /** Optional daily cap by lead age in local days (index 0 = day of arrival; the last value repeats). */
  dailyCapByLeadAge: z.array(z.number().int().min(0).max(50)).min(1).nullable().default(null),
  /** Optional cap on all calls ever made to a lead; null = none. */
  maxTotalCalls: z.number().int().min(1).nullable().default(null),
  /** Minutes a lead is held after a TRANSFERRED call before any redial (never ring someone still with an agent). */
  transferHoldMinutes: z.number().min(0).max(24 * 60).default(30),
  /** Random spread of each gap, as a fraction of it (0 = none, 0.2 = up to +20%). */
  gapJitter: z.number().min(0).max(1).default(0),
});

export const outcomeConfigSchema = z.strictObject({
  /** Labels (disposition_tag, pathway tags) that mean a sale. Matched as whole normalized labels or token runs. */
  saleLabels: z.array(z.string().min(1)).default(['SALE', 'SOLD', 'ACA', 'ENROLLED', 'CLOSED WON', 'POLICY SOLD']),
  dncLabels: z.array(z.string().min(1)).default(['DNC', 'DO NOT CALL', 'DO NOT CONTACT', 'REMOVE ME', 'STOP CALLING', 'DNCA', 'DNCL', 'DNCQ']),
  transferLabels: z.array(z.string().min(1)).default(['TRANSFERRED', 'TRANSFER', 'TRANSFER SALE', 'WARM TRANSFER', 'LIVE TRANSFER']),
  callbackLabels: z.array(z.string().min(1)).default(['CALLBACK', 'CALL BACK', 'CALL BACK SCHEDULED', 'CALLBACK REQUESTED', 'FOLLOW UP REQUIRED']),
  notInterestedLabels: z.array(z.string().min(1)).default(['NOT INTERESTED', 'NI', 'NOT QUALIFIED']),
  voicemailLabels: z.array(z.string().min(1)).default(['VOICEMAIL', 'ANSWERING MACHINE', 'LEFT VOICEMAIL']),
  noAnswerLabels: z.array(z.string().min(1)).default(['NO ANSWER', 'NO CONTACT MADE']),
  busyLabels: z.array(z.string().min(1)).default(['BUSY']),
  /** Spoken phrases that revoke consent wherever they appear (summary, transcript). */
  dncPhrases: z.array(z.string().min(1)).default([
    'do not call', "don't call", "don't ever call", 'never call', 'not to call again', 'not to be called', 'stop calling',
    'quit calling', 'stop contacting', 'no more calls', 'no further calls', 'remove me', 'remove my number', 'be removed',
    'take me off', 'lose my number', 'dnc list', 'do not contact', 'unsubscribe',
  ]),
});

export const dialerConfigSchema = z.strictObject({
  /** Bland max_duration (minutes); the watchdog fires after it plus the grace. */
  maxDurationMinutes: z.number().min(1).max(60).default(12),
  watchdogGraceMinutes: z.number().min(1).max(120).default(5),
  /** Ask the CRM before each dial whether a human agent already sold or DNC'd the lead. */
  preDialCrmCheck: z.boolean().default(true),
  /** After the kill switch is released, held attempts are restored at most this many per second (Bland's rate). */
  resumeRatePerSecond: z.number().min(0.01).max(100).default(5),
  /** Dial-queue messages handled at once: SQS event source maxConcurrency on AWS, the local runtime's pool. */
  dispatchConcurrency: z.number().int().min(2).max(1000).default(10),
});

const nullableLimit = z.number().int().min(1).max(10_000_000).nullable();

/**
 * Pacing to the voice platform's plan limits (docs/operations.md, "Capacity"): `plan` names Bland's plan, whose caps
 * are the defaults; each cap may be set instead (null = no such cap). Off: the dialer places whatever falls due.
 */
export const pacerConfigSchema = z.strictObject({
  enabled: z.boolean().default(true),
  plan: z.enum(['start', 'build', 'scale']).default('scale'),
  concurrency: z.number().int().min(1).max(100_000).optional(),
  perSecond: nullableLimit.optional(),
  perHour: nullableLimit.optional(),
  perDay: nullableLimit.optional(),
  /** Share of each cap kept for fresh leads and callbacks. */
  reservedShare: z.number().min(0).max(0.9).default(0.05),
  /** Further share the day's first call of a lead gives up as the lead ages (to 30 days): newest leads first. */
  newestFirstShare: z.number().min(0).max(0.5).default(0.03),
  /** Average call length (seconds): deferred attempts are spaced at the rate slots free up. */
  avgCallSeconds: z.number().min(1).max(3_600).default(45),
  /** Bland spend a UTC day (USD) after which no new dial starts (an alarm fires); null = none. */
  dailySpendCapUsd: z.number().positive().nullable().default(null),
  /** The capacity alarm fires when dials were deferred for capacity in this many 5-minute periods in a row. */
  deferredAlarmPeriods: z.number().int().min(1).max(288).default(3),
});

/** Convoso status codes written back per outcome (per account; the codes seen on this one, docs/convoso-write-back.md). */
const DEFAULT_STATUS_BY_OUTCOME: Record<string, string> = {
  SALE: 'SALE', DNC: 'DNC', TRANSFERRED: 'ACA', CALLBACK: 'CB', VOICEMAIL: 'A', NO_ANSWER: 'NA', BUSY: 'B', NOT_INTERESTED: 'NI',
};

export const crmWriteBackSchema = z.strictObject({
  /** Write every call back to the CRM (needs the Convoso token). */
  enabled: z.boolean().default(true),
  /** Outcome → CRM status code; an outcome not listed leaves the status as it is (the call's facts are still written). */
  statusByOutcome: z.record(outcomeName, z.string().min(1)).default(DEFAULT_STATUS_BY_OUTCOME),
  /** Convoso DNC list campaign for dnc/insert: "0" is the global list. */
  dncCampaignId: z.string().default('0'),
  /** The agent's collected variables written to the CRM (an allowlist: Bland's call variables also hold system values). */
  collectedFields: z.array(z.string().regex(/^[a-z][a-z0-9_]{0,39}$/, 'must be a lower-case field name')).default(['plan_type', 'member_count', 'postal_code', 'age']),
});

export const crmConfigSchema = z.strictObject({
  /**
   * CRM status codes that end a lead (per account). Convoso codes seen on this account: SALE; DNC variants DNC, DNCA,
   * DNCL, DNCQ, STOP, DO_NOT_CALL. ACA is the floor's transfer code (write-back), not a sale, so it is not here.
   */
  terminalStatuses: z.record(z.string().min(1), z.enum(['SALE', 'DNC'])).default({
    SALE: 'SALE', DNC: 'DNC', DNCA: 'DNC', DNCL: 'DNC', DNCQ: 'DNC', STOP: 'DNC', DO_NOT_CALL: 'DNC',
  }),
  writeBack: crmWriteBackSchema.default(crmWriteBackSchema.parse({})),
});

export const backfillConfigSchema = z.strictObject({
  /** The zone whose calendar days a backfill's dates are. */
  zone: ianaZone.default('America/New_York'),
  /** Longest range one run may cover (days). */
  maxDays: z.number().int().min(1).max(3_660).default(400),
  /** Dates processed at once when the input names no maxConcurrency (Step Functions inline Map allows up to 40). */
  maxConcurrency: z.number().int().min(1).max(40).default(2),
  /**
   * Convoso lookups per second, shared by the dates processed at once. Convoso's stated limit is about 200/s for the
   * whole account (docs/backfill.md), which the live dialer also uses: stay well under it.
   */
  crmRatePerSecond: z.number().min(0.1).max(5_000).default(40),
  /** Lookups in flight at once within one date. */
  crmBatchSize: z.number().int().min(1).max(200).default(20),
  /** Bland list page size (its maximum is 1,000). */
  pageSize: z.number().int().min(10).max(1000).default(1000),
  /** Phones one check step handles before handing over to the next (a Lambda has 15 minutes at most). */
  phonesPerStep: z.number().int().min(1).max(100_000).default(5_000),
  reconcile: z.strictObject({
    enabled: z.boolean().default(true),
    everyHours: z.number().int().min(1).max(24).default(6),
    /** Dates covered by each reconcile run: today and the days before it. */
    lastDays: z.number().int().min(1).max(14).default(2),
  }).default({ enabled: true, everyHours: 6, lastDays: 2 }),
});

const e164 = z.string().regex(/^\+1[2-9]\d{2}[2-9]\d{6}$/, 'must be an E.164 US/Canada number (+1 and 10 digits)');

/** The caller-ID pool (docs/operations.md, Caller-ID pool): our numbers calls go out from. Empty = Bland's own pool (no `from`). */
export const callerIdConfigSchema = z.strictObject({
  numbers: z.array(z.strictObject({ number: e164, weight: z.number().positive().max(100).default(1) }))
    .refine((ns) => new Set(ns.map((n) => n.number)).size === ns.length, { message: 'each number once' })
    .default([]),
  coolAfter: z.number().int().min(1).max(100).default(5),
  cooldownMinutes: z.number().min(1).max(1440).default(5),
  longCoolAfter: z.number().int().min(1).max(1000).default(10),
  longCooldownMinutes: z.number().min(1).max(1440).default(30),
  minAvailable: z.number().int().min(1).max(100).default(2),
}).refine((c) => c.longCoolAfter >= c.coolAfter, { message: 'longCoolAfter must be at least coolAfter', path: ['longCoolAfter'] });

/** SMS follow-up (docs/operations.md): off until a from-number is set. */
export const smsConfigSchema = z.strictObject({
  /** Our number texts go out from (must be an SMS-enabled number of the Bland account); null = no texts. */
  fromNumber: e164.nullable().default(null),
  /** Call outcomes that start a lead's text sequence. */
  triggers: z.array(outcomeName).default(['VOICEMAIL', 'NO_ANSWER']),
  /** Days after the first text on which the next ones go (calendar days in the lead's zone), increasing. */
  dayOffsets: z.array(z.number().int().min(0).max(60)).min(1).max(10)
    .refine((d) => d.every((v, i) => i === 0 || v > d[i - 1]!), { message: 'must be increasing' })
    .default([0, 1, 3, 7]),
  /** One per step (the last is reused if there are fewer); placeholders {{first_name}}, {{last_name}}, {{state}}. */
  templates: z.array(z.string().min(1).max(480)).min(1).default([
    'Hi {{first_name}}, this is the health insurance team returning your request. When is a good time to talk? Reply STOP to opt out.',
    'Hi {{first_name}}, we tried to reach you about your health coverage options. Reply YES and we will call you. Reply STOP to opt out.',
    'Hi {{first_name}}, plans in {{state}} can still save you money this year. Reply YES for a quick call. Reply STOP to opt out.',
    'Hi {{first_name}}, last note from us about your coverage quote. Reply YES for a call, or STOP to opt out.',
  ]),
  /** Texts a day across all leads (a reporting day), besides the one-a-day-per-lead rule. */
  dailyCap: z.number().int().min(1).max(1_000_000).default(2000),
});

export const reportingConfigSchema = z.strictObject({
  /** Zone whose calendar days the reports and counters count in. */
  zone: ianaZone.default('America/New_York'),
  /** A call counts as answered when a human picked up and it lasted at least this long (the floor's definition). */
  answeredMinSeconds: z.number().int().min(0).max(3600).default(20),
});

export const configSchema = z.strictObject({
  window: callingWindowConfigSchema.default(callingWindowConfigSchema.parse({})),
  policy: redialPolicyConfigSchema.default(redialPolicyConfigSchema.parse({})),
  outcomes: outcomeConfigSchema.default(outcomeConfigSchema.parse({})),
  dialer: dialerConfigSchema.default(dialerConfigSchema.parse({})),
  crm: crmConfigSchema.default(crmConfigSchema.parse({})),
  backfill: backfillConfigSchema.default(backfillConfigSchema.parse({})),
  reporting: reportingConfigSchema.default(reportingConfigSchema.parse({})),
  callerIds: callerIdConfigSchema.default(callerIdConfigSchema.parse({})),
  sms: smsConfigSchema.default(smsConfigSchema.parse({})),
  pacer: pacerConfigSchema.default(pacerConfigSchema.parse({})),
});

export type CallingWindowConfig = z.infer<typeof callingWindowConfigSchema>;
export type RedialPolicyConfig = z.infer<typeof redialPolicyConfigSchema>;
export type OutcomeConfig = z.infer<typeof outcomeConfigSchema>;
export type DialerConfig = z.infer<typeof dialerConfigSchema>;
export type PacerConfig = z.infer<typeof pacerConfigSchema>;
export type CrmConfig = z.infer<typeof crmConfigSchema>;
export type BackfillConfig = z.infer<typeof backfillConfigSchema>;
export type ReportingConfig = z.infer<typeof reportingConfigSchema>;
export type Config = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;

export class ConfigError extends Error {
  constructor(readonly issues: readonly string[]) {
    super(`invalid configuration:\n${issues.map((i) => `  - ${i}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses configuration; throws ConfigError naming each bad key (e.g. `window.business.start: must be HH:mm`). */
export function parseConfig(input: unknown = {}): Config {
  const result = configSchema.safeParse(input ?? {});
  if (result.success) return result.data;
  throw new ConfigError(result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`));
}

export const DEFAULT_CONFIG: Config = parseConfig({});
