import type { Lead } from '../domain/lead';
import { describeBlock } from '../domain/blocklist';
import { maskPhone, normalizePhone } from '../domain/phone';
import { classifySms, renderTemplate, stepDay, type SmsIntent } from '../domain/sms';
import { instantAtWall, startOfLocalDay, wallAt } from '../domain/zone-time';
import { reportingDate } from '../domain/report-counts';
import type { DialMessage } from '../ports/attempt-scheduler';
import { VersionConflictError } from '../ports/lead-store';
import { METRIC } from '../ports/metrics';
import type { SmsSender } from '../ports/sms-sender';
import { InvalidRequestError } from './check-window';
import { writeBackMessage } from './crm-write-back';
import { applyDecision, blockedBy, policyView, reportDay, type LoopDeps } from './loop-deps';

/**
 * SMS follow-up (docs/operations.md): after a trigger outcome (voicemail, no answer) a lead gets a short sequence of
 * texts, one step per configured day, at most one a day, each step claimed before it is sent (so a duplicated
 * message never sends it twice) and sent with Bland's idempotency key. Texts obey the calling window, the blocklist,
 * DNC and a daily cap of their own. Inbound texts: an opt-out makes the lead DNC everywhere at once.
 */
export type SmsDeps = LoopDeps;

export const smsScheduleName = (token: string) => `s-${token}`;

function enabled(deps: SmsDeps): deps is SmsDeps & { sms: SmsSender } {
  return deps.config.sms.fromNumber !== null && !!deps.sms;
}

/** When step `step` of a sequence started on `startedDay` may go: its day's first allowed moment, never before now. */
function stepDueAt(deps: SmsDeps, lead: Lead, startedDay: string, step: number, now: number): number | null {
  const day = stepDay(startedDay, deps.config.sms.dayOffsets, step);
  if (day === null) return null;
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const from = Math.max(now, instantAtWall(lead.primaryZone, y, m, d, 0));
  return deps.window.nextAllowedAt(policyView(lead).window, from);
}

/** Starts the sequence of a lead whose call ended with a trigger outcome (once per lead). */
export async function startSmsSequence(deps: SmsDeps, lead: Lead, outcome: string): Promise<Lead> {
  if (!enabled(deps) || lead.status !== 'ACTIVE' || lead.sms || !deps.config.sms.triggers.includes(outcome as never)) return lead;
  const now = deps.clock.now();
  const startedDay = wallAt(lead.primaryZone, now).date;
  const at = stepDueAt(deps, lead, startedDay, 0, now);
  if (at === null) return lead;
  const token = deps.newId();
  try {
    const next = await deps.store.update({ ...lead, sms: { startedDay, nextStep: 0, claimedStep: -1, token, lastSentAt: null, sent: 0 }, updatedAt: now });
    await deps.scheduler.schedule(smsScheduleName(token), at, { v: 1, kind: 'sms', phone: lead.phone, scheduleToken: token, step: 0 });
    return next;
  } catch (error) {
    if (error instanceof VersionConflictError) return lead; // the lead moved on; its next trigger starts it
    throw error;
  }
}

export type SmsStepResult = { readonly result: 'sent' | 'stale' | 'stopped' | 'off' | 'blocked' | 'deferred'; readonly detail?: string };

export function makeSendSmsStep(deps: SmsDeps) {
  /** Moves the pending step to `at` under a new token (the old message becomes stale). */
  async function defer(lead: Lead, step: number, at: number, why: string): Promise<SmsStepResult> {
    const token = deps.newId();
    try {
      await deps.store.update({ ...lead, sms: { ...lead.sms!, token }, updatedAt: deps.clock.now() });
    } catch (error) {
      if (error instanceof VersionConflictError) return { result: 'stale' };
      throw error;
    }
    await deps.scheduler.schedule(smsScheduleName(token), at, { v: 1, kind: 'sms', phone: lead.phone, scheduleToken: token, step });
    deps.log?.({ event: 'sms-deferred', phone: maskPhone(lead.phone), detail: `step ${step}: ${why}`, nextAttemptAt: new Date(at).toISOString() });
    return { result: 'deferred', detail: why };
  }

  return async function sendSmsStep(message: DialMessage): Promise<SmsStepResult> {
    const step = message.step ?? -1;
    const lead = await deps.store.get(message.phone);
    if (!lead || !lead.sms || lead.sms.token !== message.scheduleToken || lead.sms.nextStep !== step || lead.sms.claimedStep >= step) return { result: 'stale' };
    // DNC, SALE, any finished or paused lead: no more texts.
    if (lead.status !== 'ACTIVE') return { result: 'stopped' };
    if (!enabled(deps)) return { result: 'off' };
    const block = await blockedBy(deps, lead.phone);
    if (block) {
      await deps.store.update({ ...lead, sms: { ...lead.sms, token: null }, updatedAt: deps.clock.now() }).catch((e: unknown) => {
        if (!(e instanceof VersionConflictError)) throw e;
      });
      return { result: 'blocked', detail: describeBlock(block) };
    }
    const now = deps.clock.now();
    const view = policyView(lead);
    const window = deps.window.isAllowed(view.window, now);
    if (!window.allowed) {
      const at = deps.window.nextAllowedAt(view.window, now);
      return at === null ? { result: 'stopped', detail: 'no allowed moment' } : defer(lead, step, at, window.reasons.map((r) => r.message).join('; '));
    }
    // At most one text a day per lead (its local day), and the day's cap across leads (reporting day).
    if (lead.sms.lastSentAt !== null && wallAt(lead.primaryZone, lead.sms.lastSentAt).date === wallAt(lead.primaryZone, now).date) {
      const at = deps.window.nextAllowedAt(view.window, startOfLocalDay(lead.primaryZone, now, 1));
      return at === null ? { result: 'stopped' } : defer(lead, step, at, 'already texted today');
    }
    const day = reportDay(deps, now);
    if (((await deps.store.getDailyCounts(day))['smsSent'] ?? 0) >= deps.config.sms.dailyCap) {
      const at = deps.window.nextAllowedAt(view.window, startOfLocalDay(deps.config.reporting.zone, now, 1));
      return at === null ? { result: 'stopped' } : defer(lead, step, at, `daily text cap of ${deps.config.sms.dailyCap} reached`);
    }

    // The claim: this step is sent at most once, whatever the queue redelivers.
    let claimed: Lead;
    try {
      claimed = await deps.store.update({ ...lead, sms: { ...lead.sms, claimedStep: step }, updatedAt: now });
    } catch (error) {
      if (error instanceof VersionConflictError) return { result: 'stale' };
      throw error;
    }
    const templates = deps.config.sms.templates;
    const text = renderTemplate(templates[Math.min(step, templates.length - 1)]!, { first_name: lead.firstName, last_name: lead.lastName, state: lead.state });
    try {
      await deps.sms.sendSms({ to: lead.phone, from: deps.config.sms.fromNumber!, text, idempotencyKey: `${lead.phone}:${lead.sms.startedDay}:${step}` });
    } catch (error) {
      // Not sent (or not known to be): release the claim so the redelivery tries again; the idempotency key makes a
      // text Bland did take count once.
      const current = await deps.store.get(lead.phone);
      if (current?.sms && current.sms.claimedStep === step) await deps.store.update({ ...current, sms: { ...current.sms, claimedStep: step - 1 } }).catch(() => undefined);
      throw error;
    }
    await deps.store.addDailyCounts(day, { smsSent: 1 });
    deps.metrics?.add(METRIC.smsSent, 1);
    const nextAt = stepDueAt(deps, claimed, claimed.sms!.startedDay, step + 1, now);
    const token = nextAt === null ? null : deps.newId();
    for (let attempt = 0; ; attempt++) {
      const current = attempt === 0 ? claimed : (await deps.store.get(lead.phone))!;
      try {
        await deps.store.update({ ...current, sms: { ...current.sms!, nextStep: step + 1, lastSentAt: now, sent: current.sms!.sent + 1, token }, updatedAt: now });
        break;
      } catch (error) {
        if (!(error instanceof VersionConflictError) || attempt >= 4) throw error;
      }
    }
    if (nextAt !== null && token) await deps.scheduler.schedule(smsScheduleName(token), nextAt, { v: 1, kind: 'sms', phone: lead.phone, scheduleToken: token, step: step + 1 });
    deps.log?.({ event: 'sms-sent', phone: maskPhone(lead.phone), detail: `step ${step + 1} of ${deps.config.sms.dayOffsets.length}` });
    return { result: 'sent' };
  };
}

export interface InboundSmsResult {
  readonly result: 'recorded' | 'duplicate';
  readonly intent: SmsIntent;
  readonly action: string;
}

/**
 * An inbound text. An opt-out makes the number DNC for calls and texts at once: its lead is finished DNC (with the
 * CRM write-back and Convoso's DNC list), and a number without a lead goes on the blocklist, so it is never called or
 * texted if it arrives later. "Call me", "yes", "info": the lead's next call is moved to the next allowed moment.
 * "Not interested" is recorded. Idempotent by message (a redelivery changes nothing).
 */
export function makeRecordInboundSms(deps: SmsDeps) {
  return async function recordInboundSms(input: { from: string; text: string; messageId: string }, archiveKey: string | null): Promise<InboundSmsResult> {
    const phone = normalizePhone(input.from);
    if (!phone.ok) throw new InvalidRequestError('from', phone.reason);
    const intent = classifySms(input.text);
    const now = deps.clock.now();
    const callId = `sms-in-${input.messageId}`;
    if (!(await deps.store.putCall({ callId, phone: phone.phone, scheduleToken: 'sms', placedAt: now, outcomeRecorded: true }))) {
      return { result: 'duplicate', intent, action: 'none' };
    }
    const outcome = intent === 'opt-out' ? 'DNC' : intent === 'callback' ? 'CALLBACK' : intent === 'not-interested' ? 'NOT_INTERESTED' : 'UNKNOWN';
    await deps.store.putAttempt({
      phone: phone.phone, callId, calledAt: now, outcome, evidence: `inbound text (${intent}): "${input.text.slice(0, 160)}"`,
      disposition: null, answeredBy: null, durationS: null, price: null, summary: null, archiveKey,
    });
    await deps.store.addDailyCounts(reportingDate(deps.config.reporting.zone, now), { smsInbound: 1, [`smsInbound_${intent}`]: 1 });
    let lead = await deps.store.get(phone.phone);
    let action = 'recorded';
    if (intent === 'opt-out') {
      if (lead && lead.status !== 'DONE') {
        lead = await applyDecision(deps, lead, { kind: 'terminal', outcome: 'DNC', detail: `opted out by text: "${input.text.slice(0, 60)}"` }, { lastOutcome: 'DNC' });
        action = 'lead DNC';
      } else if (!lead && deps.blocklist) {
        await deps.blocklist.add({ kind: 'number', value: phone.phone, reason: `opted out by text: "${input.text.slice(0, 60)}"`, source: 'operator', addedAt: now, addedBy: 'sms opt-out' });
        action = 'blocklisted';
      }
      if (deps.crmOutbox && deps.config.crm.writeBack.enabled) {
        await deps.crmOutbox.send(writeBackMessage(deps.config, phone.phone, lead?.crmLeadId ?? null, 'DNC', { callId }));
      }
    } else if (intent === 'callback' && lead && lead.status === 'ACTIVE' && !(lead.scheduleToken && lead.claimedToken === lead.scheduleToken)) {
      const decision = deps.policy.schedule(policyView(lead), now, 'callback', now);
      lead = await applyDecision(deps, lead, { ...decision, detail: `asked for a call by text; ${decision.detail}` }, { lastOutcome: 'CALLBACK' });
      action = `callback ${lead.nextAttemptAt === null ? 'none' : new Date(lead.nextAttemptAt).toISOString()}`;
    }
    deps.log?.({ event: 'sms-inbound', phone: maskPhone(phone.phone), detail: `${intent}: ${action}` });
    return { result: 'recorded', intent, action };
  };
}
