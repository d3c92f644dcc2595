import { callingWindowConfigSchema, DEFAULT_CONFIG } from '../../../lambdas/config/config';
import { CallingWindow } from '../../../lambdas/domain/calling-window';
import { at, iso, subjectFor } from '../../support/leads';

/** Named cases from the issue. `window` uses the default campaign (11:00-20:00 ET, Mon-Fri, federal holidays off). */
const window = new CallingWindow(DEFAULT_CONFIG.window);
/** A campaign open around the clock, so the law alone decides. */
const lawOnly = new CallingWindow(callingWindowConfigSchema.parse({
  business: { start: '00:00', end: '23:59', days: [1, 2, 3, 4, 5, 6, 7] },
  federalHolidayBlackout: false,
}));

describe('DST transitions (law only, 2026-03-08 spring forward, 2026-11-01 fall back)', () => {
  it.each([
    ['New York', '(212) 555-0123', 'America/New_York', '2026-03-08T12:00:00Z', '2026-11-01T13:00:00Z'],
    ['Chicago', '(312) 555-0123', 'America/Chicago', '2026-03-08T13:00:00Z', '2026-11-01T14:00:00Z'],
    ['Denver', '(303) 555-0123', 'America/Denver', '2026-03-08T14:00:00Z', '2026-11-01T15:00:00Z'],
    ['Los Angeles (a Seattle lead; the California automated-call rule would open at 09:00)', '(206) 555-0123', 'America/Los_Angeles', '2026-03-08T15:00:00Z', '2026-11-01T16:00:00Z'],
  ])('%s: the window opens at 08:00 local clock time on both days', (_city, phone, tz, springOpen, fallOpen) => {
    const lead = subjectFor(phone, { tz });
    // From 03:00 UTC (the night before) the next opening is 08:00 on the new offset.
    expect(iso(lawOnly.nextAllowedAt(lead, at(springOpen) - 5 * 3_600_000))).toBe(springOpen);
    expect(lawOnly.isAllowed(lead, at(springOpen) - 60_000).allowed).toBe(false);
    expect(iso(lawOnly.nextAllowedAt(lead, at(fallOpen) - 5 * 3_600_000))).toBe(fallOpen);
    expect(lawOnly.isAllowed(lead, at(fallOpen) - 60_000).allowed).toBe(false);
  });

  it('New York: 21:00 local closes the window on both sides of each switch', () => {
    const lead = subjectFor('(212) 555-0123', { tz: 'America/New_York' });
    expect(lawOnly.isAllowed(lead, at('2026-03-08T01:59:00Z')).allowed).toBe(true); // Sat 20:59 EST
    expect(lawOnly.isAllowed(lead, at('2026-03-08T02:00:00Z')).allowed).toBe(false); // Sat 21:00 EST
    expect(lawOnly.isAllowed(lead, at('2026-03-09T00:59:00Z')).allowed).toBe(true); // Sun 20:59 EDT
    expect(lawOnly.isAllowed(lead, at('2026-03-09T01:00:00Z')).allowed).toBe(false); // Sun 21:00 EDT
    expect(lawOnly.isAllowed(lead, at('2026-11-02T01:59:00Z')).allowed).toBe(true); // Sun 20:59 EST
    expect(lawOnly.isAllowed(lead, at('2026-11-02T02:00:00Z')).allowed).toBe(false); // Sun 21:00 EST
  });

  it('default campaign: the Monday after each switch opens at 11:00 ET on the new offset', () => {
    const lead = subjectFor('(212) 555-0123', { tz: 'America/New_York' });
    expect(iso(window.nextAllowedAt(lead, at('2026-03-07T12:00:00Z')))).toBe('2026-03-09T15:00:00Z');
    expect(iso(window.nextAllowedAt(lead, at('2026-10-31T12:00:00Z')))).toBe('2026-11-02T16:00:00Z');
  });
});

describe('zones with and without DST', () => {
  it('a Los Angeles lead opens at 09:00 PDT: California limits automated calls to 9-21 (Cal. Pub. Util. Code 2872)', () => {
    const la = subjectFor('(213) 555-0123', { state: 'CA' });
    expect(iso(lawOnly.nextAllowedAt(la, at('2026-03-08T10:00:00Z')))).toBe('2026-03-08T16:00:00Z'); // spring-forward day
    expect(iso(lawOnly.nextAllowedAt(la, at('2026-11-01T10:00:00Z')))).toBe('2026-11-01T17:00:00Z'); // fall-back day, PST
    expect(lawOnly.isAllowed(la, at('2026-03-08T15:30:00Z')).reasons.map((r) => r.rule)).toEqual(['CA-ADAD']);
  });

  it('Arizona (no DST) vs Denver in summer: Phoenix opens an hour after Denver', () => {
    const phoenix = subjectFor('(602) 555-0100', { tz: 'America/Phoenix' });
    const denver = subjectFor('(303) 555-0100', { tz: 'America/Denver' });
    expect(iso(lawOnly.nextAllowedAt(phoenix, at('2026-07-15T06:00:00Z')))).toBe('2026-07-15T15:00:00Z'); // 08:00 MST
    expect(iso(lawOnly.nextAllowedAt(denver, at('2026-07-15T06:00:00Z')))).toBe('2026-07-15T14:00:00Z'); // 08:00 MDT
    expect(lawOnly.isAllowed(phoenix, at('2026-07-16T03:30:00Z')).allowed).toBe(true); // 20:30 MST
    expect(lawOnly.isAllowed(denver, at('2026-07-16T03:30:00Z')).allowed).toBe(false); // 21:30 MDT
  });

  it('a lead known only as "AZ" carries Phoenix and Denver (Navajo Nation) and gets their intersection', () => {
    const az = subjectFor('(602) 555-0100', { state: 'AZ' });
    expect(az.zones).toEqual(['America/Phoenix', 'America/Denver']);
    expect(iso(lawOnly.nextAllowedAt(az, at('2026-07-15T06:00:00Z')))).toBe('2026-07-15T15:00:00Z');
    expect(lawOnly.isAllowed(az, at('2026-07-16T03:30:00Z')).allowed).toBe(false);
  });

  it('Hawaii under default 11-20 ET: from 08:00 HST until 20:00 ET', () => {
    const hi = subjectFor('(808) 555-0100', { state: 'HI' });
    expect(iso(window.nextAllowedAt(hi, at('2026-07-15T12:00:00Z')))).toBe('2026-07-15T18:00:00Z'); // 08:00 HST = 14:00 EDT
    expect(window.isAllowed(hi, at('2026-07-15T23:59:00Z')).allowed).toBe(true); // 19:59 EDT, 13:59 HST
    expect(window.isAllowed(hi, at('2026-07-16T00:00:00Z')).allowed).toBe(false); // 20:00 EDT
    expect(iso(window.nextAllowedAt(hi, at('2026-01-14T12:00:00Z')))).toBe('2026-01-14T18:00:00Z'); // winter: 13:00 EST
  });

  it('Alaska under default 11-20 ET: 907 also covers Adak, so the window opens at 08:00 HDT', () => {
    const anchorageOnly = { zones: ['America/Anchorage'], regions: ['AK'], callTimes: [] };
    expect(iso(window.nextAllowedAt(anchorageOnly, at('2026-07-15T12:00:00Z')))).toBe('2026-07-15T16:00:00Z'); // 08:00 AKDT
    const ak = subjectFor('(907) 555-0100', { tz: 'America/Anchorage' });
    expect(ak.zones).toEqual(['America/Anchorage', 'America/Adak']);
    expect(iso(window.nextAllowedAt(ak, at('2026-07-15T12:00:00Z')))).toBe('2026-07-15T17:00:00Z'); // 08:00 HDT
    // An Adak ZIP (which the ZIP data puts on Anchorage time) is never called at 07:00 in Adak.
    const adak = subjectFor('(907) 555-0100', { zip: '99546', state: 'AK' });
    expect(window.isAllowed(adak, at('2026-07-15T16:00:00Z')).allowed).toBe(false);
  });
});

describe('area code 850 (Florida panhandle, split Eastern/Central)', () => {
  it('with a Central ZIP the lead keeps both zones (the ZIP data is coarse), Central as its local day', () => {
    const pensacola = subjectFor('(850) 555-0123', { zip: '32501' });
    expect(pensacola.zones).toEqual(['America/Chicago', 'America/New_York']);
    expect(pensacola.primaryZone).toBe('America/Chicago');
    expect(pensacola.regions).toEqual(['FL']);
    // Florida's 20:00 binds on the Eastern clock: 19:30 EDT yes, 20:00 EDT no, 08:00 CDT opens.
    expect(lawOnly.isAllowed(pensacola, at('2026-07-15T23:30:00Z')).allowed).toBe(true);
    expect(lawOnly.isAllowed(pensacola, at('2026-07-16T00:00:00Z')).allowed).toBe(false);
    expect(iso(lawOnly.nextAllowedAt(pensacola, at('2026-07-15T11:00:00Z')))).toBe('2026-07-15T13:00:00Z');
  });

  it('without a ZIP: the same two zones, Eastern first', () => {
    const unknown = subjectFor('(850) 555-0123');
    expect(unknown.zones).toEqual(['America/New_York', 'America/Chicago']);
    expect(lawOnly.isAllowed(unknown, at('2026-07-16T00:30:00Z')).allowed).toBe(false); // 20:30 EDT
    expect(iso(lawOnly.nextAllowedAt(unknown, at('2026-07-15T11:00:00Z')))).toBe('2026-07-15T13:00:00Z'); // 08:00 CDT
  });
});

describe('holidays and blackouts', () => {
  const ny = subjectFor('(212) 555-0123', { state: 'NY' });
  it('Thanksgiving (2026-11-26) is a business blackout; the next attempt is Friday 11:00 ET', () => {
    const decision = window.isAllowed(ny, at('2026-11-26T17:00:00Z'));
    expect(decision.allowed).toBe(false);
    expect(decision.reasons.map((r) => r.code)).toEqual(['business-blackout']);
    expect(iso(window.nextAllowedAt(ny, at('2026-11-26T17:00:00Z')))).toBe('2026-11-27T16:00:00Z');
  });

  it('Independence Day 2026 falls on a Saturday: Friday July 3 is the observed holiday', () => {
    expect(window.isAllowed(ny, at('2026-07-03T16:00:00Z')).reasons.map((r) => r.code)).toEqual(['business-blackout']);
    expect(iso(window.nextAllowedAt(ny, at('2026-07-03T00:30:00Z')))).toBe('2026-07-06T15:00:00Z'); // Thu 20:30 EDT
  });

  it('configured blackout dates are honoured', () => {
    const w = new CallingWindow(callingWindowConfigSchema.parse({ blackoutDates: ['2026-12-24'] }));
    expect(w.isAllowed(ny, at('2026-12-24T16:00:00Z')).reasons[0]!.message).toBe('2026-12-24 is a configured blackout date');
    expect(iso(w.nextAllowedAt(ny, at('2026-12-24T16:00:00Z')))).toBe('2026-12-28T16:00:00Z'); // 25th holiday, weekend
  });

  it('a holiday proclaimed by a governor binds only that state leads', () => {
    const w = new CallingWindow(callingWindowConfigSchema.parse({ stateHolidayDates: { LA: ['2026-07-02'] } }));
    const la = subjectFor('(504) 555-0100', { state: 'LA' });
    expect(w.isAllowed(la, at('2026-07-02T16:00:00Z')).reasons.map((r) => r.code)).toEqual(['state-holiday']);
    expect(w.isAllowed(ny, at('2026-07-02T16:00:00Z')).allowed).toBe(true);
    expect(() => callingWindowConfigSchema.parse({ stateHolidayDates: { NY: ['2026-07-02'] } })).toThrow('must be a state that bans calls on its holidays');
  });

  it('Louisiana leads are not called on a Sunday nor on Mardi Gras, even by a campaign open every day', () => {
    const la = subjectFor('(504) 555-0100', { state: 'LA' });
    expect(lawOnly.isAllowed(la, at('2026-06-14T17:00:00Z')).reasons.map((r) => r.code)).toEqual(['legal-day']);
    expect(lawOnly.isAllowed(la, at('2026-02-17T17:00:00Z')).reasons.map((r) => r.code)).toEqual(['state-holiday']);
    expect(iso(lawOnly.nextAllowedAt(la, at('2026-02-17T17:00:00Z')))).toBe('2026-02-18T14:00:00Z');
  });
});

describe('state call caps', () => {
  const fl = subjectFor('(305) 555-0100', { state: 'FL' });
  const calls = ['2026-07-15T15:00:00Z', '2026-07-15T16:00:00Z', '2026-07-15T17:00:00Z'].map(at);

  it('a fourth call to a Florida lead inside 24 hours is refused until the first call is 24 h old', () => {
    const decision = window.isAllowed({ ...fl, callTimes: calls }, at('2026-07-15T18:00:00Z'));
    expect(decision.allowed).toBe(false);
    expect(decision.reasons.map((r) => [r.code, r.rule])).toEqual([['call-cap', 'FL']]);
    expect(decision.reasons[0]!.until).toBe(at('2026-07-16T15:00:00Z'));
    expect(iso(window.nextAllowedAt({ ...fl, callTimes: calls }, at('2026-07-15T18:00:00Z')))).toBe('2026-07-16T15:00:00Z');
    expect(window.isAllowed({ ...fl, callTimes: calls.slice(1) }, at('2026-07-15T18:00:00Z')).allowed).toBe(true);
  });

  it('the cap binds a lead whose area code is in Florida, whatever the declared state', () => {
    const declaredNy = subjectFor('(305) 555-0100', { state: 'NY' });
    expect(declaredNy.regions).toEqual(['FL', 'NY']);
    expect(window.isAllowed({ ...declaredNy, callTimes: calls }, at('2026-07-15T18:00:00Z')).allowed).toBe(false);
  });

  it('the cap binds a New York number whose ZIP is in Florida', () => {
    const floridaZip = subjectFor('(212) 555-0100', { zip: '33101' });
    expect(window.isAllowed({ ...floridaZip, callTimes: calls }, at('2026-07-15T18:00:00Z')).reasons.map((r) => r.rule)).toEqual(['FL']);
  });

  it('a campaign may waive a cap only with a reason, and then it stops binding', () => {
    expect(() => callingWindowConfigSchema.parse({ capWaivers: [{ region: 'FL' }] })).toThrow();
    const waived = new CallingWindow(callingWindowConfigSchema.parse({
      capWaivers: [{ region: 'FL', reason: 'Counsel opinion 2026-06-01: leads are existing customers (EBR).' }],
    }));
    expect(waived.isAllowed({ ...fl, callTimes: calls }, at('2026-07-15T18:00:00Z')).allowed).toBe(true);
  });
});

describe('nextAllowedAt limits', () => {
  it('returns null when nothing is allowed within the horizon', () => {
    // A campaign that only calls on Sundays, for a Utah lead (no Sunday calls in Utah).
    const sundays = new CallingWindow(callingWindowConfigSchema.parse({ business: { days: [7] } }));
    const ut = subjectFor('(801) 555-0100', { state: 'UT' });
    expect(sundays.nextAllowedAt(ut, at('2026-07-15T12:00:00Z'))).toBeNull();
  });

  it('returns the instant itself when it is allowed (>= after, never rounded up)', () => {
    const ny = subjectFor('(212) 555-0123', { state: 'NY' });
    const t = at('2026-07-15T17:12:34.567Z');
    expect(window.nextAllowedAt(ny, t)).toBe(t);
  });

  it('explains each refusal with the rule and its citation', () => {
    const tx = subjectFor('(512) 555-0100', { state: 'TX' });
    const reasons = lawOnly.isAllowed(tx, at('2026-06-14T16:00:00Z')).reasons; // Sunday 11:00 CDT
    expect(reasons.map((r) => r.message)).toEqual([
      'TX: Sun 11:00 in America/Chicago is outside Sun 12:00-21:00 (Tex. Bus. & Com. Code 301.051)',
      'TX: Sun 10:00 in America/Denver is outside Sun 12:00-21:00 (Tex. Bus. & Com. Code 301.051)',
    ]);
  });
});
