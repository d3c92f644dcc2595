import fc from 'fast-check';
import { IANAZone } from 'luxon';
import { instantAtWall, offsetMinutes, wallAt } from '../../../lambdas/domain/zone-time';
import { ALL_US_ZONES, REGION_ZONES } from '../../../lambdas/domain/regions';
import { localParts } from '../../support/legal-oracle';

const ZONES = [...new Set([...ALL_US_ZONES, ...Object.values(REGION_ZONES).flat(), 'Etc/GMT+6'])];

describe('zone-time (memoized offsets) agrees with Intl', () => {
  it('wall clock of any instant 2024-2030 in every zone redial serves', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ZONES), fc.integer({ min: Date.parse('2024-01-01T00:00:00Z'), max: Date.parse('2030-12-31T00:00:00Z') }), (zone, ms) => {
        const mine = wallAt(zone, ms);
        const intl = localParts(ms, zone);
        return mine.date === intl.date && mine.weekday === intl.weekday && Math.abs(mine.minutes - intl.minutes) < 1e-9;
      }),
      { numRuns: 20_000 },
    );
  });

  it('every offset change of 2025-2030 falls on a quarter hour (the cache bucket)', () => {
    const QUARTER = 15 * 60_000;
    let transitions = 0;
    for (const zone of ZONES) {
      const tz = IANAZone.create(zone);
      const step = 6 * 3_600_000;
      for (let ms = Date.parse('2025-01-01T00:00:00Z'); ms < Date.parse('2031-01-01T00:00:00Z'); ms += step) {
        if (tz.offset(ms) === tz.offset(ms + step)) continue;
        // Binary search the first millisecond of the new offset.
        let lo = ms;
        let hi = ms + step;
        while (hi - lo > 1) {
          const mid = Math.floor((lo + hi) / 2);
          if (tz.offset(mid) === tz.offset(ms)) lo = mid;
          else hi = mid;
        }
        transitions++;
        if (hi % QUARTER !== 0) throw new Error(`${zone} changes offset at ${new Date(hi).toISOString()}, not on a quarter hour`);
        expect(offsetMinutes(zone, hi)).toBe(tz.offset(hi));
        expect(offsetMinutes(zone, hi - 1)).toBe(tz.offset(hi - 1));
      }
    }
    expect(transitions).toBeGreaterThan(200);
  });

  it('spring-forward gap: 02:30 on 2026-03-08 in New York maps to the end of the gap, 03:00 EDT', () => {
    expect(new Date(instantAtWall('America/New_York', 2026, 3, 8, 150)).toISOString()).toBe('2026-03-08T07:00:00.000Z');
    expect(new Date(instantAtWall('America/Chicago', 2026, 3, 8, 120)).toISOString()).toBe('2026-03-08T08:00:00.000Z');
    // 03:00 itself exists and is the same instant.
    expect(instantAtWall('America/New_York', 2026, 3, 8, 180)).toBe(Date.parse('2026-03-08T07:00:00Z'));
  });

  it('instantAtWall around every 2026-2027 DST switch: the first instant whose wall clock reaches the minute', () => {
    const days = ['2026-03-08', '2026-11-01', '2027-03-14', '2027-11-07'];
    for (const zone of ZONES) {
      for (const day of days) {
        const [y, m, d] = day.split('-').map(Number);
        for (let minute = 0; minute <= 5 * 60; minute += 5) {
          const t = instantAtWall(zone, y!, m!, d!, minute);
          const here = localParts(t, zone);
          const before = localParts(t - 60_000, zone);
          const ok = here.date === day && here.minutes >= minute && (before.date !== day || before.minutes < minute);
          if (!ok) throw new Error(`${zone} ${day} minute ${minute}: ${new Date(t).toISOString()}`);
        }
      }
    }
  });

  it('instantAtWall is the first instant whose wall clock reaches the minute (checked against Intl)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ZONES), fc.integer({ min: 0, max: 3 * 365 }), fc.integer({ min: 0, max: 1439 }), (zone, dayOffset, minute) => {
        const base = new Date(Date.UTC(2025, 0, 1 + dayOffset));
        const t = instantAtWall(zone, base.getUTCFullYear(), base.getUTCMonth() + 1, base.getUTCDate(), minute);
        const day = base.toISOString().slice(0, 10);
        const here = localParts(t, zone);
        const before = localParts(t - 60_000, zone);
        // At t the wall clock shows that date at or past the minute; a minute earlier it did not yet.
        return here.date === day && here.minutes >= minute && (before.date !== day || before.minutes < minute);
      }),
      { numRuns: 20_000 },
    );
  });

  it('fall-back overlap: 01:30 on 2026-11-01 in Chicago maps to its first occurrence (CDT)', () => {
    expect(new Date(instantAtWall('America/Chicago', 2026, 11, 1, 90)).toISOString()).toBe('2026-11-01T06:30:00.000Z');
  });

  it('day overflow: day 32 of January is February 1', () => {
    expect(new Date(instantAtWall('America/Denver', 2026, 1, 32, 8 * 60)).toISOString()).toBe('2026-02-01T15:00:00.000Z');
  });

  it('unknown zones are refused', () => {
    expect(() => wallAt('Mars/Olympus', 0)).toThrow('unknown IANA zone');
  });
});
