import { watchdogScheduleName, type DialMessage } from '../ports/attempt-scheduler';
import { METRIC } from '../ports/metrics';
import { loopDeps, type LoopDeps, type LoopPorts } from './loop-deps';
import { makeRecordCallOutcome, type OutcomeResult } from './record-call-outcome';

/** Statuses of a call that has ended (docs/bland.md). */
export const FINAL_STATUSES = new Set(['completed', 'failed', 'busy', 'no-answer', 'canceled', 'cancelled']);
/** How long the watchdog keeps asking about a call Bland has not finished (or cannot tell us about) before FAILED. */
export const WATCHDOG_GIVE_UP_MS = 2 * 3_600_000;
export const WATCHDOG_RETRY_MS = 5 * 60_000;

/**
 * Fires max_duration + grace after a dial. If the outcome has not arrived, it asks the voice agent for the call and
 * records it as if the webhook had come. A call the agent does not know is recorded FAILED. A call still running,
 * or an agent that cannot answer, is asked about again in 5 minutes, for up to 2 hours, so an outage never turns a
 * real outcome (a DNC, a sale) into a FAILED that would hide it. A missed webhook never strands a lead.
 */
export function makeWatchdog(ports: LoopPorts | LoopDeps) {
  const deps = 'policy' in ports ? ports : loopDeps(ports);
  const recordCallOutcome = makeRecordCallOutcome(deps);
  return async function watchdog(message: DialMessage): Promise<OutcomeResult | { result: 'already-recorded' | 'waiting' }> {
    const callId = message.callId;
    if (!callId) return { result: 'unknown-call' };
    const call = await deps.store.getCall(callId);
    if (!call) return { result: 'unknown-call' };
    if (call.outcomeRecorded) return { result: 'already-recorded' };
    let report;
    try {
      report = await deps.agent.getCall(callId);
    } catch {
      report = undefined; // the agent could not answer: ask again
    }
    if (report === null) return recordCallOutcome({ call_id: callId, status: 'failed', error_message: 'watchdog: the voice agent does not know this call' });
    const finished = report !== undefined && (report.completed === true || FINAL_STATUSES.has(String(report.status ?? '').toLowerCase()));
    if (report && finished) {
      const recorded = await recordCallOutcome({ ...report, call_id: callId });
      // The webhook never came (or was refused): this outcome was recovered by the watchdog.
      if (recorded.result === 'recorded') deps.metrics?.add(METRIC.watchdogRecoveries, 1);
      return recorded;
    }
    const now = deps.clock.now();
    if (now - call.placedAt >= WATCHDOG_GIVE_UP_MS) {
      return recordCallOutcome({ call_id: callId, status: 'failed', error_message: 'watchdog: no outcome from the voice agent within 2 hours' });
    }
    await deps.scheduler.schedule(watchdogScheduleName(callId), now + WATCHDOG_RETRY_MS, message);
    return { result: 'waiting' };
  };
}
