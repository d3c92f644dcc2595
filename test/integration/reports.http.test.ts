import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { ManualClock } from '../../lambdas/adapters/system-clock';
import { parseConfig } from '../../lambdas/config/config';
import { runUntil as driveUntil, settleLoop } from '../support/runtime-driver';
import { startLocalRuntime, type LocalRuntime } from '../../bin/local-runtime';
import { mainAsync } from '../../bin/cli';
import type { SimCall, SimOutcome } from '../../sim/bland-sim';

/**
 * The reports against a seeded simulated run whose true answers come from the Bland simulator's own call log, not
 * from redial's store: 24 leads in six zones (Eastern to Hawaii), some created after the window closed and some after
 * midnight Eastern while it is still the day before in the West, over two days, with the simulator's seeded outcome
 * mix. The reporting zone is America/New_York: a day is a calendar day there.
 */
const at = (iso: string) => Date.parse(iso);
const ZONE = 'America/New_York';
const etDate = (ms: number) => DateTime.fromMillis(ms, { zone: ZONE }).toISODate()!;
const DAY1 = '2026-07-15';
const DAY2 = '2026-07-16';

const OUTCOME: Record<SimOutcome, string> = {
  voicemail: 'VOICEMAIL', 'no-answer': 'NO_ANSWER', busy: 'BUSY', transferred: 'TRANSFERRED', callback: 'CALLBACK', sale: 'SALE', dnc: 'DNC', 'not-interested': 'NOT_INTERESTED',
};
const AREAS = [
  { area: '212', state: 'NY', zone: 'America/New_York' },
  { area: '312', state: 'IL', zone: 'America/Chicago' },
  { area: '303', state: 'CO', zone: 'America/Denver' },
  { area: '602', state: 'AZ', zone: 'America/Phoenix' },
  { area: '213', state: 'CA', zone: 'America/Los_Angeles' },
  { area: '808', state: 'HI', zone: 'Pacific/Honolulu' },
];

let rt: LocalRuntime;
let clock: ManualClock;
const created = new Map<string, string>(); // phone → cohort date (ET)
const zoneOf = new Map<string, string>();
const lateness = new Map<string, number>(); // callId → ms late (0 unless listed)
let paused = '';
let stopped = '';

const step = () => settleLoop(rt);
const runUntil = (until: number) => driveUntil(rt, clock, until);

async function post(batch: number) {
  for (const [i, { area, state, zone }] of AREAS.entries()) {
    for (let k = 0; k < (batch === 0 ? 2 : 1); k++) {
      const phone = `+1${area}555${String(batch * 10 + k).padStart(2, '0')}${i}${k}`.slice(0, 12);
      const res = await fetch(`${rt.url}/leads`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': rt.apiKey }, body: JSON.stringify({ phone, state }) });
      expect(res.status).toBe(202);
      created.set(phone, etDate(clock.now()));
      zoneOf.set(phone, zone);
    }
  }
}

async function admin(method: string, path: string) {
  const res = await fetch(`${rt.url}${path}`, { method, headers: { 'x-api-key': rt.apiKey } });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

const calls = (): SimCall[] => rt.bland.calls;
const phoneOf = (c: SimCall) => String(c.request['phone_number']);

beforeAll(async () => {
  clock = new ManualClock(at('2026-07-15T15:00:00Z')); // Wed 11:00 EDT
  rt = await startLocalRuntime({
    config: parseConfig({}),
    dataDir: mkdtempSync(join(tmpdir(), 'redial-reports-')),
    clock,
    tickMs: 0,
    // Mostly unanswered calls, so that leads reach their daily cap of 8 on both days.
    bland: { talkMs: 0, dropRate: 0, duplicateRate: 0, ratePerSecond: 1000, seed: 7, weights: { voicemail: 35, 'no-answer': 40, busy: 5, transferred: 4, callback: 3, sale: 3, dnc: 3, 'not-interested': 7 } },
  });
  await post(0); // 12 leads at 11:00 EDT
  await runUntil(at('2026-07-16T01:30:00Z')); // 21:30 EDT: the window has closed everywhere but Hawaii
  await post(1); // 6 more, cohort of day 1, first dialed on day 2 (Hawaii's window is still open)
  await runUntil(at('2026-07-16T06:30:00Z')); // 02:30 EDT on day 2; still 23:30 on day 1 in California
  await post(2); // 6 more, cohort of day 2 in Eastern days
  await runUntil(at('2026-07-16T17:00:00Z'));
  // An operator pauses one active lead and stops another.
  const active = [...created.keys()].filter((p) => created.get(p) === DAY1);
  const statuses = await Promise.all(active.map(async (p) => [p, (await rt.store.get(p))!.status] as const));
  [paused, stopped] = statuses.filter(([, s]) => s === 'ACTIVE').map(([p]) => p) as [string, string];
  expect((await admin('POST', `/admin/leads/${encodeURIComponent(paused)}/pause`)).json['lead']).toMatchObject({ status: 'PAUSED' });
  expect((await admin('POST', `/admin/leads/${encodeURIComponent(stopped)}/stop`)).json['lead']).toMatchObject({ status: 'DONE' });
  // The process sleeps 7 minutes: the attempts due meanwhile are dialed late, by a known amount each.
  const wake = rt.nextAt()! + 7 * 60_000;
  expect(wake).toBeLessThan(at('2026-07-16T23:00:00Z'));
  const due = rt.pending().filter((s) => s.message.kind === 'dial' && s.at < wake).map((s) => ({ phone: s.message.phone, at: s.at }));
  expect(due.length).toBeGreaterThan(0);
  const before = calls().length;
  clock.set(wake);
  await step();
  for (const c of calls().slice(before)) {
    const scheduled = due.find((d) => d.phone === phoneOf(c));
    if (scheduled) lateness.set(c.callId, wake - scheduled.at);
  }
  await runUntil(at('2026-07-16T23:30:00Z')); // 19:30 EDT on day 2: half an hour of the window left
}, 120_000);

afterAll(async () => {
  await rt?.stop();
});

const answered = (c: SimCall) => c.body?.['answered_by'] === 'human' && Number(c.body['call_length']) * 60 >= 20;

describe('reports against the simulator ground truth', () => {
  /** A lead reaches its cap with its 8th call of its own local day; counted on the Eastern day of that call. */
  function capsOn(day: string): number {
    const perLocalDay = new Map<string, SimCall[]>();
    for (const c of calls()) {
      const key = `${phoneOf(c)} ${DateTime.fromMillis(c.placedAt, { zone: zoneOf.get(phoneOf(c))! }).toISODate()}`;
      perLocalDay.set(key, [...(perLocalDay.get(key) ?? []), c]);
    }
    return [...perLocalDay.values()].filter((cs) => cs.length >= 8 && etDate(cs[7]!.placedAt) === day).length;
  }

  it('the run is the scenario it claims: calls on both days, in every zone, every outcome kind seen', () => {
    expect(calls().every((c) => c.body !== null)).toBe(true);
    expect(new Set(calls().map((c) => etDate(c.placedAt)))).toEqual(new Set([DAY1, DAY2]));
    expect(new Set(calls().map((c) => zoneOf.get(phoneOf(c))))).toEqual(new Set(AREAS.map((a) => a.zone)));
    expect(new Set(calls().map((c) => c.outcome)).size).toBeGreaterThanOrEqual(6);
    expect([...created.values()].filter((d) => d === DAY2)).toHaveLength(6);
  });

  it('range: calls, redials, outcomes, answered (≥ 20 s: an 18 s DNC call is not), rates, calls per lead per day and cost, per Eastern day', async () => {
    const { status, json } = await admin('GET', `/admin/reports/range?from=${DAY1}&to=${DAY2}`);
    expect(status).toBe(200);
    const all = calls();
    const firstCall = new Map<string, string>();
    for (const c of all) if (!firstCall.has(phoneOf(c))) firstCall.set(phoneOf(c), c.callId);
    const leadDays = new Set(all.map((c) => `${phoneOf(c)} ${etDate(c.placedAt)}`));
    const outcomes: Record<string, number> = {};
    for (const c of all) outcomes[OUTCOME[c.outcome]] = (outcomes[OUTCOME[c.outcome]] ?? 0) + 1;
    const transferred = outcomes['TRANSFERRED'] ?? 0;
    const nAnswered = all.filter(answered).length;
    expect(all.some((c) => c.outcome === 'dnc' && !answered(c))).toBe(true); // the 18 s DNC calls exercise the threshold
    const cost = all.reduce((sum, c) => sum + Number(c.body!['price']), 0);
    expect(json).toMatchObject({
      from: DAY1, to: DAY2, zone: ZONE,
      leadsCreated: created.size,
      calls: all.length,
      redials: all.length - firstCall.size,
      answered: nAnswered,
      transferred,
      blandCostUsd: Math.round(cost * 100) / 100,
      targetCallsPerLeadPerDay: 8,
      leadsAtCap: capsOn(DAY1) + capsOn(DAY2),
      dialsOutsideWindow: 0,
    });
    expect(Object.fromEntries(Object.entries(json['outcomes'] as Record<string, number>).filter(([, n]) => n > 0))).toEqual(outcomes);
    expect(json['connectivityRate']).toBeCloseTo(nAnswered / all.length, 4);
    expect(json['transferRateOfAnswered']).toBeCloseTo(transferred / nAnswered, 4);
    expect(json['transferRateOfCalls']).toBeCloseTo(transferred / all.length, 4);
    expect(json['avgCallsPerLeadPerDay']).toBeCloseTo(all.length / leadDays.size, 4);
    // The same figures reach the metrics (CloudWatch on AWS): dials, outcomes, answered, cost; no dial outside the window.
    expect(rt.metrics.sum('Dials')).toBe(all.length);
    for (const [outcome, n] of Object.entries(outcomes)) expect(rt.metrics.sum(`Outcome_${outcome}`)).toBe(n);
    expect(rt.metrics.sum('Answered')).toBe(nAnswered);
    expect(rt.metrics.sum('BlandCostUsd')).toBeCloseTo(cost, 6);
    expect(rt.metrics.sum('DialsOutsideWindow')).toBe(0);
    const days = json['days'] as { date: string; calls: number; sale: number }[];
    for (const day of [DAY1, DAY2]) {
      const ofDay = all.filter((c) => etDate(c.placedAt) === day);
      expect(days.find((d) => d.date === day)).toMatchObject({ calls: ofDay.length, sale: ofDay.filter((c) => c.outcome === 'sale').length, answered: ofDay.filter(answered).length });
    }
  });

  it('breakdown: leads created each day, by where they stand now (from each number\'s simulated calls and the operator actions)', async () => {
    for (const [from, to] of [[DAY1, DAY1], [DAY2, DAY2], [DAY1, DAY2]] as const) {
      const cohort = [...created].filter(([, d]) => d >= from && d <= to).map(([p]) => p);
      const truth = { sale: 0, dnc: 0, active: 0, transferredNotSold: 0, paused: 0, otherTerminal: 0 };
      const byLast: Record<string, number> = {};
      for (const phone of cohort) {
        const own = calls().filter((c) => phoneOf(c) === phone);
        const end = own.find((c) => c.outcome === 'sale' || c.outcome === 'dnc');
        const last = own.at(-1);
        const lastKey = last ? OUTCOME[last.outcome] : 'NONE';
        byLast[lastKey] = (byLast[lastKey] ?? 0) + 1;
        if (end) truth[end.outcome === 'sale' ? 'sale' : 'dnc']++;
        else if (phone === stopped) truth.otherTerminal++;
        else if (phone === paused) truth.paused++;
        else {
          truth.active++;
          if (own.some((c) => c.outcome === 'transferred')) truth.transferredNotSold++;
        }
      }
      const { json } = await admin('GET', `/admin/reports/breakdown?from=${from}&to=${to}`);
      expect(json).toMatchObject({ totalLeads: cohort.length, ...truth, totalNonSale: cohort.length - truth.sale, totalNonDnc: cohort.length - truth.dnc });
      expect(Object.fromEntries(Object.entries(json['byLastOutcome'] as Record<string, number>).filter(([, n]) => n > 0))).toEqual(byLast);
    }
  });

  it('today: calls so far, by outcome, leads at their daily cap, due in the next hour, lateness percentiles (the same through the CLI)', async () => {
    const today = calls().filter((c) => etDate(c.placedAt) === DAY2);
    const byOutcome: Record<string, number> = {};
    for (const c of today) byOutcome[OUTCOME[c.outcome]] = (byOutcome[OUTCOME[c.outcome]] ?? 0) + 1;
    const atCap = capsOn(DAY2);
    expect(atCap).toBeGreaterThan(0);
    const now = clock.now();
    const dueNextHour = (await Promise.all([...created.keys()].map((p) => rt.liveDials(p)))).flat().filter((s) => s.at >= now && s.at < now + 3_600_000).length;
    const late = today.map((c) => lateness.get(c.callId) ?? 0).sort((a, b) => a - b);
    const bucketOf = (ms: number) => [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600].find((b) => ms / 1000 <= b);
    const label = (p: number) => `≤ ${bucketOf(late[Math.ceil(p * late.length) - 1]!)} s`;

    const { json } = await admin('GET', '/admin/stats/today');
    expect(json).toMatchObject({
      date: DAY2, zone: ZONE, paused: false,
      calls: today.length,
      leadsDialed: new Set(today.map(phoneOf)).size,
      leadsAtCap: atCap,
      dueNextHour,
      lateness: { p50: label(0.5), p95: label(0.95), p99: label(0.99) },
      dialsOutsideWindow: 0,
    });
    expect(Object.fromEntries(Object.entries(json['byOutcome'] as Record<string, number>).filter(([, n]) => n > 0))).toEqual(byOutcome);
    // By priority class: a lead's first call ever is fresh; the day's other calls are a rung, the day's first call of an
    // older lead, or a callback at its promised time. Every call in one class; deferrals by class sum to the deferred.
    const capacity = json['capacity'] as { byClass: Record<string, { dials: number; deferred: number }>; attemptsDeferred: number };
    const fresh = today.filter((c) => !calls().some((o) => phoneOf(o) === phoneOf(c) && o.placedAt < c.placedAt)).length;
    expect(capacity.byClass['fresh']!.dials).toBe(fresh);
    expect(Object.values(capacity.byClass).reduce((n, x) => n + x.dials, 0)).toBe(today.length);
    expect(capacity.byClass['rung']!.dials).toBeGreaterThan(0);
    expect(capacity.byClass['first-of-day']!.dials).toBeGreaterThan(0);
    expect(Object.values(capacity.byClass).reduce((n, x) => n + x.deferred, 0)).toBe(capacity.attemptsDeferred);
    expect(dueNextHour).toBeGreaterThan(0);
    expect(lateness.size).toBeGreaterThan(0);
    expect(label(1)).toBe('≤ 600 s'); // the slept dials: up to 7 minutes late

    const lines: string[] = [];
    expect(await mainAsync(['report', 'today', '--url', rt.url, '--api-key', rt.apiKey], undefined, (l) => lines.push(l))).toBe(0);
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^calls so far\\s+${today.length}$`)));
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^leads due in the next hour\\s+${dueNextHour}$`)));
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^dials / deferred, by priority class\\s+fresh ${fresh}/${capacity.byClass['fresh']!.deferred}, callback \\d+/\\d+, rung \\d+/\\d+, first-of-day \\d+/\\d+$`)));
    const jsonLines: string[] = [];
    await mainAsync(['report', 'today', '--json', '--url', rt.url, '--api-key', rt.apiKey], undefined, (l) => jsonLines.push(l));
    expect(JSON.parse(jsonLines[0]!)).toEqual(json);
  });

  it('totals: lifetime leads by state, first seen today, yesterday and before', async () => {
    const { json } = await admin('GET', '/admin/reports/totals');
    const terminal = [...created.keys()].filter((p) => calls().some((c) => phoneOf(c) === p && (c.outcome === 'sale' || c.outcome === 'dnc'))).length;
    expect(json).toMatchObject({
      leads: 24,
      completed: terminal + 1, // + the stopped lead
      paused: 1,
      active: 24 - terminal - 2,
      firstSeenToday: 6,
      firstSeenYesterday: 18,
      older: 0,
      dailyMaxReachedToday: capsOn(DAY2),
    });
    expect(capsOn(DAY2)).toBeGreaterThan(0);
    const lines: string[] = [];
    expect(await mainAsync(['report', 'totals', '--url', rt.url, '--api-key', rt.apiKey], undefined, (l) => lines.push(l))).toBe(0);
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^daily max reached today\\s+${capsOn(DAY2)}$`)));
  });

  it('the CLI prints the range and breakdown as aligned tables; a bad range is refused naming the field', async () => {
    const lines: string[] = [];
    expect(await mainAsync(['report', 'range', '--from', DAY1, '--to', DAY2, '--url', rt.url, '--api-key', rt.apiKey], undefined, (l) => lines.push(l))).toBe(0);
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^calls placed\\s+${calls().length}$`)));
    expect(lines).toContainEqual(expect.stringMatching(/^transfer rate \(transferred \/ answered\)\s+\d+\.\d%$/));
    expect(lines).toContainEqual(expect.stringMatching(/^date\s+calls\s+answered\s+transferred\s+sale\s+dnc\s+cost$/));
    const breakdown: string[] = [];
    await mainAsync(['report', 'breakdown', '--from', DAY1, '--url', rt.url, '--api-key', rt.apiKey], undefined, (l) => breakdown.push(l));
    expect(breakdown).toContainEqual(expect.stringMatching(/^total leads\s+18$/));
    // Labels padded to one width, numbers right-aligned: every row of the table ends in the same column.
    expect(new Set(breakdown.slice(1, 10).map((l) => l.length)).size).toBe(1);

    const errors: string[] = [];
    expect(await mainAsync(['report', 'range', '--from', DAY2, '--to', DAY1, '--url', rt.url, '--api-key', rt.apiKey], undefined, undefined, (l) => errors.push(l))).toBe(2);
    expect(errors.join('\n')).toContain(`to: ${DAY1} is before from ${DAY2}`);
    expect((await admin('GET', '/admin/reports/breakdown?from=2026-02-30')).json['error']).toBe('from: "2026-02-30" is not a date YYYY-MM-DD');
    expect((await admin('GET', '/admin/reports/range')).status).toBe(400);
  });

  it('an operator resumes the paused lead (next attempt by the rules, counted active again); wrong states are 409, unknown leads 404', async () => {
    const resumed = await admin('POST', `/admin/leads/${encodeURIComponent(paused)}/resume`);
    expect(resumed.status).toBe(200);
    const next = (resumed.json['next'] as { at: string; why: string });
    expect(resumed.json['lead']).toMatchObject({ status: 'ACTIVE' });
    expect(next.why).toMatch(/^resumed by admin api \(local\); /);
    // One pending dial; the scheduler fires no sooner than a minute ahead (as EventBridge Scheduler's at()).
    const pending = rt.pending().filter((s) => s.message.phone === paused && s.message.kind === 'dial');
    expect(pending).toHaveLength(1);
    expect(pending[0]!.at - Date.parse(next.at)).toBeGreaterThanOrEqual(0);
    expect(pending[0]!.at - Date.parse(next.at)).toBeLessThanOrEqual(60_000);
    expect((await admin('GET', '/admin/reports/totals')).json).toMatchObject({ paused: 0 });
    expect(await admin('POST', `/admin/leads/${encodeURIComponent(paused)}/resume`)).toMatchObject({ status: 409, json: { error: 'lead is ACTIVE: only a PAUSED lead can be resumed' } });
    expect(await admin('POST', `/admin/leads/${encodeURIComponent(stopped)}/stop`)).toMatchObject({ status: 409 });
    expect(await admin('POST', '/admin/leads/+12125550199/pause')).toMatchObject({ status: 404, json: { error: 'no lead +12125550199' } });
    expect(await admin('POST', '/admin/leads/12/pause')).toMatchObject({ status: 400 });
    expect(await admin('POST', '/admin/leads/%E0%A4%A/pause')).toMatchObject({ status: 400, json: { error: 'phone: not a valid percent-encoded path segment' } });
  });
});
