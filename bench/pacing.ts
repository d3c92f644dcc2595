/**
 * Speed to lead under a wave (the speed-to-lead issue's benchmark): N redials falling due at once at the window's
 * opening plus N/100 fresh leads posted during the wave, against the Bland simulator enforcing a plan of 100 calls at
 * once (40-second calls, simulated time on a manual clock), through the local runtime over HTTP. Measured with the
 * pacer and priority on, with the pacer on and priority off (no reserved share, no priority lane), and with both off
 * (the baseline: the dialer places whatever falls due; it is stopped a quarter past the paced wave's simulated time,
 * as its waiting attempts keep asking Bland). The Bland client's own retries are off in every run, so each 429 reaches
 * the dialer and is counted. Prints and records: the fresh leads' first-dial latency p50/p99, the plan's concurrency
 * used while the wave waits, 429s reaching the dialer, dials that failed. Size: BENCH_PACING_ATTEMPTS (default 10,000).
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
/**
 * The plan: 100 calls at once with hourly and daily caps above the wave (an enterprise plan's custom limits), so the
 * wave measures concurrency; on the Scale plan's 1,000 an hour the hourly cap binds first (pacing-day measures caps).
 */
const PLAN = { concurrency: CAP, perHour: 1_000_000, perDay: 1_000_000 };
const STEP_MS = 2_000;
/** The wave's length if every slot were busy all the time: the run measures at least that long. */
const IDEAL_WAVE_MS = (ATTEMPTS * CALL_MS) / CAP;
const OPENING = Date.parse('2026-07-15T15:00:00Z'); // Wed 11:00 EDT
const phone = (i: number) => `+1212${String(5_000_000 + i).padStart(7, '0')}`;

interface Figures {
  readonly freshP50Ms: number;
  readonly freshP99Ms: number;
  readonly concurrencyUsed: number;
  readonly refused429: number;
  readonly failedDials: number;
  readonly dials: number;
  /** Redials of the wave dialed by the end of the run, and the simulated seconds the run lasted. */
  readonly waveDialed: number;
  readonly simulatedS: number;
}

const percentile = (sorted: readonly number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;

async function post(rt: LocalRuntime, number: string): Promise<void> {
  const res = await fetch(`${rt.url}/leads`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': rt.apiKey }, body: JSON.stringify({ phone: number, state: 'NY' }) });
  if (res.status !== 202) throw new Error(`intake answered ${res.status}`);
}

/**
 * One run of the wave. `untilMs`: the simulated time after which the run stops even if the wave is not all dialed (the
 * baseline: without the pacer every waiting attempt asks Bland again and again, and is given the paced run's time).
 */
async function run(pacing: boolean, priority: boolean, untilMs = Infinity): Promise<Figures> {
  const clock = new ManualClock(OPENING - 14 * 3_600_000); // 21:00 EDT the evening before: nothing is dialed tonight
  const rt = await startLocalRuntime({
    // Priority off: no share kept for fresh leads and callbacks, and no priority lane (one queue for every attempt).
    config: parseConfig({ pacer: { enabled: pacing, plan: 'scale', ...PLAN, ...(priority ? {} : { reservedShare: 0, newestFirstShare: 0 }) } }),
    priorityLane: priority,
    dataDir: mkdtempSync(join(tmpdir(), 'redial-bench-pacing-')),
    clock,
    tickMs: 0,
    // The client's own retries are off in both runs, so every 429 reaches the dialer (and is counted), which defers it.
    blandRetry: { ...DEFAULT_RETRY, retries: 0, sleep: async () => undefined },
    bland: { talkMs: 0, dropRate: 0, duplicateRate: 0, ratePerSecond: 1_000_000, seed: 5, weights: { 'no-answer': 1 }, webhookDelayMs: () => CALL_MS, plan: PLAN },
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
    // Fresh leads are posted over the first half of the paced wave (so each lands while redials still wait).
    const freshEvery = Math.max(STEP_MS, Math.floor((ATTEMPTS * CALL_MS) / CAP / 2 / FRESH));
    let nextFresh = OPENING + STEP_MS;
    let used = 0;
    let samples = 0;
    // First dial of each number, followed call by call (the call list only grows).
    const first = new Map<string, number>();
    let seen = 0;
    let freshDialed = 0;
    const follow = () => {
      const calls = rt.bland.calls;
      for (; seen < calls.length; seen++) {
        const number = String(calls[seen]!.request['phone_number']);
        if (first.has(number)) continue;
        first.set(number, calls[seen]!.placedAt);
        if (posted.has(number)) freshDialed++;
      }
    };
    for (let guard = 0; guard < 1_000_000 && clock.now() - OPENING <= untilMs; guard++) {
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
      follow();
      // Done once every fresh lead is dialed and the wave is all dialed or has run its ideal length (every slot busy:
      // attempts × call ÷ cap; the wave's own rungs, a higher class, keep it going longer than that).
      if (posted.size >= FRESH && freshDialed >= FRESH && (first.size - freshDialed >= ATTEMPTS || clock.now() - OPENING >= IDEAL_WAVE_MS)) break;
      clock.set(clock.now() + STEP_MS);
    }
    const latencies = [...posted].map(([number, at]) => (first.get(number) ?? Infinity) - at).sort((a, b) => a - b);
    const refused = rt.bland.refused;
    return {
      freshP50Ms: percentile(latencies, 0.5),
      freshP99Ms: percentile(latencies, 0.99),
      concurrencyUsed: used / samples / CAP,
      refused429: refused.concurrency + refused.perHour + refused.perDay + refused.sameNumber + refused.rate,
      failedDials: rt.metrics.sum('BlandErrors'),
      dials: rt.bland.calls.length,
      waveDialed: first.size - freshDialed,
      simulatedS: Math.round((clock.now() - OPENING) / 1000),
    };
  } finally {
    await rt.stop();
  }
}

async function main(): Promise<void> {
  const took: number[] = [];
  const timed = async <T>(f: () => Promise<T>): Promise<T> => {
    const t0 = Date.now();
    const result = await f();
    took.push(Math.round((Date.now() - t0) / 1000));
    return result;
  };
  const paced = await timed(() => run(true, true));
  const noPriority = await timed(() => run(true, false));
  // The baseline gets a quarter more simulated time than the paced wave took, then stops (its 429 storm is the cost).
  const unpaced = await timed(() => run(false, false, paced.simulatedS * 1250));
  const s = (ms: number, f?: Figures) => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(1)} s` : `not dialed in ${f?.simulatedS ?? '?'} s`);
  const pct = (x: number) => `${(100 * x).toFixed(0)}%`;
  const full = ATTEMPTS >= 10_000;
  console.log(`pacing: ${ATTEMPTS} redials due at once + ${FRESH} fresh leads, plan ${CAP} at once, ${CALL_MS / 1000} s calls (runs took ${took.join(' s, ')} s)`);
  const line = (f: Figures) => `fresh first dial p50 ${s(f.freshP50Ms, f)} p99 ${s(f.freshP99Ms, f)}, concurrency used ${pct(f.concurrencyUsed)}, 429s ${f.refused429}, failed dials ${f.failedDials}, dials ${f.dials}, wave dialed ${f.waveDialed}/${ATTEMPTS} in ${f.simulatedS} simulated s`;
  console.log(`  pacer and priority on : ${line(paced)}`);
  console.log(`  pacer on, priority off: ${line(noPriority)}`);
  console.log(`  pacer and priority off: ${line(unpaced)}`);
  const ratio = (a: number, b: number) => (b > 0 && Number.isFinite(a) && Number.isFinite(b) ? `${(a / b).toFixed(2)}x` : '');
  writeBenchResult('pacing', { BENCH_PACING_ATTEMPTS: ATTEMPTS }, [
    { measure: `fresh lead first dial p99 (wave of ${ATTEMPTS})`, figure: s(paced.freshP99Ms), baseline: s(unpaced.freshP99Ms), ratio: ratio(paced.freshP99Ms, unpaced.freshP99Ms), goal: '<= 5 s (speed-to-lead issue)', met: full ? paced.freshP99Ms <= 5_000 : null, recorded: '' },
    { measure: 'Bland concurrency used during the wave', figure: pct(paced.concurrencyUsed), baseline: pct(unpaced.concurrencyUsed), ratio: ratio(paced.concurrencyUsed, unpaced.concurrencyUsed), goal: '>= 90% of the cap', met: full ? paced.concurrencyUsed >= 0.9 : null, recorded: '' },
    { measure: '429s reaching the dialer', figure: String(paced.refused429), baseline: String(unpaced.refused429), ratio: '', goal: '0', met: paced.refused429 === 0, recorded: '' },
    { measure: 'failed dials (FAILED attempts)', figure: String(paced.failedDials), baseline: String(unpaced.failedDials), ratio: '', goal: '0', met: paced.failedDials === 0, recorded: '' },
    { measure: 'fresh lead first dial p99, pacer on and priority off', figure: s(noPriority.freshP99Ms), baseline: s(unpaced.freshP99Ms), ratio: ratio(noPriority.freshP99Ms, unpaced.freshP99Ms), goal: '', met: null, recorded: '' },
  ], { paced, noPriority, unpaced });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
