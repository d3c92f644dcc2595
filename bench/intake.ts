/**
 * Speed to lead at intake (the speed-to-lead issue's "why", measured as it was): N leads posted inside the calling
 * window at C concurrent requests to the local runtime on its own timer, real time (speed 1), and each lead's first
 * call timed from its POST to the Bland simulator placing it. The plan is set above the load (an Enterprise plan's
 * limits) so what is measured is redial's own path from intake to dial, not the plan's pace (bench/pacing.ts measures
 * that). Baseline, same run: one lead posted alone (the floor of the path). Sizes: BENCH_INTAKE_LEADS (default
 * 1,000 and 10,000, comma-separated), BENCH_INTAKE_CONCURRENCY (default 20).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalRuntime, type LocalRuntime } from '../bin/local-runtime';
import { parseConfig } from '../lambdas/config/config';
import { writeBenchResult } from './results';

const SIZES = (process.env.BENCH_INTAKE_LEADS ?? '1000,10000').split(',').map(Number);
const CONCURRENCY = Number(process.env.BENCH_INTAKE_CONCURRENCY ?? 20);
const OPENING = Date.parse('2026-07-15T15:00:00Z'); // Wed 11:00 EDT
const PLAN = { concurrency: 100_000, perHour: null, perDay: null };

interface Latency {
  readonly leads: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly dialed: number;
  readonly postSeconds: number;
}

const percentile = (sorted: readonly number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;

async function measure(leads: number): Promise<Latency> {
  const rt: LocalRuntime = await startLocalRuntime({
    config: parseConfig({ pacer: { plan: 'scale', ...PLAN } }),
    dataDir: mkdtempSync(join(tmpdir(), 'redial-bench-intake-')),
    startAt: OPENING,
    tickMs: 25,
    // Calls end at once with no answer: every lead's first call is what is timed.
    bland: { talkMs: 0, dropRate: 0, duplicateRate: 0, ratePerSecond: 1_000_000, seed: 9, weights: { 'no-answer': 1 } },
  });
  try {
    const postedAt = new Map<string, number>();
    const numbers = Array.from({ length: leads }, (_, i) => `+1212${String(7_000_000 + i).padStart(7, '0')}`);
    const began = Date.now();
    let next = 0;
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, leads) }, async () => {
      while (next < numbers.length) {
        const number = numbers[next++]!;
        postedAt.set(number, rt.clock.now());
        const res = await fetch(`${rt.url}/leads`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': rt.apiKey }, body: JSON.stringify({ phone: number, state: 'NY' }) });
        if (res.status !== 202) throw new Error(`intake answered ${res.status}`);
      }
    }));
    const postSeconds = (Date.now() - began) / 1000;
    const first = new Map<string, number>();
    const deadline = Date.now() + 600_000;
    while (first.size < leads && Date.now() < deadline) {
      for (const call of rt.bland.calls) {
        const number = String(call.request['phone_number']);
        if (!first.has(number)) first.set(number, call.placedAt);
      }
      if (first.size < leads) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const latencies = numbers.map((n) => (first.get(n) ?? Infinity) - postedAt.get(n)!).sort((a, b) => a - b);
    return { leads, p50Ms: percentile(latencies, 0.5), p99Ms: percentile(latencies, 0.99), maxMs: latencies.at(-1)!, dialed: first.size, postSeconds };
  } finally {
    await rt.stop();
  }
}

async function main(): Promise<void> {
  const lone = await measure(1);
  const runs: Latency[] = [];
  for (const n of SIZES) runs.push(await measure(n));
  const s = (ms: number) => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(2)} s` : 'not dialed');
  console.log(`intake: leads posted inside the window at ${CONCURRENCY} concurrent requests, real time, first call timed from the POST (plan above the load)`);
  console.log(`  1 lead alone (baseline): ${s(lone.p50Ms)}`);
  for (const r of runs) console.log(`  ${r.leads} leads (posted in ${r.postSeconds.toFixed(1)} s): first call p50 ${s(r.p50Ms)}, p99 ${s(r.p99Ms)}, max ${s(r.maxMs)}; dialed ${r.dialed}/${r.leads}`);
  writeBenchResult('intake', { BENCH_INTAKE_LEADS: Math.max(...SIZES), BENCH_INTAKE_CONCURRENCY: CONCURRENCY }, [
    { measure: 'a lone lead: POST to first call', figure: s(lone.p50Ms), baseline: '', ratio: '', goal: '<= 2 s', met: lone.p50Ms <= 2_000, recorded: '' },
    ...runs.map((r) => ({
      measure: `${r.leads} leads at ${CONCURRENCY} at once: first call p99`, figure: s(r.p99Ms), baseline: s(lone.p50Ms),
      ratio: lone.p50Ms > 0 && Number.isFinite(r.p99Ms) ? `${(r.p99Ms / lone.p50Ms).toFixed(1)}x` : '', goal: 'seconds', met: r.dialed === r.leads && r.p99Ms <= 10_000, recorded: r.leads === 1_000 ? 'p99 65.7 s before the speed-to-lead issue' : r.leads === 10_000 ? 'p99 257 s before the speed-to-lead issue' : '',
    })),
  ], { lone, runs });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
