import { newLead, trimCallTimes, type Lead, type LeadDetails } from '../domain/lead';
import { resolveLocation } from '../domain/location';
import { normalizePhone } from '../domain/phone';
import { applyDecision, blockedBy, loopDeps, policyView, reportDay, type LoopDeps, type LoopPorts } from './loop-deps';
import { describeBlock } from '../domain/blocklist';
import { METRIC } from '../ports/metrics';
import { InvalidRequestError } from './check-window';
import { VersionConflictError } from '../ports/lead-store';

/** A lead as Zapier sends it, after validation at the edge. */
export interface LeadIntake extends LeadDetails {
  readonly phone: string;
  /** CRM status sent along (Convoso through Zapier): SALE/DNC codes end the lead. */
  readonly status?: string | undefined;
  readonly source?: string | undefined;
  readonly fields?: Readonly<Record<string, string>>;
  /** Calls already placed to the number elsewhere (backfill: the platform's history), kept for the state caps. */
  readonly callTimes?: readonly number[];
}

export interface AcceptLeadResult {
  /** 202 accepted (new or active), 200 for a lead already finished or paused. */
  readonly httpStatus: 200 | 202;
  readonly phone: string;
  readonly status: Lead['status'];
  readonly outcome: Lead['outcome'];
  readonly nextAttemptAt: string | null;
  readonly created: boolean;
  /** True when this intake gave the lead its attempt (new, or active but stranded). */
  readonly scheduled: boolean;
  /** Who created the lead (`zapier`, `backfill:<runId>/<date>`...). */
  readonly source: string;
  /** Location hints not recognized, or located only roughly, and what the lead is held to instead. */
  readonly warnings: readonly string[];
}

const GRACE_MS = 5 * 60_000;
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function answer(lead: Lead, created: boolean, scheduled = false): AcceptLeadResult {
  return {
    httpStatus: lead.status === 'ACTIVE' ? 202 : 200,
    phone: lead.phone,
    status: lead.status,
    outcome: lead.outcome,
    nextAttemptAt: iso(lead.nextAttemptAt),
    created,
    scheduled,
    source: lead.source,
    warnings: lead.locationWarnings ?? [],
  };
}

/**
 * Intake. Idempotent by phone: an active lead keeps its schedule (or gets one back if it was stranded), a finished
 * lead is never reactivated, a CRM status that means SALE/DNC ends the lead, a new lead gets its first attempt at the
 * earliest allowed instant.
 */
export function makeAcceptLead(ports: LoopPorts | LoopDeps) {
  const deps = 'policy' in ports ? ports : loopDeps(ports);
  /** Two deliveries of the same lead at once (Zapier retries): the loser of the version race simply reads again. */
  return async function acceptLead(intake: LeadIntake): Promise<AcceptLeadResult> {
    const progress = { created: false };
    for (let attempt = 0; ; attempt++) {
      try {
        return await acceptOnce(intake, progress);
      } catch (error) {
        if (!(error instanceof VersionConflictError) || attempt >= 2) throw error;
      }
    }
  };

  /** `progress.created` survives a retry: the delivery that created the lead says so even if it lost a later race. */
  async function acceptOnce(intake: LeadIntake, progress: { created: boolean }): Promise<AcceptLeadResult> {
    const parsed = normalizePhone(intake.phone);
    if (!parsed.ok) throw new InvalidRequestError('phone', parsed.reason);
    const now = deps.clock.now();
    const terminal = intake.status ? deps.config.crm.terminalStatuses[intake.status.trim().toUpperCase()] : undefined;

    let lead = await deps.store.get(parsed.phone);
    // The blocklist: a blocked number is kept (nothing lost) but PAUSED, with no attempt, whatever its source.
    const block = terminal ? null : await blockedBy(deps, parsed.phone);
    if (!lead) {
      const location = resolveLocation(parsed.areaCode, intake);
      const { firstName, lastName, email, state, zip, tz, crmLeadId, crmListId, fields } = intake;
      const fresh = {
        ...newLead({
          phone: parsed.phone, location, now, source: intake.source ?? 'zapier',
          firstName, lastName, email, state, zip, tz, crmLeadId, crmListId, fields,
        }),
        recentCallTimes: trimCallTimes(intake.callTimes ?? [], now).filter((t) => t <= now),
        ...(block ? { status: 'PAUSED' as const, nextAttemptReason: describeBlock(block) } : {}),
      };
      progress.created = await deps.store.create(fresh);
      // A concurrent intake of the same phone may have won: continue with whatever is stored.
      lead = (await deps.store.get(parsed.phone))!;
      if (progress.created) {
        await deps.store.addDailyCounts(reportDay(deps, now), { newLeads: 1 });
        deps.metrics?.add(METRIC.leadsCreated, 1);
      }
    }
    const created = progress.created;

    if (terminal) {
      if (lead.status === 'DONE') return answer(lead, created);
      const done = await applyDecision(deps, lead, { kind: 'terminal', outcome: terminal, detail: `CRM status ${intake.status} means ${terminal}` });
      return answer(done, created);
    }
    if (lead.status !== 'ACTIVE') return answer(lead, created);
    if (block) return answer(lead, created); // the dialer pauses it at its next attempt
    const pendingAndClaimed = lead.scheduleToken !== null && lead.claimedToken === lead.scheduleToken;
    const scheduled = lead.nextAttemptAt !== null && lead.nextAttemptAt > now - GRACE_MS;
    if (lead.scheduleToken && (scheduled || pendingAndClaimed)) return answer(lead, created);
    // New, or active but stranded (no attempt, or one long overdue): give it its next attempt.
    const decision = deps.policy.firstAttempt(policyView(lead), now);
    return answer(await applyDecision(deps, lead, decision), created, true);
  }
}
