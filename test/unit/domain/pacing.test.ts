import { BLAND_PLANS, capacityKeys, classifyDial, bookedRetryAt, classOfPlace, laneLimits, overbookedRetryAt, lineSpacingMs, rateLimitedRetryAt, retryAt, waiterPlace, type PacingRules } from '../../../lambdas/domain/pacing';

const RULES: PacingRules = {
  limits: { concurrency: 100, perSecond: 5, perHour: 1_000, perDay: 5_000 }, // a per-second cap set by config
  reservedShare: 0.1, newestFirstShare: 0.05, dailySpendCapUsd: 250, leaseMs: 17 * 60_000, avgCallSeconds: 45,
};
const DAY = 86_400_000;

describe('pacing rules', () => {
  it('classes: a first call ever is fresh, a promised time a callback, a later call today a rung, else the day\'s first', () => {
    expect(classifyDial({ callsTotal: 0, callsToday: 0, reason: 'first' })).toBe('fresh');
    expect(classifyDial({ callsTotal: 0, callsToday: 0, reason: 'callback' })).toBe('fresh');
    expect(classifyDial({ callsTotal: 3, callsToday: 1, reason: 'callback' })).toBe('callback');
    expect(classifyDial({ callsTotal: 3, callsToday: 2, reason: 'gap' })).toBe('rung');
    expect(classifyDial({ callsTotal: 3, callsToday: 0, reason: 'gap' })).toBe('first-of-day');
  });

  it('trunk reservation: fresh and callbacks may use every slot, rungs 90%, the day\'s first call 90% down to 85% with age', () => {
    expect(laneLimits(RULES, 'fresh', 0)).toEqual({ concurrency: 100, perSecond: 5, perHour: 1_000, perDay: 5_000, spendUsd: 250 });
    expect(laneLimits(RULES, 'callback', 40 * DAY).concurrency).toBe(100);
    expect(laneLimits(RULES, 'rung', 40 * DAY)).toMatchObject({ concurrency: 90, perHour: 900, perDay: 4_500 });
    expect(laneLimits(RULES, 'first-of-day', 0)).toMatchObject({ concurrency: 90, perDay: 4_500 });
    expect(laneLimits(RULES, 'first-of-day', 15 * DAY)).toMatchObject({ concurrency: 87, perDay: 4_375 });
    expect(laneLimits(RULES, 'first-of-day', 90 * DAY)).toMatchObject({ concurrency: 85, perDay: 4_250 });
    // Newer leads never get less than older ones.
    for (let age = 0; age < 40; age++) expect(laneLimits(RULES, 'first-of-day', age * DAY).concurrency).toBeGreaterThanOrEqual(laneLimits(RULES, 'first-of-day', (age + 1) * DAY).concurrency);
  });

  it('a tiny plan still lets every class dial', () => {
    const tiny = { ...RULES, limits: { concurrency: 1, perSecond: null, perHour: 1, perDay: 1 }, reservedShare: 0.5 };
    expect(laneLimits(tiny, 'first-of-day', 60 * DAY)).toMatchObject({ concurrency: 1, perHour: 1, perDay: 1 });
  });

  it('keys: the UTC second, hour and day of an instant', () => {
    expect(capacityKeys(Date.parse('2026-07-15T23:59:59.500Z'))).toEqual({ second: String(Date.parse('2026-07-15T23:59:59Z') / 1000), hour: '2026-07-15T23', day: '2026-07-15' });
  });

  it('retry: after the day or hour turns (spread), a second on, or the class\'s turn in line', () => {
    const now = Date.parse('2026-07-15T15:20:00Z');
    const half = () => 0.5;
    expect(retryAt('per-day', 'rung', now, half)).toBe(Date.parse('2026-07-16T00:05:00Z'));
    expect(retryAt('spend', 'fresh', now, half)).toBe(Date.parse('2026-07-16T00:05:00Z'));
    expect(retryAt('per-hour', 'rung', now, half)).toBe(Date.parse('2026-07-15T16:02:30Z'));
    // With a turn in the hourly line: the turn, never before the next hour.
    expect(retryAt('per-hour', 'rung', now, half, Date.parse('2026-07-15T17:30:00Z'))).toBe(Date.parse('2026-07-15T17:30:00Z'));
    expect(retryAt('per-hour', 'rung', now, half, now + 1_000)).toBe(Date.parse('2026-07-15T16:00:00Z'));
    expect(retryAt('per-second', 'rung', now, half)).toBe(now + 1_500);
    expect(retryAt('concurrency', 'fresh', now, half, now + 60_000)).toBe(now + 60_000);
    expect(retryAt('concurrency', 'fresh', now, half)).toBe(now + 1_500);
    expect(retryAt('concurrency', 'rung', now, half)).toBe(now + 2_500);
    expect(retryAt('concurrency', 'first-of-day', now, half, now + 60_000)).toBe(now + 60_000);
    expect(retryAt('concurrency', 'rung', now, half, now)).toBe(now + 1_000);
  });

  it('a 429 backs off per attempt: half the wait so far, from 5 s to 5 minutes, plus up to 5 s of jitter', () => {
    const now = Date.parse('2026-07-15T15:00:00Z');
    const none = () => 0;
    expect(rateLimitedRetryAt(now, now, none)).toBe(now + 5_000);
    expect(rateLimitedRetryAt(now, now - 4_000, none)).toBe(now + 5_000);
    expect(rateLimitedRetryAt(now, now - 60_000, none)).toBe(now + 30_000);
    expect(rateLimitedRetryAt(now, now - 3_600_000, none)).toBe(now + 300_000);
    expect(rateLimitedRetryAt(now, now, () => 0.999)).toBe(now + 5_000 + 4_995);
    // A clock behind the first deferral (skew between instances) waits the minimum, never less.
    expect(rateLimitedRetryAt(now, now + 60_000, none)).toBe(now + 5_000);
  });

  it('a retry booked for the hourly cap comes back at the cap\'s pace through its hour; past the booked hours, spread', () => {
    const hour = Date.parse('2026-07-15T16:00:00Z');
    // The 1st, 2nd and 1,000th booking of an hour at 1,000 an hour: 3.6 s apart, the last before the hour ends.
    expect(bookedRetryAt('rung', hour, 1, 1_000, () => 0.5)).toBe(hour);
    expect(bookedRetryAt('first-of-day', hour, 2, 1_000, () => 0.5)).toBe(hour + 3_600);
    expect(bookedRetryAt('rung', hour, 1_000, 1_000, () => 0.5)).toBe(hour + 3_596_400);
    // Fresh leads and callbacks book only into the reserve: at the hour's start, within its first minute.
    expect(bookedRetryAt('fresh', hour, 990, 1_000, () => 0.5)).toBe(hour + 30_000);
    // Every hour within reach (3) booked up: a random moment of the 4th.
    const now = Date.parse('2026-07-15T15:20:00Z');
    expect(overbookedRetryAt(now, () => 0)).toBe(Date.parse('2026-07-15T19:00:00Z'));
    expect(overbookedRetryAt(now, () => 0.999)).toBeLessThan(Date.parse('2026-07-15T20:00:00Z'));
  });

  it('a line is spaced at the rate the lane\'s slots free up', () => {
    expect(lineSpacingMs(RULES, laneLimits(RULES, 'rung', 0))).toBe(500);
  });

  it('the named plans are Bland\'s published tiers', () => {
    expect(BLAND_PLANS.scale).toMatchObject({ concurrency: 100, perHour: 1_000, perDay: 5_000 });
    expect(BLAND_PLANS.build).toMatchObject({ concurrency: 50, perHour: 1_000, perDay: 2_000 });
    expect(BLAND_PLANS.start).toMatchObject({ concurrency: 10, perHour: 100, perDay: 100 });
  });
});

describe('waiting-room places', () => {
  const at = (phone: string, dueSince: number, createdAt: number) => ({ phone, dueSince, createdAt });
  it('sort as slots go: class first, the longest waiting first, the newest lead first among the day\'s first calls', () => {
    const places = [
      ['old first-of-day', waiterPlace('first-of-day', at('+1', 0, 1_000))],
      ['new first-of-day', waiterPlace('first-of-day', at('+2', 5_000, 9_000))],
      ['late rung', waiterPlace('rung', at('+3', 7_000, 0))],
      ['early rung', waiterPlace('rung', at('+4', 6_000, 0))],
      ['callback', waiterPlace('callback', at('+5', 9_999_999, 0))],
      ['fresh', waiterPlace('fresh', at('+6', 10 ** 13, 10 ** 13))],
    ] as const;
    expect([...places].sort((a, b) => (a[1] < b[1] ? -1 : 1)).map(([name]) => name)).toEqual(['fresh', 'callback', 'early rung', 'late rung', 'new first-of-day', 'old first-of-day']);
    expect(places.map(([, place]) => classOfPlace(place))).toEqual(['first-of-day', 'first-of-day', 'rung', 'rung', 'callback', 'fresh']);
  });
});
