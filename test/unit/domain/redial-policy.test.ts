import fc from 'fast-check';
import { callingWindowConfigSchema, DEFAULT_CONFIG, redialPolicyConfigSchema } from '../../../lambdas/config/config';
import { CallingWindow } from '../../../lambdas/domain/calling-window';
import { OUTCOMES, type Outcome } from '../../../lambdas/domain/outcome';
import { RedialPolicy, type PolicyLead, type RedialDecision } from '../../../lambdas/domain/redial-policy';
import { at, iso, policyLead, subjectFor } from '../../support/leads';
import { oracleAllowed } from '../../support/legal-oracle';

const MINUTE = 60_000;
const window = new CallingWindow(DEFAULT_CONFIG.window);
const policy = new RedialPolicy(DEFAULT_CONFIG.policy, window);
const ny = subjectFor('(212) 555-0123', { state: 'NY' });
const next = (d: RedialDecision) => (d.kind === 'redial' ? iso(d.nextAttemptAt) : d.kind);

/** A NY lead that arrived at 09:00 ET on Wed 2026-07-15 and was called at the given instants. */
const leadWith = (calls: string[], subject = ny) => policyLead({ ...subject, callTimes: calls.map(at) }, at('2026-07-15T13:00:00Z'));

describe('RedialPolicy', () => {
  it.each(['SALE', 'DNC', 'BAD_NUMBER'] as Outcome[])('%s is terminal by default', (outcome) => {
    expect(policy.decide(leadWith(['2026-07-15T15:00:00Z']), { outcome }, at('2026-07-15T15:01:00Z'))).toMatchObject({ kind: 'terminal', outcome });
  });

  it('BAD_NUMBER redials when configured not terminal; terminal outcomes are configurable', () => {
    const lenient = new RedialPolicy(redialPolicyConfigSchema.parse({ badNumberTerminal: false, terminalOutcomes: ['SALE', 'DNC', 'NOT_INTERESTED'] }), window);
    expect(lenient.decide(leadWith(['2026-07-15T15:00:00Z']), { outcome: 'BAD_NUMBER' }, at('2026-07-15T15:01:00Z')).kind).toBe('redial');
    expect(lenient.decide(leadWith(['2026-07-15T15:00:00Z']), { outcome: 'NOT_INTERESTED' }, at('2026-07-15T15:01:00Z')).kind).toBe('terminal');
  });

  it('progressive gaps within the local day: 2, 5, 10, 30, 60, 120 minutes, the last repeating', () => {
    const calls: string[] = [];
    const gaps: number[] = [];
    let now = at('2026-07-15T15:00:00Z'); // 11:00 EDT, the window opening
    for (let i = 0; i < 7; i++) {
      calls.push(new Date(now).toISOString());
      const end = now + MINUTE; // the call lasted a minute
      const d = policy.decide(leadWith(calls), { outcome: 'NO_ANSWER' }, end);
      if (d.kind !== 'redial') throw new Error(d.kind);
      gaps.push((d.nextAttemptAt - end) / MINUTE);
      now = d.nextAttemptAt;
    }
    expect(gaps).toEqual([2, 5, 10, 30, 60, 120, 120]);
  });

  it('after 8 calls on the local day, the next attempt is the next business day opening', () => {
    const calls = Array.from({ length: 8 }, (_, i) => new Date(at('2026-07-15T15:00:00Z') + i * 20 * MINUTE).toISOString());
    const d = policy.decide(leadWith(calls), { outcome: 'VOICEMAIL' }, at('2026-07-15T18:00:00Z'));
    expect(next(d)).toBe('2026-07-16T15:00:00Z');
    expect(d).toMatchObject({ reason: 'gap', deferred: true });
    // The operator reads the binding rule: the daily max, not "the calling window".
    expect(d.kind === 'redial' && d.detail).toBe('gap, moved by daily max reached (8 calls on Wed): Thu 2026-07-16 11:00 EDT');
  });

  it('late in the day the next attempt rolls to the next business day (Friday → Monday)', () => {
    const d = policy.decide(leadWith(['2026-07-17T23:50:00Z']), { outcome: 'NO_ANSWER' }, at('2026-07-17T23:59:00Z'));
    expect(next(d)).toBe('2026-07-20T15:00:00Z');
  });

  it('a callback requested for 22:00 local is clamped to the next morning', () => {
    const d = policy.decide(leadWith(['2026-07-15T17:00:00Z']), { outcome: 'CALLBACK', callbackAt: at('2026-07-15T22:00:00-04:00') }, at('2026-07-15T17:05:00Z'));
    expect(d).toMatchObject({ kind: 'redial', reason: 'callback', deferred: true });
    expect(next(d)).toBe('2026-07-16T15:00:00Z');
  });

  it('a callback inside the window is kept to the minute; one in the past means as soon as allowed', () => {
    expect(next(policy.decide(leadWith(['2026-07-15T17:00:00Z']), { outcome: 'CALLBACK', callbackAt: at('2026-07-16T19:30:00Z') }, at('2026-07-15T17:05:00Z')))).toBe('2026-07-16T19:30:00Z');
    expect(next(policy.decide(leadWith(['2026-07-15T17:00:00Z']), { outcome: 'CALLBACK', callbackAt: at('2026-07-15T12:00:00Z') }, at('2026-07-15T17:05:00Z')))).toBe('2026-07-15T17:05:00Z');
  });

  it('a callback three weeks out is kept (the horizon counts from the requested time); an unreadable time follows the gaps', () => {
    expect(next(policy.decide(leadWith(['2026-07-15T17:00:00Z']), { outcome: 'CALLBACK', callbackAt: at('2026-08-05T18:00:00Z') }, at('2026-07-15T17:05:00Z')))).toBe('2026-08-05T18:00:00Z');
    expect(next(policy.decide(leadWith(['2026-07-15T17:00:00Z']), { outcome: 'CALLBACK', callbackAt: Number.NaN }, at('2026-07-15T17:05:00Z')))).toBe('2026-07-15T17:07:00Z');
  });

  it('a CALLBACK without a time follows the gaps', () => {
    expect(next(policy.decide(leadWith(['2026-07-15T17:00:00Z']), { outcome: 'CALLBACK' }, at('2026-07-15T17:05:00Z')))).toBe('2026-07-15T17:07:00Z');
  });

  it('after a TRANSFERRED call the lead is held 30 minutes', () => {
    const d = policy.decide(leadWith(['2026-07-15T17:00:00Z']), { outcome: 'TRANSFERRED' }, at('2026-07-15T17:20:00Z'));
    expect(d).toMatchObject({ kind: 'redial', reason: 'transfer-hold' });
    expect(next(d)).toBe('2026-07-15T17:50:00Z');
  });

  it('the daily cap counts every call that day, whatever placed it, in the lead local day', () => {
    // A Honolulu lead: its local day starts at 10:00 UTC. Eight calls on Hawaii's Tuesday, none yet on Wednesday.
    const hi = subjectFor('(808) 555-0100', { state: 'HI' });
    const tuesday = Array.from({ length: 8 }, (_, i) => new Date(at('2026-07-14T18:00:00Z') + i * 10 * MINUTE).toISOString());
    const lead = leadWith(tuesday, hi);
    expect(policy.callsOnLocalDay(lead, at('2026-07-14T23:00:00Z'))).toBe(8);
    expect(policy.callsOnLocalDay(lead, at('2026-07-15T18:00:00Z'))).toBe(0);
    expect(next(policy.decide(lead, { outcome: 'NO_ANSWER' }, at('2026-07-14T23:00:00Z')))).toBe('2026-07-15T18:00:00Z');
  });

  it('optional total cap stops the lead', () => {
    const capped = new RedialPolicy(redialPolicyConfigSchema.parse({ maxTotalCalls: 3 }), window);
    const lead: PolicyLead = { ...leadWith(['2026-07-15T15:00:00Z']), totalCalls: 3 };
    expect(capped.decide(lead, { outcome: 'NO_ANSWER' }, at('2026-07-15T15:01:00Z')).kind).toBe('stopped');
  });

  it('optional cadence by lead age: 8, 6, 6, 3, 2, 1 calls on days 0..5 and after', () => {
    const byAge = new RedialPolicy(redialPolicyConfigSchema.parse({ dailyCapByLeadAge: [8, 6, 6, 3, 2, 1] }), window);
    const lead = leadWith([]);
    expect([0, 1, 2, 3, 4, 5, 9].map((d) => byAge.dailyCapAt(lead, at('2026-07-15T16:00:00Z') + d * 86_400_000))).toEqual([8, 6, 6, 3, 2, 1, 1]);
    const threeOnDay3 = leadWith(['2026-07-18T15:00:00Z', '2026-07-18T15:10:00Z', '2026-07-18T15:20:00Z']);
    expect(next(byAge.decide(threeOnDay3, { outcome: 'NO_ANSWER' }, at('2026-07-18T15:21:00Z')))).toBe('2026-07-20T15:00:00Z');
  });

  it('optional jitter stretches a gap by up to the configured fraction, from the injected random source', () => {
    const jittery = new RedialPolicy(redialPolicyConfigSchema.parse({ gapJitter: 0.5 }), window);
    const lead = leadWith(['2026-07-15T17:00:00Z', '2026-07-15T17:02:00Z', '2026-07-15T17:09:00Z']); // third gap: 10 min
    expect(next(jittery.decide(lead, { outcome: 'NO_ANSWER' }, at('2026-07-15T17:10:00Z'), () => 0))).toBe('2026-07-15T17:20:00Z');
    expect(next(jittery.decide(lead, { outcome: 'NO_ANSWER' }, at('2026-07-15T17:10:00Z'), () => 0.999999))).toBe('2026-07-15T17:25:00Z');
  });

  it('a Florida lead with 3 calls in 24 h waits for the state cap, not only the daily cap', () => {
    const fl = subjectFor('(305) 555-0100', { state: 'FL' });
    const d = policy.decide(leadWith(['2026-07-15T15:00:00Z', '2026-07-15T15:03:00Z', '2026-07-15T15:09:00Z'], fl), { outcome: 'NO_ANSWER' }, at('2026-07-15T15:10:00Z'));
    expect(next(d)).toBe('2026-07-16T15:00:00Z');
    // The reason names the Florida cap, not the calling window (an acceptance run read "moved into the calling window").
    expect(d.kind === 'redial' && d.detail).toBe('gap, moved by FL call cap (3 per 24 h, 3 placed): Thu 2026-07-16 11:00 EDT');
  });

  it.each([
    ['2026-07-16T00:30:00Z', 'business hours'],
    ['2026-07-18T15:00:00Z', 'business days'],
    ['2026-07-03T15:00:00Z', 'federal holiday 2026-07-03'],
  ])('a deferred attempt at %s names %s as what moved it', (now, label) => {
    const d = policy.firstAttempt(leadWith([]), at(now));
    expect(d.kind === 'redial' && d.detail).toContain(`first, moved by ${label}: `);
  });

  it('a lead held by legal hours names the rule and the zone', () => {
    const hi = subjectFor('(808) 555-0100', { state: 'HI' });
    const d = policy.firstAttempt(leadWith([], hi), at('2026-07-15T15:00:00Z')); // 05:00 in Honolulu
    expect(d.kind === 'redial' && d.detail).toContain('first, moved by US-FEDERAL hours in Pacific/Honolulu: ');
  });

  it('first attempt of a new lead is the earliest allowed instant', () => {
    expect(next(policy.firstAttempt(leadWith([]), at('2026-07-15T13:00:00Z')))).toBe('2026-07-15T15:00:00Z');
    expect(next(policy.firstAttempt(leadWith([]), at('2026-07-15T16:00:00Z')))).toBe('2026-07-15T16:00:00Z');
  });
});

describe('RedialPolicy properties', () => {
  const regions = ['NY', 'FL', 'TX', 'CA', 'HI', 'AK', 'RI', 'LA', 'AZ', 'MS', 'OK'];
  const phones: Record<string, string> = { NY: '212', FL: '305', TX: '512', CA: '213', HI: '808', AK: '907', RI: '401', LA: '504', AZ: '602', MS: '601', OK: '405' };
  const configs = [DEFAULT_CONFIG.window, callingWindowConfigSchema.parse({ business: { start: '08:00', end: '21:00', days: [1, 2, 3, 4, 5, 6, 7] }, federalHolidayBlackout: false })];

  it('every redial lands inside the window, at or after now, and never over the daily cap of the day it lands on', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...regions),
        fc.constantFrom(...configs),
        fc.integer({ min: at('2026-01-01T00:00:00Z'), max: at('2027-12-31T00:00:00Z') }),
        fc.array(fc.integer({ min: 0, max: 40 * 60 }), { maxLength: 12 }),
        fc.constantFrom(...OUTCOMES),
        fc.option(fc.integer({ min: -2 * 86_400_000, max: 5 * 86_400_000 })),
        (region, windowConfig, now, minutesAgo, outcome, callbackOffset) => {
          const w = new CallingWindow(windowConfig);
          const p = new RedialPolicy(DEFAULT_CONFIG.policy, w);
          const subject = subjectFor(`(${phones[region]}) 555-0100`, { state: region }, minutesAgo.map((m) => now - m * MINUTE));
          const lead = policyLead(subject, now - 86_400_000);
          const d = p.decide(lead, { outcome, callbackAt: callbackOffset === null ? null : now + callbackOffset }, now);
          if (p.isTerminal(outcome)) return d.kind === 'terminal';
          // Every region here has an allowed moment each week: a non-terminal lead always gets a next attempt.
          if (d.kind !== 'redial') return false;
          return d.nextAttemptAt >= now && oracleAllowed(subject, d.nextAttemptAt, windowConfig) &&
            p.callsOnLocalDay(lead, d.nextAttemptAt) < DEFAULT_CONFIG.policy.maxCallsPerDay &&
            (outcome !== 'TRANSFERRED' || d.nextAttemptAt >= now + 30 * MINUTE);
        },
      ),
      { numRuns: 5_000 },
    );
  });

  it('a simulated day of redials never dials one lead more than 8 times in its local day', () => {
    fc.assert(
      fc.property(fc.constantFrom(...regions), fc.integer({ min: at('2026-01-05T00:00:00Z'), max: at('2027-12-31T00:00:00Z') }), (region, start) => {
        const subject = subjectFor(`(${phones[region]}) 555-0100`, { state: region });
        const calls: number[] = [];
        let now = start;
        for (let i = 0; i < 40; i++) {
          const lead = policyLead({ ...subject, callTimes: calls }, start);
          const d = calls.length === 0 ? policy.firstAttempt(lead, now) : policy.decide(lead, { outcome: 'NO_ANSWER' }, now);
          if (d.kind !== 'redial') break;
          calls.push(d.nextAttemptAt);
          now = d.nextAttemptAt + MINUTE;
        }
        const perDay = new Map<string, number>();
        for (const c of calls) {
          const day = new Intl.DateTimeFormat('en-CA', { timeZone: subject.primaryZone }).format(new Date(c));
          perDay.set(day, (perDay.get(day) ?? 0) + 1);
        }
        return [...perDay.values()].every((n) => n <= 8) && calls.every((c) => oracleAllowed({ ...subject, callTimes: calls.filter((x) => x < c) }, c, DEFAULT_CONFIG.window));
      }),
      { numRuns: 300 },
    );
  });
});
