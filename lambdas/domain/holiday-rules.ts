import type HolidaysType from 'date-holidays';

/**
 * The holiday calendars computed from date-holidays (observed-day shifts included: when July 4 is a Saturday, both
 * July 3 and July 4 are in the set). A state that bans solicitation on its legal holidays gets its own public
 * holidays, the federal ones (stricter), and the statutory days that date-holidays lacks, each cited below
 * (docs/compliance.md has the full lists). scripts/generate-holidays.ts writes these sets for a range of years into
 * data/holidays.generated.ts, which holidays.ts reads; this module serves the years outside that range.
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

type Holidays = HolidaysType;
let HolidaysClass: typeof HolidaysType | null = null;
/** date-holidays carries every country's data: loaded at the first computation, never at start. */
function newCalendar(country: string, state?: string): Holidays {
  if (!HolidaysClass) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const loaded = require('date-holidays') as typeof HolidaysType & { default?: typeof HolidaysType };
    HolidaysClass = loaded.default ?? loaded;
  }
  return state === undefined ? new HolidaysClass(country) : new HolidaysClass(country, state);
}

let federal: Holidays | null = null;
const stateCalendars = new Map<string, Holidays>();

function calendarFor(region: string): Holidays {
  let calendar = stateCalendars.get(region);
  if (!calendar) {
    calendar = newCalendar('US', region);
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

/** US federal holidays of a year, observed days included, sorted. */
export function computeFederalHolidays(year: number): string[] {
  federal ??= newCalendar('US');
  return [...new Set(publicDates(federal, year))].sort();
}

/** A holiday-ban state's legal holidays of a year: its own public holidays ∪ federal ∪ cited extras, sorted. */
export function computeStateHolidays(region: string, year: number): string[] {
  return [...new Set([...publicDates(calendarFor(region), year), ...computeFederalHolidays(year)])].sort();
}
