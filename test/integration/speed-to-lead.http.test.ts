import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalRuntime, type LocalRuntime } from '../../bin/local-runtime';
import { ManualClock } from '../../lambdas/adapters/system-clock';
import { dialMessageFor } from '../../lambdas/app/loop-deps';
import { parseConfig, type ConfigInput } from '../../lambdas/config/config';
import { dialScheduleName } from '../../lambdas/ports/attempt-scheduler';
import { settleLoop } from '../support/runtime-driver';

/**
 * Speed to lead and pacing over HTTP against the local runtime (the Bland simulator enforcing the plan with 429s):
 * a fresh lead inside the window is dialed within 2 s; 300 leads at once against 10 concurrent calls are paced with no
 * FAILED call and no 429; a fresh lead posted into a wave of 1,000 due redials goes before the redials still waiting.
 */
const at = (iso: string) => Date.parse(iso);
const started: LocalRuntime[] = [];
afterAll(async () => {
  for (const rt of started) await rt.stop();
});

async function start(options: { config?: ConfigInput; clock?: ManualClock; startAt?: number; tickMs?: number; callMs?: number }): Promise<LocalRuntime> {
  const rt = await startLocalRuntime({
    config: parseConfig(options.config ?? {}),
    dataDir: mkdtempSync(join(tmpdir(), 'redial-speed-')),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.startAt !== undefined ? { startAt: options.startAt } : {}),
    tickMs: options.tickMs ?? 0,
    // A call lasts `callMs` of simulated time (its webhook is held that long): it holds its slot of the plan till then.
    bland: { talkMs: 0, dropRate: 0, duplicateRate: 0, ratePerSecond: 10_000, seed: 3, weights: { 'no-answer': 1 }, ...(options.callMs ? { webhookDelayMs: () => options.callMs! } : {}) },
  });
  started.push(rt);
  return rt;
}

async function post(rt: LocalRuntime, phone: string): Promise<number> {
  const res = await fetch(`${rt.url}/leads`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': rt.apiKey }, body: JSON.stringify({ phone, state: 'NY' }) });
  expect(res.status).toBe(202);
  return res.status;
}

/** Steps the manual clock `stepMs` at a time to `until`: calls that ended send their webhooks, the loop runs. */
async function driveTo(rt: LocalRuntime, clock: ManualClock, until: number, stepMs = 5_000): Promise<void> {
  while (clock.now() < until) {
    clock.set(Math.min(until, clock.now() + stepMs));
    await rt.bland.releaseDue();
    await settleLoop(rt);
  }
}

const phone = (i: number) => `+1212${String(5_000_000 + i).padStart(7, '0')}`;

describe('speed to lead', () => {
  it('a lead posted inside the window is dialed within 2 s (the runtime on its own timer, real time)', async () => {
    // Wed 11:00 EDT, the clock running at real speed from there.
    const rt = await start({ startAt: at('2026-07-15T15:00:00Z'), tickMs: 100 });
    const posted = rt.clock.now();
    await post(rt, '+12125550900');
    const deadline = Date.now() + 10_000;
    while (rt.bland.calls.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(rt.bland.calls).toHaveLength(1);
    const latency = rt.bland.calls[0]!.placedAt - posted;
    expect(latency).toBeGreaterThanOrEqual(0);
    expect(latency).toBeLessThanOrEqual(2_000);
  });

  it('300 leads at once against a plan of 10 concurrent calls: paced, every one dialed, 0 FAILED, 0 × 429', async () => {
    const clock = new ManualClock(at('2026-07-15T15:00:00Z'));
    const rt = await start({ clock, config: { pacer: { plan: 'scale', concurrency: 10 } }, callMs: 40_000 });
    await Promise.all(Array.from({ length: 300 }, (_, i) => post(rt, phone(i))));
    await driveTo(rt, clock, at('2026-07-15T16:30:00Z'));
    const first = new Map<string, number>();
    for (const c of rt.bland.calls) if (!first.has(String(c.request['phone_number']))) first.set(String(c.request['phone_number']), c.placedAt);
    expect(first.size).toBe(300);
    // The simulator enforced the plan: nothing was refused, and never more than 10 calls were in progress.
    expect(rt.bland.refused).toEqual({ concurrency: 0, perHour: 0, perDay: 0, sameNumber: 0, rate: 0 });
    expect(rt.bland.maxActiveCalls).toBe(10);
    expect(rt.metrics.sum('BlandErrors')).toBe(0);
    expect(rt.metrics.sum('DialDeferred_Capacity')).toBeGreaterThan(0);
    for (let i = 0; i < 300; i++) {
      const attempts = await rt.store.listAttempts(phone(i));
      expect(attempts.filter((a) => a.outcome === 'FAILED')).toEqual([]);
    }
  }, 300_000);

  it('a fresh lead posted into a wave of 1,000 due redials is dialed before the redials still waiting', async () => {
    const clock = new ManualClock(at('2026-07-14T23:30:00Z')); // Tue 19:30 EDT, the window about to close
    const rt = await start({ clock, config: { pacer: { plan: 'scale', concurrency: 10 } }, callMs: 40_000 });
    // 1,000 leads with a call yesterday and their next attempt at Wednesday's opening (11:00 EDT): redials.
    clock.set(at('2026-07-15T01:00:00Z')); // 21:00 EDT: after the window, so nothing is dialed tonight
    for (let i = 0; i < 1_000; i += 50) await Promise.all(Array.from({ length: 50 }, (_, j) => post(rt, phone(i + j))));
    const opening = at('2026-07-15T15:00:00Z');
    for (let i = 0; i < 1_000; i++) {
      const lead = (await rt.store.get(phone(i)))!;
      expect(lead.nextAttemptAt).toBe(opening);
      const redial = await rt.store.update({ ...lead, attemptsTotal: 1, recentCallTimes: [at('2026-07-14T17:00:00Z')], attemptReason: 'gap' });
      await rt.scheduler.cancel(dialScheduleName(lead.scheduleToken!));
      await rt.scheduler.schedule(dialScheduleName(lead.scheduleToken!), opening, dialMessageFor(redial));
    }
    clock.set(opening);
    await settleLoop(rt); // the wave falls due at once: 9 slots of 10 taken, the rest given turns in line
    const redialsBefore = rt.bland.calls.length;
    expect(redialsBefore).toBeGreaterThan(0);
    expect(redialsBefore).toBeLessThan(100);
    await driveTo(rt, clock, opening + 30_000);
    const waiting = 1_000 - new Set(rt.bland.calls.map((c) => String(c.request['phone_number']))).size;
    expect(waiting).toBeGreaterThan(900);
    await post(rt, '+12125550999');
    await settleLoop(rt);
    const fresh = rt.bland.calls.findIndex((c) => c.request['phone_number'] === '+12125550999');
    expect(fresh).toBeGreaterThanOrEqual(0);
    expect(rt.bland.calls[fresh]!.placedAt - (opening + 30_000)).toBeLessThanOrEqual(2_000);
    // The redials still waiting then are dialed later, in their turns (at 9 slots of 40-second calls, shared with the
    // next rungs of the leads already dialed, which go first): the fresh lead did not queue behind them.
    await driveTo(rt, clock, opening + 60 * 60_000, 10_000);
    const redialed = new Set(rt.bland.calls.slice(fresh + 1).map((c) => String(c.request['phone_number'])));
    expect(redialed.size).toBeGreaterThan(250);
    // Redials never took more than their 95% (9 of 10 slots, rounded down); the one kept for fresh leads went to the fresh lead.
    expect(rt.bland.maxActiveCalls).toBeGreaterThanOrEqual(9);
    expect(rt.bland.maxActiveCalls).toBeLessThanOrEqual(10);
    expect(rt.bland.refused).toEqual({ concurrency: 0, perHour: 0, perDay: 0, sameNumber: 0, rate: 0 });
  }, 600_000);
});
