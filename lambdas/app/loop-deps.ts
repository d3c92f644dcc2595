import type { Config } from '../config/config';
import { CallClassifier } from '../domain/classify-call';
import { CallingWindow } from '../domain/calling-window';
import { trimCallTimes, type Lead } from '../domain/lead';
import { maskPhone } from '../domain/phone';
import { RedialPolicy, type PolicyLead, type RedialDecision } from '../domain/redial-policy';
import { dialScheduleName, type AttemptScheduler, type DialMessage } from '../ports/attempt-scheduler';
import { MAX_DIAL_DELAY_MS, type DialQueue } from '../ports/dial-queue';
import type { Clock } from '../ports/clock';
import type { Crm } from '../ports/crm';
import type { CrmOutbox, CrmWriteMessage, ParkedCrmWrites } from '../ports/crm-outbox';
import { VersionConflictError, type LeadStore } from '../ports/lead-store';
import type { MetricsSink } from '../ports/metrics';
import type { BlockList } from '../ports/blocklist';
import type { CallerIdStore } from '../ports/caller-ids';
import type { SmsSender } from '../ports/sms-sender';
import { blockingEntry, type BlockEntry } from '../domain/blocklist';
import { reportingDate } from '../domain/report-counts';
import type { VoiceAgent } from '../ports/voice-agent';
import type { CallLog } from '../ports/backfill';
import type { CapacityStore } from '../ports/dial-capacity';
import { makePacer, type Pacer } from './pacing';

/** One line per decision, for the operator's log (phone masked). */
export interface LoopEvent {
  readonly event: string;
  readonly phone: string;
  readonly detail: string;
  readonly nextAttemptAt?: string | null;
}

export interface LoopPorts {
  readonly store: LeadStore;
  readonly scheduler: AttemptScheduler;
  /**
   * The dial queue: an attempt due within its delay limit (15 minutes) is sent straight to it with a delay, to the
   * second, instead of through the scheduler (which fires to the minute, a minute ahead at the soonest). Absent: the
   * scheduler carries every attempt.
   */
  readonly dialQueue?: DialQueue | null;
  /** The priority dial queue (fresh leads, callbacks; see DialMessage.lane). Absent: they share the dial queue. */
  readonly priorityDialQueue?: DialQueue | null;
  readonly agent: VoiceAgent;
  readonly crm: Crm | null;
  readonly clock: Clock;
  readonly newId: () => string;
  readonly config: Config;
  readonly log?: (event: LoopEvent) => void;
  /** Public URL Bland posts call-ended webhooks to. */
  readonly webhookUrl?: string;
  /** Convoso write-back queue; absent = no write-back (no CRM configured). */
  readonly crmOutbox?: CrmOutbox | null;
  /** Where a write goes when the outbox cannot take it (kept for replay). */
  readonly crmParked?: ParkedCrmWrites | null;
  readonly metrics?: MetricsSink;
  /** The operator's blocklist (absent = none). Checked at intake and at every dial. */
  readonly blocklist?: BlockList | null;
  /** The caller-ID pool's state (used when config.callerIds.numbers is not empty). */
  readonly callerIds?: CallerIdStore | null;
  /** Texts out (SMS follow-up; used when config.sms.fromNumber is set). */
  readonly sms?: SmsSender | null;
  /** Randomness for the caller-ID choice (default Math.random; seeded in tests). */
  readonly random?: () => number;
  /**
   * The voice platform's call list (Bland GET /v1/calls): the sweeper looks a stuck claim up there before counting it
   * FAILED, so a call whose dialer crashed and whose webhook was lost still yields its outcome. Absent = not looked up.
   */
  readonly callLog?: CallLog | null;
  /**
   * The voice platform's capacity ledger, shared by every dialer instance: with `config.pacer.enabled`, each dial takes
   * a slot of its priority class there or is deferred (docs/architecture.md, "Pacing"). Absent = no pacing.
   */
  readonly capacity?: CapacityStore | null;
}

/** The ports plus the pure rules built once from the config. */
export interface LoopDeps extends LoopPorts {
  readonly window: CallingWindow;
  readonly policy: RedialPolicy;
  readonly classifier: CallClassifier;
  /** The pacer, when a capacity ledger is given and pacing is on. */
  readonly pacer: Pacer | null;
}

export function loopDeps(ports: LoopPorts): LoopDeps {
  const window = new CallingWindow(ports.config.window);
  // A freed slot wakes a waiting attempt through the dial queue (without one, attempts come back at their turns only).
  const wake = ports.dialQueue ? (message: DialMessage) => sendAttempt(ports, 'queue', ports.clock.now(), message) : null;
  const pacer = ports.capacity && ports.config.pacer.enabled ? makePacer(ports.capacity, ports.config, ports.random, wake) : null;
  return { ...ports, window, policy: new RedialPolicy(ports.config.policy, window), classifier: new CallClassifier(ports.config.outcomes), pacer };
}

/** The blocklist entry that blocks `phone`, or null (no blocklist configured: null). */
export async function blockedBy(deps: LoopPorts, phone: string): Promise<BlockEntry | null> {
  if (!deps.blocklist) return null;
  return blockingEntry(phone, await deps.blocklist.entriesFor(phone));
}

/** Runs `attempt` again (it should re-read what it writes) while it loses a version race, up to `tries` times. */
export async function retryOnVersionConflict<T>(attempt: () => Promise<T>, tries = 5): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof VersionConflictError) || n >= tries) throw error;
    }
  }
}

/**
 * Sends a CRM write through the outbox. If the outbox cannot take it, the write is parked in the table (replayable
 * with `npx redial crm-replay`) rather than failing the caller: nothing is lost, nothing blocks the loop.
 */
export async function sendCrmWrite(deps: LoopPorts & { crmOutbox: CrmOutbox }, write: CrmWriteMessage, now: number): Promise<'queued' | 'parked'> {
  try {
    await deps.crmOutbox.send(write);
    return 'queued';
  } catch (error) {
    await deps.crmParked?.parkCrmWrite({ message: write, reason: `outbox unavailable: ${(error as Error).message}`.slice(0, 300), parkedAt: now });
    deps.log?.({ event: 'crm-write-parked', phone: maskPhone(write.phone), detail: `outbox unavailable; write ${write.callId} parked` });
    return 'parked';
  }
}

/** The reporting day of an instant: the key of its daily counters. */
export function reportDay(deps: LoopPorts, ms: number): string {
  return reportingDate(deps.config.reporting.zone, ms);
}

export function policyView(lead: Lead): PolicyLead {
  return {
    primaryZone: lead.primaryZone,
    window: { zones: lead.zones, regions: lead.regions, callTimes: lead.recentCallTimes },
    createdAt: lead.createdAt,
    totalCalls: lead.attemptsTotal,
  };
}

const DAY = 86_400_000;

/** Where an attempt due at `at`, planned at `now`, goes: the dial queue when it can hold it that long, else a schedule. */
export function attemptRoute(deps: LoopPorts, at: number, now: number): 'queue' | 'scheduler' {
  return deps.dialQueue && at - now <= MAX_DIAL_DELAY_MS ? 'queue' : 'scheduler';
}

/** Sends a dial attempt by its route (see attemptRoute), on the priority queue when its lane says so. */
export async function sendAttempt(deps: LoopPorts, via: 'queue' | 'scheduler', at: number, message: DialMessage): Promise<void> {
  const queue = message.lane === 'priority' ? (deps.priorityDialQueue ?? deps.dialQueue) : deps.dialQueue;
  if (via === 'queue' && queue) await queue.send(message, Math.max(0, at - deps.clock.now()));
  else await deps.scheduler.schedule(dialScheduleName(message.scheduleToken), at, message);
}

/** The dial message of a lead's pending attempt: priority for its first call ever or a callback at its promised time. */
export function dialMessageFor(lead: Pick<Lead, 'phone' | 'scheduleToken' | 'attemptsTotal' | 'attemptReason'>): DialMessage {
  const priority = lead.attemptsTotal === 0 || lead.attemptReason === 'callback';
  return { v: 1, kind: 'dial', phone: lead.phone, scheduleToken: lead.scheduleToken!, ...(priority ? { lane: 'priority' as const } : {}) };
}

/** Drops a replaced attempt: a schedule is deleted; a queued message cannot be, and is dropped as stale when it comes. */
export async function cancelAttempt(deps: LoopPorts, lead: Pick<Lead, 'attemptVia'>, token: string): Promise<void> {
  if (lead.attemptVia !== 'queue') await deps.scheduler.cancel(dialScheduleName(token));
}

/**
 * Carries out a RedialPolicy decision: the lead is written first (with its new attempt token), then the schedule is
 * made, then the schedule it replaces is cancelled. A crash between the write and the schedule leaves an ACTIVE lead
 * whose attempt is overdue, which the `due` index finds; never a lead with two pending attempts.
 */
export async function applyDecision(deps: LoopDeps, lead: Lead, decision: RedialDecision, extra: Partial<Lead> = {}): Promise<Lead> {
  const now = deps.clock.now();
  // The attempt being replaced. Its schedule is cancelled even if it was claimed: a copy of its message may have been
  // dialed before the schedule itself fired (at-least-once delivery), and a fired schedule's cancel is a no-op.
  const previousToken = lead.scheduleToken;
  let next: Lead;
  if (decision.kind === 'terminal' || decision.kind === 'stopped') {
    next = {
      ...lead,
      ...extra,
      status: 'DONE',
      outcome: decision.kind === 'terminal' ? decision.outcome : (lead.lastOutcome ?? null),
      nextAttemptAt: null,
      scheduleToken: null,
      nextAttemptReason: decision.detail,
      updatedAt: now,
    };
    next = await deps.store.update(next);
  } else {
    // No allowed moment within the horizon: look again in a day (the dialer re-checks and reschedules).
    const at = decision.kind === 'redial' ? decision.nextAttemptAt : now + DAY;
    const token = deps.newId();
    const via = attemptRoute(deps, at, now);
    next = await deps.store.update({
      ...lead,
      ...extra,
      status: 'ACTIVE',
      nextAttemptAt: at,
      scheduleToken: token,
      attemptVia: via,
      attemptReason: decision.kind === 'redial' ? decision.reason : 'gap',
      // Kept only by a capacity deferral (it passes it in `extra`): any other decision starts a new attempt.
      deferredSince: extra.deferredSince ?? null,
      nextAttemptReason: decision.detail,
      recentCallTimes: trimCallTimes((extra.recentCallTimes ?? lead.recentCallTimes), now),
      updatedAt: now,
    });
    await sendAttempt(deps, via, at, dialMessageFor(next));
  }
  if (previousToken && previousToken !== next.scheduleToken) await cancelAttempt(deps, lead, previousToken);
  deps.log?.({
    event: decision.kind,
    phone: maskPhone(lead.phone),
    detail: decision.detail,
    nextAttemptAt: next.nextAttemptAt === null ? null : new Date(next.nextAttemptAt).toISOString(),
  });
  return next;
}
