/**
 * One measured backfill in its own process (bench/backfill.ts starts it): MODE=ours runs the backfill use cases date by
 * date (dry run); MODE=baseline does what the replaced script did: every call of the range into memory, then dedupe.
 * Prints one JSON line: calls, distinct numbers, seconds, fetching seconds, peak RSS.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoBackfillStore } from '../lambdas/adapters/aws/backfill-store.dynamodb';
import { DynamoLeadStore, documentClientFrom } from '../lambdas/adapters/aws/lead-store.dynamodb';
import { BlandVoiceAgent } from '../lambdas/adapters/bland/voice-agent.bland';
import { ConvosoCrm } from '../lambdas/adapters/convoso/crm.convoso';
import { FsArtifactStore } from '../lambdas/adapters/local/artifacts.fs';
import { RateLimitedCrm, TokenBucket } from '../lambdas/adapters/rate-limit';
import { ManualClock } from '../lambdas/adapters/system-clock';
import { dayBounds, makeBackfill } from '../lambdas/app/backfill';
import { parseConfig } from '../lambdas/config/config';
import { normalizePhone } from '../lambdas/domain/phone';

// Run with --expose-gc: collecting after each date (ours) or page (baseline) makes peak RSS measure what is kept,
// not how lazily V8 collects garbage.
const collect = () => (globalThis as { gc?: () => void }).gc?.();

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

/** BENCH_DIAG=1: where the memory goes (rss, heap, external, array buffers at each phase, sampled peaks). */
const diag = process.env['BENCH_DIAG'] === '1';
const peaks = { rss: 0, heap: 0, external: 0 };
if (diag) {
  setInterval(() => {
    const m = process.memoryUsage();
    peaks.rss = Math.max(peaks.rss, m.rss);
    peaks.heap = Math.max(peaks.heap, m.heapUsed);
    peaks.external = Math.max(peaks.external, m.external + m.arrayBuffers);
  }, 20).unref();
}
const phase = (name: string) => {
  if (!diag) return;
  const m = process.memoryUsage();
  const mb = (n: number) => (n / 1048576).toFixed(0);
  process.stderr.write(`${name}: rss ${mb(m.rss)} heap ${mb(m.heapUsed)}/${mb(m.heapTotal)} ext ${mb(m.external)} ab ${mb(m.arrayBuffers)} | peaks rss ${mb(peaks.rss)} heap ${mb(peaks.heap)} ext ${mb(peaks.external)}\n`);
};

async function main(): Promise<void> {
  const config = parseConfig({ backfill: { crmRatePerSecond: Number(env('RATE')), crmBatchSize: 200, phonesPerStep: 100_000 } });
  const clock = new ManualClock(Date.parse('2026-02-01T15:00:00Z'));
  const bland = new BlandVoiceAgent({ baseUrl: env('BLAND'), apiKey: 'bench', task: 'bench', maxDurationMinutes: 12, webhookUrl: 'http://127.0.0.1:1/' });
  const from = env('FROM');
  const to = env('TO');
  const t0 = performance.now();
  let fetchMs = 0;
  let checkMs = 0;
  let calls: number;
  let unique: number;
  let lookups = 0;

  if (env('MODE') === 'baseline') {
    // The replaced design: the whole range into one array, then the latest call per number and date.
    const all: { callId: string; customer: string; createdAt: number }[] = [];
    const { start } = dayBounds(from, config.backfill.zone);
    const { end } = dayBounds(to, config.backfill.zone);
    for (let offset = 0; ; ) {
      const page = await bland.listCalls({ startDate: from, endDate: new Date(end + 86_400_000).toISOString().slice(0, 10), offset, limit: 1000 });
      all.push(...page.calls);
      collect();
      offset += page.calls.length;
      if (page.calls.length < 1000) break;
    }
    const inRange = all.filter((c) => c.createdAt >= start && c.createdAt < end);
    const latest = new Map<string, (typeof all)[number]>();
    for (const c of inRange) {
      const parsed = normalizePhone(c.customer);
      if (!parsed.ok) continue;
      const key = parsed.phone;
      const seen = latest.get(key);
      if (!seen || seen.createdAt <= c.createdAt) latest.set(key, c);
    }
    fetchMs = performance.now() - t0;
    calls = inRange.length;
    unique = latest.size;
  } else {
    const doc = documentClientFrom(new DynamoDBClient({ endpoint: env('DYNAMO'), region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }));
    const dir = mkdtempSync(join(tmpdir(), 'redial-bench-'));
    const bucket = new TokenBucket(config.backfill.crmRatePerSecond, 1, () => performance.now(), (ms) => new Promise((r) => setTimeout(r, ms)));
    const crm = new RateLimitedCrm(new ConvosoCrm({ baseUrl: env('CONVOSO'), authToken: 'bench' }), bucket);
    const counting = { findByPhone: (phone: string) => (lookups++, crm.findByPhone(phone)) };
    const backfill = makeBackfill({
      config, clock, calls: bland, crm: counting, leads: new DynamoLeadStore(doc, env('TABLE')), runs: new DynamoBackfillStore(doc, env('TABLE')),
      artifacts: new FsArtifactStore(dir),
      acceptLead: () => Promise.reject(new Error('dry run: nothing is enqueued')),
    });
    try {
      const plan = await backfill.plan({ from, to, dryRun: true, runId: 'bench' });
      const run = { runId: plan.runId, dryRun: true, maxConcurrency: 1 };
      for (const date of plan.dates) {
        const f0 = performance.now();
        await backfill.fetchDate({ ...run, date });
        fetchMs += performance.now() - f0;
        collect();
        phase(`${date} fetched`);
      }
      const c0 = performance.now();
      let progress = await backfill.mergePhones(run);
      while (!progress.done) progress = await backfill.checkPhones(run);
      checkMs += performance.now() - c0;
      collect();
      phase('phones checked');
      const summary = await backfill.summarize({ runId: plan.runId });
      phase('summarized');
      calls = summary.totals.calls;
      unique = summary.totals.unique;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  const maxRssMb = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(`${JSON.stringify({ mode: env('MODE'), calls, unique, lookups, seconds, fetchSeconds: fetchMs / 1000, checkSeconds: checkMs / 1000, maxRssMb })}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
