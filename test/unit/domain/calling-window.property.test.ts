import fc from 'fast-check';
import { callingWindowConfigSchema, type CallingWindowConfig } from '../../../lambdas/config/config';
import { CallingWindow, type WindowSubject } from '../../../lambdas/domain/calling-window';
import { REGION_ZONES } from '../../../lambdas/domain/regions';
import { legallyAllowed, localParts, oracleAllowed } from '../../support/legal-oracle';
import { resolveLocation } from '../../../lambdas/domain/location';
import { AREA_CODE_ZONES, DECLARED_STATES, TZ_HINTS, ZIP_STATE, impliedZones } from '../../support/location-oracle';

/**
 * Safety properties of the calling window, checked against the independent oracle in test/support.
 * RUNS is the number of generated cases per property run (the issue asks for at least 100,000).
 */
const RUNS = Number(process.env.PROPERTY_RUNS ?? 100_000);
const SCAN_RUNS = Number(process.env.SCAN_RUNS ?? 250);
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

const REGIONS = Object.keys(REGION_ZONES);
const ALL_ZONES = [...new Set(Object.values(REGION_ZONES).flat())];

/** Instants that cluster where bugs live: DST switches, midnights, window edges, holidays. */
const HOT_SPOTS = [
  '2026-03-08T07:00:00Z', '2026-03-08T10:00:00Z', '2026-11-01T06:00:00Z', '2026-11-01T09:00:00Z', // US DST 2026
  '2027-03-14T07:00:00Z', '2027-11-07T06:00:00Z', '2026-07-03T15:00:00Z', '2026-11-26T16:00:00Z', // observed July 4, Thanksgiving
  '2026-12-25T00:00:00Z', '2027-01-01T05:00:00Z', '2026-08-31T13:00:00Z', '2026-04-03T13:00:00Z', // Huey Long (obs.), Good Friday
].map(Date.parse);

const instant = fc.oneof(
  fc.integer({ min: Date.parse('2025-01-01T00:00:00Z'), max: Date.parse('2028-12-31T00:00:00Z') }),
  fc.tuple(fc.constantFrom(...HOT_SPOTS), fc.integer({ min: -36 * HOUR, max: 36 * HOUR })).map(([a, b]) => a + b),
  fc.tuple(fc.constantFrom(...HOT_SPOTS), fc.integer({ min: -48, max: 48 })).map(([a, b]) => a + b * 30 * MINUTE),
);

const subjectAt = (at: number) =>
  fc.record({
    regions: fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom(...REGIONS).map((r) => [r]) },
      { weight: 1, arbitrary: fc.uniqueArray(fc.constantFrom(...REGIONS), { minLength: 2, maxLength: 3 }) },
      { weight: 1, arbitrary: fc.constant([] as string[]) },
    ),
    extraZones: fc.uniqueArray(fc.constantFrom(...ALL_ZONES), { maxLength: 2 }),
    unlocated: fc.boolean(),
    // Mostly past calls; a few "future" ones stand for clock skew between workers.
    callTimes: fc.array(fc.integer({ min: at - 30 * HOUR, max: at + 2 * HOUR }), { maxLength: 5 }),
  }).map(({ regions, extraZones, unlocated, callTimes }): WindowSubject => {
    const zones = [...new Set([...regions.flatMap((r) => REGION_ZONES[r]!), ...extraZones])];
    // An empty zone list (a subject nobody located) must be held to every US zone, never to none.
    return { regions, zones: unlocated && regions.length === 0 ? [] : zones.length > 0 ? zones : ['America/New_York'], callTimes };
  });

const DEFAULT = callingWindowConfigSchema.parse({});
const configArb: fc.Arbitrary<CallingWindowConfig> = fc.oneof(
  { weight: 3, arbitrary: fc.constant(DEFAULT) },
  {
    weight: 2,
    arbitrary: fc.record({
      start: fc.integer({ min: 0, max: 22 * 60 }),
      length: fc.integer({ min: 30, max: 24 * 60 }),
      days: fc.uniqueArray(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 7 }),
      zone: fc.constantFrom('America/New_York', 'America/Chicago', 'America/Los_Angeles', 'Pacific/Honolulu'),
      automatedVoiceRules: fc.boolean(),
      federalHolidayBlackout: fc.boolean(),
      waiveFlCap: fc.boolean(),
    }).map((c) => {
      const end = Math.min(c.start + c.length, 23 * 60 + 59);
      const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
      return callingWindowConfigSchema.parse({
        business: { zone: c.zone, start: hhmm(c.start), end: hhmm(end), days: c.days },
        automatedVoiceRules: c.automatedVoiceRules,
        federalHolidayBlackout: c.federalHolidayBlackout,
        capWaivers: c.waiveFlCap ? [{ region: 'FL', reason: 'property test: a waived cap must stop binding' }] : [],
        stateHolidayDates: c.waiveFlCap ? { LA: ['2026-07-02', '2027-07-02'], UT: ['2026-03-09'] } : {},
      });
    }),
  },
);

const windows = new Map<CallingWindowConfig, CallingWindow>();
const windowFor = (config: CallingWindowConfig) => {
  let w = windows.get(config);
  if (!w) windows.set(config, (w = new CallingWindow(config)));
  return w;
};

/** A failed check throws with a message; cheaper than expect() in the 100,000-case loop. */
function check(ok: boolean, message: string): void {
  if (!ok) throw new Error(message);
}
const iso = (ms: number | null) => (ms === null ? 'null' : new Date(ms).toISOString());

const caseArb = fc.tuple(configArb, instant).chain(([config, at]) => subjectAt(at).map((subject) => ({ config, at, subject })));

describe('CallingWindow safety properties', () => {
  it(`isAllowed agrees with the independent oracle, and nextAllowedAt(x) is >= x and legal (${RUNS} cases)`, () => {
    fc.assert(
      fc.property(caseArb, ({ config, at, subject }) => {
        const window = windowFor(config);
        const decision = window.isAllowed(subject, at);
        const oracle = oracleAllowed(subject, at, config);
        // Never accept an instant the law or the business refuses, and never refuse one they accept.
        check(decision.allowed === oracle, `isAllowed(${iso(at)}) = ${decision.allowed}, oracle says ${oracle}`);
        check(decision.allowed || decision.reasons.length > 0, 'a refusal without a reason');
        const next = window.nextAllowedAt(subject, at);
        if (next !== null) {
          check(next >= at, `nextAllowedAt ${iso(next)} is before ${iso(at)}`);
          check(legallyAllowed(subject, next, config), `nextAllowedAt ${iso(next)} is outside legal hours, on a banned day or over a cap`);
          check(oracleAllowed(subject, next, config), `nextAllowedAt ${iso(next)} is outside the business window`);
        }
        check(!decision.allowed || next === at, `allowed at ${iso(at)} but nextAllowedAt is ${iso(next)}`);
      }),
      { numRuns: RUNS },
    );
  });

  it(`nextAllowedAt is the earliest allowed instant: a minute-by-minute scan finds nothing earlier (${SCAN_RUNS} cases)`, () => {
    fc.assert(
      fc.property(caseArb, ({ config, at, subject }) => {
        const window = windowFor(config);
        const next = window.nextAllowedAt(subject, at);
        const end = next ?? at + window.horizonMs;
        // Every whole minute from `at` up to the answer is refused by the oracle.
        let scan = Math.ceil(at / MINUTE) * MINUTE;
        if (next !== null && next > at) check(!oracleAllowed(subject, at, config), `${iso(at)} is allowed but nextAllowedAt said ${iso(next)}`);
        for (; scan < end; scan += MINUTE) check(!oracleAllowed(subject, scan, config), `${iso(scan)} is allowed, earlier than nextAllowedAt ${iso(next)}`);
        // And the scan's first allowed point (`at` itself, then each whole minute) is within a minute of the answer.
        if (next !== null) {
          if (oracleAllowed(subject, at, config)) scan = at;
          else while (!oracleAllowed(subject, scan, config)) scan += MINUTE;
          check(scan - next < MINUTE && scan >= next, `scan found ${iso(scan)}, nextAllowedAt ${iso(next)}`);
        }
      }),
      { numRuns: SCAN_RUNS },
    );
  });

  it(`a lead located from any phone, ZIP, state and zone is never dialed outside 08:00-21:00 in a zone any of its parts implies (${SCAN_RUNS * 20} cases)`, () => {
    const hints = fc.record({
      npa: fc.constantFrom(...Object.keys(AREA_CODE_ZONES)),
      zip: fc.constantFrom('', ...Object.keys(ZIP_STATE)),
      state: fc.constantFrom(...DECLARED_STATES),
      tz: fc.constantFrom(...TZ_HINTS),
    });
    fc.assert(
      fc.property(hints, instant, (h, at) => {
        const loc = resolveLocation(h.npa, h);
        const subject: WindowSubject = { zones: loc.zones, regions: loc.regions, callTimes: [] };
        const next = windowFor(DEFAULT).nextAllowedAt(subject, at);
        for (const t of [at, ...(next === null ? [] : [next])]) {
          if (!windowFor(DEFAULT).isAllowed(subject, t).allowed) continue;
          for (const zone of impliedZones(h).flat()) {
            const local = localParts(t, zone).minutes;
            check(local >= 8 * 60 && local < 21 * 60, `${iso(t)} allowed for ${JSON.stringify(h)} but it is minute ${Math.floor(local)} in ${zone}`);
          }
        }
      }),
      { numRuns: SCAN_RUNS * 20 },
    );
  });
});

