import { IANAZone } from 'luxon';

/**
 * Wall-clock arithmetic in IANA zones, fast enough for the dialer's hot path and the 100,000-case property runs.
 * The time-zone database is luxon's (IANAZone.offset, backed by Intl); this module only memoizes offsets and does
 * calendar arithmetic on them. Offsets are cached per 15-minute UTC bucket: every transition of the zones redial
 * serves falls on a quarter hour (test/unit/domain/zone-time.test.ts checks this against Intl for years of instants).
 */

/**
 * A canonical IANA zone name (`America/New_York`, `Etc/GMT+6`): valid and of Area/Location form. Legacy
 * abbreviations such as `EST` or `CST6CDT` are refused: they hide which rules a place follows.
 */
export function isValidZone(zone: string): boolean {
  return /^[A-Za-z]+\/[A-Za-z0-9_+\-/]+$/.test(zone) && IANAZone.isValidZone(zone);
}

const BUCKET_MS = 15 * 60_000;
const MINUTE = 60_000;
const DAY = 86_400_000;
const MAX_CACHED = 200_000;

const zones = new Map<string, IANAZone>();
const offsets = new Map<string, Map<number, number>>();

function zoneOf(name: string): IANAZone {
  let zone = zones.get(name);
  if (!zone) {
    zone = IANAZone.create(name);
    if (!zone.isValid) throw new RangeError(`unknown IANA zone "${name}"`);
    zones.set(name, zone);
  }
  return zone;
}

/** UTC offset of `zone` at instant `ms`, in minutes (e.g. -300 for New York in winter). */
export function offsetMinutes(zone: string, ms: number): number {
  let cache = offsets.get(zone);
  if (!cache) offsets.set(zone, (cache = new Map()));
  const bucket = Math.floor(ms / BUCKET_MS);
  let offset = cache.get(bucket);
  if (offset === undefined) {
    if (cache.size > MAX_CACHED) cache.clear();
    offset = zoneOf(zone).offset(bucket * BUCKET_MS);
    cache.set(bucket, offset);
  }
  return offset;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** The local wall clock of one instant in one zone. */
export class LocalTime {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  /** ISO weekday: 1 = Monday ... 7 = Sunday. */
  readonly weekday: number;
  /** Wall-clock minutes since local midnight, with the fraction of the minute. */
  readonly minutes: number;

  constructor(readonly zone: string, readonly at: number) {
    const local = new Date(at + offsetMinutes(zone, at) * MINUTE);
    this.year = local.getUTCFullYear();
    this.month = local.getUTCMonth() + 1;
    this.day = local.getUTCDate();
    const jsDay = local.getUTCDay();
    this.weekday = jsDay === 0 ? 7 : jsDay;
    this.minutes = local.getUTCHours() * 60 + local.getUTCMinutes() + (local.getUTCSeconds() * 1000 + local.getUTCMilliseconds()) / MINUTE;
  }

  /** `YYYY-MM-DD`, the local calendar date. */
  get date(): string {
    return `${pad(this.year, 4)}-${pad(this.month)}-${pad(this.day)}`;
  }

  /** The instant of `minute` minutes after local midnight, `days` days from this date. */
  atMinute(minute: number, days = 0): number {
    return instantAtWall(this.zone, this.year, this.month, this.day + days, minute);
  }
}

/** Local wall clock of `ms` in `zone`. */
export function wallAt(zone: string, ms: number): LocalTime {
  return new LocalTime(zone, ms);
}

/**
 * The first instant at which the wall clock in `zone` reads at least `minute` minutes after midnight of the given
 * local date (day may overflow: day 32 is the next month). A repeated wall time (fall back) maps to its first
 * occurrence. A wall time skipped by a spring-forward gap maps to the end of the gap (02:30 on a spring-forward
 * night → the 03:00 instant), since that is the earliest instant whose wall clock is past it.
 */
export function instantAtWall(zone: string, year: number, month: number, day: number, minute: number): number {
  const wallMs = Date.UTC(year, month - 1, day) + minute * MINUTE;
  const o1 = offsetMinutes(zone, wallMs);
  let guess = wallMs - o1 * MINUTE;
  const o2 = offsetMinutes(zone, guess);
  if (o1 === o2) return guess;
  guess = wallMs - o2 * MINUTE;
  const o3 = offsetMinutes(zone, guess);
  if (o2 === o3) return guess;
  // In a gap: neither offset reproduces the wall time. The gap ends where the later (larger) offset begins,
  // between the two candidate instants, on a quarter hour.
  const later = Math.max(o2, o3);
  const from = wallMs - later * MINUTE;
  const to = wallMs - Math.min(o2, o3) * MINUTE;
  for (let t = Math.ceil(from / BUCKET_MS) * BUCKET_MS; t <= to; t += BUCKET_MS) {
    if (offsetMinutes(zone, t) === later) return t;
  }
  return to;
}

/** Local midnight starting the day `days` after the local date of `ms` (0 = today). */
export function startOfLocalDay(zone: string, ms: number, days = 0): number {
  return new LocalTime(zone, ms).atMinute(0, days);
}

export const DAY_MS = DAY;
