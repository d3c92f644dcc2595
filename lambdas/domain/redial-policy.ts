import { DateTime } from 'luxon';
import type { RedialPolicyConfig } from '../config/config';
import type { CallingWindow, WindowSubject } from './calling-window';
import type { Outcome } from './outcome';
import { startOfLocalDay } from './zone-time';

/**
 * RedialPolicy turns a call's outcome into the lead's next step: terminal, or the instant of the next attempt.
 * Pure: `now` and randomness are arguments. Every candidate instant goes through CallingWindow.nextAllowedAt, and
 * the per-day cap is checked on the local calendar day (the lead's primary zone) where the attempt would land.
 */

export interface PolicyLead {
  /** The lead's "local day" zone (LeadLocation.primaryZone). */
  readonly primaryZone: string;
  /** Zones, regions and every call placed to the number (any path), the call just finished included. */
  readonly window: WindowSubject;
  /** When the lead first arrived (epoch ms): day 0 of the optional cadence by lead age. */
  readonly createdAt: number;
  /** All calls ever placed to the lead. */
  readonly totalCalls: number;
}

export interface CallResult {
  readonly outcome: Outcome;
  /** Requested callback instant (epoch ms), for CALLBACK. */
  readonly callbackAt?: number | null;
}

export type NextAttemptReason = 'first' | 'gap' | 'callback' | 'transfer-hold';

export type RedialDecision =
  | { readonly kind: 'terminal'; readonly outcome: Outcome; readonly detail: string }
  | { readonly kind: 'stopped'; readonly detail: string }
  | {
      readonly kind: 'redial';
      readonly nextAttemptAt: number;
      readonly reason: NextAttemptReason;
      /** True when the calling window or a cap moved the attempt later than the candidate instant. */
      readonly deferred: boolean;
      readonly detail: string;
    }
  | { readonly kind: 'no-window'; readonly detail: string };

const MINUTE = 60_000;

export class RedialPolicy {
  constructor(
    private readonly config: RedialPolicyConfig,
    private readonly window: CallingWindow,
  ) {}

  isTerminal(outcome: Outcome): boolean {
    if (outcome === 'BAD_NUMBER' && this.config.badNumberTerminal) return true;
    return this.config.terminalOutcomes.includes(outcome);
  }

  /** Calls placed to the lead on the local calendar day containing `at`. */
  callsOnLocalDay(lead: PolicyLead, at: number): number {
    const start = startOfLocalDay(lead.primaryZone, at);
    const end = startOfLocalDay(lead.primaryZone, at, 1);
    return lead.window.callTimes.filter((c) => c >= start && c < end).length;
  }

  /** The daily cap on the local day containing `at`: flat, or by the lead's age in local days. */
  dailyCapAt(lead: PolicyLead, at: number): number {
    const byAge = this.config.dailyCapByLeadAge;
    if (!byAge) return this.config.maxCallsPerDay;
    const arrived = DateTime.fromMillis(lead.createdAt, { zone: lead.primaryZone }).startOf('day');
    const day = DateTime.fromMillis(at, { zone: lead.primaryZone }).startOf('day');
    const age = Math.max(0, Math.round(day.diff(arrived, 'days').days));
    return Math.min(byAge[Math.min(age, byAge.length - 1)]!, this.config.maxCallsPerDay);
  }

  /** First attempt of a new (or re-activated) lead: the earliest allowed instant from now. */
  firstAttempt(lead: PolicyLead, now: number): RedialDecision {
    return this.schedule(lead, now, 'first', now);
  }

  /** The next step after a call ended with `result`, decided at `now`. */
  decide(lead: PolicyLead, result: CallResult, now: number, random: () => number = () => 0): RedialDecision {
    if (this.isTerminal(result.outcome)) {
      return { kind: 'terminal', outcome: result.outcome, detail: `${result.outcome} is a terminal outcome` };
    }
    if (this.config.maxTotalCalls !== null && lead.totalCalls >= this.config.maxTotalCalls) {
      return { kind: 'stopped', detail: `${lead.totalCalls} calls reach the total cap of ${this.config.maxTotalCalls}` };
    }
    if (result.outcome === 'CALLBACK' && typeof result.callbackAt === 'number' && Number.isFinite(result.callbackAt)) {
      // The customer's requested time, clamped into the window (never earlier than now).
      return this.schedule(lead, Math.max(result.callbackAt, now), 'callback', now);
    }
    const callsToday = this.callsOnLocalDay(lead, now);
    const gaps = this.config.gapsMinutes;
    const gap = gaps[Math.min(callsToday, gaps.length - 1)]!;
    const jitter = this.config.gapJitter > 0 ? gap * this.config.gapJitter * random() : 0;
    let candidate = now + Math.round((gap + jitter) * MINUTE);
    let reason: NextAttemptReason = 'gap';
    if (result.outcome === 'TRANSFERRED') {
      // Never ring a customer who may still be talking to the human agent.
      const held = now + this.config.transferHoldMinutes * MINUTE;
      if (held > candidate) {
        candidate = held;
        reason = 'transfer-hold';
      }
    }
    return this.schedule(lead, candidate, reason, now);
  }

  /**
   * Earliest instant >= candidate that the calling window allows and where the lead's local-day cap is not reached.
   * A full day moves the candidate to the next local midnight; the window then moves it to that day's opening.
   */
  schedule(lead: PolicyLead, candidate: number, reason: NextAttemptReason, now: number): RedialDecision {
    let from = Math.max(candidate, now);
    // The horizon counts from the candidate: a callback asked for in three weeks is kept, not dropped.
    const limit = from + this.window.horizonMs;
    // What first moved the attempt past its candidate: the daily cap, or the window's binding rule there.
    let movedBy: string | null = null;
    while (from <= limit) {
      const at = this.window.nextAllowedAt(lead.window, from);
      if (at === null) break;
      if (at > from) movedBy ??= this.window.bindingRefusal(lead.window, from)?.label ?? 'the calling window';
      const cap = this.dailyCapAt(lead, at);
      if (this.callsOnLocalDay(lead, at) < cap) {
        const deferred = at > candidate;
        const local = DateTime.fromMillis(at, { zone: lead.primaryZone }).toFormat("ccc yyyy-MM-dd HH:mm ZZZZ");
        return {
          kind: 'redial',
          nextAttemptAt: at,
          reason,
          deferred,
          detail: `${reason}${deferred && movedBy ? `, moved by ${movedBy}` : ''}: ${local}`,
        };
      }
      movedBy ??= `daily max reached (${cap} calls on ${DateTime.fromMillis(at, { zone: lead.primaryZone }).toFormat('ccc')})`;
      from = startOfLocalDay(lead.primaryZone, at, 1);
    }
    return { kind: 'no-window', detail: `no allowed instant within ${Math.round(this.window.horizonMs / 86_400_000)} days` };
  }
}
