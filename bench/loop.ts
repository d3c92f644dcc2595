/**
 * npm run bench (part 2): the live loop's throughput on dynalite + the local adapters, against a baseline that
 * reproduces the replaced design (the whole queue as one JSON file, read and rewritten on every update), both
 * measured in this run on the same work: N leads through intake, then 8 outcomes each (dial + outcome).
 * Prints leads/s for both, their ratio, and peak RSS. BENCH_LEADS sets N (default 10,000). The baseline's cost per
 * update grows with the queue, so it is measured as BENCH_BASELINE_UPDATES updates on a queue file already holding
 * all N leads, and its leads/s computed from that per-update cost (1 intake + 8 x (dial + outcome) = 17 updates a
 * lead). Its intake updates on a smaller file would be cheaper, which flatters the baseline slightly.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DynamoLeadStore } from '../lambdas/adapters/aws/lead-store.dynamodb';
import { LocalAttemptScheduler } from '../lambdas/adapters/local/attempt-scheduler.local';
import { startLocalDynamo } from '../lambdas/adapters/local/dynalite';
import { ManualClock } from '../lambdas/adapters/system-clock';
import { makeAcceptLead } from '../lambdas/app/accept-lead';
import { makeDialLead } from '../lambdas/app/dial-lead';
import { loopDeps } from '../lambdas/app/loop-deps';
import { makeRecordCallOutcome } from '../lambdas/app/record-call-outcome';
import { parseConfig } from '../lambdas/config/config';
import type { DialMessage } from '../lambdas/ports/attempt-scheduler';
import type { VoiceAgent } from '../lambdas/ports/voice-agent';
import { fixed, writeBenchResult } from './results';

const LEADS = Number(process.env.BENCH_LEADS ?? 10_000);
const BASELINE_UPDATES = Number(process.env.BENCH_BASELINE_UPDATES ?? 1_000);
const UPDATES_PER_LEAD = 1 + 2 * 8;
const OUTCOMES_PER_LEAD = 8;
const START = Date.parse('2026-07-15T15:00:00Z');

let peakRss = 0;
const sampleRss = () => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
};
const rssTimer = setInterval(sampleRss, 100);

const phoneOf = (i: number) => `+1212${String(2_000_000 + i).padStart(7, '0')}`;

async function redial(n: number): Promise<number> {
  const dynamo = await startLocalDynamo({ tableName: 'bench-loop' });
  const store = new DynamoLeadStore(dynamo.doc, dynamo.tableName);
  const clock = new ManualClock(START);
  const due: DialMessage[] = [];
  const scheduler = new LocalAttemptScheduler(store, async (m) => {
    due.push(m);
  }, clock);
  let calls = 0;
  const agent: VoiceAgent = {
    placeCall: async () => ({ callId: `c${++calls}` }),
    getCall: async () => null,
  };
  let ids = 0;
  const config = parseConfig({ dialer: { preDialCrmCheck: false }, window: { business: { start: '00:00', end: '23:59', days: [1, 2, 3, 4, 5, 6, 7] }, federalHolidayBlackout: false } });
  const deps = loopDeps({ store, scheduler, agent, crm: null, clock, newId: () => `t${++ids}`, config });
  const accept = makeAcceptLead(deps);
  const dial = makeDialLead(deps);
  const record = makeRecordCallOutcome(deps);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await accept({ phone: phoneOf(i), state: 'NY' });
  for (let round = 0; round < OUTCOMES_PER_LEAD; round++) {
    clock.advance(3 * 3_600_000); // every attempt is due
    for (const s of scheduler.list()) if (s.message.kind === 'dial') await dial(s.message);
    for (let c = calls - n + 1; c <= calls; c++) {
      if (c > 0) await record({ call_id: `c${c}`, status: 'no-answer', answered_by: 'no-answer' });
    }
    sampleRss();
  }
  const seconds = (performance.now() - t0) / 1000;
  await dynamo.stop();
  return n / seconds;
}

/** The replaced design: every update reads the whole queue file, changes one lead, writes the whole file back. */
function jsonFileQueue(n: number): number {
  const dir = mkdtempSync(join(tmpdir(), 'redial-json-'));
  const file = join(dir, 'queue.json');
  const queue: Record<string, Record<string, unknown>> = {};
  for (let i = 0; i < n; i++) {
    queue[phoneOf(i)] = { phone: phoneOf(i), state: 'NY', status: 'ACTIVE', attempts: 4, nextAttemptAt: START, lastOutcome: 'NO_ANSWER', calls: [0, 1, 2, 3] };
  }
  writeFileSync(file, JSON.stringify(queue));
  const update = (phone: string, change: (lead: Record<string, unknown>) => Record<string, unknown>) => {
    const current = JSON.parse(readFileSync(file, 'utf8')) as Record<string, Record<string, unknown>>;
    current[phone] = change(current[phone] ?? {});
    writeFileSync(file, JSON.stringify(current));
  };
  const t0 = performance.now();
  for (let u = 0; u < BASELINE_UPDATES; u++) {
    const phone = phoneOf(u % n);
    update(phone, (l) => ({ ...l, attempts: Number(l['attempts']) + 1, lastCallId: `c${u}` }));
    if (u % 100 === 0) sampleRss();
  }
  const perUpdateS = (performance.now() - t0) / 1000 / BASELINE_UPDATES;
  rmSync(dir, { recursive: true, force: true });
  return 1 / (perUpdateS * UPDATES_PER_LEAD);
}

export async function runLoopBench(): Promise<void> {
  const baseline = jsonFileQueue(LEADS);
  const loop = await redial(LEADS);
  clearInterval(rssTimer);
  sampleRss();
  console.log(`loop: ${LEADS.toLocaleString('en-US')} leads x (intake + ${OUTCOMES_PER_LEAD} dials and outcomes) on dynalite + local adapters: ${loop.toFixed(1)} leads/s`);
  console.log(`baseline (one JSON file of ${LEADS.toLocaleString('en-US')} leads rewritten per update; ${BASELINE_UPDATES} updates timed, ${UPDATES_PER_LEAD} per lead): ${baseline.toFixed(1)} leads/s`);
  console.log(`ratio: the loop processes ${(loop / baseline).toFixed(2)}x the baseline's leads per second`);
  console.log(`peak RSS: ${(peakRss / 1024 / 1024).toFixed(0)} MiB`);
  writeBenchResult('loop', { BENCH_LEADS: LEADS, BENCH_BASELINE_UPDATES: BASELINE_UPDATES }, [
    {
      measure: `loop: leads/s (${LEADS.toLocaleString('en-US')} leads, intake + 8 dials and outcomes)`,
      figure: `${fixed(loop)} leads/s`,
      baseline: `${fixed(baseline)} leads/s (one JSON file)`,
      ratio: `${(loop / baseline).toFixed(2)}x`,
      // Below a few thousand leads the JSON file is faster (docs/architecture.md): the goal is judged at 10,000.
      goal: '> 1x at 10,000 leads (issue 4)',
      met: LEADS >= 10_000 ? loop > baseline : null,
      recorded: '9.3 vs 1.9 leads/s: 4.87x at 10,000',
    },
    {
      measure: `loop: peak RSS (${LEADS.toLocaleString('en-US')} leads)`,
      figure: `${(peakRss / 1024 / 1024).toFixed(0)} MiB`,
      baseline: '',
      ratio: '',
      goal: '',
      met: null,
      recorded: '1,528 MiB at 10,000 (mostly dynalite)',
    },
  ]);
}

if (require.main === module) void runLoopBench();
