/**
 * A business day with demand above the plan (the speed-to-lead issue's second benchmark part): older leads whose day's
 * first call falls due at the window's opening (some promised a callback later in the day), fresh leads posted through
 * the day, and a small Bland plan whose daily cap is below what the cadence asks for, on the simulated clock through
 * the local runtime over HTTP. The simulator enforces the same plan with 429s. Prints, by priority class, the dials
 * placed, the attempts deferred for capacity and the contacts made (a person answered), with the pacer and priority
 * on and with priority off (no reserved share, no priority lane) in the same run. Sizes: BENCH_DAY_LEADS older leads
 * (default 600), a tenth as many fresh ones.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalRuntime, type LocalRuntime } from '../bin/local-runtime';
import { ManualClock } from '../lambdas/adapters/system-clock';
import { DEFAULT_RETRY } from '../lambdas/adapters/http-retry';
import { dialMessageFor } from '../lambdas/app/loop-deps';
import { parseConfig } from '../lambdas/config/config';
import { DIAL_CLASSES, type DialClass } from '../lambdas/domain/pacing';
import { dialScheduleName } from '../lambdas/ports/attempt-scheduler';
import { seededRandom } from '../sim/random';
import type { SimCall } from '../sim/bland-sim';
import { writeBenchResult } from './results';

const OLD = Number(process.env.BENCH_DAY_LEADS ?? 600);
const FRESH = Math.max(2, Math.round(OLD / 10));
const CALLBACKS = Math.max(1, Math.round(OLD / 20));
const OPENING = Date.parse('2026-07-15T15:00:00Z'); // Wed 11:00 EDT, the business window's start
const CLOSING = Date.parse('2026-07-16T00:00:00Z'); // 20:00 EDT
const STEP_MS = 15_000;
const DAY = 86_400_000;
/** The plan: Bland's Start concurrency with a daily cap the cadence outruns (OLD leads' first calls alone fill it). */
const PLAN = { concurrency: 10, perHour: Math.max(20, Math.round(OLD / 4)), perDay: OLD };
/** The floor sizes the reserve to its lead mix: fresh leads (a tenth) and callbacks (a twentieth) of the daily cap. */
const RESERVED_SHARE = 0.15;
const HUMAN = new Set(['transferred', 'callback', 'sale', 'dnc', 'not-interested']);
const oldPhone = (i: number) => `+1212${String(6_000_000 + i).padStart(7, '0')}`;
const freshPhone = (i: number) => `+1718${String(6_000_000 + i).padStart(7, '0')}`;

type ByClass = Record<DialClass, { dials: number; deferred: number; contacts: number }>;

interface Day {
  readonly byClass: ByClass;
  readonly demand: number;
  readonly dialsPlaced: number;
  readonly attemptsDeferred: number;
  readonly projectedShortfall: number;
  readonly refused429: number;
  /** Minutes from posting to the first call of the fresh leads dialed today (median), and how many were. */
  readonly freshP50Min: number;
  readonly freshDialed: number;
}

async function post(rt: LocalRuntime, number: string): Promise<void> {
  const res = await fetch(`${rt.url}/leads`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': rt.apiKey }, body: JSON.stringify({ phone: number, state: 'NY' }) });
  if (res.status !== 202) throw new Error(`intake answered ${res.status}`);
}

async function run(priority: boolean): Promise<Day> {
  const random = seededRandom(2026_07_15);
  const clock = new ManualClock(OPENING - 14 * 3_600_000); // 21:00 EDT the evening before
  const rt = await startLocalRuntime({
    config: parseConfig({ pacer: { plan: 'start', ...PLAN, ...(priority ? { reservedShare: RESERVED_SHARE } : { reservedShare: 0, newestFirstShare: 0 }) } }),
    dataDir: mkdtempSync(join(tmpdir(), 'redial-bench-day-')),
    clock,
    tickMs: 0,
    priorityLane: priority,
    blandRetry: { ...DEFAULT_RETRY, retries: 0, sleep: async () => undefined },
    bland: {
      talkMs: 0, dropRate: 0, duplicateRate: 0, ratePerSecond: 1_000_000, seed: 11, plan: PLAN,
      // Unanswered calls are short; a person on the line talks three minutes.
      webhookDelayMs: (c: SimCall) => (HUMAN.has(c.outcome) ? 180_000 : 40_000),
    },
  });
  try {
    // Older leads: created over the last 30 days, called yesterday; the day's first call at the opening, or a callback
    // at a time promised through the day.
    for (let i = 0; i < OLD; i += 50) await Promise.all(Array.from({ length: Math.min(50, OLD - i) }, (_, j) => post(rt, oldPhone(i + j))));
    const callbacks = new Set<string>();
    for (let i = 0; i < OLD; i++) {
      const lead = (await rt.store.get(oldPhone(i)))!;
      const callback = i < CALLBACKS;
      const at = callback ? OPENING + Math.floor(((i + 0.5) / CALLBACKS) * (CLOSING - OPENING - 3_600_000)) : OPENING;
      if (callback) callbacks.add(lead.phone);
      const older = await rt.store.update({
        ...lead, createdAt: OPENING - Math.floor(random() * 30 * DAY) - DAY, attemptsTotal: 1 + Math.floor(random() * 5),
        recentCallTimes: [OPENING - 22 * 3_600_000], attemptReason: callback ? 'callback' : 'gap', nextAttemptAt: at,
      });
      await rt.scheduler.cancel(dialScheduleName(lead.scheduleToken!));
      await rt.scheduler.schedule(dialScheduleName(lead.scheduleToken!), at, dialMessageFor(older));
    }
    const freshAt = Array.from({ length: FRESH }, () => OPENING + Math.floor(random() * (CLOSING - OPENING - 30 * 60_000))).sort((a, b) => a - b);
    const posted = new Map<string, number>();
    clock.set(OPENING);
    while (clock.now() < CLOSING) {
      while (posted.size < FRESH && freshAt[posted.size]! <= clock.now()) {
        const number = freshPhone(posted.size);
        posted.set(number, clock.now());
        await post(rt, number);
      }
      await rt.bland.releaseDue();
      await rt.loopOnce();
      await rt.bland.settle();
      await rt.loopOnce();
      clock.set(clock.now() + STEP_MS);
    }
    // Each call's class, from the call log: a fresh lead's first call; an older lead's first call today (a callback if
    // it was promised one); any later call today to either is a rung.
    const byClass = Object.fromEntries(DIAL_CLASSES.map((c) => [c, { dials: 0, deferred: 0, contacts: 0 }])) as ByClass;
    const calledToday = new Set<string>();
    const first = new Map<string, number>();
    for (const call of rt.bland.calls) {
      const number = String(call.request['phone_number']);
      const cls: DialClass = calledToday.has(number) ? 'rung' : posted.has(number) ? 'fresh' : callbacks.has(number) ? 'callback' : 'first-of-day';
      if (!first.has(number)) first.set(number, call.placedAt);
      calledToday.add(number);
      byClass[cls].dials++;
      if (HUMAN.has(call.outcome)) byClass[cls].contacts++;
    }
    const res = await fetch(`${rt.url}/admin/stats/today`, { headers: { 'x-api-key': rt.apiKey } });
    const today = (await res.json()) as { capacity: { demand: number; dialsPlaced: number; attemptsDeferred: number; projectedShortfall: number; byClass: Record<DialClass, { dials: number; deferred: number }> } };
    for (const cls of DIAL_CLASSES) {
      byClass[cls].deferred = today.capacity.byClass[cls].deferred;
      // The report's own count by class must agree with the call log's.
      if (today.capacity.byClass[cls].dials !== byClass[cls].dials) throw new Error(`report counts ${today.capacity.byClass[cls].dials} ${cls} dials, the call log ${byClass[cls].dials}`);
    }
    const waits = [...posted].filter(([n]) => first.has(n)).map(([n, at]) => (first.get(n)! - at) / 60_000).sort((a, b) => a - b);
    const refused = rt.bland.refused;
    return {
      byClass, demand: today.capacity.demand, dialsPlaced: today.capacity.dialsPlaced, attemptsDeferred: today.capacity.attemptsDeferred,
      projectedShortfall: today.capacity.projectedShortfall, refused429: refused.concurrency + refused.perHour + refused.perDay + refused.sameNumber + refused.rate,
      freshP50Min: waits[Math.floor(waits.length / 2)] ?? NaN, freshDialed: waits.length,
    };
  } finally {
    await rt.stop();
  }
}

async function main(): Promise<void> {
  const began = Date.now();
  const on = await run(true);
  const off = await run(false);
  console.log(`pacing, a business day: ${OLD} older leads (${CALLBACKS} promised a callback), ${FRESH} fresh leads through the day; plan ${PLAN.concurrency} at once, ${PLAN.perHour} an hour, ${PLAN.perDay} a day (${((Date.now() - began) / 1000).toFixed(0)} s)`);
  for (const [name, d] of [['priority on ', on], ['priority off', off]] as const) {
    console.log(`  ${name}: demand ${d.demand}, dials ${d.dialsPlaced}, attempts deferred ${d.attemptsDeferred}, projected shortfall ${d.projectedShortfall}, 429s ${d.refused429}; fresh leads dialed ${d.freshDialed}/${FRESH} (median wait ${d.freshP50Min.toFixed(1)} min)`);
    for (const cls of DIAL_CLASSES) console.log(`    ${cls.padEnd(13)} dials ${String(d.byClass[cls].dials).padStart(5)}  deferred ${String(d.byClass[cls].deferred).padStart(5)}  contacts ${String(d.byClass[cls].contacts).padStart(4)}`);
  }
  const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(2)}x` : '');
  writeBenchResult('pacing-day', { BENCH_DAY_LEADS: OLD }, [
    { measure: 'fresh leads dialed the day they came', figure: `${on.freshDialed}/${FRESH}`, baseline: `${off.freshDialed}/${FRESH}`, ratio: ratio(on.freshDialed, off.freshDialed), goal: 'all', met: on.freshDialed === FRESH, recorded: '' },
    { measure: 'contacts with fresh leads and callbacks', figure: String(on.byClass.fresh.contacts + on.byClass.callback.contacts), baseline: String(off.byClass.fresh.contacts + off.byClass.callback.contacts), ratio: ratio(on.byClass.fresh.contacts + on.byClass.callback.contacts, off.byClass.fresh.contacts + off.byClass.callback.contacts), goal: '', met: null, recorded: '' },
    { measure: 'dials placed (the plan caps the day)', figure: String(on.dialsPlaced), baseline: String(off.dialsPlaced), ratio: '', goal: `<= ${PLAN.perDay}`, met: on.dialsPlaced <= PLAN.perDay, recorded: '' },
    { measure: '429s reaching the dialer', figure: String(on.refused429), baseline: String(off.refused429), ratio: '', goal: '0', met: on.refused429 === 0, recorded: '' },
  ], { on, off });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
