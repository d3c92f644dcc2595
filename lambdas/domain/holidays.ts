import { HOLIDAY_TABLE, HOLIDAY_YEARS } from './data/holidays.generated';

/**
 * Holiday calendars, as sets of local calendar dates (`YYYY-MM-DD`): US federal holidays (observed days included)
 * and, for each state that bans solicitation on its legal holidays, its own public holidays ∪ federal ∪ the cited
 * statutory days date-holidays lacks. Rules and sources: holiday-rules.ts and docs/compliance.md.
 * The years of HOLIDAY_YEARS come from a table generated from those rules (scripts/generate-holidays.ts; a test
 * holds it equal to them), so the dialer and the CLI do not load date-holidays' every-country data; another year is
 * computed from the rules themselves, loaded only then.
 */

const cache = new Map<string, ReadonlySet<string>>();

type HolidayRules = typeof import('./holiday-rules');
let rules: HolidayRules | null = null;
function holidayRules(): HolidayRules {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  rules ??= require('./holiday-rules') as HolidayRules;
  return rules;
}

function datesOf(calendar: string, year: number): ReadonlySet<string> {
  const key = `${calendar}:${year}`;
  let set = cache.get(key);
  if (!set) {
    const inTable = year >= HOLIDAY_YEARS.from && year <= HOLIDAY_YEARS.to && Object.prototype.hasOwnProperty.call(HOLIDAY_TABLE, calendar);
    const dates = inTable
      ? (HOLIDAY_TABLE[calendar]?.[year - HOLIDAY_YEARS.from] ?? '').split(',').filter(Boolean).map((md) => `${year}-${md}`)
      : calendar === 'US' ? holidayRules().computeFederalHolidays(year) : holidayRules().computeStateHolidays(calendar, year);
    set = new Set(dates);
    cache.set(key, set);
  }
  return set;
}

/** US federal holidays of a year, observed days included. */
export function federalHolidays(year: number): ReadonlySet<string> {
  return datesOf('US', year);
}

/** Legal holidays of a state on which solicitation is banned: its own public holidays ∪ federal ∪ cited extras. */
export function stateHolidays(region: string, year: number): ReadonlySet<string> {
  return datesOf(region, year);
}

export function isFederalHoliday(localDate: string): boolean {
  return federalHolidays(Number(localDate.slice(0, 4))).has(localDate);
}

export function isStateHoliday(region: string, localDate: string): boolean {
  return stateHolidays(region, Number(localDate.slice(0, 4))).has(localDate);
}
