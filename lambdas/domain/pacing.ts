/**
 * Pacing dials to the voice platform's plan limits (docs/architecture.md, "Pacing"). Pure rules: which priority class
 * an attempt is in, how much of each limit that class may use (trunk reservation: a lower class is admitted only while
 * more than its reserve is left), the counter keys of an instant, and when a deferred attempt should try again.
 */

/** Priority classes, highest first: the order dials go in when capacity is short. */
export const DIAL_CLASSES = ['fresh', 'callback', 'rung', 'first-of-day'] as const;
export type DialClass = (typeof DIAL_CLASSES)[number];

/** The limits of one voice-platform plan (null = none). */
export interface PlanLimits {
  readonly concurrency: number;
  readonly perSecond: number | null;
  readonly perHour: number | null;
  readonly perDay: number | null;
}

/**
 * Bland's self-serve plans (https://docs.bland.ai/platform/billing, "Plan Tiers"; docs/scale.md). A calls-per-second
 * figure is not published for any of them (UNCONFIRMED), so none is assumed; `pacer.perSecond` sets one (the replaced
 * system held itself to 5 calls/s).
 */
export const BLAND_PLANS = {
  start: { concurrency: 10, perSecond: null, perHour: 100, perDay: 100, monthlyUsd: 0 },
  build: { concurrency: 50, perSecond: null, perHour: 1_000, perDay: 2_000, monthlyUsd: 299 },
  scale: { concurrency: 100, perSecond: null, perHour: 1_000, perDay: 5_000, monthlyUsd: 499 },
} as const satisfies Record<string, PlanLimits & { monthlyUsd: number }>;
export type BlandPlanName = keyof typeof BLAND_PLANS;

export interface PacingRules {
  readonly limits: PlanLimits;
  /** Share of every limit kept for fresh leads and callbacks (the opening wave can never take it). */
  readonly reservedShare: number;
  /** A further share the day's first call of older leads gives up, scaled by the lead's age to 30 days (newest first). */
  readonly newestFirstShare: number;
  /** Bland spend a day (USD) after which no new dial starts; null = none. */
  readonly dailySpendCapUsd: number | null;
  /** A slot is held at most this long (a call's max duration plus the watchdog's grace) if no end releases it. */
  readonly leaseMs: number;
  /** The average length of a call, for spacing deferred attempts at the rate slots free up. */
  readonly avgCallSeconds: number;
}

/** What one class may use of each limit: a dial is admitted only while every count is below these. */
export interface LaneLimits {
  readonly concurrency: number;
  readonly perSecond: number | null;
  readonly perHour: number | null;
  readonly perDay: number | null;
  readonly spendUsd: number | null;
}

const AGE_SCALE_MS = 30 * 86_400_000;

/** The share of each limit `cls` may not use (0 for the top classes). */
export function reserveOf(rules: PacingRules, cls: DialClass, leadAgeMs: number): number {
  if (cls === 'fresh' || cls === 'callback') return 0;
  if (cls === 'rung') return rules.reservedShare;
  return rules.reservedShare + rules.newestFirstShare * Math.min(1, Math.max(0, leadAgeMs) / AGE_SCALE_MS);
}

/** Every class keeps at least one unit of a limit, so a tiny plan still dials every class. */
const share = (limit: number | null, reserve: number): number | null => (limit === null ? null : Math.max(1, Math.floor(limit * (1 - reserve) + 1e-9)));

export function laneLimits(rules: PacingRules, cls: DialClass, leadAgeMs: number): LaneLimits {
  const reserve = reserveOf(rules, cls, leadAgeMs);
  return {
    concurrency: share(rules.limits.concurrency, reserve)!,
    perSecond: rules.limits.perSecond,
    perHour: share(rules.limits.perHour, reserve),
    perDay: share(rules.limits.perDay, reserve),
    spendUsd: rules.dailySpendCapUsd,
  };
}

/** What the dialer knows of an attempt when it classifies it. */
export interface ClassifiedAttempt {
  /** Calls placed to the lead so far (0: its first call ever). */
  readonly callsTotal: number;
  /** Calls placed to the lead on its local day of the dial. */
  readonly callsToday: number;
  /** Why the attempt is when it is (a callback keeps its promised time). */
  readonly reason: string | null | undefined;
}

export function classifyDial(attempt: ClassifiedAttempt): DialClass {
  if (attempt.callsTotal === 0) return 'fresh';
  if (attempt.reason === 'callback') return 'callback';
  return attempt.callsToday > 0 ? 'rung' : 'first-of-day';
}

/** Counter keys of an instant: its UTC second, hour and day (Bland's hour and day boundaries: UNCONFIRMED, UTC taken). */
export interface CapacityKeys {
  readonly second: string;
  readonly hour: string;
  readonly day: string;
}

export function capacityKeys(at: number): CapacityKeys {
  const iso = new Date(at).toISOString();
  return { second: String(Math.floor(at / 1000)), hour: iso.slice(0, 13), day: iso.slice(0, 10) };
}

/** The limits a refused admission can hit, in the order the binding one is named (the longest wait first). */
export const CAPACITY_LIMITS = ['spend', 'per-day', 'per-hour', 'per-second', 'concurrency'] as const;
export type CapacityLimit = (typeof CAPACITY_LIMITS)[number];

const HOUR = 3_600_000;
const DAY = 86_400_000;

/**
 * When a deferred attempt tries again, for the binding limit. `turnAt`: for concurrency its turn in its class's line
 * (spread at the pace its slots free up); for the hourly cap its booked retry (the next hours' bookings, shared by
 * every class, at the cap's pace), so a burst of attempts does not all come back at once only to be refused again.
 * `random` spreads attempts that would otherwise come back at the same instant.
 */
export function retryAt(limit: CapacityLimit, cls: DialClass, now: number, random: () => number, turnAt?: number): number {
  switch (limit) {
    case 'spend':
    case 'per-day':
      return Math.floor(now / DAY) * DAY + DAY + Math.floor(random() * 10 * 60_000);
    case 'per-hour':
      if (turnAt !== undefined) return Math.max(turnAt, nextHourStart(now));
      return nextHourStart(now) + Math.floor(random() * 5 * 60_000);
    case 'per-second':
      return now + 1_000 + Math.floor(random() * 1_000);
    case 'concurrency':
      // Without a turn (none reserved): soon, spread over a second; fresh leads and callbacks sooner than the rest.
      if (turnAt === undefined) return now + (cls === 'fresh' || cls === 'callback' ? 1_000 : 2_000) + Math.floor(random() * 1_000);
      return Math.max(turnAt, now + 1_000);
  }
}

/** The start of the UTC hour after `at` (the hourly cap's period). */
export function nextHourStart(at: number): number {
  return Math.floor(at / HOUR) * HOUR + HOUR;
}

/** Attempts refused by the hourly cap book a retry at most this many hours ahead (then they come back spread). */
export const HOUR_BOOKING_AHEAD = 3;

/**
 * When a booked retry comes back: the `n`th booking of an hour at the cap's pace through it (the hour's bookings, all
 * classes together, never pass the cap), fresh leads and callbacks at the hour's start (they book only into the reserve
 * the lower classes leave). `hourStart` is the booked hour's start.
 */
export function bookedRetryAt(cls: DialClass, hourStart: number, n: number, perHour: number, random: () => number): number {
  if (cls === 'fresh' || cls === 'callback') return hourStart + Math.floor(random() * 60_000);
  return hourStart + Math.floor(((n - 1) * HOUR) / Math.max(1, perHour));
}

/** Every hour within reach booked up: back in the hour after them, at a random moment in it. */
export function overbookedRetryAt(now: number, random: () => number): number {
  return nextHourStart(now) + HOUR_BOOKING_AHEAD * HOUR + Math.floor(random() * HOUR);
}

/**
 * When an attempt Bland refused with a 429 (over its limits after the client's retries) tries again: after half as long
 * as it has already waited for capacity (at least 5 s, at most 5 minutes), plus up to 5 s of jitter. Backing off per
 * attempt keeps a platform that stays full (the pacer off, or another user of the account) from being asked again by
 * every waiting attempt every few seconds.
 */
export function rateLimitedRetryAt(now: number, waitingSince: number, random: () => number): number {
  const waited = Math.max(0, now - waitingSince);
  return now + Math.min(5 * 60_000, Math.max(5_000, Math.floor(waited / 2))) + Math.floor(random() * 5_000);
}

/**
 * The spacing of a class's line: slots of the class's lane free up at about lane ÷ average call length a second, so
 * waiting attempts are given turns that far apart (the opening wave is spread at the pace capacity allows).
 */
export function lineSpacingMs(rules: PacingRules, lane: LaneLimits): number {
  return Math.max(10, Math.round((rules.avgCallSeconds * 1000) / lane.concurrency));
}

/** Bland refuses a second call to one number within 10 seconds (docs/bland.md, S2). */
export const SAME_NUMBER_SPACING_MS = 10_000;

/** What the waiting room orders an attempt by. */
export interface WaitingAttempt {
  readonly phone: string;
  /** When the attempt first fell due (its first deferral kept it). */
  readonly dueSince: number;
  readonly createdAt: number;
}

const RANK_DIGITS = 15;
const RANK_TOP = 10 ** RANK_DIGITS - 1;

/**
 * An attempt's place in the waiting room, as a string that sorts in the order slots go: its class first (fresh,
 * callback, rung, first-of-day), then within fresh, callback and rung the longest waiting first, and within the day's
 * first calls the newest lead first. The phone makes it one place per lead (a lead has one live attempt).
 */
export function waiterPlace(cls: DialClass, attempt: WaitingAttempt): string {
  const rank = cls === 'first-of-day' ? RANK_TOP - Math.max(0, attempt.createdAt) : Math.max(0, attempt.dueSince);
  return `${DIAL_CLASSES.indexOf(cls)}#${String(rank).padStart(RANK_DIGITS, '0')}#${attempt.phone}`;
}

/** The class a waiting-room place belongs to. */
export function classOfPlace(place: string): DialClass {
  return DIAL_CLASSES[Number(place.slice(0, place.indexOf('#')))] ?? 'first-of-day';
}
