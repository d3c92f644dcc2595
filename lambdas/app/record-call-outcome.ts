import { callFacts, type BlandCallReport } from '../domain/classify-call';
import { trimCallTimes } from '../domain/lead';
import { maskPhone, normalizePhone } from '../domain/phone';
import { watchdogScheduleName } from '../ports/attempt-scheduler';
import { VersionConflictError } from '../ports/lead-store';
import { applyDecision, blockedBy, loopDeps, policyView, reportDay, sendCrmWrite, type LoopDeps, type LoopPorts } from './loop-deps';
import { isAnswered, reportingDate } from '../domain/report-counts';
import { afterCall } from '../domain/caller-id';
import { makeRecordInboundCall } from './record-inbound-call';
import { startSmsSequence } from './sms-follow-up';
import type { Lead } from '../domain/lead';
import type { CallRecord } from '../ports/lead-store';
import { callerIdMetric, METRIC, outcomeMetric } from '../ports/metrics';
import { InvalidRequestError } from './check-window';
import { writeBackMessage } from './crm-write-back';

export type OutcomeResult =
  | { readonly result: 'recorded'; readonly outcome: string; readonly nextAttemptAt: string | null; readonly status: string }
  | { readonly result: 'duplicate' | 'unknown-call' | 'not-final' | 'inbound-unknown-caller' };

/** The call object as the webhook (or GET /v1/calls/{id}) gives it, with the fields the loop reads. */
export type CallEnded = BlandCallReport & {
  readonly call_id?: string | null;
  readonly to?: string | null;
  readonly inbound?: boolean | null;
  readonly metadata?: { readonly phone?: unknown; readonly scheduleToken?: unknown } | null;
  readonly call_length?: number | null;
  readonly price?: number | null;
  readonly created_at?: string | null;
};

/** A call-object body, not one of the in-call event messages Bland can stream to the same URL. */
export function isFinalCallReport(body: CallEnded): boolean {
  return typeof body.call_id === 'string' && (typeof body.status === 'string' || typeof body.completed === 'boolean' || 'answered_by' in body);
}

/**
 * Records a call's outcome, from the webhook or the watchdog. Idempotent by call_id: the call index is marked once,
 * so a second delivery (Bland's corrected-transcript follow-up, a retry) changes nothing. Classifies, stores the
 * attempt, applies RedialPolicy, schedules the next attempt or finishes the lead, and counts the day.
 */
export function makeRecordCallOutcome(ports: LoopPorts | LoopDeps) {
  const deps = 'policy' in ports ? ports : loopDeps(ports);
  const recordInbound = makeRecordInboundCall(deps);
  /**
   * A call the index does not know, but whose metadata names the lead's claimed attempt: the dialer crashed between
   * placing the call and recording it. Index it now and count the call on the lead, so nothing is lost or dialed twice.
   */
  async function recoverCall(body: CallEnded) {
    const token = body.metadata?.scheduleToken;
    const rawPhone = body.metadata?.phone;
    if (typeof token !== 'string' || typeof rawPhone !== 'string') return null;
    const phone = normalizePhone(rawPhone);
    if (!phone.ok) throw new InvalidRequestError('metadata.phone', phone.reason);
    const lead = await deps.store.get(phone.phone);
    if (!lead || lead.scheduleToken !== token || lead.claimedToken !== token || lead.lastCallId === body.call_id) return null;
    const now = deps.clock.now();
    const started = typeof body.created_at === 'string' ? Date.parse(body.created_at) : Number.NaN;
    const placedAt = Number.isFinite(started) ? started : lead.updatedAt;
    // Its caller ID, when Bland's record names one of the pool's numbers.
    const from = (body as { from?: unknown }).from;
    const callerId = typeof from === 'string' && deps.config.callerIds.numbers.some((n) => n.number === from) ? from : null;
    const record: CallRecord = { callId: body.call_id!, phone: lead.phone, scheduleToken: token, placedAt, outcomeRecorded: false, callerId };
    if (!(await deps.store.putCall(record))) return deps.store.getCall(body.call_id!);
    // The dialer never counted this call: count the dial on its day, as the dialer would have.
    const day = reportDay(deps, placedAt);
    const zone = deps.config.reporting.zone;
    await deps.store.addDailyCounts(day, {
      dials: 1,
      ...(lead.attemptsTotal > 0 ? { redials: 1 } : {}),
      ...(lead.recentCallTimes.some((t) => reportingDate(zone, t) === day) ? {} : { leadsDialed: 1 }),
    });
    deps.metrics?.add(METRIC.dials, 1);
    await deps.store.update({
      ...lead,
      attemptsTotal: lead.attemptsTotal + 1,
      recentCallTimes: trimCallTimes([...lead.recentCallTimes, placedAt], now),
      lastCallId: body.call_id!,
      updatedAt: now,
    });
    deps.log?.({ event: 'recovered-call', phone: maskPhone(lead.phone), detail: `call ${body.call_id} was placed but not recorded` });
    return record;
  }

  /**
   * Retried on a version conflict (the dialer writing the same lead at the same moment): every step before the call
   * is marked recorded is safe to repeat.
   */
  return async function recordCallOutcome(body: CallEnded, archiveKey: string | null = null): Promise<OutcomeResult> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await recordOnce(body, archiveKey);
      } catch (error) {
        if (!(error instanceof VersionConflictError) || attempt >= 4) throw error;
      }
    }
  };

  /**
   * The call's counters, on the reporting day it was placed (so a day's outcomes match its dials), and its metrics.
   * Also a safety net on top of the rules: the call is checked against the calling window as it stood when it was
   * placed (the calls before it); a dial outside it is counted and alarmed on, and must never happen.
   */
  async function countCall(lead: Lead, call: CallRecord, outcome: string, answered: boolean, price: number | null, durationS: number | null) {
    const view = policyView(lead).window;
    const allowed = deps.window.isAllowed({ ...view, callTimes: view.callTimes.filter((t) => t < call.placedAt) }, call.placedAt);
    const counts: Record<string, number> = { [`outcome_${outcome}`]: 1 };
    if (answered) counts['answered'] = 1;
    if (price !== null && price > 0) counts['blandCostUsd'] = price;
    if (durationS !== null && durationS > 0) counts['callSeconds'] = durationS;
    if (!allowed.allowed) counts['outsideWindow'] = 1;
    await deps.store.addDailyCounts(reportDay(deps, call.placedAt), counts);
    deps.metrics?.add(outcomeMetric(outcome), 1);
    if (answered) deps.metrics?.add(METRIC.answered, 1);
    if (price !== null && price > 0) deps.metrics?.add(METRIC.blandCostUsd, price, 'None');
    if (durationS !== null && durationS > 0) deps.metrics?.add(METRIC.callSeconds, durationS, 'None');
    if (!allowed.allowed) {
      deps.metrics?.add(METRIC.dialsOutsideWindow, 1);
      deps.log?.({ event: 'dial-outside-window', phone: maskPhone(lead.phone), detail: `call ${call.callId}: ${allowed.reasons.map((r) => r.message).join('; ')}` });
    }
  }

  async function recordOnce(body: CallEnded, archiveKey: string | null): Promise<OutcomeResult> {
    if (!isFinalCallReport(body)) return { result: 'not-final' };
    // A lead calling back (the inbound number's webhook): matched by the caller, never an outbound dial.
    if (body.inbound === true) return (await recordInbound(body, archiveKey)) as OutcomeResult;
    const callId = body.call_id!;
    const call = (await deps.store.getCall(callId)) ?? (await recoverCall(body));
    if (!call) return { result: 'unknown-call' };
    // Applied once: the call is marked recorded only after the lead was updated, so a failure halfway (a throttle,
    // a version conflict with the dialer) is retried by Bland or the watchdog rather than stranding the lead.
    if (call.outcomeRecorded) return { result: 'duplicate' };

    const now = deps.clock.now();
    const classification = deps.classifier.classify(body);
    const facts = callFacts(body);
    const { answeredBy, durationS, price } = facts;
    await deps.store.putAttempt({
      phone: call.phone,
      callId,
      calledAt: call.placedAt,
      outcome: classification.outcome,
      evidence: classification.evidence,
      ...facts,
      archiveKey,
    });

    const stored = await deps.store.get(call.phone);
    if (!stored) return { result: 'unknown-call' };
    // A fast webhook can overtake the dialer's own write of this call: count the call here (the dialer then sees it
    // counted and leaves it), so the caps never miss a call.
    const lead = stored.scheduleToken === call.scheduleToken && stored.lastCallId !== callId
      ? { ...stored, attemptsTotal: stored.attemptsTotal + 1, recentCallTimes: trimCallTimes([...stored.recentCallTimes, call.placedAt], now), lastCallId: callId }
      : stored;
    const transferred = classification.outcome === 'TRANSFERRED' ? { transfers: (lead.transfers ?? 0) + 1 } : {};
    // A human picked up: the pool prefers this caller ID for the lead's next calls, and the number's tallies move.
    const pickedUp = answeredBy?.toLowerCase() === 'human';
    const pickup = pickedUp && call.callerId ? { lastPickupFrom: call.callerId } : {};
    let next = lead;
    if (lead.status === 'ACTIVE' && lead.scheduleToken === call.scheduleToken) {
      const decision = deps.policy.decide(policyView(lead), { outcome: classification.outcome, callbackAt: classification.callbackAt }, now);
      const explained = { ...decision, detail: `${classification.outcome} (${classification.evidence}) → ${decision.detail}` };
      next = await applyDecision(deps, lead, explained, { lastOutcome: classification.outcome, ...transferred, ...pickup });
      // A voicemail or no-answer starts the lead's text follow-up (once; off until an SMS number is configured).
      next = await startSmsSequence(deps, next, classification.outcome);
    } else if (lead.status !== 'DONE' && deps.policy.isTerminal(classification.outcome)) {
      // The lead moved on (a newer attempt, or paused), but a SALE/DNC from any of its calls still ends it.
      next = await applyDecision(deps, lead, { kind: 'terminal', outcome: classification.outcome, detail: `${classification.outcome} from an earlier call ${callId}` }, { lastOutcome: classification.outcome });
    } else {
      deps.log?.({ event: 'outcome-late', phone: maskPhone(lead.phone), detail: `${classification.outcome} for call ${callId} (lead moved on)` });
    }
    // The CRM hears of every call, through the outbox (enqueued before the call is marked recorded, so a crash here
    // repeats the write rather than losing it; the write is idempotent).
    if (deps.crmOutbox && deps.config.crm.writeBack.enabled) {
      const write = writeBackMessage(deps.config, call.phone, next.crmLeadId ?? null, classification.outcome, { ...(body as Record<string, unknown>), callId });
      await sendCrmWrite({ ...deps, crmOutbox: deps.crmOutbox }, write, now);
    }
    // A number that fails for good is listed, with the reason and date, until an operator releases it.
    if (classification.outcome === 'BAD_NUMBER' && deps.blocklist && !(await blockedBy(deps, call.phone))) {
      await deps.blocklist.add({ kind: 'number', value: call.phone, reason: `BAD_NUMBER: ${classification.evidence}`.slice(0, 300), source: 'bad-number', addedAt: now, addedBy: 'redial' });
    }
    if (!(await deps.store.markOutcomeRecorded(callId))) return { result: 'duplicate' };
    // The call has ended: its slot of the voice platform's capacity is free, and its price counts toward the day's cap.
    await deps.pacer?.release(call.scheduleToken, now, price ?? 0);
    await deps.scheduler.cancel(watchdogScheduleName(callId));
    // The caller ID's tallies, once per call (after the mark), and never at the cost of the outcome.
    if (call.callerId && deps.callerIds) {
      try {
        await deps.callerIds.update(call.callerId, (state) => afterCall(deps.config.callerIds, state, { pickedUp, transferred: classification.outcome === 'TRANSFERRED' }, now));
      } catch (error) {
        deps.log?.({ event: 'caller-id-tally-failed', phone: maskPhone(call.phone), detail: `${call.callerId}: ${(error as Error).message}` });
      }
      // Per pool number (our numbers, not a customer's): the dashboard's pickup rate per caller ID.
      deps.metrics?.add(callerIdMetric('Dials', call.callerId), 1);
      if (pickedUp) deps.metrics?.add(callerIdMetric('Pickups', call.callerId), 1);
    }
    await countCall(lead, call, classification.outcome, isAnswered(answeredBy, durationS, deps.config.reporting.answeredMinSeconds), price, durationS);
    return {
      result: 'recorded',
      outcome: classification.outcome,
      nextAttemptAt: next.nextAttemptAt === null ? null : new Date(next.nextAttemptAt).toISOString(),
      status: next.status,
    };
  }
}
