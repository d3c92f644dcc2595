import type { DialMessage } from '../ports/attempt-scheduler';
import { loopDeps, type LoopDeps, type LoopPorts } from './loop-deps';
import { makeRecordCallOutcome, type OutcomeResult } from './record-call-outcome';

/**
 * Fires max_duration + grace after a dial. If the outcome has not arrived, it asks the voice agent for the call and
 * records it as if the webhook had come; if the agent has no finished call, the attempt counts as FAILED and the lead
 * is rescheduled. A missed webhook never strands a lead.
 */
export function makeWatchdog(ports: LoopPorts | LoopDeps) {
  const deps = 'policy' in ports ? ports : loopDeps(ports);
  const recordCallOutcome = makeRecordCallOutcome(deps);
  return async function watchdog(message: DialMessage): Promise<OutcomeResult | { result: 'already-recorded' }> {
    const callId = message.callId;
    if (!callId) return { result: 'unknown-call' };
    const call = await deps.store.getCall(callId);
    if (!call) return { result: 'unknown-call' };
    if (call.outcomeRecorded) return { result: 'already-recorded' };
    // An agent that cannot answer is treated like one that has no finished call.
    const report = await deps.agent.getCall(callId).catch(() => null);
    const finished = report && (report.completed === true || (typeof report.status === 'string' && report.status !== 'queued' && report.status !== 'in-progress'));
    if (report && finished) return recordCallOutcome({ ...report, call_id: callId });
    // No finished call at the agent: the attempt failed; record it so the lead moves on.
    return recordCallOutcome({ call_id: callId, status: 'failed', error_message: 'watchdog: no outcome from the voice agent' });
  };
}
