/**
 * A reference for the calling window, used by the property tests. It reads the rule table, the holiday lists and
 * the configuration directly and converts instants with Intl (not luxon, not zone-time.ts), so an error in
 * CallingWindow's time arithmetic, its jumps or its rule selection cannot hide behind the same code here. What it
 * shares with production is data: the rule table and the holiday sets, which have their own example tests
 * (calling-rules.test.ts: "the table says what the cited law says", "state holiday bans").
 */
import type { CallingWindowConfig } from '../../lambdas/config/config';
import { CALLING_RULES, CANADA_REGIONS, US_REGIONS } from '../../lambdas/domain/calling-rules';
import type { WindowSubject } from '../../lambdas/domain/calling-window';
import { isFederalHoliday, isStateHoliday } from '../../lambdas/domain/holidays';
import { ALL_US_ZONES } from '../../lambdas/domain/regions';

const formatters = new Map<string, Intl.DateTimeFormat>();
const WEEKDAYS: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

export interface LocalParts {
  readonly date: string;
  readonly weekday: number;
  /** Wall-clock minutes since midnight, with the fraction of the minute. */
  readonly minutes: number;
}

export function localParts(at: number, zone: string): LocalParts {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit',
      hour: '2-digit', minute: '2-digit', second: '2-digit', weekday: 'short',
    });
    formatters.set(zone, f);
  }
  const p: Record<string, string> = {};
  for (const part of f.formatToParts(new Date(at))) p[part.type] = part.value;
  const ms = ((at % 1000) + 1000) % 1000;
  return {
    date: `${p.year}-${p.month}-${p.day}`,
    weekday: WEEKDAYS[p.weekday!]!,
    minutes: Number(p.hour) * 60 + Number(p.minute) + (Number(p.second) * 1000 + ms) / 60_000,
  };
}

const toMin = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** Only the law: hours of every binding rule in every zone, state holiday bans, state caps. */
export function legallyAllowed(subject: WindowSubject, at: number, config: CallingWindowConfig): boolean {
  const known = subject.regions.filter((r) => US_REGIONS.includes(r) || CANADA_REGIONS.includes(r));
  const waived = new Set(config.capWaivers.map((w) => w.region));
  for (const rule of CALLING_RULES) {
    if (rule.automatedOnly && !config.automatedVoiceRules) continue;
    if (known.length > 0 && !rule.regions.some((r) => known.includes(r))) continue;
    for (const zone of rule.fixedZone ? [rule.fixedZone] : subject.zones.length > 0 ? subject.zones : ALL_US_ZONES) {
      const local = localParts(at, zone);
      const hours = rule.hours[local.weekday];
      if (!hours || local.minutes < hours[0] || local.minutes >= hours[1]) return false;
      const region = rule.regions[0]!;
      if (rule.holidayBan && (isStateHoliday(region, local.date) || config.stateHolidayDates[region]?.includes(local.date))) return false;
    }
    if (rule.cap && !rule.regions.some((r) => waived.has(r))) {
      const windowMs = rule.cap.windowHours * 3_600_000;
      const recent = subject.callTimes.filter((c) => Math.abs(c - at) < windowMs).length;
      if (recent >= rule.cap.maxCalls) return false;
    }
  }
  return true;
}

/** The campaign's own limits: business hours and days in the business zone, blackout dates. */
export function businessAllowed(at: number, config: CallingWindowConfig): boolean {
  const local = localParts(at, config.business.zone);
  if (!config.business.days.includes(local.weekday)) return false;
  if (local.minutes < toMin(config.business.start) || local.minutes >= toMin(config.business.end)) return false;
  if (config.blackoutDates.includes(local.date)) return false;
  if (config.federalHolidayBlackout && isFederalHoliday(local.date)) return false;
  return true;
}

export function oracleAllowed(subject: WindowSubject, at: number, config: CallingWindowConfig): boolean {
  return businessAllowed(at, config) && legallyAllowed(subject, at, config);
}
