/**
 * npm run bench: CallingWindow.nextAllowedAt against a minute-by-minute scan baseline, measured in the same run.
 * Prints ratios, not absolute times as pass/fail: machines here are shared and noisy.
 *
 * Workload: 100,000 decisions for leads across every state and zone pattern, at instants spread over 2026-2027
 * (DST switches and holidays included), some with recent calls (state caps). The scan baseline (isAllowed at
 * `after`, then at each following whole minute) is far too slow to run 100,000 times, so it runs on an evenly
 * spaced sample of the same inputs and the per-decision means are compared. Both must agree on every sampled input.
 */
import { performance } from 'node:perf_hooks';
import { DEFAULT_CONFIG } from '../lambdas/config/config';
import { CallingWindow, type WindowSubject } from '../lambdas/domain/calling-window';
import { REGION_ZONES } from '../lambdas/domain/regions';
import { seededRandom } from '../sim/random';
import { fixed, writeBenchResult } from './results';

const DECISIONS = Number(process.env.BENCH_DECISIONS ?? 100_000);
const SAMPLE = Number(process.env.BENCH_SAMPLE ?? 500);
const MINUTE = 60_000;

const random = seededRandom(20261124);
const regions = Object.keys(REGION_ZONES);
const start = Date.parse('2026-01-01T00:00:00Z');
const span = Date.parse('2028-01-01T00:00:00Z') - start;
const inputs: { subject: WindowSubject; after: number }[] = [];
for (let i = 0; i < DECISIONS; i++) {
  const region = regions[Math.floor(random() * regions.length)]!;
  const after = start + Math.floor(random() * span);
  const calls = random() < 0.3 ? Array.from({ length: 1 + Math.floor(random() * 4) }, () => after - Math.floor(random() * 20 * 60) * MINUTE) : [];
  inputs.push({ subject: { zones: REGION_ZONES[region]!, regions: [region], callTimes: calls }, after });
}

const window = new CallingWindow(DEFAULT_CONFIG.window);

function scan(subject: WindowSubject, after: number): number | null {
  if (window.isAllowed(subject, after).allowed) return after;
  const limit = after + window.horizonMs;
  for (let t = Math.ceil(after / MINUTE) * MINUTE; t <= limit; t += MINUTE) {
    if (window.isAllowed(subject, t).allowed) return t;
  }
  return null;
}

// Warm both paths (JIT, offset and holiday caches) before timing.
for (let i = 0; i < 2_000; i++) window.nextAllowedAt(inputs[i]!.subject, inputs[i]!.after);
for (let i = 0; i < 20; i++) scan(inputs[i]!.subject, inputs[i]!.after);

const heapBefore = process.memoryUsage().heapUsed;
let t0 = performance.now();
const answers: (number | null)[] = new Array(DECISIONS);
for (let i = 0; i < DECISIONS; i++) answers[i] = window.nextAllowedAt(inputs[i]!.subject, inputs[i]!.after);
const fastMs = performance.now() - t0;
const heapAfter = process.memoryUsage().heapUsed;

const step = Math.max(1, Math.floor(DECISIONS / SAMPLE));
let sampled = 0;
let disagreements = 0;
t0 = performance.now();
for (let i = 0; i < DECISIONS; i += step) {
  const expected = scan(inputs[i]!.subject, inputs[i]!.after);
  const got = answers[i]!;
  sampled++;
  if ((expected === null) !== (got === null) || (expected !== null && got !== null && (expected < got || expected - got >= MINUTE))) disagreements++;
}
const scanMs = performance.now() - t0;

const fastPer = fastMs / DECISIONS;
const scanPer = scanMs / sampled;
console.log(`nextAllowedAt: ${DECISIONS.toLocaleString('en-US')} decisions in ${fastMs.toFixed(0)} ms (${(fastPer * 1000).toFixed(1)} µs each)`);
console.log(`minute scan baseline: ${sampled} of the same decisions in ${scanMs.toFixed(0)} ms (${(scanPer * 1000).toFixed(1)} µs each)`);
console.log(`ratio: nextAllowedAt takes ${(fastPer / scanPer).toFixed(5)}x the baseline time per decision (${(scanPer / fastPer).toFixed(0)}x faster)`);
console.log(`heap growth over the 100k run: ${((heapAfter - heapBefore) / 1024 / 1024).toFixed(1)} MiB (answers array included)`);
console.log(`agreement with the scan on the sample: ${sampled - disagreements}/${sampled}`);
writeBenchResult('decisions', { BENCH_DECISIONS: DECISIONS, BENCH_SAMPLE: SAMPLE }, [
  {
    measure: 'decisions: nextAllowedAt per decision',
    figure: `${fixed(fastPer * 1000)} µs`,
    baseline: `${fixed(scanPer * 1000)} µs (minute scan)`,
    ratio: `${(fastPer / scanPer).toFixed(5)}x (${(scanPer / fastPer).toFixed(0)}x faster)`,
    goal: 'faster than the minute scan (issue 3)',
    met: fastPer < scanPer,
    recorded: '16.7 vs 2,674 µs: 0.00625x (160x faster)',
  },
  {
    measure: 'decisions: agreement with the minute scan',
    figure: `${sampled - disagreements}/${sampled}`,
    baseline: '',
    ratio: '',
    goal: 'every sampled input (issue 3)',
    met: disagreements === 0,
    recorded: '500/500',
  },
]);
if (disagreements > 0) {
  console.error('nextAllowedAt disagrees with the minute scan: see test/unit/domain/calling-window.property.test.ts');
  process.exitCode = 1;
}
