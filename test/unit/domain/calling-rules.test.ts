import { callingWindowConfigSchema } from '../../../lambdas/config/config';
import { CALLING_RULES, rulesFor, type CallingRule } from '../../../lambdas/domain/calling-rules';
import { CallingWindow, type WindowSubject } from '../../../lambdas/domain/calling-window';
import { isStateHoliday, stateHolidays } from '../../../lambdas/domain/holidays';
import { REGION_ZONES } from '../../../lambdas/domain/regions';
import { instantAtWall } from '../../../lambdas/domain/zone-time';

/**
 * One block per row of the rule table (docs/compliance.md links here by rule id). The campaign is open around the
 * clock so that only the law decides; each rule is checked by the reasons that cite it.
 */
const open = new CallingWindow(callingWindowConfigSchema.parse({
  business: { start: '00:00', end: '23:59', days: [1, 2, 3, 4, 5, 6, 7] },
  federalHolidayBlackout: false,
  automatedVoiceRules: true,
}));

/** A region bound by the rule, and the zone to test it in. */
function placeOf(rule: CallingRule): { region: string; zone: string } {
  if (rule.id === 'US-FEDERAL') return { region: 'NY', zone: 'America/New_York' };
  if (rule.id === 'CA-CRTC') return { region: 'ON', zone: 'America/Toronto' };
  const region = rule.regions[0]!;
  return { region, zone: rule.fixedZone ?? REGION_ZONES[region]![0]! };
}

/** 2026-06-08 is a Monday; that week has no holiday in any state of the table (June 14, Flag Day, is a Sunday). */
const WEEK = { year: 2026, month: 6, monday: 8 };
const local = (zone: string, weekday: number, minute: number) => instantAtWall(zone, WEEK.year, WEEK.month, WEEK.monday + weekday - 1, minute);
const cites = (subject: WindowSubject, at: number, ruleId: string) =>
  open.isAllowed(subject, at).reasons.some((r) => r.rule === ruleId);

describe.each(CALLING_RULES.map((rule) => [rule.id, rule] as const))('rule %s', (id, rule) => {
  const { region, zone } = placeOf(rule);
  const subject: WindowSubject = { zones: [REGION_ZONES[region]![0]!], regions: [region], callTimes: [] };

  it.each([1, 2, 3, 4, 5, 6, 7])('hours on ISO weekday %i', (weekday) => {
    const hours = rule.hours[weekday];
    if (!hours) {
      expect(cites(subject, local(zone, weekday, 12 * 60), id)).toBe(true);
      return;
    }
    const [start, end] = hours;
    if (start > 0) expect(cites(subject, local(zone, weekday, start - 1), id)).toBe(true);
    expect(cites(subject, local(zone, weekday, start), id)).toBe(false);
    expect(cites(subject, local(zone, weekday, end - 1), id)).toBe(false);
    expect(cites(subject, local(zone, weekday, end), id)).toBe(true);
  });

  if (rule.cap) {
    const cap = rule.cap;
    it(`cap: ${cap.maxCalls} calls per ${cap.windowHours} h`, () => {
      const monday = rule.hours.findIndex((h) => h !== null);
      const noon = local(zone, monday, 13 * 60);
      const calls = (n: number) => Array.from({ length: n }, (_, i) => noon - (i + 1) * 60_000);
      expect(cites({ ...subject, callTimes: calls(cap.maxCalls - 1) }, noon, id)).toBe(false);
      expect(cites({ ...subject, callTimes: calls(cap.maxCalls) }, noon, id)).toBe(true);
      // A call exactly one window earlier no longer counts.
      const old = noon - cap.windowHours * 3_600_000;
      expect(cites({ ...subject, callTimes: [old, ...calls(cap.maxCalls - 1)] }, noon, id)).toBe(false);
    });
  }
});

describe('state holiday bans (observed days from date-holidays plus cited statutory extras)', () => {
  const noonIn = (zone: string, date: string) => {
    const [y, m, d] = date.split('-').map(Number);
    return instantAtWall(zone, y!, m!, d!, 12 * 60);
  };
  it.each([
    ['LA', '2026-02-17', 'Mardi Gras'],
    ['LA', '2026-01-08', 'Battle of New Orleans (La. R.S. 1:55)'],
    ['LA', '2026-08-31', 'Huey P. Long Day, observed Monday (Aug 30 is a Sunday)'],
    ['LA', '2027-11-01', "All Saints' Day"],
    ['AL', '2026-04-27', 'Confederate Memorial Day'],
    ['AL', '2026-06-01', "Jefferson Davis' birthday"],
    ['MS', '2026-04-27', 'Confederate Memorial Day'],
    ['RI', '2026-08-10', 'Victory Day'],
    ['RI', '2026-05-04', 'Rhode Island Independence Day'],
    ['RI', '2026-11-03', 'Election Day (even year)'],
    ['UT', '2026-07-24', 'Pioneer Day'],
    ['UT', '2026-04-03', 'Good Friday'],
    ['PA', '2026-04-03', 'Good Friday'],
    ['PA', '2027-11-02', 'Election Day (every year)'],
    ['PA', '2026-11-26', 'Thanksgiving (federal)'],
    ['UT', '2026-07-03', 'Independence Day observed (federal)'],
  ])('%s %s (%s) is banned', (region, date) => {
    expect(isStateHoliday(region, date)).toBe(true);
    const zone = REGION_ZONES[region]![0]!;
    const reasons = open.isAllowed({ zones: [zone], regions: [region], callTimes: [] }, noonIn(zone, date)).reasons;
    expect(reasons.some((r) => r.code === 'state-holiday' && r.rule === region)).toBe(true);
  });

  it.each([
    ['RI', '2027-11-02', 'no general election in odd years'],
    ['LA', '2026-02-18', 'Ash Wednesday'],
    ['UT', '2026-07-23', 'the day before Pioneer Day'],
  ])('%s %s (%s) is not a holiday', (region, date) => {
    expect(isStateHoliday(region, date)).toBe(false);
  });

  it('states without a holiday ban are never refused for a holiday (FL on Thanksgiving)', () => {
    const zone = 'America/New_York';
    const reasons = open.isAllowed({ zones: [zone], regions: ['FL'], callTimes: [] }, noonIn(zone, '2026-11-26')).reasons;
    expect(reasons).toEqual([]);
  });

  it('every holiday-ban list contains the federal holidays', () => {
    for (const region of ['LA', 'MS', 'AL', 'RI', 'UT', 'PA']) {
      expect(stateHolidays(region, 2026).has('2026-01-19')).toBe(true);
      expect(stateHolidays(region, 2026).has('2026-12-25')).toBe(true);
    }
  });
});

describe('rule selection', () => {
  it('binds federal rules plus the lead state rules', () => {
    expect(rulesFor(['FL'], true).map((r) => r.id)).toEqual(['US-FEDERAL', 'FL']);
    expect(rulesFor(['CA'], true).map((r) => r.id)).toEqual(['US-FEDERAL', 'CA-ADAD']);
    expect(rulesFor(['CA'], false).map((r) => r.id)).toEqual(['US-FEDERAL']);
    expect(rulesFor(['ON'], true).map((r) => r.id)).toEqual(['CA-CRTC']);
  });

  it('an unknown state binds every rule (the strictest envelope)', () => {
    expect(rulesFor([], true)).toHaveLength(CALLING_RULES.length);
    expect(rulesFor(['XX'], true)).toHaveLength(CALLING_RULES.length);
  });

  it('Mississippi is held to both its local clock and Central Standard Time (stricter in summer)', () => {
    const zone = 'America/Chicago';
    const subject: WindowSubject = { zones: [zone], regions: ['MS'], callTimes: [] };
    // 08:30 CDT in July is 07:30 CST: refused by MS-CST; 09:00 CDT is 08:00 CST: allowed.
    const summer830 = instantAtWall(zone, 2026, 7, 15, 8 * 60 + 30);
    expect(open.isAllowed(subject, summer830).reasons.map((r) => r.rule)).toEqual(['MS-CST']);
    expect(open.isAllowed(subject, instantAtWall(zone, 2026, 7, 15, 9 * 60)).allowed).toBe(true);
    // In winter both readings agree: 08:00 CST is allowed.
    expect(open.isAllowed(subject, instantAtWall(zone, 2026, 1, 14, 8 * 60)).allowed).toBe(true);
  });

  it('every rule cites a source', () => {
    for (const rule of CALLING_RULES) {
      expect(rule.citation.length).toBeGreaterThan(5);
      expect(rule.source).toMatch(/^https?:\/\//);
    }
  });
});

describe('the table says what the cited law says (docs/compliance.md)', () => {
  const fmt = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
  const week = (rule: CallingRule) =>
    rule.hours.slice(1).map((h) => (h ? `${fmt(h[0])}-${fmt(h[1])}` : 'none')).join(' ');
  const daily = (span: string) => Array(7).fill(span).join(' ');
  const monSat = (span: string, sunday: string) => `${Array(6).fill(span).join(' ')} ${sunday}`;

  it.each([
    ['US-FEDERAL', daily('08:00-21:00')],
    ['CA-CRTC', `${Array(5).fill('09:00-21:30').join(' ')} 10:00-18:00 10:00-18:00`],
    ['FL', daily('08:00-20:00')],
    ['OK', daily('08:00-20:00')],
    ['MD', daily('08:00-20:00')],
    ['OR', daily('08:00-20:00')],
    ['WA', daily('08:00-20:00')],
    ['MA', daily('08:00-20:00')],
    ['WY', daily('08:00-20:00')],
    ['CT', daily('09:00-20:00')],
    ['KY', daily('10:00-21:00')],
    ['NM', daily('09:00-21:00')],
    ['NV', daily('09:00-20:00')],
    ['MN', daily('09:00-21:00')],
    ['MI', daily('09:00-21:00')],
    ['TX', monSat('09:00-21:00', '12:00-21:00')],
    ['LA', monSat('08:00-20:00', 'none')],
    ['MS', monSat('08:00-20:00', 'none')],
    ['MS-CST', monSat('08:00-20:00', 'none')],
    ['AL', monSat('08:00-20:00', 'none')],
    ['RI', `${Array(5).fill('09:00-18:00').join(' ')} 10:00-17:00 none`],
    ['UT', monSat('08:00-21:00', 'none')],
    ['PA', monSat('09:00-19:00', 'none')],
    ['CA-ADAD', daily('09:00-21:00')],
    ['NV-ADAD', daily('09:00-21:00')],
    ['OK-ADAD', daily('09:00-21:00')],
    ['SD-ATDS', `${Array(5).fill('09:00-21:00').join(' ')} none none`],
    ['ME-ADAD', `${Array(5).fill('09:00-17:00').join(' ')} none none`],
  ])('%s hours', (id, expected) => {
    const rule = CALLING_RULES.find((r) => r.id === id);
    expect(rule && week(rule)).toBe(expected);
  });

  it('caps and holiday bans', () => {
    const caps = Object.fromEntries(CALLING_RULES.filter((r) => r.cap).map((r) => [r.id, `${r.cap!.maxCalls}/${r.cap!.windowHours}h`]));
    expect(caps).toEqual({ FL: '3/24h', OK: '3/24h', MD: '3/24h', OR: '3/24h', 'ME-ADAD': '1/8h' });
    const bans = CALLING_RULES.filter((r) => r.holidayBan).map((r) => r.id);
    expect(bans).toEqual(['LA', 'MS', 'AL', 'RI', 'UT', 'PA']);
    expect(CALLING_RULES).toHaveLength(28);
  });
});
