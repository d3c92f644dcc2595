/**
 * Speed to lead under a wave (the speed-to-lead issue's benchmark): N redials falling due at once at the window's
 * opening plus N/100 fresh leads posted during the wave, against the Bland simulator enforcing a plan of 100 calls at
 * once (40-second calls, simulated time on a manual clock), through the local runtime over HTTP. Measured with the
 * pacer on, and with it off in the same run (the baseline: the dialer places whatever falls due). Prints and records:
 * the fresh leads' first-dial latency p50/p99, the plan's concurrency used while the wave waits, 429s reaching the
 * dialer, dials that failed. Size: BENCH_PACING_ATTEMPTS (default 10,000).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalRuntime, type LocalRuntime } from '../bin/local-runtime';
import { ManualClock } from '../lambdas/adapters/system-clock';
import { dialMessageFor } from '../lambdas/app/loop-deps';
import { parseConfig } from '../lambdas/config/config';
import { dialScheduleName } from '../lambdas/ports/attempt-scheduler';
import { writeBenchResult } from './results';
import { DEFAULT_RETRY } from '../lambdas/adapters/http-retry';

const ATTEMPTS = Number(process.env.BENCH_PACING_ATTEMPTS ?? 10_000);
const FRESH = Math.max(2, Math.round(ATTEMPTS / 100));
const CAP = 100;
const CALL_MS = 40_000;
const STEP_MS = 2_000;
const OPENING = Date.parse('2026-07-15T15:00:00Z'); // Wed 11:00 EDT
const phone = (i: number) => `+1212${String(5_000_000 + i).padStart(7, '0')}`;

interface Figures {
  readonly freshP50Ms: number;
  readonly freshP99Ms: number;
  readonly concurrencyUsed: number;
  readonly refused429: number;
  readonly failedDials: number;
  readonly dials: number;
}

const percentile = (sorted: readonly number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;

async function post(rt: LocalRuntime, number: string): Promise<void> {
  const res = await fetch(`${rt.url}/leads`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': rt.apiKey }, body: JSON.stringify({ phone: number, state: 'NY' }) });
  if (res.status !== 202) throw new Error(`intake answered ${res.status}`);
}

async function run(pacing: boolean): Promise<Figures> {
  const clock = new ManualClock(OPENING - 14 * 3_600_000); // 21:00 EDT the evening before: nothing is dialed tonight
  const rt = await startLocalRuntime({
    config: parseConfig({ pacer: { enabled: pacing, plan: 'scale' } }),
    dataDir: mkdtempSync(join(tmpdir(), 'redial-bench-pacing-')),
    clock,
    tickMs: 0,
    // The client's backoff between 429 retries passes at once (the manual clock does not move during a step).
    blandRetry: { ...DEFAULT_RETRY, sleep: async () => undefined },
    bland: { talkMs: 0, dropRate: 0, duplicateRate: 0, ratePerSecond: 1_000_000, seed: 5, weights: { 'no-answer': 1 }, webhookDelayMs: () => CALL_MS, plan: { concurrency: CAP } },
  });
  try {
    // N leads with a call yesterday and their next attempt at the opening: redials.
    for (let i = 0; i < ATTEMPTS; i += 50) await Promise.all(Array.from({ length: Math.min(50, ATTEMPTS - i) }, (_, j) => post(rt, phone(i + j))));
    for (let i = 0; i < ATTEMPTS; i++) {
      const lead = (await rt.store.get(phone(i)))!;
      const redial = await rt.store.update({ ...lead, attemptsTotal: 1, recentCallTimes: [OPENING - 22 * 3_600_000], attemptReason: 'gap' });
      await rt.scheduler.cancel(dialScheduleName(lead.scheduleToken!));
      await rt.scheduler.schedule(dialScheduleName(lead.scheduleToken!), OPENING, dialMessageFor(redial));
    }
    clock.set(OPENING);
    const posted = new Map<string, number>();
    const freshEvery = Math.max(STEP_MS, Math.floor((ATTEMPTS * CALL_MS) / CAP / 2 / FRESH));
    let nextFresh = OPENING + STEP_MS;
    let used = 0;
    let samples = 0;
    const waveDialed = () => new Set(rt.bland.calls.map((c) => String(c.request['phone_number'])).filter((p) => !posted.has(p))).size;
    for (let guard = 0; guard < 200_000; guard++) {
      if (posted.size < FRESH && clock.now() >= nextFresh) {
        const number = `+1305${String(5_000_000 + posted.size).padStart(7, '0')}`;
        posted.set(number, clock.now());
        await post(rt, number);
        nextFresh += freshEvery;
      }
      await rt.bland.releaseDue();
      await rt.loopOnce();
      await rt.bland.settle();
      await rt.loopOnce();
      used += Math.min(CAP, rt.bland.activeCalls);
      samples++;
      const freshDialed = [...posted.keys()].every((p) => rt.bland.calls.some((c) => c.request['phone_number'] === p));
      if (posted.size >= FRESH && freshDialed && waveDialed() >= ATTEMPTS) break;
      clock.set(clock.now() + STEP_MS);
    }
    const first = new Map<string, number>();
    for (const c of rt.bland.calls) if (!first.has(String(c.request['phone_number']))) first.set(String(c.request['phone_number']), c.placedAt);
    const latencies = [...posted].map(([number, at]) => (first.get(number) ?? Infinity) - at).sort((a, b) => a - b);
    const refused = rt.bland.refused;
    return {
      freshP50Ms: percentile(latencies, 0.5),
      freshP99Ms: percentile(latencies, 0.99),
      concurrencyUsed: used / samples / CAP,
      refused429: refused.concurrency + refused.perHour + refused.perDay + refused.sameNumber + refused.rate,
      failedDials: rt.metrics.sum('BlandErrors'),
      dials: rt.bland.calls.length,
    };
  } finally {
    await rt.stop();
  }
}

async function main(): Promise<void> {
  const began = Date.now();
  const paced = await run(true);
  const unpaced = await run(false);
  const s = (ms: number) => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(1)} s` : 'never');
  const pct = (x: number) => `${(100 * x).toFixed(0)}%`;
  const full = ATTEMPTS >= 10_000;
  console.log(`pacing: ${ATTEMPTS} redials due at once + ${FRESH} fresh leads, plan ${CAP} at once, ${CALL_MS / 1000} s calls (${((Date.now() - began) / 1000).toFixed(0)} s)`);
  console.log(`  pacer on : fresh first dial p50 ${s(paced.freshP50Ms)} p99 ${s(paced.freshP99Ms)}, concurrency used ${pct(paced.concurrencyUsed)}, 429s ${paced.refused429}, failed dials ${paced.failedDials}, dials ${paced.dials}`);
  console.log(`  pacer off: fresh first dial p50 ${s(unpaced.freshP50Ms)} p99 ${s(unpaced.freshP99Ms)}, concurrency used ${pct(unpaced.concurrencyUsed)}, 429s ${unpaced.refused429}, failed dials ${unpaced.failedDials}, dials ${unpaced.dials}`);
  const ratio = (a: number, b: number) => (b > 0 && Number.isFinite(a) && Number.isFinite(b) ? `${(a / b).toFixed(2)}x` : '');
  writeBenchResult('pacing', { BENCH_PACING_ATTEMPTS: ATTEMPTS }, [
    { measure: `fresh lead first dial p99 (wave of ${ATTEMPTS})`, figure: s(paced.freshP99Ms), baseline: s(unpaced.freshP99Ms), ratio: ratio(paced.freshP99Ms, unpaced.freshP99Ms), goal: '<= 5 s (speed-to-lead issue)', met: full ? paced.freshP99Ms <= 5_000 : null, recorded: '' },
    { measure: 'Bland concurrency used during the wave', figure: pct(paced.concurrencyUsed), baseline: pct(unpaced.concurrencyUsed), ratio: ratio(paced.concurrencyUsed, unpaced.concurrencyUsed), goal: '>= 90% of the cap', met: full ? paced.concurrencyUsed >= 0.9 : null, recorded: '' },
    { measure: '429s reaching the dialer', figure: String(paced.refused429), baseline: String(unpaced.refused429), ratio: '', goal: '0', met: paced.refused429 === 0, recorded: '' },
    { measure: 'failed dials (FAILED attempts)', figure: String(paced.failedDials), baseline: String(unpaced.failedDials), ratio: '', goal: '0', met: paced.failedDials === 0, recorded: '' },
  ], { paced, unpaced });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
