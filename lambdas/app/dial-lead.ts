import { trimCallTimes, type Lead } from '../domain/lead';
import { crmTerminal } from '../ports/crm';
import { VersionConflictError } from '../ports/lead-store';
import { maskPhone } from '../domain/phone';
import { watchdogScheduleName, type DialMessage } from '../ports/attempt-scheduler';
import { applyDecision, blockedBy, cancelAttempt, dialMessageFor, loopDeps, policyView, reportDay, type LoopDeps, type LoopPorts } from './loop-deps';
import { describeBlock } from '../domain/blocklist';
import { chooseCallerId } from '../domain/caller-id';
import { latenessBucket, reportingDate } from '../domain/report-counts';
import { METRIC } from '../ports/metrics';
import { classifyDial, rateLimitedRetryAt, SAME_NUMBER_SPACING_MS, type DialClass } from '../domain/pacing';

export type DialResult =
  | { readonly result: 'dialed'; readonly callId: string }
  | { readonly result: 'stale' | 'already-claimed' | 'not-active' | 'paused' | 'crm-unavailable' }
  | { readonly result: 'refused'; readonly reasons: readonly string[] }
  | { readonly result: 'blocked'; readonly reason: string }
  | { readonly result: 'deferred'; readonly limit: string; readonly retryAt: number }
  | { readonly result: 'crm-terminal'; readonly status: string }
  | { readonly result: 'call-failed'; readonly error: string };

/**
 * The dialer, for one due attempt. At-least-once delivery is the normal case: the attempt is claimed by a conditional
 * write of its token before the voice agent is called, so a redelivered message never dials twice. At the moment of
 * dialing it re-checks the lead, the calling window and the daily cap (a dial that left the window is rescheduled,
 * never placed), and optionally the CRM.
 */
/** While the kill switch is on, a due attempt is looked at again this much later. */
export const PAUSE_RECHECK_MS = 15 * 60_000;
/** When the pre-dial CRM lookup fails (Convoso down), the attempt is looked at again this much later, uncalled. */
export const CRM_RECHECK_MS = 5 * 60_000;

export function makeDialLead(ports: LoopPorts | LoopDeps) {
  const deps = 'policy' in ports ? ports : loopDeps(ports);

  /**
   * Counts the placed call on the lead. The call's webhook may already have come (a call that fails at once) and
   * counted it itself, then moved the lead on: on a version conflict the lead is read again, and the call is counted
   * only if nobody did.
   */
  async function recordDial(claimed: Lead, callId: string, now: number): Promise<Lead> {
    let lead = claimed;
    for (let attempt = 0; attempt < 5; attempt++) {
      if (lead.lastCallId === callId || lead.scheduleToken !== claimed.scheduleToken) return lead;
      try {
        return await deps.store.update({
          ...lead,
          attemptsTotal: lead.attemptsTotal + 1,
          recentCallTimes: trimCallTimes([...lead.recentCallTimes, now], now),
          lastCallId: callId,
          nextAttemptAt: null,
          deferredSince: null,
          nextAttemptReason: `call ${callId} in progress`,
          updatedAt: now,
        });
      } catch (error) {
        if (!(error instanceof VersionConflictError)) throw error;
        lead = (await deps.store.get(claimed.phone)) ?? lead;
      }
    }
    throw new VersionConflictError(claimed.phone, lead.version);
  }

  /**
   * The day's call counters for one placed call: a redial is any call after the lead's first; `leadsDialed` counts
   * each lead once per reporting day (for calls per lead per day); `leadsAtCap` counts the call that fills the cap.
   */
  function dialCounts(claimed: Lead, view: ReturnType<typeof policyView>, now: number, cap: number): Record<string, number> {
    const day = reportDay(deps, now);
    const zone = deps.config.reporting.zone;
    // Lateness from when the attempt fell due: a capacity deferral's wait is part of it.
    const dueAt = claimed.deferredSince ?? claimed.nextAttemptAt ?? now;
    const callsToday = deps.policy.callsOnLocalDay(view, now);
    const cls = classifyDial({ callsTotal: claimed.attemptsTotal, callsToday, reason: claimed.attemptReason });
    const counts: Record<string, number> = { dials: 1, [`dials_${cls}`]: 1, [latenessBucket(now - dueAt)]: 1 };
    // Demand: an attempt that fell due is counted once, when it is dialed or when it is first deferred.
    if (!claimed.deferredSince) counts['attemptsDue'] = 1;
    if (claimed.attemptsTotal > 0) counts['redials'] = 1;
    if (!claimed.recentCallTimes.some((t) => reportingDate(zone, t) === day)) counts['leadsDialed'] = 1;
    if (callsToday + 1 >= cap) counts['leadsAtCap'] = 1;
    return counts;
  }

  /**
   * Defers a claimed attempt for capacity: not dialed, not counted toward any cap, not FAILED. The lead gets a new
   * attempt at `at` (moved into its window if need be), keeping when it first fell due, so its wait and the day's
   * demand are counted once.
   */
  async function defer(claimed: Lead, at: number, limit: string, now: number, detail: string, cls?: DialClass, waitForSlot = false): Promise<DialResult> {
    const view = policyView(claimed);
    const decision = deps.policy.schedule(view, at, claimed.attemptReason ?? 'gap', now);
    const first = !claimed.deferredSince;
    const next = await applyDecision(deps, claimed, { ...decision, detail: `${detail}; ${decision.detail}` }, { deferredSince: claimed.deferredSince ?? claimed.nextAttemptAt ?? now });
    // Waiting for a slot of its class: in the waiting room, so the next freed slot sends it at once. Not if the window
    // moved it later (it is not due before then).
    if (cls && waitForSlot && deps.pacer && next.status === 'ACTIVE' && next.scheduleToken && (next.nextAttemptAt ?? Infinity) <= at + 1_000) {
      await deps.pacer.park(next, cls, dialMessageFor(next));
    }
    if (limit !== 'same-number') {
      // By priority class too (the class the pacer gave it, or the one it would have had for a 429).
      const asClass = cls ?? classifyDial({ callsTotal: claimed.attemptsTotal, callsToday: deps.policy.callsOnLocalDay(view, now), reason: claimed.attemptReason });
      await deps.store.addDailyCounts(reportDay(deps, now), { capacityDeferrals: 1, [`deferred_${limit}`]: 1, ...(first ? { attemptsDue: 1, attemptsDeferred: 1, [`attemptsDeferred_${asClass}`]: 1 } : {}) });
      deps.metrics?.add(METRIC.dialDeferredCapacity, 1);
      if (limit === 'spend') deps.metrics?.add(METRIC.spendCapReached, 1);
    }
    deps.log?.({ event: 'deferred', phone: maskPhone(claimed.phone), detail });
    return { result: 'deferred', limit, retryAt: at };
  }

  return async function dialLead(message: DialMessage): Promise<DialResult> {
    const now = deps.clock.now();
    const lead = await deps.store.get(message.phone);
    if (!lead || lead.status !== 'ACTIVE') return { result: 'not-active' };
    if (lead.scheduleToken !== message.scheduleToken) return { result: 'stale' };

    // Kill switch: while paused the attempt is held as it is (unclaimed, no new schedule); resume restores it.
    if (await deps.store.getSystemPaused()) {
      deps.log?.({ event: 'held', phone: maskPhone(lead.phone), detail: 'system paused: attempt held until resume' });
      deps.metrics?.add(METRIC.dialHeldPaused, 1);
      return { result: 'paused' };
    }
    // The blocklist, before the claim: a blocked lead is paused (its attempt dropped) until an operator unblocks and
    // resumes it. A conflicting write means the lead moved on: this message is stale.
    const block = await blockedBy(deps, lead.phone);
    if (block) {
      const reason = describeBlock(block);
      try {
        await deps.store.update({ ...lead, status: 'PAUSED', nextAttemptAt: null, scheduleToken: null, nextAttemptReason: reason, updatedAt: now });
      } catch (error) {
        if (error instanceof VersionConflictError) return { result: 'stale' };
        throw error;
      }
      await cancelAttempt(deps, lead, message.scheduleToken);
      deps.metrics?.add(METRIC.dialRefusedBlocked, 1);
      deps.log?.({ event: 'blocked', phone: maskPhone(lead.phone), detail: `${reason}: lead paused, no call` });
      return { result: 'blocked', reason };
    }
    const claimed = await deps.store.claim(lead.phone, message.scheduleToken, now);
    if (!claimed) return { result: 'already-claimed' };

    // Bland refuses a second call to one number within 10 seconds (a gap of 0 after a short call): wait it out.
    const lastCall = claimed.recentCallTimes.length > 0 ? Math.max(...claimed.recentCallTimes) : null;
    if (lastCall !== null && now - lastCall < SAME_NUMBER_SPACING_MS) {
      return defer(claimed, lastCall + SAME_NUMBER_SPACING_MS + 500, 'same-number', now, 'the previous call to this number was under 10 s ago (Bland refuses it)');
    }
    // The voice platform's capacity, shared by every dialer: a slot of this attempt's priority class, or a deferral.
    // Taken before the CRM lookup, so a deferred attempt spends none of Convoso's request budget; every way out below
    // that places no call frees it again.
    let holdsSlot = false;
    if (deps.pacer) {
      const admission = await deps.pacer.admit(claimed, message.scheduleToken, deps.policy.callsOnLocalDay(policyView(claimed), now), claimed.attemptReason, now);
      deps.metrics?.add(METRIC.pacerInFlight, admission.usage.inFlight, 'Count');
      if (!admission.admitted) {
        return defer(claimed, admission.retryAt, admission.limit, now, `deferred for capacity (${admission.limit} full for a ${admission.cls} dial)`, admission.cls, admission.limit === 'concurrency');
      }
      holdsSlot = true;
      await deps.pacer.unpark(claimed, admission.cls);
    }
    const freeSlot = async () => {
      if (!holdsSlot) return;
      holdsSlot = false;
      // Only where no call was placed: its hourly and daily counts go back to the plan.
      await deps.pacer!.release(message.scheduleToken, deps.clock.now(), 0, now);
    };

    if (deps.config.dialer.preDialCrmCheck && deps.crm) {
      let found: Awaited<ReturnType<NonNullable<typeof deps.crm>['findByPhone']>>;
      try {
        found = await deps.crm.findByPhone(lead.phone);
      } catch (error) {
        // Fail closed: a lead a human may have sold or put on DNC is not called blind. No call was placed, so none is
        // counted; the claimed attempt is replaced by one a few minutes on (rather than stranded until the sweeper).
        const later = deps.clock.now();
        const decision = deps.policy.schedule(policyView(claimed), later + CRM_RECHECK_MS, claimed.attemptReason ?? 'gap', later);
        // The status only: an upstream message may echo the request (a phone number) into the lead and the log.
        const status = (error as { status?: unknown }).status;
        await applyDecision(deps, claimed, { ...decision, detail: `CRM check failed (${typeof status === 'number' ? `Convoso HTTP ${status}` : 'Convoso unreachable'}); ${decision.detail}` });
        deps.metrics?.add(METRIC.dialHeldCrmUnavailable, 1);
        await freeSlot();
        return { result: 'crm-unavailable' };
      }
      const terminal = crmTerminal(found, deps.config.crm.terminalStatuses);
      if (terminal) {
        await applyDecision(deps, claimed, { kind: 'terminal', outcome: terminal.outcome, detail: `CRM status ${terminal.status}: ${terminal.outcome} by a human agent` });
        await freeSlot();
        return { result: 'crm-terminal', status: terminal.status };
      }
    }

    // Re-checked right before the call (the CRM lookup may have taken a while): kill switch, window, caps.
    const now2 = deps.clock.now();
    // Paused between the check above and the claim: no call; the attempt is looked at again later, not lost.
    if (await deps.store.getSystemPaused()) {
      const view = policyView(claimed);
      const decision = deps.policy.schedule(view, now2 + PAUSE_RECHECK_MS, claimed.attemptReason ?? 'gap', now2);
      await applyDecision(deps, claimed, { ...decision, detail: `system paused; ${decision.detail}` });
      await freeSlot();
      return { result: 'paused' };
    }

    // Safety re-check at the moment of dialing: window, state caps, daily cap.
    const view = policyView(claimed);
    // Texts sent count with calls toward the per-24 h state caps (the stricter reading; docs/compliance.md).
    const withTexts = { ...view, window: { ...view.window, callTimes: [...view.window.callTimes, ...(claimed.recentTextTimes ?? [])].sort((a, b) => a - b) } };
    const window = deps.window.isAllowed(withTexts.window, now2);
    const cap = deps.policy.dailyCapAt(view, now2);
    const overCap = deps.policy.callsOnLocalDay(view, now2) >= cap;
    if (!window.allowed || overCap) {
      const reasons = [...window.reasons.map((r) => r.message), ...(overCap ? [`${cap} calls already today (daily cap)`] : [])];
      // Rescheduled by the same view that refused it (texts included), or the next attempt would be refused again.
      const decision = deps.policy.schedule(window.allowed ? view : withTexts, now2, 'gap', now2);
      await applyDecision(deps, claimed, decision);
      await deps.store.addDailyCounts(reportDay(deps, now2), window.allowed ? { capRefusals: 1 } : { windowRefusals: 1 });
      deps.metrics?.add(window.allowed ? METRIC.dialRefusedCap : METRIC.dialRefusedWindow, 1);
      deps.log?.({ event: 'refused', phone: maskPhone(lead.phone), detail: reasons.join('; ') });
      await freeSlot();
      return { result: 'refused', reasons };
    }

    // The caller ID: from the pool when one is configured (else the agent's default).
    const pool = deps.config.callerIds;
    let callerId: string | null = null;
    if (pool.numbers.length > 0 && deps.callerIds) {
      try {
        const states = await deps.callerIds.states(pool.numbers.map((n) => n.number));
        callerId = chooseCallerId(pool, states, claimed, now2, deps.random ?? Math.random)?.number ?? null;
      } catch (error) {
        // The attempt is claimed: never strand it over a caller ID. The agent's default number places the call.
        deps.log?.({ event: 'caller-id-unavailable', phone: maskPhone(lead.phone), detail: (error as Error).message });
      }
    }

    let callId: string;
    try {
      ({ callId } = await deps.agent.placeCall({
        ...(callerId ? { from: callerId } : {}),
        phone: lead.phone,
        metadata: { phone: lead.phone, leadId: lead.crmLeadId ?? lead.phone, scheduleToken: message.scheduleToken },
        requestData: { ...lead.fields, first_name: lead.firstName ?? '', last_name: lead.lastName ?? '', state: lead.state ?? '', zip: lead.zip ?? '' },
      }));
    } catch (error) {
      const stuckMs = (deps.config.dialer.maxDurationMinutes + deps.config.dialer.watchdogGraceMinutes) * 60_000;
      if ((error as { ambiguous?: boolean }).ambiguous) {
        // A timeout or 5xx: the call may have been placed. Keep the claimed attempt (its webhook, whose metadata names
        // this token, will be recovered); if none comes, the sweeper counts it as a call that FAILED.
        await deps.store.update({ ...claimed, nextAttemptAt: now2 + stuckMs, nextAttemptReason: `call outcome unknown: ${(error as Error).message}`, updatedAt: now2 });
        await deps.store.addDailyCounts(reportDay(deps, now2), { dialUnknown: 1 });
        deps.metrics?.add(METRIC.blandErrors, 1);
        return { result: 'call-failed', error: (error as Error).message };
      }
      // No call was placed: the slot is free again.
      await freeSlot();
      // Over the platform's limits after all (429 after its retries): a deferral, never a FAILED call.
      if ((error as { status?: unknown }).status === 429) {
        const at = rateLimitedRetryAt(now2, claimed.deferredSince ?? now2, deps.random ?? Math.random);
        return defer(claimed, at, 'rate-limited', now2, 'the voice platform answered 429 (over its limits)');
      }
      // The voice agent refused the call (4xx): no call placed; count FAILED, redial later.
      const decision = deps.policy.decide(view, { outcome: 'FAILED' }, now2);
      await applyDecision(deps, claimed, decision, { lastOutcome: 'FAILED' });
      await deps.store.addDailyCounts(reportDay(deps, now2), { dialErrors: 1 });
      deps.metrics?.add(METRIC.blandErrors, 1);
      return { result: 'call-failed', error: (error as Error).message };
    }

    // The call exists from here on: index it, make its watchdog, then update the lead. A crash at any point leaves
    // either the watchdog or the lead in the `due` index, so the sweeper or the watchdog moves the lead on.
    await deps.store.putCall({ callId, phone: lead.phone, scheduleToken: message.scheduleToken, placedAt: now2, outcomeRecorded: false, callerId });
    const { maxDurationMinutes, watchdogGraceMinutes } = deps.config.dialer;
    await deps.scheduler.schedule(watchdogScheduleName(callId), now2 + (maxDurationMinutes + watchdogGraceMinutes) * 60_000, {
      v: 1, kind: 'watchdog', phone: lead.phone, scheduleToken: message.scheduleToken, callId,
    });
    const updated = await recordDial(claimed, callId, now2);
    await deps.store.addDailyCounts(reportDay(deps, now2), dialCounts(claimed, view, now2, cap));
    const lateMs = Math.max(0, now2 - (claimed.nextAttemptAt ?? now2));
    deps.metrics?.add(METRIC.dials, 1);
    deps.metrics?.add(METRIC.dialLatenessMs, lateMs, 'Milliseconds');
    deps.log?.({ event: 'dialed', phone: maskPhone(updated.phone), detail: `call ${callId} (attempt ${updated.attemptsTotal})` });
    return { result: 'dialed', callId };
  };
}
