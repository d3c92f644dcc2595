import { HOLIDAY_TABLE, HOLIDAY_YEARS } from '../../../lambdas/domain/data/holidays.generated';
import { federalHolidays, isFederalHoliday, isStateHoliday, stateHolidays } from '../../../lambdas/domain/holidays';
import { computeFederalHolidays, computeStateHolidays } from '../../../lambdas/domain/holiday-rules';
import { CALLING_RULES } from '../../../lambdas/domain/calling-rules';

/** The generated table the dialer reads is exactly what the cited rules compute, for every year it covers. */
const BAN_STATES = [...new Set(CALLING_RULES.filter((r) => r.holidayBan).flatMap((r) => r.regions))].sort();
const years = Array.from({ length: HOLIDAY_YEARS.to - HOLIDAY_YEARS.from + 1 }, (_, i) => HOLIDAY_YEARS.from + i);

it('covers the federal calendar and every holiday-ban state', () => {
  expect(Object.keys(HOLIDAY_TABLE).sort()).toEqual(['US', ...BAN_STATES].sort());
});

it.each(years)('%i: every calendar equals the rules (date-holidays + cited extras)', (year) => {
  expect([...federalHolidays(year)].sort()).toEqual(computeFederalHolidays(year));
  for (const region of BAN_STATES) expect([...stateHolidays(region, year)].sort()).toEqual(computeStateHolidays(region, year));
});

it('reaches at least ten years past today (regenerate with npx tsx scripts/generate-holidays.ts)', () => {
  expect(HOLIDAY_YEARS.to).toBeGreaterThanOrEqual(new Date().getUTCFullYear() + 10);
});

it('a year outside the table is computed from the rules, not left empty', () => {
  const year = HOLIDAY_YEARS.to + 3;
  expect([...federalHolidays(year)].sort()).toEqual(computeFederalHolidays(year));
  expect(isFederalHoliday(`${year}-12-25`) || isFederalHoliday(`${year}-12-24`) || isFederalHoliday(`${year}-12-26`)).toBe(true);
  expect(isStateHoliday('LA', `${HOLIDAY_YEARS.from - 1}-08-30`) || isStateHoliday('LA', `${HOLIDAY_YEARS.from - 1}-08-29`) || isStateHoliday('LA', `${HOLIDAY_YEARS.from - 1}-08-31`)).toBe(true);
});
