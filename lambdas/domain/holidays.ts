import Holidays from 'date-holidays';

/**
 * Holiday calendars, as sets of local calendar dates (`YYYY-MM-DD`). Dates come from date-holidays (observed-day
 * shifts included: when July 4 is a Saturday, both July 3 and July 4 are in the set). A state that bans solicitation
 * on its legal holidays gets its own public holidays, the federal ones (stricter), and the statutory days that
 * date-holidays lacks, each cited below (docs/compliance.md has the full lists).
 */

const OBSERVED = 'and if saturday then previous friday if sunday then next monday';

interface ExtraHoliday {
  readonly rule: string;
  readonly name: string;
}

/** Statutory holidays missing from date-holidays' lists. */
const STATE_EXTRAS: Readonly<Record<string, readonly ExtraHoliday[]>> = {
  // La. R.S. 1:55(A)(1)
  LA: [
    { rule: `01-08 ${OBSERVED}`, name: 'Battle of New Orleans' },
    { rule: `08-30 ${OBSERVED}`, name: 'Huey P. Long Day' },
    { rule: `11-01 ${OBSERVED}`, name: "All Saints' Day" },
  ],
  // R.I. Gen. Laws 25-1-1
  RI: [
    { rule: `05-04 ${OBSERVED}`, name: 'Rhode Island Independence Day' },
    { rule: 'tuesday after 1st monday in November in even years', name: 'Election Day' },
  ],
  // Utah Code 63G-1-301 (Good Friday from 2026-05-06)
  UT: [{ rule: 'easter -2', name: 'Good Friday' }],
  // 73 P.S. 2245(a)(10) holiday list: Good Friday and Election Day are not in date-holidays' PA list.
  PA: [
    { rule: 'easter -2', name: 'Good Friday' },
    { rule: 'tuesday after 1st monday in November', name: 'Election Day' },
  ],
};

const federal = new Holidays('US');
const stateCalendars = new Map<string, Holidays>();
const cache = new Map<string, ReadonlySet<string>>();

function calendarFor(region: string): Holidays {
  let calendar = stateCalendars.get(region);
  if (!calendar) {
    calendar = new Holidays('US', region);
    for (const extra of STATE_EXTRAS[region] ?? []) {
      calendar.setHoliday(extra.rule, { name: { en: extra.name }, type: 'public' });
    }
    stateCalendars.set(region, calendar);
  }
  return calendar;
}

function publicDates(calendar: Holidays, year: number): string[] {
  return calendar.getHolidays(year).filter((h) => h.type === 'public').map((h) => h.date.slice(0, 10));
}

/** US federal holidays of a year, observed days included. */
export function federalHolidays(year: number): ReadonlySet<string> {
  const key = `US:${year}`;
  let set = cache.get(key);
  if (!set) {
    set = new Set(publicDates(federal, year));
    cache.set(key, set);
  }
  return set;
}

/** Legal holidays of a state on which solicitation is banned: its own public holidays ∪ federal ∪ cited extras. */
export function stateHolidays(region: string, year: number): ReadonlySet<string> {
  const key = `${region}:${year}`;
  let set = cache.get(key);
  if (!set) {
    set = new Set([...publicDates(calendarFor(region), year), ...federalHolidays(year)]);
    cache.set(key, set);
  }
  return set;
}

export function isFederalHoliday(localDate: string): boolean {
  return federalHolidays(Number(localDate.slice(0, 4))).has(localDate);
}

export function isStateHoliday(region: string, localDate: string): boolean {
  return stateHolidays(region, Number(localDate.slice(0, 4))).has(localDate);
}
