import { DateTime } from 'luxon';
import { z } from 'zod';
import type { BackfillConfig, Config } from '../config/config';
import { maskPhone, normalizePhone } from '../domain/phone';
import type { Clock } from '../ports/clock';
import type { Crm } from '../ports/crm';
import {
  DateConflictError,
  ZERO_COUNTS,
  type ArtifactStore,
  type BackfillDate,
  type BackfillRun,
  type BackfillStore,
  type BackfillSummary,
  type CallLog,
  type DateCounts,
  type RunKind,
  type SummaryLine,
} from '../ports/backfill';
import type { LeadStore } from '../ports/lead-store';
import type { VoiceAgent } from '../ports/voice-agent';
import { crmTerminal } from '../ports/crm';
import { CallClassifier } from '../domain/classify-call';
import type { AcceptLeadResult, LeadIntake } from './accept-lead';

/**
 * The backfill / reconcile workflow, one use case per state of the Step Functions state machine (lib/backfill.ts):
 *   plan → Map(date: fetchDate → checkDate … → done | recordFailure) → summarize
 * Between states only keys and counts travel; call lists stay in the platform, phone lists in the ArtifactStore.
 */

export interface BackfillDeps {
  readonly config: Config;
  readonly clock: Clock;
  /** Bland: the call list, and the full call (a number new to us has its latest call classified before it is enqueued). */
  readonly calls: CallLog & Pick<VoiceAgent, 'getCall'>;
  readonly crm: Crm;
  readonly leads: LeadStore;
  readonly runs: BackfillStore;
  readonly artifacts: ArtifactStore;
  readonly acceptLead: (intake: LeadIntake) => Promise<AcceptLeadResult>;
  readonly log?: (line: string) => void;
}

/** Bad input to a run: the execution fails at once with this message (never retried). */
export class BackfillInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackfillInputError';
  }
}

/** The platform's list paged without progress, or broke its own order: failing beats looping or undercounting. */
export class CallListError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CallListError';
  }
}

const isoDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD').refine((d) => DateTime.fromISO(d, { zone: 'utc' }).isValid, 'is not a calendar date');
const runIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'must be 1-64 letters, digits, _ or - (it names executions)');

export const backfillInputSchema = z.union([
  z.object({
    from: isoDay,
    to: isoDay,
    dryRun: z.boolean().default(false),
    runId: runIdSchema.optional(),
    maxConcurrency: z.number().int().min(1).max(40).optional(),
  }).strict(),
  z.object({
    /** The recurring reconcile: the last `lastDays` dates (today included), a fresh runId each time. */
    reconcile: z.literal(true),
    lastDays: z.number().int().min(1).max(14).optional(),
    runId: runIdSchema.optional(),
    dryRun: z.boolean().default(false),
    maxConcurrency: z.number().int().min(1).max(40).optional(),
  }).strict(),
]);
export type BackfillInput = z.input<typeof backfillInputSchema>;

export interface PlanOutput {
  readonly runId: string;
  readonly dryRun: boolean;
  readonly maxConcurrency: number;
  /** Dates still to do (done ones skipped). */
  readonly dates: readonly string[];
  readonly total: number;
  readonly skipped: number;
}

export interface DateTask {
  readonly runId: string;
  readonly date: string;
  readonly dryRun: boolean;
  readonly maxConcurrency: number;
}

export interface DateProgress extends DateTask {
  readonly done: boolean;
  readonly offset: number;
  readonly unique: number;
}

function describeZodError(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; ');
}

/** Inclusive list of calendar days from..to. */
export function datesBetween(from: string, to: string): string[] {
  const days: string[] = [];
  for (let d = DateTime.fromISO(from, { zone: 'utc' }); d.toISODate()! <= to; d = d.plus({ days: 1 })) days.push(d.toISODate()!);
  return days;
}

/** The instants [start, end) of a calendar day in a zone (23 or 25 hours on DST days). */
export function dayBounds(date: string, zone: string): { start: number; end: number } {
  const start = DateTime.fromISO(date, { zone }).startOf('day');
  return { start: start.toMillis(), end: start.plus({ days: 1 }).toMillis() };
}

const runStamp = (now: number) => DateTime.fromMillis(now, { zone: 'utc' }).toFormat("yyyyLLdd'T'HHmmss");

/** The runId a run gets when none is given: readable, and unique per second. */
export function defaultRunId(from: string, to: string, dryRun: boolean, now: number): string {
  return `bf-${from}-${to}${dryRun ? '-dry' : ''}-${runStamp(now)}`;
}

/** The runId of a reconcile started at `now`. */
export function reconcileRunId(now: number): string {
  return `reconcile-${runStamp(now)}`;
}

/** Checks a run's input (also used by the CLI before it starts an execution on AWS): the range, its length, the runId. */
export function validateBackfillInput(raw: unknown, cfg: BackfillConfig, now: number) {
  const parsed = backfillInputSchema.safeParse(raw);
  if (!parsed.success) throw new BackfillInputError(`invalid backfill input: ${describeZodError(parsed.error)}`);
  const input = parsed.data;
  const today = DateTime.fromMillis(now, { zone: cfg.zone }).toISODate()!;
  let kind: RunKind;
  let from: string;
  let to: string;
  let runId: string;
  if ('reconcile' in input) {
    kind = 'reconcile';
    to = today;
    from = DateTime.fromISO(today, { zone: 'utc' }).minus({ days: (input.lastDays ?? cfg.reconcile.lastDays) - 1 }).toISODate()!;
    runId = input.runId ?? reconcileRunId(now);
  } else {
    kind = 'backfill';
    ({ from, to } = input);
    if (from > to) throw new BackfillInputError(`invalid backfill input: from (${from}) is after to (${to}); the range is inclusive, from first`);
    if (from > today) throw new BackfillInputError(`invalid backfill input: from (${from}) is in the future (today is ${today} in ${cfg.zone})`);
    runId = input.runId ?? defaultRunId(from, to, input.dryRun, now);
  }
  const dates = datesBetween(from, to);
  if (dates.length > cfg.maxDays) {
    throw new BackfillInputError(`invalid backfill input: ${from}..${to} is ${dates.length} days; at most ${cfg.maxDays} per run (config backfill.maxDays): split the range`);
  }
  return { kind, from, to, runId, dryRun: input.dryRun, maxConcurrency: input.maxConcurrency ?? cfg.maxConcurrency, dates };
}

const artifactKey = (runId: string, date: string) => `backfill/${runId}/${date}.tsv`;

interface PhoneContext {
  readonly run: BackfillRun;
  readonly task: DateTask;
  readonly source: string;
  readonly latestCallId: string;
}

export function makeBackfill(deps: BackfillDeps) {
  const cfg: BackfillConfig = deps.config.backfill;
  const classifier = new CallClassifier(deps.config.outcomes);
  const log = deps.log ?? (() => undefined);

  /** Validates the input, creates the run (or checks a resumed one matches), and lists the dates still to do. */
  async function plan(raw: unknown): Promise<PlanOutput> {
    const now = deps.clock.now();
    const { kind, from, to, runId, dryRun, maxConcurrency, dates } = validateBackfillInput(raw, cfg, now);
    const input = { dryRun };
    const run: BackfillRun = { runId, kind, from, to, zone: cfg.zone, dryRun, createdAt: now, startedAt: now, dates: dates.length };
    if (!(await deps.runs.createRun(run))) {
      const existing = (await deps.runs.getRun(runId))!;
      if (existing.from !== from || existing.to !== to || existing.dryRun !== input.dryRun) {
        throw new BackfillInputError(
          `invalid backfill input: run ${runId} covers ${existing.from}..${existing.to}${existing.dryRun ? ' as a dry run' : ''}; ` +
            `a resume must repeat it (or choose a new runId)`,
        );
      }
      await deps.runs.markRunStarted(runId, now);
    }
    // A date checked before it was over (today) is done again: its later calls were not in the list yet.
    const done = new Set((await deps.runs.listDates(runId)).filter((d) => d.status === 'done' && d.updatedAt >= dayBounds(d.date, cfg.zone).end).map((d) => d.date));
    const pending = dates.filter((d) => !done.has(d));
    log(`backfill ${runId}: ${kind} ${from}..${to}${dryRun ? ' (dry run)' : ''}, ${pending.length} of ${dates.length} dates to do`);
    return { runId, dryRun, maxConcurrency, dates: pending, total: dates.length, skipped: dates.length - pending.length };
  }

  /**
   * Streams the platform's calls of one date page by page and keeps the latest call per phone (plus the call times of
   * the last 48 h, for the state caps); stores that phone list and restarts the date's checkpoint.
   * Memory: one page plus the date's phone map, whatever the size of the history.
   */
  async function fetchDate(task: DateTask): Promise<DateProgress> {
    const run = await requireRun(task.runId);
    const { start, end } = dayBounds(task.date, run.zone);
    const now = deps.clock.now();
    // Bland's days are UTC by our reading of its docs (unconfirmed, docs/bland.md): ask for one UTC day more on each
    // side and keep only the calls inside the zoned day; rows come oldest first, so paging stops at the first call
    // after it.
    const startDate = DateTime.fromMillis(start, { zone: 'utc' }).minus({ days: 1 }).toISODate()!;
    const endDate = DateTime.fromMillis(end, { zone: 'utc' }).plus({ days: 1 }).toISODate()!;
    const latest = new Map<string, { callId: string; at: number; recent: number[] }>();
    let calls = 0;
    let failed = 0;
    let offset = 0;
    let previous: { firstId: string; lastAt: number } | null = null;
    let pages = 0;
    const noProgress = (why: string) => new CallListError(`${task.date}: Bland's call list made no progress at offset ${offset} (page ${pages} ${why}); stopped instead of looping or undercounting`);
    for (;;) {
      const page = await deps.calls.listCalls({ startDate, endDate, offset, limit: cfg.pageSize });
      pages++;
      const rows = page.calls;
      if (rows.length === 0) {
        if (page.totalCount !== null && offset < page.totalCount) throw noProgress(`is empty before the ${page.totalCount} rows it announced`);
        break;
      }
      if (previous && (rows[0]!.callId === previous.firstId || rows[0]!.createdAt < previous.lastAt)) {
        throw noProgress(`repeats or goes back before ${new Date(previous.lastAt).toISOString()}`);
      }
      let pastEnd = false;
      for (const [i, call] of rows.entries()) {
        if (i > 0 && call.createdAt < rows[i - 1]!.createdAt) throw noProgress('is not in created_at order');
        if (call.createdAt < start) continue;
        if (call.createdAt >= end) {
          pastEnd = true;
          break;
        }
        calls++;
        const parsed = normalizePhone(call.customer);
        if (!parsed.ok) {
          failed++;
          log(`backfill ${task.runId} ${task.date}: call ${call.callId} has no valid number`);
          continue;
        }
        const seen = latest.get(parsed.phone);
        const recent = call.createdAt > now - 48 * 3_600_000 ? [call.createdAt] : [];
        if (!seen) latest.set(parsed.phone, { callId: call.callId, at: call.createdAt, recent });
        else {
          if (call.createdAt >= seen.at) Object.assign(seen, { callId: call.callId, at: call.createdAt });
          seen.recent.push(...recent);
        }
      }
      previous = { firstId: rows[0]!.callId, lastAt: rows[rows.length - 1]!.createdAt };
      offset += rows.length;
      if (pastEnd || (page.totalCount !== null && offset >= page.totalCount)) break;
      // A short page ends the list only when the platform gives no total (with a total, the loop asks again).
      if (page.totalCount === null && rows.length < cfg.pageSize) break;
    }
    const phones = [...latest.keys()].sort();
    const body = phones.map((p) => {
      const c = latest.get(p)!;
      return `${p}\t${c.callId}\t${c.at}\t${c.recent.join(',')}`;
    }).join('\n');
    await deps.artifacts.put(artifactKey(task.runId, task.date), body);
    await deps.runs.startDate(task.runId, task.date, { calls, unique: phones.length, failed }, deps.clock.now(), end);
    log(`backfill ${task.runId} ${task.date}: ${calls} calls, ${phones.length} phones (${pages} pages)`);
    if (phones.length === 0) await deps.runs.finishDate(task.runId, task.date, deps.clock.now());
    return { ...task, done: phones.length === 0, offset: 0, unique: phones.length };
  }

  /**
   * Checks the date's phones from its checkpoint: each against the CRM (rate-limited by the injected Crm), then
   * enqueues the open ones through intake (unless dry run). Commits counts and offset chunk by chunk, and stops after
   * `budget.maxPhones` or at `budget.deadline`, so a long date spans several steps and a retry redoes one chunk at most.
   */
  async function checkDate(task: DateTask, budget: { maxPhones?: number; deadline?: number } = {}): Promise<DateProgress> {
    const run = await requireRun(task.runId);
    const checkpoint = await deps.runs.getDate(task.runId, task.date);
    if (!checkpoint) throw new Error(`backfill ${task.runId} ${task.date}: no checkpoint (fetch the date first)`);
    const body = await deps.artifacts.get(artifactKey(task.runId, task.date));
    if (body === null) throw new Error(`backfill ${task.runId} ${task.date}: the phone list is missing (fetch the date again)`);
    const rows = body === '' ? [] : body.split('\n');
    const source = `${run.kind}:${task.runId}/${task.date}`;
    const context = { run, task, source };
    const maxPhones = budget.maxPhones ?? cfg.phonesPerStep;
    const base = checkpoint.offset;
    const stopAt = Math.min(rows.length, base + maxPhones);
    // A pool of crmBatchSize lookups in flight (no barrier between chunks, so the CRM's rate is used in full); the
    // checkpoint moves over the contiguous prefix of finished numbers, so a crash or retry redoes the in-flight ones only.
    const results: (keyof DateCounts)[] = [];
    let next = base;
    let offset = base;
    let failure: unknown = null;
    let committing = Promise.resolve();
    const commitPrefix = async (force: boolean) => {
      let end = offset;
      while (end < next && results[end - base] !== undefined) end++;
      if (end === offset || (!force && end - offset < cfg.crmBatchSize)) return;
      const counts: DateCounts = { ...ZERO_COUNTS };
      for (let i = offset; i < end; i++) counts[results[i - base]!]++;
      await deps.runs.commitChunk(task.runId, task.date, offset, end, counts, deps.clock.now());
      offset = end;
    };
    const worker = async () => {
      while (failure === null && next < stopAt && (budget.deadline === undefined || deps.clock.now() < budget.deadline)) {
        const i = next++;
        const [phone, latestCallId, , recent] = rows[i]!.split('\t') as [string, string, string, string];
        try {
          results[i - base] = await checkPhone(phone, recent ? recent.split(',').map(Number) : [], { ...context, latestCallId });
        } catch (error) {
          failure ??= error;
          return;
        }
        // A checkpoint that cannot be written (another execution moved it, DynamoDB down) stops the workers at once.
        committing = committing.then(() => commitPrefix(false)).catch((error: unknown) => {
          failure ??= error;
        });
      }
    };
    await Promise.all(Array.from({ length: cfg.crmBatchSize }, worker));
    await committing;
    if (failure === null || !(failure instanceof DateConflictError)) await commitPrefix(true);
    if (failure !== null) throw failure;
    if (offset === base && base < rows.length) {
      throw new Error(`backfill ${task.runId} ${task.date}: no time left to check a single number (the step's deadline had passed)`);
    }
    const done = offset >= rows.length;
    if (done) await deps.runs.finishDate(task.runId, task.date, deps.clock.now());
    return { ...task, done, offset, unique: rows.length };
  }

  async function checkPhone(phone: string, callTimes: number[], { run, task, source, latestCallId }: PhoneContext): Promise<keyof DateCounts> {
    const dryRun = run.dryRun;
    // Any CRM error (outage, bad token, refusal) fails the step: the state machine retries, then records the date
    // failed. Counting it per number would let a misconfigured run "succeed" having checked nothing.
    const crmLead = await deps.crm.findByPhone(phone);
    if (!crmLead) {
      log(`backfill ${task.runId} ${task.date}: ${maskPhone(phone)} not in the CRM: skipped`);
      return 'notInCrm';
    }
    const terminal = crmTerminal(crmLead, deps.config.crm.terminalStatuses);
    if (terminal) {
      // Sold or DNC'd by a human agent: never enqueued, and an active lead here is ended (the dialer would ask anyway).
      if (!dryRun && (await deps.leads.get(phone))?.status === 'ACTIVE') await deps.acceptLead({ phone, status: terminal.status, source });
      return terminal.outcome === 'SALE' ? 'sale' : 'dnc';
    }
    const lead = await deps.leads.get(phone);
    // A number new to us, or made a lead by this run (another date of it may be creating it right now, or a retried
    // step made it): its latest call may have ended it (a DNC request whose webhook never came). Bland's answer
    // counts: such a number is recorded finished, never enqueued.
    if (!lead || (lead.status === 'ACTIVE' && lead.source.startsWith(`${run.kind}:${task.runId}/`))) {
      const ended = await outcomeOfCall(latestCallId);
      if (ended) {
        if (!dryRun && deps.config.crm.terminalStatuses[ended] === ended) await deps.acceptLead({ phone, status: ended, source });
        log(`backfill ${task.runId} ${task.date}: ${maskPhone(phone)} latest call ${latestCallId} was ${ended}: not enqueued`);
        return ended === 'SALE' ? 'sale' : 'dnc';
      }
    }
    if (dryRun) {
      if (!lead) return 'enqueued';
      if (lead.status !== 'ACTIVE') return 'closed';
      return lead.scheduleToken !== null ? 'alreadyQueued' : 'enqueued';
    }
    // The state caps count calls placed anywhere: a number called recently gets its calls of the last 48 h (all
    // dates, not only this one) before its first attempt is planned.
    const recent = !lead && callTimes.length > 0 ? await recentCallsTo(phone) : callTimes;
    const result = await deps.acceptLead({
      phone, source, crmLeadId: crmLead.leadId, crmListId: crmLead.listId ?? undefined, callTimes: recent, ...crmLead.details,
    });
    if (result.status !== 'ACTIVE') return 'closed';
    // A retried chunk finds the leads it created a moment ago: the source says they are this date's. A lead another
    // date of this run is creating at the same moment (dates run in parallel) is that date's, even if this intake
    // happened to write its first attempt.
    const ofThisRun = result.source.startsWith(`${run.kind}:${task.runId}/`);
    if (result.created || result.source === source || (result.scheduled && !ofThisRun)) return 'enqueued';
    return 'alreadyQueued';
  }

  /** SALE or DNC if Bland's record of the call says so (our classifier, the same as for webhooks), else null. */
  async function outcomeOfCall(callId: string): Promise<'SALE' | 'DNC' | null> {
    const call = await deps.calls.getCall(callId);
    if (!call) return null;
    const outcome = classifier.classify(call).outcome;
    return outcome === 'SALE' || outcome === 'DNC' ? outcome : null;
  }

  /** Calls to one number in the last 48 h, from Bland's list filtered by number (a few rows). */
  async function recentCallsTo(phone: string): Promise<number[]> {
    const now = deps.clock.now();
    const since = now - 48 * 3_600_000;
    const times: number[] = [];
    const startDate = DateTime.fromMillis(since, { zone: 'utc' }).minus({ days: 1 }).toISODate()!;
    const endDate = DateTime.fromMillis(now, { zone: 'utc' }).plus({ days: 1 }).toISODate()!;
    for (let offset = 0; offset < 10_000; ) {
      const page = await deps.calls.listCalls({ startDate, endDate, offset, limit: 100, toNumber: phone });
      for (const call of page.calls) if (call.createdAt > since && call.createdAt <= now) times.push(call.createdAt);
      offset += page.calls.length;
      if (page.calls.length < 100) break;
    }
    return times;
  }

  /** A date that kept failing after the state's retries: recorded with its error; the other dates go on. */
  async function recordFailure(input: { runId: string; date: string; error?: { Error?: string; Cause?: string } }): Promise<{ runId: string; date: string; failed: true }> {
    const cause = input.error?.Cause ?? '';
    let message = cause;
    try {
      const parsed = JSON.parse(cause) as { errorMessage?: string };
      if (parsed.errorMessage) message = parsed.errorMessage;
    } catch {
      // Not Lambda's JSON error: keep the text.
    }
    const error = `${input.error?.Error ?? 'Error'}: ${message}`.slice(0, 1000);
    if (await deps.runs.failDate(input.runId, input.date, error, deps.clock.now())) log(`backfill ${input.runId} ${input.date}: FAILED ${error}`);
    else log(`backfill ${input.runId} ${input.date}: done by another execution; this one's failure is not recorded (${error})`);
    return { runId: input.runId, date: input.date, failed: true };
  }

  /**
   * The run's per-date table in date order: "new" is a phone not seen on an earlier date of the run, "total" the
   * run's distinct phones so far. Reads the phone lists one date at a time; memory grows with distinct phones only.
   */
  async function summarize(input: { runId: string }): Promise<BackfillSummary> {
    const run = await requireRun(input.runId);
    const byDate = new Map((await deps.runs.listDates(run.runId)).map((d) => [d.date, d]));
    const seen = new Set<string>();
    const lines: SummaryLine[] = [];
    for (const date of datesBetween(run.from, run.to)) {
      const checkpoint = byDate.get(date);
      let fresh = 0;
      if (checkpoint?.status === 'done') {
        const body = (await deps.artifacts.get(artifactKey(run.runId, date))) ?? '';
        for (const row of body === '' ? [] : body.split('\n')) {
          const phone = row.slice(0, row.indexOf('\t'));
          if (!seen.has(phone)) {
            seen.add(phone);
            fresh++;
          }
        }
      }
      lines.push(lineOf(date, checkpoint, fresh, seen.size));
    }
    const summary = summaryOf(run, lines, deps.clock.now());
    await deps.runs.putSummary(summary);
    log(`backfill ${run.runId}: ${summary.done} of ${summary.dates} dates done, ${summary.failed} failed; ${summary.totals.enqueued} enqueued`);
    return summary;
  }

  async function requireRun(runId: string): Promise<BackfillRun> {
    const run = await deps.runs.getRun(runId);
    if (!run) throw new BackfillInputError(`no backfill run ${runId}`);
    return run;
  }

  return { plan, fetchDate, checkDate, recordFailure, summarize };
}

function lineOf(date: string, checkpoint: BackfillDate | undefined, fresh: number, cumulative: number): SummaryLine {
  const counts: DateCounts = { ...ZERO_COUNTS };
  if (checkpoint) for (const key of Object.keys(ZERO_COUNTS) as (keyof DateCounts)[]) counts[key] = checkpoint[key];
  return {
    date,
    status: checkpoint?.status ?? 'pending',
    calls: checkpoint?.calls ?? 0,
    unique: checkpoint?.unique ?? 0,
    new: fresh,
    cumulative,
    counts,
    // Short enough that 400 dates fit a DynamoDB item and a Step Functions payload.
    error: checkpoint?.error ? checkpoint.error.slice(0, 200) : null,
  };
}

function summaryOf(run: BackfillRun, lines: SummaryLine[], at: number): BackfillSummary {
  const totals = { ...ZERO_COUNTS, calls: 0, unique: 0 };
  for (const line of lines) {
    totals.calls += line.calls;
    for (const key of Object.keys(ZERO_COUNTS) as (keyof DateCounts)[]) totals[key] += line.counts[key];
  }
  totals.unique = lines.length ? lines[lines.length - 1]!.cumulative : 0;
  return {
    runId: run.runId, kind: run.kind, from: run.from, to: run.to, dryRun: run.dryRun,
    dates: lines.length,
    done: lines.filter((l) => l.status === 'done').length,
    failed: lines.filter((l) => l.status === 'failed').length,
    totals,
    lines,
    failedDates: lines.filter((l) => l.status === 'failed').map((l) => l.date),
    summarizedAt: at,
  };
}

/** Progress of a run while it works (or after): per-date lines from the checkpoints, "day N of M", an ETA. */
export interface BackfillStatus {
  readonly run: BackfillRun;
  readonly lines: readonly SummaryLine[];
  readonly finished: number;
  readonly failed: number;
  readonly etaMs: number | null;
  readonly summary: BackfillSummary | null;
}

export function makeBackfillStatus(deps: { runs: BackfillStore; clock: Clock }) {
  return async function backfillStatus(runId: string): Promise<BackfillStatus | null> {
    const run = await deps.runs.getRun(runId);
    if (!run) return null;
    const summary = await deps.runs.getSummary(runId);
    const byDate = new Map((await deps.runs.listDates(runId)).map((d) => [d.date, d]));
    let cumulative = 0;
    const summarized = new Map((summary?.lines ?? []).map((l) => [l.date, l]));
    const lines = datesBetween(run.from, run.to).map((date) => {
      const checkpoint = byDate.get(date);
      // New/total are known once the summary ran; before that they show as the date's distinct phones.
      const known = summarized.get(date);
      const fresh = known && known.status === checkpoint?.status ? known.new : (checkpoint?.status === 'done' ? checkpoint.unique : 0);
      cumulative = known && known.status === checkpoint?.status ? known.cumulative : cumulative + fresh;
      return lineOf(date, checkpoint, fresh, cumulative);
    });
    const finished = lines.filter((l) => l.status === 'done' || l.status === 'failed').length;
    const doneSinceStart = [...byDate.values()].filter((d) => d.status !== 'checking' && d.updatedAt >= run.startedAt).length;
    const elapsed = deps.clock.now() - run.startedAt;
    const remaining = lines.length - finished;
    const etaMs = remaining === 0 ? 0 : doneSinceStart > 0 ? Math.round((elapsed / doneSinceStart) * remaining) : null;
    return { run, lines, finished, failed: lines.filter((l) => l.status === 'failed').length, etaMs, summary };
  };
}

/** `2025-12-01:   500 calls |  45 new |  45 total` plus the date's check counts: the table operators know. */
export function formatSummaryLine(line: SummaryLine): string {
  const c = line.counts;
  const head = `${line.date}: ${String(line.calls).padStart(6)} calls | ${String(line.new).padStart(5)} new | ${String(line.cumulative).padStart(6)} total`;
  if (line.status === 'pending') return `${head} | pending`;
  if (line.status === 'failed') return `${head} | FAILED ${line.error ?? ''}`;
  const tail = `sale ${c.sale}, dnc ${c.dnc}, not in CRM ${c.notInCrm}, enqueued ${c.enqueued}, already queued ${c.alreadyQueued}, closed ${c.closed}, failed ${c.failed}`;
  return `${head} | ${line.status === 'checking' ? 'checking… ' : ''}${tail}`;
}

/** The state machine's Task payload: which step, and the state's input (lib/backfill.ts builds it). */
export const stepEventSchema = z.object({
  step: z.enum(['plan', 'fetchDate', 'checkDate', 'recordFailure', 'summarize']),
  input: z.unknown(),
});
export type BackfillStep = z.infer<typeof stepEventSchema>['step'];

const dateTaskSchema = z.object({ runId: runIdSchema, date: isoDay, dryRun: z.boolean(), maxConcurrency: z.number().int().min(1) });

/** What Summarize returns as the execution output: the summary with its lines as the formatted per-date table. */
export type BackfillOutput = Omit<BackfillSummary, 'lines' | 'summarizedAt'> & { readonly table: readonly string[] };

/**
 * One entry for every Task of the state machine, used alike by the Lambda handler and the local runtime.
 * `depsFor` builds the deps of one step (the CRM's rate is shared by the dates processed at once).
 */
export function makeBackfillSteps(depsFor: (maxConcurrency: number) => BackfillDeps) {
  return async function runStep(event: unknown, budget: { deadline?: number } = {}): Promise<unknown> {
    const parsed = stepEventSchema.safeParse(event);
    if (!parsed.success) throw new BackfillInputError(`invalid step event: ${describeZodError(parsed.error)}`);
    const { step, input } = parsed.data;
    const asTask = () => {
      const task = dateTaskSchema.safeParse(input);
      if (!task.success) throw new BackfillInputError(`invalid ${step} input: ${describeZodError(task.error)}`);
      return task.data;
    };
    switch (step) {
      case 'plan':
        return makeBackfill(depsFor(1)).plan(input);
      case 'fetchDate': {
        const task = asTask();
        return makeBackfill(depsFor(task.maxConcurrency)).fetchDate(task);
      }
      case 'checkDate': {
        const task = asTask();
        return makeBackfill(depsFor(task.maxConcurrency)).checkDate(task, budget);
      }
      case 'recordFailure':
        return makeBackfill(depsFor(1)).recordFailure(input as { runId: string; date: string; error?: { Error?: string; Cause?: string } });
      case 'summarize': {
        const { lines, summarizedAt: _summarizedAt, ...summary } = await makeBackfill(depsFor(1)).summarize(input as { runId: string });
        const output: BackfillOutput = { ...summary, table: lines.map(formatSummaryLine) };
        return output;
      }
    }
  };
}
