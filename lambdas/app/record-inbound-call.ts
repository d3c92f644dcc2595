import { callFacts } from '../domain/classify-call';
import { maskPhone, normalizePhone } from '../domain/phone';
import { startOfLocalDay } from '../domain/zone-time';
import { crmTerminal } from '../ports/crm';
import { METRIC, outcomeMetric } from '../ports/metrics';
import { InvalidRequestError } from './check-window';
import { makeAcceptLead } from './accept-lead';
import { writeBackMessage } from './crm-write-back';
import { applyDecision, policyView, reportDay, sendCrmWrite, type LoopDeps } from './loop-deps';
import type { CallEnded, OutcomeResult } from './record-call-outcome';

/**
 * A lead calling the agent's number back (Bland's call object with `inbound: true`, posted to the inbound number's
 * webhook after the call). Matched to the lead by the caller's number (`from`). Its outcome counts (SALE and DNC end
 * the lead; TRANSFERRED holds the next outbound attempt as an outbound transfer does; a callback request is
 * scheduled) but it is not an outbound dial: it never counts toward the daily cap. An unknown caller is recorded and
 * looked up in the CRM; an outbound sequence starts only for a lead the CRM holds that is still open. Idempotent by
 * call_id, like outbound outcomes.
 */
export function makeRecordInboundCall(deps: LoopDeps) {
  const acceptLead = makeAcceptLead(deps);

  return async function recordInboundCall(body: CallEnded & { from?: unknown }, archiveKey: string | null): Promise<OutcomeResult | { result: 'inbound-unknown-caller'; crm: string }> {
    const callId = body.call_id!;
    if (typeof body.from !== 'string') throw new InvalidRequestError('from', 'an inbound call needs the caller\'s number');
    const caller = normalizePhone(body.from);
    if (!caller.ok) throw new InvalidRequestError('from', caller.reason);
    const now = deps.clock.now();
    const started = typeof body.created_at === 'string' ? Date.parse(body.created_at) : Number.NaN;
    const placedAt = Number.isFinite(started) ? started : now;
    // The call index makes it idempotent: a second delivery finds it recorded.
    const known = await deps.store.getCall(callId);
    if (known?.outcomeRecorded) return { result: 'duplicate' };
    if (!known) await deps.store.putCall({ callId, phone: caller.phone, scheduleToken: 'inbound', placedAt, outcomeRecorded: false, callerId: null });

    const classification = deps.classifier.classify(body);
    const outcome = classification.outcome;
    await deps.store.putAttempt({
      phone: caller.phone, callId, calledAt: placedAt, outcome, evidence: `inbound call: ${classification.evidence}`,
      ...callFacts(body),
      archiveKey,
    });
    let lead = await deps.store.get(caller.phone);
    let result: OutcomeResult | { result: 'inbound-unknown-caller'; crm: string } | null = null;
    let crmLeadId: string | null = lead?.crmLeadId ?? null;
    if (!lead) {
      // Unknown caller: recorded above; an outbound sequence only for a lead the CRM holds and has not finished.
      const found = deps.crm ? await deps.crm.findByPhone(caller.phone) : null;
      const terminal = crmTerminal(found, deps.config.crm.terminalStatuses);
      const why = !deps.crm ? 'no CRM configured' : !found ? 'not in the CRM' : terminal ? `CRM status ${terminal.status}` : 'open in the CRM';
      if (outcome === 'DNC' && deps.blocklist) {
        // A DNC from a number with no lead is kept: the blocklist stops it being called or texted if it arrives later.
        await deps.blocklist.add({ kind: 'number', value: caller.phone, reason: `DNC on inbound call ${callId}`, source: 'operator', addedAt: now, addedBy: 'inbound call' });
      }
      if (found && !terminal && !deps.policy.isTerminal(outcome)) {
        await acceptLead({ phone: caller.phone, source: 'inbound', crmLeadId: found.leadId, crmListId: found.listId ?? undefined, ...found.details });
        lead = await deps.store.get(caller.phone);
        // The call's outcome applies to the new lead as to any other: a transfer holds its first call, a callback keeps
        // its time; after "not interested" its first call waits for the next day.
        if (lead && lead.status === 'ACTIVE' && outcome === 'NOT_INTERESTED') {
          const decision = deps.policy.schedule(policyView(lead), startOfLocalDay(lead.primaryZone, now, 1), 'gap', now);
          lead = await applyDecision(deps, lead, { ...decision, detail: `inbound NOT_INTERESTED: ${decision.detail}` }, { lastOutcome: outcome });
        }
      }
      deps.log?.({ event: 'inbound-unknown', phone: maskPhone(caller.phone), detail: `${outcome}; ${why}${lead ? ': lead created' : ': no outbound sequence'}` });
      if (!lead) result = { result: 'inbound-unknown-caller', crm: why };
      crmLeadId = found?.leadId ?? null;
    }
    if (lead) {
      let next = lead;
      if (lead.status !== 'DONE') {
        const outboundInFlight = lead.scheduleToken !== null && lead.claimedToken === lead.scheduleToken;
        if (deps.policy.isTerminal(outcome)) {
          next = await applyDecision(deps, lead, { kind: 'terminal', outcome, detail: `${outcome} on an inbound call ${callId}` }, { lastOutcome: outcome });
        } else if (lead.status === 'ACTIVE' && !outboundInFlight && (outcome === 'TRANSFERRED' || (outcome === 'CALLBACK' && classification.callbackAt !== undefined))) {
          // Never ring a customer who may still be with the human agent; a requested callback is kept (in the window).
          const view = policyView(lead);
          const candidate = outcome === 'TRANSFERRED' ? now + deps.config.policy.transferHoldMinutes * 60_000 : Math.max(classification.callbackAt!, now);
          if (lead.nextAttemptAt === null || candidate > lead.nextAttemptAt || outcome === 'CALLBACK') {
            const decision = deps.policy.schedule(view, candidate, outcome === 'TRANSFERRED' ? 'transfer-hold' : 'callback', now);
            next = await applyDecision(deps, lead, { ...decision, detail: `inbound ${outcome}: ${decision.detail}` }, { lastOutcome: outcome, ...(outcome === 'TRANSFERRED' ? { transfers: (lead.transfers ?? 0) + 1 } : {}) });
          }
        }
      }
      result = { result: 'recorded', outcome, nextAttemptAt: next.nextAttemptAt === null ? null : new Date(next.nextAttemptAt).toISOString(), status: next.status };
    }

    // The CRM hears of it when it knows the number (a lead here, or a lead of its own): a DNC also on its DNC list.
    if (deps.crmOutbox && deps.config.crm.writeBack.enabled && (lead || crmLeadId || outcome === 'DNC')) {
      const write = writeBackMessage(deps.config, caller.phone, lead?.crmLeadId ?? crmLeadId, outcome, { ...(body as Record<string, unknown>), callId });
      await sendCrmWrite({ ...deps, crmOutbox: deps.crmOutbox }, write, now);
    }
    // Counted once: only the delivery that marks the call recorded counts it.
    if (!(await deps.store.markOutcomeRecorded(callId))) return { result: 'duplicate' };
    await deps.store.addDailyCounts(reportDay(deps, placedAt), { inbound: 1, [`inbound_${outcome}`]: 1 });
    deps.metrics?.add(METRIC.inboundCalls, 1);
    deps.metrics?.add(outcomeMetric(outcome), 1);
    return result!;
  };
}
