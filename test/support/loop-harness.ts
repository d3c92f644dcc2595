import { DynamoLeadStore } from '../../lambdas/adapters/aws/lead-store.dynamodb';
import { ensureTable } from '../../lambdas/adapters/aws/table-definition';
import { LocalAttemptScheduler } from '../../lambdas/adapters/local/attempt-scheduler.local';
import { LocalDialQueue } from '../../lambdas/adapters/local/dial-queue.local';
import type { LocalDynamo } from '../../lambdas/adapters/local/dynalite';
import { ManualClock } from '../../lambdas/adapters/system-clock';
import { makeAcceptLead } from '../../lambdas/app/accept-lead';
import { makeDialLead } from '../../lambdas/app/dial-lead';
import { loopDeps, type LoopEvent } from '../../lambdas/app/loop-deps';
import { DynamoBlockList } from '../../lambdas/adapters/aws/blocklist.dynamodb';
import { DynamoCallerIdStore } from '../../lambdas/adapters/aws/caller-ids.dynamodb';
import { DynamoCapacityStore } from '../../lambdas/adapters/aws/dial-capacity.dynamodb';

import { seededRandom } from '../../sim/random';
import { makeRecordCallOutcome, type CallEnded } from '../../lambdas/app/record-call-outcome';
import { makeSweep } from '../../lambdas/app/sweep';
import { makeSendSmsStep } from '../../lambdas/app/sms-follow-up';
import type { SmsSender } from '../../lambdas/ports/sms-sender';
import { makeWatchdog } from '../../lambdas/app/watchdog';
import { parseConfig, type ConfigInput } from '../../lambdas/config/config';
import type { DialMessage } from '../../lambdas/ports/attempt-scheduler';
import type { LeadStore } from '../../lambdas/ports/lead-store';
import type { MetricsSink } from '../../lambdas/ports/metrics';
import type { PlaceCallRequest, VoiceAgent } from '../../lambdas/ports/voice-agent';

/**
 * The live loop wired in-process on real parts (dynalite, the local scheduler and queue) with a scripted voice agent
 * at the port, driven by a manual clock: each step jumps to the next scheduled event. Used by the loop tests; the
 * HTTP-level tests against the simulators come with the local runtime.
 */
export interface PlacedCall {
  readonly callId: string;
  readonly request: PlaceCallRequest;
  readonly at: number;
  readonly n: number;
}

/** Texts out: every send attempt is recorded (`attempts`), the sent texts once per idempotency key (`texts`). */
export class FakeSms implements SmsSender {
  readonly attempts: { to: string; idempotencyKey: string; at: number; ok: boolean }[] = [];
  readonly texts: { to: string; from: string; text: string; idempotencyKey: string; at: number }[] = [];
  failNext = 0;
  constructor(private readonly clock: ManualClock) {}
  async sendSms(request: { to: string; from: string; text: string; idempotencyKey: string }): Promise<{ conversationId: string | null }> {
    const at = this.clock.now();
    if (this.failNext > 0) {
      this.failNext--;
      this.attempts.push({ to: request.to, idempotencyKey: request.idempotencyKey, at, ok: false });
      throw new Error('SMS API timed out');
    }
    this.attempts.push({ to: request.to, idempotencyKey: request.idempotencyKey, at, ok: true });
    if (!this.texts.some((t) => t.idempotencyKey === request.idempotencyKey)) this.texts.push({ ...request, at });
    return { conversationId: null };
  }
}

/** What the scripted agent does with a call: the webhook body fields, plus delivery faults. */
export interface Script {
  readonly body: Partial<CallEnded>;
  readonly durationMs?: number;
  readonly webhook?: 'normal' | 'drop' | 'duplicate';
}

export const NO_ANSWER: Script = { body: { status: 'no-answer', answered_by: 'no-answer', call_length: 0 } };
export const SALE: Script = { body: { status: 'completed', answered_by: 'human', disposition_tag: 'SALE', call_length: 6 } };
export const DNC: Script = { body: { status: 'completed', answered_by: 'human', disposition_tag: 'DNC', call_length: 0.5 } };
export const callbackAt = (iso: string): Script => ({
  body: { status: 'completed', answered_by: 'human', disposition_tag: 'CALLBACK', variables: { callback_datetime: iso }, call_length: 1 },
});

export class ScriptedAgent implements VoiceAgent {
  readonly calls: PlacedCall[] = [];
  readonly webhooks: { at: number; body: CallEnded }[] = [];
  private readonly ended = new Map<string, { endAt: number; body: CallEnded }>();
  /** When each placed call ends (its call_id → instant): the calls in progress at any moment. */
  readonly endsAt = new Map<string, number>();
  failNext = 0;

  constructor(
    private readonly clock: ManualClock,
    private readonly script: (call: PlacedCall) => Script,
  ) {}

  async placeCall(request: PlaceCallRequest): Promise<{ callId: string }> {
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('Bland 503 after retries');
    }
    const at = this.clock.now();
    const call: PlacedCall = { callId: `call-${this.calls.length + 1}`, request, at, n: this.calls.length };
    this.calls.push(call);
    const script = this.script(call);
    const endAt = at + (script.durationMs ?? 30_000);
    this.endsAt.set(call.callId, endAt);
    const body: CallEnded = { call_id: call.callId, to: request.phone, metadata: request.metadata, created_at: new Date(at).toISOString(), ...script.body };
    this.ended.set(call.callId, { endAt, body });
    if (script.webhook !== 'drop') this.webhooks.push({ at: endAt, body });
    if (script.webhook === 'duplicate') this.webhooks.push({ at: endAt + 45_000, body });
    return { callId: call.callId };
  }

  async getCall(callId: string) {
    const call = this.ended.get(callId);
    if (!call) return null;
    return this.clock.now() >= call.endAt ? call.body : { call_id: callId, status: 'in-progress' };
  }

  nextWebhookAt(): number | null {
    return this.webhooks.reduce<number | null>((min, w) => (min === null || w.at < min ? w.at : min), null);
  }

  takeDue(now: number): CallEnded[] {
    const due = this.webhooks.filter((w) => w.at <= now).sort((a, b) => a.at - b.at);
    for (const w of due) this.webhooks.splice(this.webhooks.indexOf(w), 1);
    return due.map((w) => w.body);
  }
}

let tables = 0;

export async function startLoop(dynamo: LocalDynamo, options: { now: number; script: (call: PlacedCall) => Script; config?: ConfigInput; metrics?: MetricsSink; pacing?: boolean }) {
  const tableName = `loop-${tables++}`;
  await ensureTable(dynamo.client, tableName);
  const store = new DynamoLeadStore(dynamo.doc, tableName);
  const clock = new ManualClock(options.now);
  const queue = new LocalDialQueue();
  const scheduler = new LocalAttemptScheduler(store, (m) => queue.send(m), clock);
  const agent = new ScriptedAgent(clock, options.script);
  const events: LoopEvent[] = [];
  let ids = 0;
  const blocklist = new DynamoBlockList(dynamo.doc, tableName);
  const sms = new FakeSms(clock);
  const deps = loopDeps({ store, scheduler, agent, crm: null, clock, newId: () => `tok-${++ids}`, config: parseConfig(options.config ?? {}), log: (e) => events.push(e), blocklist, callerIds: new DynamoCallerIdStore(dynamo.doc, tableName), random: seededRandom(7), sms, metrics: options.metrics, capacity: options.pacing ? new DynamoCapacityStore(dynamo.doc, tableName) : null });
  const acceptLead = makeAcceptLead(deps);
  const dial = makeDialLead(deps);
  const recordOutcome = makeRecordCallOutcome(deps);
  const watchdog = makeWatchdog(deps);
  const sweep = makeSweep(deps);
  const dialResults: string[] = [];
  const sendSmsStep = makeSendSmsStep(deps);
  const smsResults: string[] = [];
  const handle = async (m: DialMessage) => {
    if (m.kind === 'dial') dialResults.push((await dial(m)).result);
    else if (m.kind === 'sms') smsResults.push((await sendSmsStep(m)).result);
    else await watchdog(m);
  };

  /** Runs every scheduled event (dials, watchdogs, webhooks) up to `until`, in time order. */
  async function runUntil(until: number): Promise<void> {
    for (let guard = 0; guard < 10_000; guard++) {
      await queue.drain(handle);
      const candidates = [scheduler.nextAt(), agent.nextWebhookAt()].filter((t): t is number => t !== null && t <= until);
      if (candidates.length === 0) break;
      clock.set(Math.max(clock.now(), Math.min(...candidates)));
      await scheduler.tick();
      await queue.drain(handle);
      for (const body of agent.takeDue(clock.now())) await recordOutcome(body);
    }
    clock.set(Math.max(clock.now(), until));
  }

  return { store, blocklist, sms, smsResults, clock, queue, scheduler, agent, deps, events, dialResults, acceptLead, dial, recordOutcome, watchdog, sweep, handle, runUntil };
}

export type Loop = Awaited<ReturnType<typeof startLoop>>;

/**
 * The loop's safety invariants, read from the store, the scheduler and the agent's call log:
 * every ACTIVE lead has exactly one future attempt (a pending dial schedule for its current token, or a call in
 * flight with its watchdog), and no attempt token was dialed twice.
 */
export async function checkInvariants(loop: Loop, phones: readonly string[], store: LeadStore = loop.store): Promise<string[]> {
  const problems: string[] = [];
  const pending = loop.scheduler.list();
  // While the kill switch is on, an attempt may be held: overdue, unclaimed, no schedule (resume restores it).
  const paused = await store.getSystemPaused();
  for (const phone of phones) {
    const lead = await store.get(phone);
    if (!lead) continue;
    const dials = pending.filter((s) => s.message.kind === 'dial' && s.message.phone === phone);
    const watchdogs = pending.filter((s) => s.message.kind === 'watchdog' && s.message.phone === phone);
    if (lead.status === 'ACTIVE') {
      const inFlight = lead.claimedToken === lead.scheduleToken && watchdogs.some((w) => w.message.callId === lead.lastCallId);
      const scheduled = dials.length === 1 && dials[0]!.message.scheduleToken === lead.scheduleToken && lead.claimedToken !== lead.scheduleToken;
      const held = paused && dials.length === 0 && lead.scheduleToken !== null && lead.claimedToken !== lead.scheduleToken && lead.nextAttemptAt !== null && lead.nextAttemptAt <= loop.clock.now();
      if (!(inFlight || scheduled || held) || dials.length > 1) problems.push(`${phone}: ${dials.length} dial schedules, in flight ${inFlight}`);
    } else if (dials.length > 0) {
      problems.push(`${phone}: ${lead.status} but ${dials.length} dial schedules`);
    }
  }
  const perToken = new Map<string, number>();
  for (const call of loop.agent.calls) perToken.set(call.request.metadata.scheduleToken, (perToken.get(call.request.metadata.scheduleToken) ?? 0) + 1);
  for (const [token, n] of perToken) if (n > 1) problems.push(`token ${token} dialed ${n} times`);
  return problems;
}
