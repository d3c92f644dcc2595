import { DateTime } from 'luxon';
import { z } from 'zod';
import type { BackfillConfig, Config } from '../config/config';
import { maskPhone, normalizePhone } from '../domain/phone';
import type { Clock } from '../ports/clock';
import type { Crm } from '../ports/crm';
import {
  COUNT_NAMES,
  DateConflictError,
  ZERO_COUNTS,
  type ArtifactStore,
  type BackfillDate,
  type BackfillRun,
  type BackfillStore,
  type BackfillSummary,
  type CallLog,
  type PhoneCheck,
  type PhoneCounts,
  type RunKind,
  type SummaryLine,
  type SummaryTotals,
} from '../ports/backfill';
import type { LeadStore } from '../ports/lead-store';
import type { VoiceAgent } from '../ports/voice-agent';
import { crmTerminal } from '../ports/crm';
import { CallClassifier } from '../domain/classify-call';
import type { AcceptLeadResult, LeadIntake } from './accept-lead';

/**
 * The backfill / reconcile workflow, one use case per state of the Step Functions state machine (lib/backfill.ts):
 *   plan → Map(date: fetchDate | recordFailure) → mergePhones → checkPhones … → summarize
 * Each date's calls are fetched (and its per-date stats kept); then every distinct phone of the whole range is decided
 * once, from its latest call in the range, with one CRM lookup per phone per run. Between states only keys and
 * counts travel; call lists stay in the platform, phone lists in the ArtifactStore.
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
  /** The wall clock, for the ETA (the local runtime's `clock` may run faster than time); default `clock`. */
  readonly wall?: Clock;
}

/**
 * Something the deploy has not set up yet (the Convoso token): the step fails at once with this message, never
 * retried; the run records its check failed with it and ends (it is resumed once the setting is made).
 */
export class BackfillConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackfillConfigError';
  }
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

export interface RunTask {
  readonly runId: string;
  readonly dryRun: boolean;
  readonly maxConcurrency: number;
}

export interface DateTask extends RunTask {
  readonly date: string;
}

/** After mergePhones and each checkPhones step: `done` when no phone is left to check (or none can be). */
export interface CheckProgress extends RunTask {
  readonly done: boolean;
  readonly offset: number;
  readonly total: number;
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
/** The run's phone list: every distinct phone of the range with its latest call, sorted by phone. */
const phonesKey = (runId: string) => `backfill/${runId}/phones.tsv`;

/** One row of a phone list: the phone, its latest call (id, instant) and its calls of the last 48 h. */
interface PhoneRow {
  readonly phone: string;
  readonly callId: string;
  readonly at: number;
  readonly recent: number[];
}

const rowText = (r: PhoneRow) => `${r.phone}\t${r.callId}\t${r.at}\t${r.recent.join(',')}`;
function parseRow(line: string): PhoneRow {
  const [phone, callId, at, recent] = line.split('\t') as [string, string, string, string];
  return { phone, callId, at: Number(at), recent: recent ? recent.split(',').map(Number) : [] };
}
const rowsOf = (body: string) => (body === '' ? [] : body.split('\n'));

interface PhoneContext {
  readonly run: BackfillRun;
  readonly runPrefix: string;
}

export function makeBackfill(deps: BackfillDeps) {
  const cfg: BackfillConfig = deps.config.backfill;
  const classifier = new CallClassifier(deps.config.outcomes);
  const log = deps.log ?? (() => undefined);
  const wall = deps.wall ?? deps.clock;

  /** Validates the input, creates the run (or checks a resumed one matches), and lists the dates still to do. */
  async function plan(raw: unknown): Promise<PlanOutput> {
    const now = deps.clock.now();
    const { kind, from, to, runId, dryRun, dates } = validateBackfillInput(raw, cfg, now);
    let { maxConcurrency } = validateBackfillInput(raw, cfg, now);
    const input = { dryRun };
    const named = (raw as { maxConcurrency?: unknown } | null)?.maxConcurrency !== undefined;
    const run: BackfillRun = { runId, kind, from, to, zone: cfg.zone, dryRun, createdAt: now, startedAt: now, wallStartedAt: wall.now(), maxConcurrency, dates: dates.length };
    if (!(await deps.runs.createRun(run))) {
      const existing = (await deps.runs.getRun(runId))!;
      if (existing.from !== from || existing.to !== to || existing.dryRun !== input.dryRun) {
        throw new BackfillInputError(
          `invalid backfill input: run ${runId} covers ${existing.from}..${existing.to}${existing.dryRun ? ' as a dry run' : ''}; ` +
            `a resume must repeat it (or choose a new runId)`,
        );
      }
      // A resume keeps the run's concurrency unless it names another (a run started with 1 stays at 1).
      if (!named && existing.maxConcurrency !== undefined) maxConcurrency = existing.maxConcurrency;
      await deps.runs.markRunStarted(runId, now, wall.now(), maxConcurrency);
    }
    // Once the phone list is made, the run's dates are fixed: a resume goes on checking it, never fetches again.
    const frozen = (await deps.runs.getCheck(runId)) !== null;
    // Before that, a date fetched before it was over (today) is fetched again: its later calls were not listed yet.
    const done = new Set((await deps.runs.listDates(runId)).filter((d) => d.status === 'done' && (frozen || d.updatedAt >= dayBounds(d.date, cfg.zone).end)).map((d) => d.date));
    const pending = dates.filter((d) => !done.has(d));
    log(`backfill ${runId}: ${kind} ${from}..${to}${dryRun ? ' (dry run)' : ''}, ${pending.length} of ${dates.length} dates to do`);
    return { runId, dryRun, maxConcurrency, dates: pending, total: dates.length, skipped: dates.length - pending.length };
  }

  /**
   * Streams the platform's calls of one date page by page and keeps the latest call per phone (plus the call times of
   * the last 48 h, for the state caps); stores that phone list and records the date's figures.
   * Memory: one page plus the date's phone map, whatever the size of the history.
   */
  async function fetchDate(task: DateTask): Promise<DateTask & { calls: number; unique: number }> {
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
    let invalid = 0;
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
          invalid++;
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
    await deps.artifacts.put(artifactKey(task.runId, task.date), phones.map((phone) => rowText({ phone, ...latest.get(phone)! })).join('\n'));
    await deps.runs.recordDate(task.runId, task.date, { calls, unique: phones.length, invalid }, deps.clock.now(), wall.now(), end);
    log(`backfill ${task.runId} ${task.date}: ${calls} calls, ${phones.length} phones (${pages} pages)`);
    return { ...task, calls, unique: phones.length };
  }

  /**
   * Once every date is fetched: the run's phone list, each distinct phone with its latest call across the whole range
   * (and its calls of the last 48 h from every date), and the phone check's checkpoint. Made once per run: a retry
   * writes the same list (the dates' lists do not change), a resume goes on from the checkpoint. With a date failed,
   * nothing is checked (a later call on the missing date could be a DNC request): the summary says so, a resume
   * fetches the date and checks then.
   */
  async function mergePhones(task: RunTask): Promise<CheckProgress> {
    const run = await requireRun(task.runId);
    const existing = await deps.runs.getCheck(run.runId);
    if (existing) {
      const check = await deps.runs.startCheck(run.runId, existing.total, deps.clock.now(), wall.now());
      return { ...task, done: check.status === 'done', offset: check.offset, total: check.total };
    }
    const byDate = new Map((await deps.runs.listDates(run.runId)).map((d) => [d.date, d]));
    const missing = datesBetween(run.from, run.to).filter((d) => byDate.get(d)?.status !== 'done');
    if (missing.length > 0) {
      log(`backfill ${run.runId}: ${missing.length} date(s) not fetched (${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ', ...' : ''}): no phone is checked until a resume fetches them`);
      return { ...task, done: true, offset: 0, total: 0 };
    }
    const latest = new Map<string, PhoneRow>();
    for (const date of datesBetween(run.from, run.to)) {
      const body = await deps.artifacts.get(artifactKey(run.runId, date));
      if (body === null) throw new Error(`backfill ${run.runId} ${date}: the phone list is missing (resume the run to fetch it again)`);
      for (const line of rowsOf(body)) {
        const row = parseRow(line);
        const seen = latest.get(row.phone);
        if (!seen) latest.set(row.phone, row);
        else latest.set(row.phone, { ...(row.at >= seen.at ? row : seen), recent: [...seen.recent, ...row.recent] });
      }
    }
    const phones = [...latest.keys()].sort();
    await deps.artifacts.put(phonesKey(run.runId), phones.map((p) => rowText(latest.get(p)!)).join('\n'));
    const check = await deps.runs.startCheck(run.runId, phones.length, deps.clock.now(), wall.now());
    if (check.total === 0) await deps.runs.finishCheck(run.runId, deps.clock.now());
    log(`backfill ${run.runId}: ${phones.length} distinct phones in ${run.from}..${run.to} to check`);
    return { ...task, done: check.total === 0 || check.status === 'done', offset: check.offset, total: check.total };
  }

  /**
   * Checks the run's phones from the checkpoint: each against the CRM once (rate-limited by the injected Crm), then
   * enqueues the open ones through intake (unless dry run). Commits counts and offset chunk by chunk, and stops after
   * `budget.maxPhones` or at `budget.deadline`, so a long list spans several steps and a retry redoes one chunk at most.
   */
  async function checkPhones(task: RunTask, budget: { maxPhones?: number; deadline?: number } = {}): Promise<CheckProgress> {
    const run = await requireRun(task.runId);
    const checkpoint = await deps.runs.getCheck(task.runId);
    if (!checkpoint) throw new Error(`backfill ${task.runId}: no phone check (merge the dates first)`);
    if (checkpoint.status === 'done') return { ...task, done: true, offset: checkpoint.offset, total: checkpoint.total };
    const body = await deps.artifacts.get(phonesKey(task.runId));
    if (body === null) throw new Error(`backfill ${task.runId}: the run's phone list is missing`);
    const rows = rowsOf(body);
    const context: PhoneContext = { run, runPrefix: `${run.kind}:${task.runId}/` };
    const maxPhones = budget.maxPhones ?? cfg.phonesPerStep;
    const base = checkpoint.offset;
    const stopAt = Math.min(rows.length, base + maxPhones);
    // A pool of crmBatchSize lookups in flight (no barrier between chunks, so the CRM's rate is used in full); the
    // checkpoint moves over the contiguous prefix of finished numbers, so a crash or retry redoes the in-flight ones only.
    const results: (keyof PhoneCounts)[] = [];
    let next = base;
    let offset = base;
    let failure: unknown = null;
    let committing = Promise.resolve();
    const commitPrefix = async (force: boolean) => {
      let end = offset;
      while (end < next && results[end - base] !== undefined) end++;
      if (end === offset || (!force && end - offset < cfg.crmBatchSize)) return;
      const counts: PhoneCounts = { ...ZERO_COUNTS };
      for (let i = offset; i < end; i++) counts[results[i - base]!]++;
      await deps.runs.commitCheck(task.runId, offset, end, counts, deps.clock.now());
      offset = end;
    };
    const worker = async () => {
      while (failure === null && next < stopAt && (budget.deadline === undefined || deps.clock.now() < budget.deadline)) {
        const i = next++;
        try {
          results[i - base] = await checkPhone(parseRow(rows[i]!), context);
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
      throw new Error(`backfill ${task.runId}: no time left to check a single number (the step's deadline had passed)`);
    }
    const done = offset >= rows.length;
    if (done) await deps.runs.finishCheck(task.runId, deps.clock.now());
    return { ...task, done, offset, total: rows.length };
  }

  /** The phone's one decision of the run, from the CRM and its latest call in the whole range. */
  async function checkPhone(row: PhoneRow, { run, runPrefix }: PhoneContext): Promise<keyof PhoneCounts> {
    const { phone, callId: latestCallId, recent: callTimes } = row;
    const dryRun = run.dryRun;
    // The lead's source names the date of its latest call (operators trace a lead to the day it was called).
    const source = `${runPrefix}${DateTime.fromMillis(row.at, { zone: run.zone }).toISODate()}`;
    // Any CRM error (outage, bad token, refusal) fails the step: the state machine retries, then records the check
    // failed. Counting it per number would let a misconfigured run "succeed" having checked nothing.
    const crmLead = await deps.crm.findByPhone(phone);
    if (!crmLead) {
      log(`backfill ${run.runId}: ${maskPhone(phone)} not in the CRM: skipped`);
      return 'notInCrm';
    }
    const terminal = crmTerminal(crmLead, deps.config.crm.terminalStatuses);
    if (terminal) {
      // Sold or DNC'd by a human agent: never enqueued, and an active lead here is ended (the dialer would ask anyway).
      if (!dryRun && (await deps.leads.get(phone))?.status === 'ACTIVE') await deps.acceptLead({ phone, status: terminal.status, source });
      return terminal.outcome === 'SALE' ? 'sale' : 'dnc';
    }
    const lead = await deps.leads.get(phone);
    // A number new to us, or made a lead by this run (a retried chunk made it): its latest call in the range may have
    // ended it (a DNC request whose webhook never came). Bland's answer counts: such a number is recorded finished.
    if (!lead || (lead.status === 'ACTIVE' && lead.source.startsWith(runPrefix))) {
      const ended = await outcomeOfCall(latestCallId);
      if (ended) {
        if (!dryRun && deps.config.crm.terminalStatuses[ended] === ended) await deps.acceptLead({ phone, status: ended, source });
        log(`backfill ${run.runId}: ${maskPhone(phone)} latest call ${latestCallId} was ${ended}: not enqueued`);
        return ended === 'SALE' ? 'sale' : 'dnc';
      }
    }
    if (dryRun) {
      if (!lead) return 'enqueued';
      if (lead.status !== 'ACTIVE') return 'closed';
      return lead.scheduleToken !== null ? 'alreadyQueued' : 'enqueued';
    }
    // The state caps count calls placed anywhere: a number called recently gets its calls of the last 48 h (all
    // dates, not only the range) before its first attempt is planned.
    const recent = !lead && callTimes.length > 0 ? await recentCallsTo(phone) : callTimes;
    const result = await deps.acceptLead({
      phone, source, crmLeadId: crmLead.leadId, crmListId: crmLead.listId ?? undefined, callTimes: recent, ...crmLead.details,
    });
    if (result.status !== 'ACTIVE') return 'closed';
    // A retried chunk finds the leads it created a moment ago: the source says they are this run's.
    if (result.created || result.source.startsWith(runPrefix) || result.scheduled) return 'enqueued';
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

  /**
   * A date that kept failing after the state's retries: recorded with its error; the other dates go on. Without a
   * date, the phone check failed: recorded on the check (a resume goes on from its checkpoint).
   */
  async function recordFailure(input: { runId: string; date?: string; error?: { Error?: string; Cause?: string } }): Promise<{ runId: string; date: string | null; failed: true }> {
    const cause = input.error?.Cause ?? '';
    let message = cause;
    try {
      const parsed = JSON.parse(cause) as { errorMessage?: string };
      if (parsed.errorMessage) message = parsed.errorMessage;
    } catch {
      // Not Lambda's JSON error: keep the text.
    }
    const error = `${input.error?.Error ?? 'Error'}: ${message}`.slice(0, 1000);
    const what = input.date ?? 'phone check';
    const recorded = input.date === undefined
      ? await deps.runs.failCheck(input.runId, error, deps.clock.now())
      : await deps.runs.failDate(input.runId, input.date, error, deps.clock.now());
    if (recorded) log(`backfill ${input.runId} ${what}: FAILED ${error}`);
    else log(`backfill ${input.runId} ${what}: done by another execution; this one's failure is not recorded (${error})`);
    return { runId: input.runId, date: input.date ?? null, failed: true };
  }

  /**
   * The run's per-date table in date order: the date's calls and distinct phones, "new" a phone not seen on an earlier
   * date of the run, "total" the run's distinct phones so far; and the run's totals, counts of distinct phones.
   * Reads the phone lists one date at a time; memory grows with distinct phones only.
   */
  async function summarize(input: { runId: string }): Promise<BackfillSummary> {
    const run = await requireRun(input.runId);
    const byDate = new Map((await deps.runs.listDates(run.runId)).map((d) => [d.date, d]));
    const seen = new Set<string>();
    const lines: SummaryLine[] = [];
    for (const date of datesBetween(run.from, run.to)) {
      const fetched = byDate.get(date);
      let fresh = 0;
      if (fetched?.status === 'done') {
        for (const row of rowsOf((await deps.artifacts.get(artifactKey(run.runId, date))) ?? '')) {
          const phone = row.slice(0, row.indexOf('\t'));
          if (!seen.has(phone)) {
            seen.add(phone);
            fresh++;
          }
        }
      }
      lines.push(lineOf(date, fetched, fresh, seen.size));
    }
    const summary = summaryOf(run, lines, await deps.runs.getCheck(run.runId), deps.clock.now());
    await deps.runs.putSummary(summary);
    const t = summary.totals;
    log(`backfill ${run.runId}: ${summary.done} of ${summary.dates} dates fetched, ${summary.failed} failed; ${t.unique} phones: ${t.enqueued} enqueued, ${t.failed} not decided`);
    return summary;
  }

  async function requireRun(runId: string): Promise<BackfillRun> {
    const run = await deps.runs.getRun(runId);
    if (!run) throw new BackfillInputError(`no backfill run ${runId}`);
    return run;
  }

  return { plan, fetchDate, mergePhones, checkPhones, recordFailure, summarize };
}

function lineOf(date: string, fetched: BackfillDate | undefined, fresh: number, cumulative: number): SummaryLine {
  return {
    date,
    status: fetched?.status ?? 'pending',
    calls: fetched?.calls ?? 0,
    unique: fetched?.unique ?? 0,
    new: fresh,
    cumulative,
    invalid: fetched?.invalid ?? 0,
    // Short enough that 400 dates fit a DynamoDB item and a Step Functions payload.
    error: fetched?.error ? fetched.error.slice(0, 200) : null,
  };
}

function summaryOf(run: BackfillRun, lines: SummaryLine[], check: PhoneCheck | null, at: number): BackfillSummary {
  const counts: PhoneCounts = { ...ZERO_COUNTS };
  if (check) for (const key of COUNT_NAMES) counts[key] = check[key];
  const decided = COUNT_NAMES.reduce((n, key) => n + counts[key], 0);
  const unique = lines.length ? lines[lines.length - 1]!.cumulative : 0;
  const totals: SummaryTotals = {
    ...counts,
    calls: lines.reduce((n, l) => n + l.calls, 0),
    invalid: lines.reduce((n, l) => n + l.invalid, 0),
    unique,
    failed: Math.max(0, unique - decided),
  };
  return {
    runId: run.runId, kind: run.kind, from: run.from, to: run.to, dryRun: run.dryRun,
    dates: lines.length,
    done: lines.filter((l) => l.status === 'done').length,
    failed: lines.filter((l) => l.status === 'failed').length,
    totals,
    check: check ? { status: check.status, checked: check.offset, total: check.total, error: check.error ? check.error.slice(0, 300) : null } : null,
    lines,
    failedDates: lines.filter((l) => l.status === 'failed').map((l) => l.date),
    summarizedAt: at,
  };
}

/** Progress of a run while it works (or after): per-date lines, "day N of M", phones checked, a wall-clock ETA. */
export interface BackfillStatus {
  readonly run: BackfillRun;
  readonly lines: readonly SummaryLine[];
  readonly finished: number;
  readonly failed: number;
  readonly check: PhoneCheck | null;
  /** Wall-clock milliseconds left in the current phase (fetching dates, then checking phones), or null if unknown. */
  readonly etaMs: number | null;
  readonly summary: BackfillSummary | null;
}

export function makeBackfillStatus(deps: { runs: BackfillStore; clock: Clock; wall?: Clock }) {
  const wall = deps.wall ?? deps.clock;
  return async function backfillStatus(runId: string): Promise<BackfillStatus | null> {
    const run = await deps.runs.getRun(runId);
    if (!run) return null;
    const summary = await deps.runs.getSummary(runId);
    const check = await deps.runs.getCheck(runId);
    const byDate = new Map((await deps.runs.listDates(runId)).map((d) => [d.date, d]));
    let cumulative = 0;
    const summarized = new Map((summary?.lines ?? []).map((l) => [l.date, l]));
    const lines = datesBetween(run.from, run.to).map((date) => {
      const fetched = byDate.get(date);
      // New/total are known once the summary ran; before that they show as the date's distinct phones (an upper bound).
      const known = summarized.get(date);
      const same = known !== undefined && known.status === (fetched?.status ?? 'pending');
      const fresh = same ? known.new : (fetched?.status === 'done' ? fetched.unique : 0);
      cumulative = same ? known.cumulative : cumulative + fresh;
      return lineOf(date, fetched, fresh, cumulative);
    });
    const finished = lines.filter((l) => l.status === 'done' || l.status === 'failed').length;
    const now = wall.now();
    let etaMs: number | null;
    if (check) {
      const left = check.total - check.offset;
      const rate = (check.offset - check.startOffset) / Math.max(1, now - check.wallStartedAt);
      etaMs = left === 0 || check.status !== 'checking' ? 0 : rate > 0 ? Math.round(left / rate) : null;
    } else {
      const started = run.wallStartedAt ?? run.startedAt;
      const doneSinceStart = [...byDate.values()].filter((d) => d.status === 'done' && (d.wallAt ?? 0) >= started).length;
      const remaining = lines.length - finished;
      etaMs = remaining === 0 ? 0 : doneSinceStart > 0 ? Math.round(((now - started) / doneSinceStart) * remaining) : null;
    }
    return { run, lines, finished, failed: lines.filter((l) => l.status === 'failed').length, check, etaMs, summary };
  };
}

import { formatSummaryLine } from './backfill-format';

export { formatSummaryLine, formatTotals } from './backfill-format';

/** The state machine's Task payload: which step, and the state's input (lib/backfill.ts builds it). */
export const stepEventSchema = z.object({
  step: z.enum(['plan', 'fetchDate', 'mergePhones', 'checkPhones', 'recordFailure', 'summarize']),
  input: z.unknown(),
});
export type BackfillStep = z.infer<typeof stepEventSchema>['step'];

const runTaskSchema = z.object({ runId: runIdSchema, dryRun: z.boolean(), maxConcurrency: z.number().int().min(1) });
const dateTaskSchema = runTaskSchema.extend({ date: isoDay });

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
    const as = <T>(schema: z.ZodType<T>): T => {
      const task = schema.safeParse(input);
      if (!task.success) throw new BackfillInputError(`invalid ${step} input: ${describeZodError(task.error)}`);
      return task.data;
    };
    switch (step) {
      case 'plan':
        return makeBackfill(depsFor(1)).plan(input);
      case 'fetchDate': {
        const task = as(dateTaskSchema);
        return makeBackfill(depsFor(task.maxConcurrency)).fetchDate(task);
      }
      case 'mergePhones':
        return makeBackfill(depsFor(1)).mergePhones(as(runTaskSchema));
      case 'checkPhones':
        // One step checks at a time: the CRM's whole rate is its own.
        return makeBackfill(depsFor(1)).checkPhones(as(runTaskSchema), budget);
      case 'recordFailure':
        return makeBackfill(depsFor(1)).recordFailure(input as { runId: string; date?: string; error?: { Error?: string; Cause?: string } });
      case 'summarize': {
        const { lines, summarizedAt: _summarizedAt, ...summary } = await makeBackfill(depsFor(1)).summarize(input as { runId: string });
        const output: BackfillOutput = { ...summary, table: lines.map(formatSummaryLine) };
        return output;
      }
    }
  };
}
