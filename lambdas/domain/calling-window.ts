import type { CallingWindowConfig } from '../config/config';
import { ALL_US_ZONES } from './regions';
import { rulesFor, type CallingRule, type DayHours, type WeekHours } from './calling-rules';
import { isFederalHoliday, isStateHoliday } from './holidays';
import { LocalTime } from './zone-time';

/**
 * CallingWindow decides whether a lead may be dialed at an instant, and when it next may be.
 * Allowed only if ALL hold: campaign business hours; the legal hours of every rule binding the lead, in every
 * candidate zone; not a business blackout day; not a state legal holiday where the state bans calls; and no state
 * call cap reached. Pure: the instant is an argument (epoch milliseconds), never read from a clock.
 */

/** What the window needs to know about a lead. */
export interface WindowSubject {
  /** Every IANA zone the lead may be in. */
  readonly zones: readonly string[];
  /** Jurisdictions whose rules bind (state codes). Empty = unknown: every rule binds. */
  readonly regions: readonly string[];
  /** Epoch ms of the calls already placed to this number by any path (at least the last 24 h). */
  readonly callTimes: readonly number[];
}

export type RefusalCode =
  | 'business-day'
  | 'business-hours'
  | 'business-blackout'
  | 'legal-hours'
  | 'legal-day'
  | 'state-holiday'
  | 'call-cap';

export interface Refusal {
  readonly code: RefusalCode;
  /** `BUSINESS` or the id of the legal rule (`US-FEDERAL`, `FL`, ...). */
  readonly rule: string;
  readonly zone?: string;
  readonly message: string;
  /** The binding rule in a few words, for an operator's one-line reason: `FL call cap (3 per 24 h)`. */
  readonly label: string;
  /** Earliest instant (epoch ms) at which this constraint alone stops refusing; null = never within a week. */
  readonly until: number | null;
}

export type WindowDecision =
  | { readonly allowed: true; readonly reasons: readonly [] }
  | { readonly allowed: false; readonly reasons: readonly Refusal[] };

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY_NAMES = ['', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

function parseHhmm(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h! * 60 + m!;
}

function fmt(minute: number): string {
  return `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
}

type Local = LocalTime;

function localAt(zone: string, at: number): Local {
  return new LocalTime(zone, at);
}

/**
 * Earliest instant >= local.at within the weekly hours, or null if no day of the coming week has hours.
 * Returns local.at itself when it is inside.
 */
function nextOpening(local: Local, hours: WeekHours): number | null {
  const today = hours[local.weekday];
  if (today) {
    if (local.minutes >= today[0] && local.minutes < today[1]) return local.at;
    if (local.minutes < today[0]) return local.atMinute(today[0]);
  }
  for (let d = 1; d <= 7; d++) {
    const dayHours = hours[((local.weekday - 1 + d) % 7) + 1];
    if (dayHours) return local.atMinute(dayHours[0], d);
  }
  return null;
}

function nextMidnight(local: Local): number {
  return local.atMinute(0, 1);
}

function clock(local: Local): string {
  return `${DAY_NAMES[local.weekday]} ${fmt(Math.floor(local.minutes))}`;
}

function describeDay(hours: DayHours): string {
  return hours ? `${fmt(hours[0])}-${fmt(hours[1])}` : 'no calls';
}

export class CallingWindow {
  private readonly businessHours: WeekHours;
  private readonly blackout: ReadonlySet<string>;
  private readonly waivedCaps: ReadonlySet<string>;
  private readonly proclaimed: ReadonlyMap<string, ReadonlySet<string>>;
  private readonly rulesCache = new Map<string, readonly CallingRule[]>();
  readonly horizonMs: number;

  constructor(private readonly config: CallingWindowConfig) {
    const span: DayHours = [parseHhmm(config.business.start), parseHhmm(config.business.end)];
    const days = new Set(config.business.days);
    const open = (weekday: number): DayHours => (days.has(weekday) ? span : null);
    this.businessHours = [null, open(1), open(2), open(3), open(4), open(5), open(6), open(7)];
    this.blackout = new Set(config.blackoutDates);
    this.waivedCaps = new Set(config.capWaivers.map((w) => w.region));
    this.proclaimed = new Map(Object.entries(config.stateHolidayDates).map(([region, dates]) => [region, new Set(dates)]));
    this.horizonMs = config.horizonDays * 24 * HOUR;
  }

  /** Rules binding a lead in these regions (cached per region set). */
  rules(regions: readonly string[]): readonly CallingRule[] {
    const key = regions.join(',');
    let rules = this.rulesCache.get(key);
    if (!rules) {
      rules = rulesFor(regions, this.config.automatedVoiceRules);
      this.rulesCache.set(key, rules);
    }
    return rules;
  }

  /** Whether a call may be placed at `at` (epoch ms), with every reason when not. */
  isAllowed(subject: WindowSubject, at: number): WindowDecision {
    const reasons: Refusal[] = [];
    this.checkBusiness(at, reasons);
    const locals = new Map<string, Local>();
    const localIn = (zone: string): Local => {
      let local = locals.get(zone);
      if (!local) {
        local = localAt(zone, at);
        locals.set(zone, local);
      }
      return local;
    };
    // A subject without zones is not located: hold it to every US zone rather than to none.
    const candidateZones = subject.zones.length > 0 ? subject.zones : ALL_US_ZONES;
    for (const rule of this.rules(subject.regions)) {
      const zones = rule.fixedZone ? [rule.fixedZone] : candidateZones;
      for (const zone of zones) {
        const local = localIn(zone);
        const opening = nextOpening(local, rule.hours);
        if (opening !== at) {
          const day = rule.hours[local.weekday] ?? null;
          reasons.push({
            code: day ? 'legal-hours' : 'legal-day',
            rule: rule.id,
            zone,
            label: day ? `${rule.id} hours in ${zone}` : `${rule.id} ban on ${DAY_NAMES[local.weekday]}days in ${zone}`,
            message: `${rule.id}: ${clock(local)} in ${zone} is outside ${DAY_NAMES[local.weekday]} ${describeDay(day)} (${rule.citation})`,
            until: opening,
          });
        }
        if (rule.holidayBan) {
          const date = local.date;
          const region = rule.regions[0]!;
          if (isStateHoliday(region, date) || this.proclaimed.get(region)?.has(date)) {
            reasons.push({
              code: 'state-holiday',
              rule: rule.id,
              zone,
              label: `${region} legal holiday ${date}`,
              message: `${rule.id}: ${date} is a legal holiday in ${region}, when solicitation calls are banned (${rule.citation})`,
              until: nextMidnight(local),
            });
          }
        }
      }
      if (rule.cap && !rule.regions.some((r) => this.waivedCaps.has(r))) {
        const windowMs = rule.cap.windowHours * HOUR;
        // Calls on either side of `at` count: a call recorded a little "later" (clock skew between workers) must not
        // let a fourth call through. Among calls already placed this is the rolling window ending at `at`.
        const recent = subject.callTimes.filter((c) => c > at - windowMs && c < at + windowMs).sort((a, b) => a - b);
        if (recent.length >= rule.cap.maxCalls) {
          reasons.push({
            code: 'call-cap',
            rule: rule.id,
            label: `${rule.id} call cap (${rule.cap.maxCalls} per ${rule.cap.windowHours} h, ${recent.length} placed)`,
            message: `${rule.id}: ${recent.length} calls within ${rule.cap.windowHours} h of this instant reach the cap of ${rule.cap.maxCalls} (${rule.citation})`,
            until: recent[recent.length - rule.cap.maxCalls]! + windowMs,
          });
        }
      }
    }
    return reasons.length === 0 ? { allowed: true, reasons: [] } : { allowed: false, reasons };
  }

  /**
   * The refusal that binds longest at `at` (the latest `until`; null = never within a week wins), or null when allowed:
   * what an operator reads as "why not now".
   */
  bindingRefusal(subject: WindowSubject, at: number): Refusal | null {
    const decision = this.isAllowed(subject, at);
    if (decision.allowed) return null;
    const rank = (r: Refusal) => (r.until === null ? Infinity : r.until);
    return decision.reasons.reduce((a, b) => (rank(b) > rank(a) ? b : a));
  }

  /**
   * Earliest allowed instant >= after, or null if none within the horizon (default 14 days).
   * Each refusal says when its constraint could first pass; jumping to the latest of those never skips an allowed
   * instant, because until then that constraint still refuses.
   */
  nextAllowedAt(subject: WindowSubject, after: number): number | null {
    const limit = after + this.horizonMs;
    let t = after;
    for (let i = 0; i < 1000 && t <= limit; i++) {
      const decision = this.isAllowed(subject, t);
      if (decision.allowed) return t;
      let next = t;
      for (const reason of decision.reasons) {
        if (reason.until === null) return null;
        if (reason.until > next) next = reason.until;
      }
      // Guard against a constraint that cannot say when it passes (never expected): step a minute.
      t = next > t ? next : t + MINUTE;
    }
    return null;
  }

  private checkBusiness(at: number, reasons: Refusal[]): void {
    const { zone, start, end } = this.config.business;
    const local = localAt(zone, at);
    const opening = nextOpening(local, this.businessHours);
    if (opening !== at) {
      const open = this.businessHours[local.weekday];
      reasons.push({
        code: open ? 'business-hours' : 'business-day',
        rule: 'BUSINESS',
        zone,
        label: open ? 'business hours' : 'business days',
        message: open
          ? `business hours are ${start}-${end} ${zone}; it is ${fmt(Math.floor(local.minutes))} there`
          : `${DAY_NAMES[local.weekday]} ${local.date} is not a business day`,
        until: opening,
      });
    }
    const date = local.date;
    if (this.blackout.has(date) || (this.config.federalHolidayBlackout && isFederalHoliday(date))) {
      reasons.push({
        code: 'business-blackout',
        rule: 'BUSINESS',
        zone,
        label: this.blackout.has(date) ? `blackout date ${date}` : `federal holiday ${date}`,
        message: this.blackout.has(date) ? `${date} is a configured blackout date` : `${date} is a US federal holiday (business blackout)`,
        until: nextMidnight(local),
      });
    }
  }
}
