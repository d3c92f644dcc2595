import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../lambdas/adapters/system-clock';
import { makeAcceptLead } from '../../lambdas/app/accept-lead';
import { loopDeps } from '../../lambdas/app/loop-deps';
import { BlandVoiceAgent } from '../../lambdas/adapters/bland/voice-agent.bland';
import { makeBackfill } from '../../lambdas/app/backfill';
import { parseConfig } from '../../lambdas/config/config';
import { CallingWindow } from '../../lambdas/domain/calling-window';
import type { BackfillSummary } from '../../lambdas/ports/backfill';
import { localTarget, runBackfill } from '../../bin/backfill-cli';
import { synthesizeBackfillDefinition } from '../../bin/local-backfill';
import { startLocalRuntime, type LocalRuntime } from '../../bin/local-runtime';
import { crmStateOf, generateHistory, groundTruth, latestCallIds, phoneOf, phoneTruth, saidDncOnCall, type TruthLine } from '../support/backfill-history';

/**
 * The backfill state machine as synthesized from the real stack (bin/local-backfill.ts reads the CloudFormation
 * template), run by aws-local-stepfunctions in the local runtime against the Bland and Convoso simulators and
 * dynalite, over real HTTP. Ground truth comes from the generated history (test/support/backfill-history.ts).
 */

const ZONE = 'America/New_York';
const FROM = '2025-12-01';
const TO = '2026-01-07';
const POOL = 400;
const history = generateHistory({ from: FROM, to: TO, zone: ZONE, seed: 7, phones: POOL, callsPerDay: [25, 60] });
// Small pages and steps, so paging, the Checked? ⇄ CheckDate loop and mid-date checkpoints all run.
// No write-back: the live-loop step below would change Convoso statuses, and the ground truth here is a fixed CRM.
const config = parseConfig({ backfill: { zone: ZONE, pageSize: 10, crmRatePerSecond: 2000, crmBatchSize: 4, phonesPerStep: 7 }, crm: { writeBack: { enabled: false } } });
const phoneOfCall = new Map(history.calls.map((c) => [c.call_id, c.to]));
const indexOfPhone = new Map(Array.from({ length: POOL }, (_, i) => [phoneOf(i), i]));
/**
 * The DNC requests are said on each such number's last call of the whole range only: its earlier calls were voicemail.
 * A phone decided by an earlier date's latest call (not the range's) would be enqueued: a DNC request missed.
 */
const lastCallOfRange = new Set(latestCallIds(history, ZONE, FROM, TO).values());
const dncOnLatest = (phone: string, callId: string) => saidDncOnCall(indexOfPhone.get(phone) ?? -1) && lastCallOfRange.has(callId);
/** Bland's record of a past call: a DNC request on the said numbers' last call, as a webhook would carry it. */
function historyCall(callId: string): Record<string, unknown> | null {
  const phone = phoneOfCall.get(callId);
  if (phone === undefined) return null;
  const said = dncOnLatest(phone, callId);
  return {
    call_id: callId, to: phone, status: 'completed', completed: true, queue_status: 'complete', inbound: false,
    answered_by: said ? 'human' : 'voicemail', call_length: said ? 0.4 : 0.3, disposition_tag: said ? 'DO_NOT_CONTACT' : 'NO_CONTACT_MADE',
    summary: said ? 'The customer asked to be placed on the do not call list.' : null,
  };
}
const NOW = Date.parse('2026-01-20T15:00:00Z');

let runtime: LocalRuntime;
let dataDir: string;
const clock = new ManualClock(NOW);
const definition = synthesizeBackfillDefinition();

/** Leads our store holds before any run: some active with an attempt, some finished. */
const stored = new Map<string, 'ACTIVE' | 'DONE'>();

async function run(input: Record<string, unknown>): Promise<BackfillSummary> {
  const { runId } = await runtime.backfill.start(input);
  await runtime.backfill.wait(runId);
  const status = await runtime.backfill.status(runId);
  expect(status?.execution).toEqual({ state: 'SUCCEEDED', error: null });
  return (await runtime.runs.getSummary(runId))!;
}

/** The per-date lines (calls, unique, new, cumulative, invalid numbers) and the run's totals, counts of distinct phones. */
function expectCountsMatch(summary: BackfillSummary, truth: TruthLine[], stored: ReadonlyMap<string, 'ACTIVE' | 'DONE'>, from = FROM, to = TO) {
  expect(summary.lines.map((l) => l.date)).toEqual(truth.map((t) => t.date));
  for (const [i, t] of truth.entries()) {
    const line = summary.lines[i]!;
    const got = { date: line.date, status: line.status, calls: line.calls, unique: line.unique, new: line.new, cumulative: line.cumulative, invalid: line.invalid };
    expect(got).toEqual({ date: t.date, status: 'done', calls: t.calls, unique: t.unique, new: t.new, cumulative: t.cumulative, invalid: t.failed });
  }
  const p = phoneTruth(history, ZONE, from, to, stored, dncOnLatest);
  const { calls: _calls, invalid: _invalid, ...totals } = summary.totals;
  expect(totals).toEqual({ ...p, failed: 0 });
  const t = summary.totals;
  expect(t.sale + t.dnc + t.notInCrm + t.enqueued + t.alreadyQueued + t.closed + t.failed).toBe(t.unique);
  expect(summary.check).toEqual({ status: 'done', checked: p.unique, total: p.unique, error: null });
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'redial-backfill-'));
  runtime = await startLocalRuntime({
    config, dataDir, tickMs: 0, clock,
    bland: { history: (day) => history.byUtcDay.get(day) ?? [], historyCall, talkMs: 5, ratePerSecond: 10_000 },
    backfill: { retryIntervalMs: 0, definition: () => definition, crmRetry: { retries: 1, baseDelayMs: 1, maxDelayMs: 1, timeoutMs: 2_000, sleep: async () => undefined, random: () => 0 } },
  });
  // Convoso holds every number but the "absent" ones; some DNCs under the DNCL code (config maps it to DNC).
  for (let i = 0; i < POOL; i++) {
    const state = crmStateOf(i);
    if (state === 'absent') continue;
    const status = state === 'SALE' ? 'SALE' : state === 'DNC' ? (i % 20 === 1 ? 'DNCL' : 'DNC') : ['NA', 'A', 'CB'][i % 3]!;
    runtime.convoso.addLead(phoneOf(i), { id: `c${i}`, listId: '10', status });
  }
}, 60_000);

afterAll(async () => {
  await runtime?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Every pool number's lead, read a few at a time (a burst of hundreds of sockets can reset dynalite on a busy CI box). */
async function readPool() {
  const leads = [];
  for (let i = 0; i < POOL; i += 10) leads.push(...await Promise.all(Array.from({ length: Math.min(10, POOL - i) }, (_, k) => runtime.store.get(phoneOf(i + k)))));
  return leads;
}

describe('backfill over 38 dates (2025-12-01 to 2026-01-07), synthesized state machine, simulators', () => {
  it('is exactly the state machine of the CloudFormation template: Plan → Map(FetchDate | RecordFailure) → MergePhones → CheckPhones ⇄ Checked? → Summarize', () => {
    expect(definition.StartAt).toBe('Plan');
    expect(Object.keys(definition.States).sort()).toEqual(['CheckPhones', 'Checked?', 'Dates', 'MergePhones', 'Plan', 'RecordCheckFailure', 'Summarize']);
    const map = definition.States['Dates'] as unknown as { MaxConcurrencyPath: string; Next: string; ItemProcessor: { States: Record<string, unknown> } };
    expect(map.MaxConcurrencyPath).toBe('$.maxConcurrency');
    expect(map.Next).toBe('MergePhones');
    expect(Object.keys(map.ItemProcessor.States).sort()).toEqual(['FetchDate', 'RecordFailure']);
  });

  it('dry run: every count matches the generated history, and no lead changes', async () => {
    const accept = makeAcceptLead(loopDeps({ store: runtime.store, scheduler: runtime.scheduler, agent: null as never, crm: null, clock, newId: () => `seed-${Math.random().toString(36).slice(2)}`, config }));
    // Open numbers our store already holds: every 5th open one active, every 7th finished (a sale the CRM has not got).
    for (let i = 0; i < POOL; i++) {
      if (crmStateOf(i) !== 'open') continue;
      if (i % 5 === 0) {
        await accept({ phone: phoneOf(i) });
        stored.set(phoneOf(i), 'ACTIVE');
      } else if (i % 7 === 0) {
        await accept({ phone: phoneOf(i), status: 'SALE' });
        stored.set(phoneOf(i), 'DONE');
      }
    }
    const before = await readPool();
    const schedulesBefore = runtime.pending().length;

    const searches = runtime.convoso.stats.searches;
    const summary = await run({ from: FROM, to: TO, dryRun: true, runId: 'dry-1' });
    const truth = groundTruth(history, ZONE, stored);
    expect(summary).toMatchObject({ dates: 38, done: 38, failed: 0, dryRun: true });
    expectCountsMatch(summary, truth, stored);
    // One Convoso lookup per distinct phone of the run, however many dates it was called on.
    expect(runtime.convoso.stats.searches - searches).toBe(summary.totals.unique);
    expect(summary.totals.calls).toBe(truth.reduce((n, t) => n + t.calls, 0));
    expect(summary.totals.unique).toBe(truth[truth.length - 1]!.cumulative);

    const after = await readPool();
    expect(after).toEqual(before);
    expect(runtime.pending()).toHaveLength(schedulesBefore);
  }, 120_000);

  it('real run: open numbers are enqueued once with an attempt inside the window; active leads keep theirs; finished ones stay finished', async () => {
    const tokensBefore = new Map<string, string | null>();
    for (const [phone, state] of stored) if (state === 'ACTIVE') tokensBefore.set(phone, (await runtime.store.get(phone))!.scheduleToken);

    const searches = runtime.convoso.stats.searches;
    const summary = await run({ from: FROM, to: TO, runId: 'real-1' });
    const truth = groundTruth(history, ZONE, stored);
    expectCountsMatch(summary, truth, stored);
    expect(runtime.convoso.stats.searches - searches).toBe(summary.totals.unique);
    const openSeen = new Set(history.calls.map((c) => c.to).filter((p) => /^\+1\d{10}$/.test(p) && crmStateOf(Number(p.slice(-4)) - 1000) === 'open'));
    const inRange = new Set(truth.length ? history.calls.filter((c) => c.created_at >= '2025-12-01T05:00:00.000Z' && c.created_at < '2026-01-08T05:00:00.000Z').map((c) => c.to) : []);
    const expectedEnqueued = [...openSeen].filter((p) => inRange.has(p) && !stored.has(p) && !saidDncOnCall(indexOfPhone.get(p)!));
    const saidDnc = [...openSeen].filter((p) => inRange.has(p) && !stored.has(p) && saidDncOnCall(indexOfPhone.get(p)!));
    expect(saidDnc.length).toBeGreaterThan(3);
    // Their DNC request is on their last call only; most were also called on earlier dates (voicemail then).
    const calledOnSeveralDates = saidDnc.filter((p) => new Set(history.calls.filter((c) => c.to === p).map((c) => c.created_at.slice(0, 10))).size > 1);
    expect(calledOnSeveralDates.length).toBeGreaterThan(3);
    for (const phone of saidDnc) expect(await runtime.store.get(phone)).toMatchObject({ status: 'DONE', outcome: 'DNC', nextAttemptAt: null });
    expect(summary.totals.enqueued).toBe(expectedEnqueued.length);
    expect(summary.totals.enqueued).toBeGreaterThan(50);

    const window = new CallingWindow(config.window);
    const pending = runtime.pending();
    for (const phone of expectedEnqueued) {
      const lead = (await runtime.store.get(phone))!;
      expect(lead).toMatchObject({ status: 'ACTIVE', source: expect.stringMatching(/^backfill:real-1\/\d{4}-\d{2}-\d{2}$/) });
      expect(window.isAllowed({ zones: lead.zones, regions: lead.regions, callTimes: lead.recentCallTimes }, lead.nextAttemptAt!).allowed).toBe(true);
      expect(pending.filter((s) => s.message.phone === phone)).toHaveLength(1);
    }
    for (const [phone, token] of tokensBefore) expect((await runtime.store.get(phone))!.scheduleToken).toBe(token);
    for (const [phone, state] of stored) if (state === 'DONE') expect((await runtime.store.get(phone))!.status).toBe('DONE');
    // SALE, DNC and unknown numbers never became leads.
    for (let i = 0; i < POOL; i++) if (crmStateOf(i) !== 'open') expect(await runtime.store.get(phoneOf(i))).toBeNull();
    // No pending attempt for a number that said DNC on a call.
    expect(runtime.pending().filter((p) => saidDnc.includes(p.message.phone))).toEqual([]);
  }, 120_000);

  it('a second full run enqueues nothing new', async () => {
    const summary = await run({ from: FROM, to: TO, runId: 'real-2' });
    expect(summary.totals.enqueued).toBe(0);
    expect(summary.totals.alreadyQueued).toBeGreaterThan(0);
  }, 120_000);

  it('the live loop dials the enqueued leads inside the calling window', async () => {
    const window = new CallingWindow(config.window);
    const placed = runtime.bland.calls.length;
    const firstDue = runtime.nextAt()!;
    clock.set(firstDue);
    await runtime.loopOnce();
    const dials = runtime.bland.calls.slice(placed);
    expect(dials.length).toBeGreaterThan(0);
    for (const call of dials) {
      const lead = (await runtime.store.get(String(call.request['phone_number'])))!;
      expect(window.isAllowed({ zones: lead.zones, regions: lead.regions, callTimes: [] }, call.placedAt).allowed).toBe(true);
    }
    await runtime.bland.settle();
  }, 60_000);
});

describe('backfill faults and resume', () => {
  it('Bland 500s and 429s on some pages are retried and the counts stay exact', async () => {
    runtime.bland.listFaults.failNext(500, 429, 500, 503, 429, 500, 500, 500, 500);
    const summary = await run({ from: '2025-12-10', to: '2025-12-14', dryRun: true, runId: 'faults-1' });
    expect(summary).toMatchObject({ done: 5, failed: 0 });
    const truth = groundTruth(history, ZONE, new Map()).filter((t) => t.date >= '2025-12-10' && t.date <= '2025-12-14');
    expect(summary.lines.map((l) => [l.calls, l.unique])).toEqual(truth.map((t) => [t.calls, t.unique]));
  }, 120_000);

  it('a page served twice is caught (never looped over or counted twice), and the retried date is exact', async () => {
    const bland = new BlandVoiceAgent({ baseUrl: runtime.bland.url, apiKey: 'sim-bland-key', task: 't', maxDurationMinutes: 12, webhookUrl: 'http://127.0.0.1:1/' });
    let requests = 0;
    const calls = {
      getCall: (id: string) => bland.getCall(id),
      listCalls: (query: Parameters<BlandVoiceAgent['listCalls']>[0]) => {
        // The third request gets the second page again, as Bland's pagination has been seen to do.
        if (++requests === 3) runtime.bland.listFaults.repeatNextPage();
        return bland.listCalls(query);
      },
    };
    const backfill = makeBackfill({
      config, clock, calls, crm: { findByPhone: async () => null }, leads: runtime.store, runs: runtime.runs,
      artifacts: { put: async () => undefined, get: async () => null }, acceptLead: async () => {
        throw new Error('not used');
      },
    });
    await backfill.plan({ from: '2025-12-20', to: '2025-12-20', dryRun: true, runId: 'repeat-1' });
    const task = { runId: 'repeat-1', date: '2025-12-20', dryRun: true, maxConcurrency: 1 };
    await expect(backfill.fetchDate(task)).rejects.toThrow(/2025-12-20: Bland's call list made no progress at offset 20/);
    expect(await runtime.runs.getDate('repeat-1', '2025-12-20')).toBeNull();
    const truth = groundTruth(history, ZONE, new Map()).find((t) => t.date === '2025-12-20')!;
    await expect(backfill.fetchDate(task)).resolves.toMatchObject({ calls: truth.calls, unique: truth.unique });
    expect(await runtime.runs.getDate('repeat-1', '2025-12-20')).toMatchObject({ calls: truth.calls, unique: truth.unique, status: 'done' });
  }, 60_000);

  it('a date that keeps failing is reported, the rest complete, and a rerun with the same runId does only that date', async () => {
    // 2025-12-16 in New York is asked for from the UTC day before it (start_date 2025-12-15).
    runtime.bland.listFaults.failDay('2025-12-15');
    const { runId } = await runtime.backfill.start({ from: '2025-12-15', to: '2025-12-18', dryRun: true, runId: 'failing-1' });
    await runtime.backfill.wait(runId);
    const first = (await runtime.runs.getSummary(runId))!;
    expect(first).toMatchObject({ done: 3, failed: 1, failedDates: ['2025-12-16'], check: null });
    expect(first.lines.find((l) => l.date === '2025-12-16')!.error).toMatch(/bland.*HTTP 500/i);
    // No phone is decided from a range with a hole in it: every phone fetched so far is "failed" (not decided).
    expect(first.totals.failed).toBe(first.totals.unique);
    expect(first.totals.unique).toBeGreaterThan(0);

    runtime.bland.listFaults.failDay('2025-12-15', false);
    const doneAt = new Map((await runtime.runs.listDates(runId)).map((d) => [d.date, d.updatedAt]));
    clock.advance(60_000);
    await runtime.backfill.resume(runId);
    await runtime.backfill.wait(runId);
    const dates = await runtime.runs.listDates(runId);
    for (const d of dates) {
      if (d.date === '2025-12-16') expect(d).toMatchObject({ status: 'done', error: null });
      else expect(d.updatedAt).toBe(doneAt.get(d.date));
    }
    const second = (await runtime.runs.getSummary(runId))!;
    expect(second).toMatchObject({ done: 4, failed: 0 });
    const truth = groundTruth(history, ZONE, new Map()).filter((t) => t.date >= '2025-12-15' && t.date <= '2025-12-18');
    expect(second.lines.map((l) => [l.calls, l.unique])).toEqual(truth.map((t) => [t.calls, t.unique]));
    expect(second.totals.failed).toBe(0);
    expect(second.check).toMatchObject({ status: 'done', checked: second.totals.unique });
  }, 180_000);

  it('a Convoso outage fails the phone check (nothing counted as checked), and a resume completes it exactly, each phone once', async () => {
    runtime.convoso.setDown(true);
    const { runId } = await runtime.backfill.start({ from: '2025-12-22', to: '2025-12-24', dryRun: true, runId: 'convoso-down' });
    await runtime.backfill.wait(runId);
    const down = (await runtime.runs.getSummary(runId))!;
    expect(down).toMatchObject({ done: 3, failed: 0, check: { status: 'failed', checked: 0 } });
    expect(down.check!.error).toMatch(/convoso.*503/i);
    expect(down.totals).toMatchObject({ sale: 0, dnc: 0, notInCrm: 0, enqueued: 0, failed: down.totals.unique });
    runtime.convoso.setDown(false);
    clock.advance(60_000);
    const searches = runtime.convoso.stats.searches;
    await runtime.backfill.resume(runId);
    await runtime.backfill.wait(runId);
    const up = (await runtime.runs.getSummary(runId))!;
    expect(up).toMatchObject({ done: 3, failed: 0, check: { status: 'done' } });
    const p = phoneTruth(history, ZONE, '2025-12-22', '2025-12-24', new Map(), dncOnLatest);
    expect([up.totals.unique, up.totals.sale, up.totals.notInCrm, up.totals.failed]).toEqual([p.unique, p.sale, p.notInCrm, 0]);
    expect(runtime.convoso.stats.searches - searches).toBe(p.unique);
  }, 120_000);

  it('a resume keeps the run\'s concurrency: a run started with maxConcurrency 1 fetches one date at a time again', async () => {
    runtime.bland.listFaults.failDay('2025-12-27');
    const { runId } = await runtime.backfill.start({ from: '2025-12-26', to: '2025-12-30', dryRun: true, runId: 'one-at-a-time', maxConcurrency: 1 });
    await runtime.backfill.wait(runId);
    expect((await runtime.runs.getSummary(runId))!.failed).toBe(1);
    runtime.bland.listFaults.failDay('2025-12-27', false);
    expect((await runtime.runs.getRun(runId))!.maxConcurrency).toBe(1);
    await runtime.backfill.resume(runId);
    await runtime.backfill.wait(runId);
    expect((await runtime.runs.getRun(runId))!.maxConcurrency).toBe(1);
    expect((await runtime.runs.getSummary(runId))!).toMatchObject({ failed: 0, check: { status: 'done' } });
  }, 120_000);

  it('bad input fails at once with a message naming the problem', async () => {
    await expect(runtime.backfill.start({ from: '2026-01-07', to: '2025-12-01' })).rejects.toThrow('from (2026-01-07) is after to (2025-12-01)');
    await expect(runtime.backfill.start({ from: '2020-01-01', to: '2026-01-07' })).rejects.toThrow(/at most 400 per run/);
    await expect(runtime.backfill.start({ from: '2025-12-01', to: '2025-13-01' })).rejects.toThrow(/to: is not a calendar date/);
    await expect(runtime.backfill.start({ from: FROM, to: TO, runId: 'dry-1' })).rejects.toThrow(/run dry-1 covers .* as a dry run/);
  }, 60_000);
});

describe('npx redial backfill against the local runtime', () => {
  it('start --dry-run prints per-date progress and the summary table; status prints it again', async () => {
    const out: string[] = [];
    const io = { out: (l: string) => out.push(l), sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)) };
    const code = await runBackfill(['start', '--from', '2025-12-01', '--to', '2025-12-05', '--dry-run', '--run-id', 'cli-1', '--url', runtime.url, '--poll-ms', '20'], clock, io);
    expect(code).toBe(0);
    const truth = groundTruth(history, ZONE, stored).slice(0, 5);
    expect(out[0]).toBe('backfill cli-1 started: 2025-12-01 to 2025-12-05 (dry run: stats only, no lead changes)');
    expect(out).toContainEqual(expect.stringMatching(/^day 5 of 5, phones (\d+) of \1, finished$/));
    for (const t of truth) {
      expect(out).toContainEqual(expect.stringMatching(new RegExp(`^${t.date}: +${t.calls} calls \\| +${t.unique} unique \\| +${t.new} new \\| +${t.cumulative} total`)));
    }
    const p = phoneTruth(history, ZONE, '2025-12-01', '2025-12-05', stored, dncOnLatest);
    const total = out.find((l) => l.startsWith('total: '))!;
    expect(total).toContain(`${p.unique} unique phones | sale ${p.sale}, dnc `);
    expect(total).toMatch(/\(dry run: nothing was enqueued\)$/);
    // Every figure counts distinct phones: the outcomes add up to the unique phones.
    const figures = /sale (\d+), dnc (\d+), not in CRM (\d+), enqueued (\d+), already queued (\d+), closed (\d+), failed (\d+)/.exec(total)!.slice(1).map(Number);
    expect(figures.reduce((a, b) => a + b, 0)).toBe(p.unique);

    const status: string[] = [];
    expect(await runBackfill(['status', 'cli-1', '--url', runtime.url], clock, { ...io, out: (l) => status.push(l) })).toBe(0);
    expect(status[0]).toMatch(/^backfill cli-1: backfill 2025-12-01 to 2025-12-05 \(dry run\); execution SUCCEEDED; day 5 of 5, phones (\d+) of \1, finished$/);
    expect(await localTarget(runtime.url, 'wrong-key').status('cli-1').catch((e: Error) => e.message)).toBe('missing or wrong X-API-Key');
  }, 60_000);
});
