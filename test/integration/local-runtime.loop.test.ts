import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../lambdas/adapters/system-clock';
import { parseConfig } from '../../lambdas/config/config';
import { failingStore, runUntil } from '../support/runtime-driver';
import { startLocalRuntime, type LocalRuntime, type LocalRuntimeOptions } from '../../bin/local-runtime';
import type { SimOutcome } from '../../sim/bland-sim';

/**
 * The redial loop over real HTTP: leads posted to the local runtime's /leads, calls placed on the Bland simulator,
 * signed webhooks posted back to /webhooks/bland, dynalite underneath. A manual clock jumps from one scheduled event
 * to the next, and the simulator answers at once (talkMs 0), so every instant below is exact.
 * 2026-07-15 is a Wednesday; 15:00Z is 11:00 EDT, the default window's opening.
 */
const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

interface Run {
  rt: LocalRuntime;
  clock: ManualClock;
  post(body: Record<string, unknown>): Promise<{ status: number; json: Record<string, unknown> }>;
  runUntil(until: number): Promise<void>;
  dials(): string[];
}

const running: LocalRuntime[] = [];
afterEach(async () => {
  while (running.length > 0) await running.pop()!.stop();
});

const FAST_RETRY = { retries: 1, baseDelayMs: 1, maxDelayMs: 1, timeoutMs: 2_000, sleep: async () => undefined, random: () => 0 };

async function start(now: string, outcomes: (i: number) => SimOutcome, bland: Record<string, unknown> = {}, preDialCrmCheck = false, wrapPorts?: LocalRuntimeOptions['wrapPorts']): Promise<Run> {
  const clock = new ManualClock(at(now));
  const rt = await startLocalRuntime({
    config: parseConfig({ dialer: { preDialCrmCheck } }),
    dataDir: mkdtempSync(join(tmpdir(), 'redial-http-loop-')),
    clock,
    tickMs: 0,
    bland: { talkMs: 0, dropRate: 0, duplicateRate: 0, ratePerSecond: 1000, outcomeFor: outcomes, ...bland },
    crmRetry: FAST_RETRY,
    blandRetry: FAST_RETRY,
    wrapPorts,
  });
  running.push(rt);
  return {
    rt,
    clock,
    post: async (body) => {
      const res = await fetch(`${rt.url}/leads`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': rt.apiKey }, body: JSON.stringify(body) });
      return { status: res.status, json: (await res.json()) as Record<string, unknown> };
    },
    runUntil: (until) => runUntil(rt, clock, until, 500),
    dials: () => rt.bland.calls.map((c) => iso(c.placedAt)),
  };
}

describe('the loop over HTTP against the local runtime and the simulators', () => {
  it('a lead posted inside the window is dialed at once; no-answers redial at +2, +5, +10, +30, +60, +120, +120; then tomorrow', async () => {
    const run = await start('2026-07-15T15:00:00Z', () => 'no-answer');
    expect(await run.post({ phone: '(212) 555-0100', state: 'NY' })).toMatchObject({ status: 202, json: { status: 'ACTIVE' } });
    await run.runUntil(at('2026-07-16T15:00:00Z'));
    const times = run.rt.bland.calls.map((c) => c.placedAt);
    // Posted inside the window: dialed at once (the dial queue, no scheduler minute).
    expect(iso(times[0]!)).toBe('2026-07-15T15:00:00Z');
    expect(times.slice(1, 8).map((t, i) => (t - times[i]!) / 60_000)).toEqual([2, 5, 10, 30, 60, 120, 120]);
    expect(run.dials()).toHaveLength(9);
    expect(run.dials()[8]).toBe('2026-07-16T15:00:00Z');
  });

  it.each([
    ['sale', 'SALE'],
    ['dnc', 'DNC'],
  ] as const)('%s stops the lead', async (outcome, expected) => {
    const run = await start('2026-07-15T15:00:00Z', (i) => (i === 1 ? outcome : 'voicemail'));
    await run.post({ phone: '2125550100', state: 'NY' });
    await run.runUntil(at('2026-07-17T23:00:00Z'));
    expect(run.dials()).toHaveLength(2);
    expect(await run.rt.store.get('+12125550100')).toMatchObject({ status: 'DONE', outcome: expected });
    expect(run.rt.pending()).toEqual([]);
  });

  it('a callback lands at its requested time (the simulator asks for now + 26 h), clamped into the window', async () => {
    const run = await start('2026-07-15T15:00:00Z', (i) => (i === 0 ? 'callback' : 'no-answer'));
    await run.post({ phone: '2125550100', state: 'NY' });
    await run.runUntil(at('2026-07-16T18:00:00Z'));
    // Requested 2026-07-16T17:00Z (13:00 EDT, inside the window): kept to the minute.
    expect(run.dials().slice(0, 2)).toEqual(['2026-07-15T15:00:00Z', '2026-07-16T17:00:00Z']);
  });

  it('a lead posted at 22:00 ET is first dialed at the next opening', async () => {
    const run = await start('2026-07-16T02:00:00Z', () => 'no-answer');
    expect((await run.post({ phone: '2125550100', state: 'NY' })).json['nextAttemptAt']).toBe('2026-07-16T15:00:00.000Z');
    await run.runUntil(at('2026-07-16T15:00:00Z'));
    expect(run.dials()).toEqual(['2026-07-16T15:00:00Z']);
  });

  it('the pre-dial Convoso check: a lead a human agent sold is finished, never dialed', async () => {
    const run = await start('2026-07-15T15:00:00Z', () => 'no-answer', {}, true);
    run.rt.convoso.addLead('+12125550100', { id: '77', listId: '3', status: 'SALE' });
    await run.post({ phone: '2125550100', state: 'NY' });
    await run.runUntil(at('2026-07-15T16:00:00Z'));
    expect(run.dials()).toEqual([]);
    expect(await run.rt.store.get('+12125550100')).toMatchObject({ status: 'DONE', outcome: 'SALE' });
  });

  it('Convoso down at dial time: no blind call, no call counted; the attempt comes back 5 minutes later and dials once Convoso is up', async () => {
    const run = await start('2026-07-15T15:00:00Z', () => 'no-answer', {}, true);
    await run.post({ phone: '2125550100', state: 'NY' });
    run.rt.convoso.setDown(true);
    await run.runUntil(at('2026-07-15T15:10:00Z'));
    // 15:00 held (retry 15:05), 15:05 held (retry 15:10), 15:10 held (retry 15:15): never dialed, never counted, always
    // one attempt ahead.
    expect(run.dials()).toEqual([]);
    const held = (await run.rt.store.get('+12125550100'))!;
    expect(held).toMatchObject({ status: 'ACTIVE', attemptsTotal: 0, nextAttemptAt: at('2026-07-15T15:15:00Z') });
    expect(held.claimedToken).not.toBe(held.scheduleToken);
    expect(held.nextAttemptReason).toMatch(/^CRM check failed \(Convoso HTTP 503\); /);
    expect((await run.rt.liveDials('+12125550100')).map((s) => s.message.scheduleToken)).toEqual([held.scheduleToken]);
    expect(run.rt.metrics.sum('DialHeld_CrmUnavailable')).toBe(3);
    run.rt.convoso.setDown(false);
    await run.runUntil(at('2026-07-15T15:16:00Z'));
    expect(run.dials()).toEqual(['2026-07-15T15:15:00Z']);
  });

  it('a dial whose time has left the window is refused and rescheduled', async () => {
    const run = await start('2026-07-15T23:55:00Z', () => 'no-answer'); // 19:55 EDT
    await run.post({ phone: '2125550100', state: 'NY' });
    run.clock.set(at('2026-07-16T00:30:00Z')); // the process slept: the schedule fires at 20:30 EDT
    await run.rt.loopOnce();
    expect(run.dials()).toEqual([]);
    expect((await run.rt.store.get('+12125550100'))!.nextAttemptAt).toBe(at('2026-07-16T15:00:00Z'));
  });
});

describe('faults over HTTP: every ACTIVE lead keeps exactly one future attempt and no attempt is dialed twice', () => {
  async function oneFutureAttempt(run: Run, phone: string): Promise<void> {
    const lead = (await run.rt.store.get(phone))!;
    const dials = run.rt.pending().filter((s) => s.message.kind === 'dial' && s.message.phone === phone);
    expect(lead.status).toBe('ACTIVE');
    expect(dials.map((d) => d.message.scheduleToken)).toEqual([lead.scheduleToken]);
    const tokens = run.rt.bland.calls.map((c) => (c.request['metadata'] as { scheduleToken: string }).scheduleToken);
    expect(new Set(tokens).size).toBe(tokens.length);
  }

  it('every webhook duplicated: each outcome applied once', async () => {
    const run = await start('2026-07-15T15:00:00Z', () => 'voicemail', { duplicateRate: 1 });
    await run.post({ phone: '2125550100', state: 'NY' });
    await run.runUntil(at('2026-07-15T15:20:00Z'));
    const attempts = await run.rt.store.listAttempts('+12125550100');
    expect(attempts.map((a) => a.callId)).toEqual(run.rt.bland.calls.map((c) => c.callId).slice(0, attempts.length));
    expect(run.rt.bland.calls.every((c) => c.webhook === 'duplicated')).toBe(true);
    await oneFutureAttempt(run, '+12125550100');
  });

  it('every webhook dropped: the watchdog fetches each call from Bland and the loop goes on', async () => {
    const run = await start('2026-07-15T15:00:00Z', () => 'no-answer', { dropRate: 1 });
    await run.post({ phone: '2125550100', state: 'NY' });
    await run.runUntil(at('2026-07-15T15:45:00Z'));
    // 15:00 dial, webhook lost, watchdog at 15:17 records NO_ANSWER, next dial 15:19; its watchdog 15:36, next 15:41.
    expect(run.dials()).toEqual(['2026-07-15T15:00:00Z', '2026-07-15T15:19:00Z', '2026-07-15T15:41:00Z']);
    expect((await run.rt.store.listAttempts('+12125550100')).map((a) => a.outcome)).toEqual(['NO_ANSWER', 'NO_ANSWER']);
    // The third call is in flight: the lead's attempt is claimed and its watchdog is the one future event.
    const lead = (await run.rt.store.get('+12125550100'))!;
    expect(lead.claimedToken).toBe(lead.scheduleToken);
    expect(lead.lastCallId).toBe(run.rt.bland.calls[2]!.callId);
    expect(run.rt.pending().map((s) => [s.message.kind, s.message.callId])).toEqual([['watchdog', lead.lastCallId]]);
  });

  it('the dialer crashes after placing the call, before indexing it, and the webhook is lost: the sweeper finds the call in Bland\'s list and records its SALE', async () => {
    let crashes = 0;
    const crashOnce = failingStore('putCall', () => crashes === 0 && ++crashes === 1, 'simulated crash between the call and its record');
    const run = await start('2026-07-15T15:00:00Z', () => 'sale', { dropRate: 1 }, false, { store: crashOnce });
    await run.post({ phone: '2125550100', state: 'NY' });
    await run.runUntil(at('2026-07-15T15:01:00Z'));
    // The call was placed at 15:00; the redelivered message finds the attempt claimed and dials nothing more.
    expect(run.dials()).toEqual(['2026-07-15T15:00:00Z']);
    expect(crashes).toBe(1);
    expect(await run.rt.store.getCall(run.rt.bland.calls[0]!.callId)).toBeNull();
    // Past max_duration + grace, the sweeper asks Bland for calls to the number since the claim: the SALE is recorded.
    run.clock.set(at('2026-07-15T15:20:00Z'));
    await run.rt.sweep();
    expect(await run.rt.store.get('+12125550100')).toMatchObject({ status: 'DONE', outcome: 'SALE', attemptsTotal: 1 });
    expect(run.rt.pending().filter((s) => s.message.kind === 'dial')).toEqual([]);
    expect(run.dials()).toHaveLength(1);
  });

  it('the same crash while Bland\'s call list is down: the sweeper waits (no FAILED while it may yet learn the outcome), and after 2 hours of asking counts the claim FAILED', async () => {
    let crashes = 0;
    const crashOnce = failingStore('putCall', () => crashes === 0 && ++crashes === 1, 'simulated crash between the call and its record');
    const run = await start('2026-07-15T15:00:00Z', () => 'sale', { dropRate: 1 }, false, { store: crashOnce });
    for (const day of ['2026-07-14', '2026-07-15', '2026-07-16']) run.rt.bland.listFaults.failDay(day);
    await run.post({ phone: '2125550100', state: 'NY' });
    await run.runUntil(at('2026-07-15T15:01:00Z'));
    run.clock.set(at('2026-07-15T15:20:00Z'));
    await run.rt.sweep();
    const waiting = (await run.rt.store.get('+12125550100'))!;
    expect(waiting).toMatchObject({ status: 'ACTIVE', attemptsTotal: 0, claimedAt: at('2026-07-15T15:00:00Z') });
    expect(waiting.claimedToken).toBe(waiting.scheduleToken);
    run.clock.set(at('2026-07-15T17:02:00Z'));
    await run.rt.sweep();
    const failed = (await run.rt.store.get('+12125550100'))!;
    expect(failed).toMatchObject({ status: 'ACTIVE', attemptsTotal: 1, lastOutcome: 'FAILED', recentCallTimes: [at('2026-07-15T15:00:00Z')] });
    expect(failed.claimedToken).not.toBe(failed.scheduleToken);
    expect((await run.rt.liveDials('+12125550100')).map((s) => s.message.scheduleToken)).toEqual([failed.scheduleToken]);
  });

  it('Bland answering 503: the call may exist, so the attempt is kept until its webhook or the sweeper; never dialed twice', async () => {
    const run = await start('2026-07-15T15:00:00Z', () => 'no-answer');
    await run.post({ phone: '2125550100', state: 'NY' });
    run.rt.bland.failNext(1);
    run.clock.set(at('2026-07-15T15:01:00Z'));
    await run.rt.loopOnce();
    expect(run.dials()).toEqual([]);
    const waiting = (await run.rt.store.get('+12125550100'))!;
    expect(waiting.claimedToken).toBe(waiting.scheduleToken);
    expect(waiting.nextAttemptReason).toContain('call outcome unknown');
    // A redelivery of the claimed attempt dials nothing.
    await run.rt.queue.send({ v: 1, kind: 'dial', phone: '+12125550100', scheduleToken: waiting.scheduleToken! });
    await run.rt.loopOnce();
    expect(run.dials()).toEqual([]);
    // No webhook came: past max_duration + grace the sweeper counts a FAILED call (at the claim time) and reschedules.
    run.clock.set(at('2026-07-15T15:25:00Z'));
    await run.rt.sweep();
    const moved = (await run.rt.store.get('+12125550100'))!;
    expect(moved).toMatchObject({ lastOutcome: 'FAILED', attemptsTotal: 1, status: 'ACTIVE' });
    await run.runUntil(at('2026-07-15T15:30:00Z'));
    expect(run.dials()).toEqual(['2026-07-15T15:27:00Z']);
    // The 15:27 call's outcome came back at once: the lead has its next attempt (third call of the day: +5 min).
    expect((await run.rt.store.get('+12125550100'))!.nextAttemptAt).toBe(at('2026-07-15T15:32:00Z'));
    await oneFutureAttempt(run, '+12125550100');
  }, 60_000);
});
