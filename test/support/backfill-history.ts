import { DateTime } from 'luxon';
import type { HistoryCall } from '../../sim/bland-sim';
import { seededRandom } from '../../sim/random';

/**
 * A seeded Bland call history over calendar days of a zone, the Convoso state of each number, and the ground truth a
 * backfill must report, computed here directly from the generated calls (not through the code under test).
 */
export type CrmState = 'SALE' | 'DNC' | 'absent' | 'open';

export interface HistoryOptions {
  readonly from: string;
  readonly to: string;
  readonly zone: string;
  readonly seed: number;
  readonly phones: number;
  readonly callsPerDay: [number, number];
}

const AREA_CODES = ['212', '305', '312', '415', '713', '602', '808', '907', '503', '850'];

export function phoneOf(i: number): string {
  return `+1${AREA_CODES[i % AREA_CODES.length]}555${String(1000 + i).padStart(4, '0')}`;
}

/** Convoso's answer for a number: 10% SALE, 10% DNC (some as DNCL), 20% not in Convoso, the rest open. */
export function crmStateOf(i: number): CrmState {
  const k = i % 10;
  return k === 0 ? 'SALE' : k === 1 ? 'DNC' : k === 2 || k === 3 ? 'absent' : 'open';
}

/** Open in Convoso, but their calls' records say the customer asked not to be called (a DNC whose webhook was lost). */
export const saidDncOnCall = (i: number) => crmStateOf(i) === 'open' && i % 10 === 4 && i % 3 === 0 && i % 7 !== 0;

export interface GeneratedHistory {
  /** Every call, including a few outside the range and a few to invalid numbers. */
  readonly calls: readonly HistoryCall[];
  readonly byUtcDay: Map<string, HistoryCall[]>;
  readonly dates: readonly string[];
}

export function generateHistory(o: HistoryOptions): GeneratedHistory {
  const random = seededRandom(o.seed);
  const dates: string[] = [];
  for (let d = DateTime.fromISO(o.from, { zone: 'utc' }); d.toISODate()! <= o.to; d = d.plus({ days: 1 })) dates.push(d.toISODate()!);
  const calls: HistoryCall[] = [];
  let n = 0;
  const call = (phone: string, at: number): void => {
    calls.push({ call_id: `hist-${(n++).toString(36)}`, created_at: new Date(at).toISOString(), to: phone, from: '+13475550188', inbound: false, completed: true, call_length: 0.5, answered_by: 'voicemail' });
  };
  const dayStart = (date: string) => DateTime.fromISO(date, { zone: o.zone }).startOf('day');
  for (const [index, date] of dates.entries()) {
    const start = dayStart(date).toMillis();
    const end = dayStart(date).plus({ days: 1 }).toMillis();
    const count = o.callsPerDay[0] + Math.floor(random() * (o.callsPerDay[1] - o.callsPerDay[0] + 1));
    // A sliding band of the pool: numbers recur on nearby days (redials), so "new" and "total" differ.
    const band = Math.floor((index * o.phones) / (dates.length + 4));
    for (let c = 0; c < count; c++) call(phoneOf((band + Math.floor(random() * (o.phones / 4))) % o.phones), start + Math.floor(random() * (end - start)));
    // The edges of the local day (one UTC day apart from midnight UTC), and a call to a number that is not one.
    call(phoneOf(index % o.phones), start);
    call(phoneOf((index + 7) % o.phones), end - 1);
    if (index % 9 === 0) call('+1555123', start + 3_600_000);
  }
  // Calls just outside the range must not be counted.
  call(phoneOf(1), dayStart(o.from).toMillis() - 1);
  call(phoneOf(2), dayStart(o.to).plus({ days: 1 }).toMillis());
  const byUtcDay = new Map<string, HistoryCall[]>();
  for (const c of calls) {
    const day = c.created_at.slice(0, 10);
    byUtcDay.set(day, [...(byUtcDay.get(day) ?? []), c]);
  }
  for (const list of byUtcDay.values()) list.sort((a, b) => a.created_at.localeCompare(b.created_at));
  return { calls, byUtcDay, dates };
}

export interface TruthLine {
  readonly date: string;
  readonly calls: number;
  readonly unique: number;
  readonly new: number;
  readonly cumulative: number;
  readonly sale: number;
  readonly dnc: number;
  readonly notInCrm: number;
  readonly failed: number;
  /** Open in Convoso, not in our store, and their latest call was a DNC request. */
  readonly dncByCall: number;
  /** Open numbers of the date, split by what our store held before the run. */
  readonly openNotStored: number;
  readonly openActive: number;
  readonly openClosed: number;
}

const validPhone = (p: string) => /^\+1\d{10}$/.test(p);

export function groundTruth(h: GeneratedHistory, zone: string, stored: ReadonlyMap<string, 'ACTIVE' | 'DONE'>): TruthLine[] {
  const index = new Map<string, number>();
  for (let i = 0; i < 100_000 && index.size < 5_000; i++) index.set(phoneOf(i), i);
  const seen = new Set<string>();
  return h.dates.map((date) => {
    const start = DateTime.fromISO(date, { zone }).startOf('day');
    const [s, e] = [start.toMillis(), start.plus({ days: 1 }).toMillis()];
    const ofDay = h.calls.filter((c) => Date.parse(c.created_at) >= s && Date.parse(c.created_at) < e);
    const phones = new Set(ofDay.map((c) => c.to).filter(validPhone));
    let fresh = 0;
    const line = { sale: 0, dnc: 0, notInCrm: 0, dncByCall: 0, openNotStored: 0, openActive: 0, openClosed: 0 };
    for (const p of phones) {
      if (!seen.has(p)) {
        seen.add(p);
        fresh++;
      }
      const state = crmStateOf(index.get(p)!);
      if (state === 'SALE') line.sale++;
      else if (state === 'DNC') line.dnc++;
      else if (state === 'absent') line.notInCrm++;
      else if (stored.get(p) === 'ACTIVE') line.openActive++;
      else if (stored.get(p) === 'DONE') line.openClosed++;
      else if (saidDncOnCall(index.get(p)!)) line.dncByCall++;
      else line.openNotStored++;
    }
    return { date, calls: ofDay.length, unique: phones.size, new: fresh, cumulative: seen.size, failed: ofDay.filter((c) => !validPhone(c.to)).length, ...line };
  });
}

/** The phone's latest call in [from, to] (days of `zone`), by created_at: the one call the backfill decides a phone by. */
export function latestCallIds(h: GeneratedHistory, zone: string, from: string, to: string): Map<string, string> {
  const start = DateTime.fromISO(from, { zone }).startOf('day').toMillis();
  const end = DateTime.fromISO(to, { zone }).startOf('day').plus({ days: 1 }).toMillis();
  const latest = new Map<string, { id: string; at: number }>();
  for (const c of h.calls) {
    const at = Date.parse(c.created_at);
    if (at < start || at >= end || !validPhone(c.to)) continue;
    const seen = latest.get(c.to);
    if (!seen || at >= seen.at) latest.set(c.to, { id: c.call_id, at });
  }
  return new Map([...latest].map(([phone, { id }]) => [phone, id]));
}

export interface PhoneTruth {
  readonly unique: number;
  readonly sale: number;
  readonly dnc: number;
  readonly notInCrm: number;
  readonly enqueued: number;
  readonly alreadyQueued: number;
  readonly closed: number;
}

/**
 * What a run over [from, to] must decide, one count per distinct valid phone: Convoso's state, else what our store
 * held before the run, else a DNC request on the phone's latest call of the range (`dncOnLatest`), else enqueued.
 */
export function phoneTruth(
  h: GeneratedHistory, zone: string, from: string, to: string,
  stored: ReadonlyMap<string, 'ACTIVE' | 'DONE'>, dncOnLatest: (phone: string, latestCallId: string) => boolean,
): PhoneTruth {
  const index = new Map<string, number>();
  for (let i = 0; i < 100_000 && index.size < 5_000; i++) index.set(phoneOf(i), i);
  const t = { unique: 0, sale: 0, dnc: 0, notInCrm: 0, enqueued: 0, alreadyQueued: 0, closed: 0 };
  for (const [phone, callId] of latestCallIds(h, zone, from, to)) {
    t.unique++;
    const state = crmStateOf(index.get(phone)!);
    if (state === 'SALE') t.sale++;
    else if (state === 'DNC') t.dnc++;
    else if (state === 'absent') t.notInCrm++;
    else if (stored.get(phone) === 'ACTIVE') t.alreadyQueued++;
    else if (stored.get(phone) === 'DONE') t.closed++;
    else if (dncOnLatest(phone, callId)) t.dnc++;
    else t.enqueued++;
  }
  return t;
}
