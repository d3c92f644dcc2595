import type { Lead } from '../domain/lead';
import { maskPhone } from '../domain/phone';
import { applyDecision, cancelAttempt, policyView, retryOnVersionConflict, type LoopDeps } from './loop-deps';

/** An operator's request that does not fit the lead as it is: 404 (no lead) or 409 (wrong state). */
export class LeadControlError extends Error {
  constructor(readonly status: 404 | 409, message: string) {
    super(message);
    this.name = 'LeadControlError';
  }
}

/**
 * An operator's hand on one lead (docs/operations.md): pause (no call until resumed; its pending attempt is cancelled),
 * resume (the next allowed moment, by the same rules as a new lead), stop (finished for good, never called again).
 * Each is retried on a version conflict with the loop writing the same lead.
 */
export function makeLeadControl(deps: LoopDeps) {
  function withLead(phone: string, change: (lead: Lead) => Promise<Lead>): Promise<Lead> {
    return retryOnVersionConflict(async () => {
      const lead = await deps.store.get(phone);
      if (!lead) throw new LeadControlError(404, `no lead ${phone}`);
      return change(lead);
    });
  }

  return {
    pause(phone: string, by: string): Promise<Lead> {
      return withLead(phone, async (lead) => {
        if (lead.status !== 'ACTIVE') throw new LeadControlError(409, `lead is ${lead.status}: only an ACTIVE lead can be paused`);
        // The attempt is claimed: a call is being placed or is in progress. Pausing now would take its token away
        // before the call is counted on the lead (the daily cap would miss it); wait for its outcome.
        if (lead.scheduleToken !== null && lead.claimedToken === lead.scheduleToken) {
          throw new LeadControlError(409, 'a call to this lead is in progress: pause it once the call has ended (or use the kill switch)');
        }
        const now = deps.clock.now();
        const paused = await deps.store.update({
          ...lead, status: 'PAUSED', nextAttemptAt: null, scheduleToken: null, nextAttemptReason: `paused by ${by}`, updatedAt: now,
        });
        if (lead.scheduleToken) await cancelAttempt(deps, lead, lead.scheduleToken);
        deps.log?.({ event: 'lead-paused', phone: maskPhone(lead.phone), detail: `paused by ${by}` });
        return paused;
      });
    },

    resume(phone: string, by: string): Promise<Lead> {
      return withLead(phone, async (lead) => {
        if (lead.status !== 'PAUSED') throw new LeadControlError(409, `lead is ${lead.status}: only a PAUSED lead can be resumed`);
        const decision = deps.policy.firstAttempt(policyView(lead), deps.clock.now());
        return applyDecision(deps, lead, { ...decision, detail: `resumed by ${by}; ${decision.detail}` });
      });
    },

    stop(phone: string, by: string): Promise<Lead> {
      return withLead(phone, async (lead) => {
        if (lead.status === 'DONE') throw new LeadControlError(409, `lead is already DONE (${lead.outcome ?? 'no outcome'})`);
        // Kept on the lead so its view says an operator ended it (its outcome stays the last call's).
        return applyDecision(deps, lead, { kind: 'stopped', detail: `stopped by ${by}` }, { stopped: { by, at: deps.clock.now() } });
      });
    },
  };
}
