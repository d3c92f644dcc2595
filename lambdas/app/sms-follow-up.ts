import { trimCallTimes, type Lead } from '../domain/lead';
import { crmTerminal } from '../ports/crm';
import { PAUSE_RECHECK_MS } from './dial-lead';
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
import { applyDecision, blockedBy, policyView, reportDay, retryOnVersionConflict, sendCrmWrite, type LoopDeps } from './loop-deps';

/**
 * SMS follow-up (docs/operations.md): after a trigger outcome (voicemail, no answer) a lead gets a short sequence of
 * texts, one step per configured day, at most one a day, each step claimed before it is sent (so a duplicated
 * message never sends it twice) and sent with Bland's idempotency key. Texts obey the calling window, the blocklist,
 * DNC and a daily cap of their own. Inbound texts: an opt-out makes the lead DNC everywhere at once.
 */
export type SmsDeps = LoopDeps;

export const smsScheduleName = (token: string) => `s-${token}`;
/** A claim older than this belongs to a sender that crashed between its claim and its bookkeeping. */
const CLAIM_STALE_MS = 5 * 60_000;

function enabled(deps: SmsDeps): deps is SmsDeps & { sms: SmsSender } {
  return deps.config.sms.fromNumber !== null && !!deps.sms;
}

/** The lead's window with its texts counted beside its calls (the per-24 h state caps count both). */
function textWindow(lead: Lead) {
  const window = policyView(lead).window;
  return { ...window, callTimes: [...window.callTimes, ...(lead.recentTextTimes ?? [])].sort((a, b) => a - b) };
}

/** When step `step` of a sequence started on `startedDay` may go: its day's first allowed moment, never before now. */
function stepDueAt(deps: SmsDeps, lead: Lead, startedDay: string, step: number, now: number): number | null {
  const day = stepDay(startedDay, deps.config.sms.dayOffsets, step);
  if (day === null) return null;
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const from = Math.max(now, instantAtWall(lead.primaryZone, y, m, d, 0));
  return deps.window.nextAllowedAt(textWindow(lead), from);
}

/** Starts the sequence of a lead whose call ended with a trigger outcome (once per lead). */
export async function startSmsSequence(deps: SmsDeps, lead: Lead, outcome: string): Promise<Lead> {
  if (!enabled(deps) || lead.status !== 'ACTIVE' || lead.sms || !deps.config.sms.triggers.includes(outcome as never)) return lead;
  const now = deps.clock.now();
  const startedDay = wallAt(lead.primaryZone, now).date;
  const at = stepDueAt(deps, lead, startedDay, 0, now);
  if (at === null) return lead;
  const token = deps.newId();
  // The schedule first: if the lead write then fails, the message is stale (unknown token) and harmless; the other
  // order could leave a started sequence with no schedule, never to restart.
  await deps.scheduler.schedule(smsScheduleName(token), at, { v: 1, kind: 'sms', phone: lead.phone, scheduleToken: token, step: 0 });
  try {
    return await deps.store.update({ ...lead, sms: { startedDay, nextStep: 0, claimedStep: -1, token, lastSentAt: null, sent: 0 }, updatedAt: now });
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
    if (!lead || !lead.sms || lead.sms.token !== message.scheduleToken || lead.sms.nextStep !== step) return { result: 'stale' };
    // Claimed already: by a sender now at work (stale message), or by one that crashed after claiming (a claim older
    // than 5 minutes): that one is finished here, resent with the same idempotency key (Bland sends it once).
    const now = deps.clock.now();
    const resume = lead.sms.claimedStep >= step && (lead.sms.claimedAt ?? 0) < now - CLAIM_STALE_MS;
    if (lead.sms.claimedStep >= step && !resume) return { result: 'stale' };
    // DNC, SALE, any finished or paused lead: no more texts.
    if (lead.status !== 'ACTIVE') return { result: 'stopped' };
    if (!enabled(deps)) return { result: 'off' };
    // The kill switch holds texts as it holds calls.
    if (await deps.store.getSystemPaused()) return defer(lead, step, now + PAUSE_RECHECK_MS, 'system paused');
    // A human agent's SALE or DNC in the CRM ends the lead before any text (as before any call).
    if (deps.config.dialer.preDialCrmCheck && deps.crm) {
      const terminal = crmTerminal(await deps.crm.findByPhone(lead.phone), deps.config.crm.terminalStatuses);
      if (terminal) {
        await applyDecision(deps, lead, { kind: 'terminal', outcome: terminal.outcome, detail: `CRM status ${terminal.status}: ${terminal.outcome} by a human agent` });
        return { result: 'stopped', detail: `CRM status ${terminal.status}` };
      }
    }
    const block = await blockedBy(deps, lead.phone);
    if (block) {
      await deps.store.update({ ...lead, sms: { ...lead.sms, token: null }, updatedAt: deps.clock.now() }).catch((e: unknown) => {
        if (!(e instanceof VersionConflictError)) throw e;
      });
      return { result: 'blocked', detail: describeBlock(block) };
    }
    // Texts count with calls toward the per-24 h state caps (Florida's law counts text messages; the stricter reading).
    const view = { window: textWindow(lead) };
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
    // The day's cap, reserved atomically (concurrent senders cannot go over it); given back if the text is not sent.
    const day = reportDay(deps, now);
    if (!(await deps.store.reserveDailyCount(day, 'smsSent', deps.config.sms.dailyCap))) {
      const at = deps.window.nextAllowedAt(view.window, startOfLocalDay(deps.config.reporting.zone, now, 1));
      return at === null ? { result: 'stopped' } : defer(lead, step, at, `daily text cap of ${deps.config.sms.dailyCap} reached`);
    }
    const unreserve = () => deps.store.addDailyCounts(day, { smsSent: -1 });

    // The claim: this step is sent at most once, whatever the queue redelivers.
    let claimed: Lead;
    try {
      claimed = await deps.store.update({ ...lead, sms: { ...lead.sms, claimedStep: step, claimedAt: now }, updatedAt: now });
    } catch (error) {
      await unreserve();
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
      // (If this release fails too, the claim goes stale after 5 minutes and a redelivery finishes the step.)
      const current = await deps.store.get(lead.phone);
      if (current?.sms && current.sms.claimedStep === step) await deps.store.update({ ...current, sms: { ...current.sms, claimedStep: step - 1 } }).catch(() => undefined);
      await unreserve();
      throw error;
    }
    deps.metrics?.add(METRIC.smsSent, 1);
    const nextAt = stepDueAt(deps, claimed, claimed.sms!.startedDay, step + 1, now);
    const token = nextAt === null ? null : deps.newId();
    let first = true;
    await retryOnVersionConflict(async () => {
      // The claimed version first; a retry re-reads the lead.
      const base = first ? claimed : (await deps.store.get(lead.phone))!;
      first = false;
      return deps.store.update({
        ...base,
        sms: { ...base.sms!, nextStep: step + 1, lastSentAt: now, sent: base.sms!.sent + 1, token },
        recentTextTimes: trimCallTimes([...(base.recentTextTimes ?? []), now], now),
        updatedAt: now,
      });
    });
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
  /** Applies `change` to the lead, re-reading it on a version conflict (the dialer may write it at the same moment). */
  function withLeadRetry(phone: string, change: (lead: Lead) => Promise<Lead>): Promise<Lead | null> {
    return retryOnVersionConflict(async () => {
      const lead = await deps.store.get(phone);
      return lead ? change(lead) : null;
    });
  }

  return async function recordInboundSms(input: { from: string; text: string; messageId: string }, archiveKey: string | null): Promise<InboundSmsResult> {
    const phone = normalizePhone(input.from);
    if (!phone.ok) throw new InvalidRequestError('from', phone.reason);
    const intent = classifySms(input.text);
    const now = deps.clock.now();
    const callId = `sms-in-${input.messageId}`;
    // Idempotent by message, marked done only at the end: a failure halfway is retried by the webhook and redone
    // (every step below is safe to repeat), never answered "duplicate" with the work undone.
    const known = await deps.store.getCall(callId);
    if (known?.outcomeRecorded) return { result: 'duplicate', intent, action: 'none' };
    if (!known) await deps.store.putCall({ callId, phone: phone.phone, scheduleToken: 'sms', placedAt: now, outcomeRecorded: false });
    const outcome = intent === 'opt-out' ? 'DNC' : intent === 'callback' ? 'CALLBACK' : intent === 'not-interested' ? 'NOT_INTERESTED' : 'UNKNOWN';
    await deps.store.putAttempt({
      phone: phone.phone, callId, calledAt: now, outcome, evidence: `inbound text (${intent}): "${input.text.slice(0, 160)}"`,
      disposition: null, answeredBy: null, durationS: null, price: null, summary: null, archiveKey,
    });
    let action = 'recorded';
    if (intent === 'opt-out') {
      // First the blocklist (one idempotent write that already stops every call and text), then the lead and the CRM.
      if (deps.blocklist) {
        await deps.blocklist.add({ kind: 'number', value: phone.phone, reason: `opted out by text: "${input.text.slice(0, 60)}"`, source: 'operator', addedAt: now, addedBy: 'sms opt-out' });
      }
      const lead = await withLeadRetry(phone.phone, async (current) => (current.status === 'DONE' ? current : applyDecision(deps, current, { kind: 'terminal', outcome: 'DNC', detail: `opted out by text: "${input.text.slice(0, 60)}"` }, { lastOutcome: 'DNC' })));
      action = lead ? 'lead DNC' : 'blocklisted';
      if (deps.crmOutbox && deps.config.crm.writeBack.enabled) {
        await sendCrmWrite({ ...deps, crmOutbox: deps.crmOutbox }, writeBackMessage(deps.config, phone.phone, lead?.crmLeadId ?? null, 'DNC', { callId }), now);
      }
    } else if (intent === 'callback') {
      const lead = await withLeadRetry(phone.phone, async (current) => {
        if (current.status !== 'ACTIVE' || (current.scheduleToken && current.claimedToken === current.scheduleToken)) return current;
        const decision = deps.policy.schedule(policyView(current), now, 'callback', now);
        return applyDecision(deps, current, { ...decision, detail: `asked for a call by text; ${decision.detail}` }, { lastOutcome: 'CALLBACK' });
      });
      if (lead) action = `callback ${lead.nextAttemptAt === null ? 'none' : new Date(lead.nextAttemptAt).toISOString()}`;
    } else if (intent === 'not-interested') {
      // No more texts to someone who said no (a reasonable reading of a revocation); calls follow the usual rules.
      const lead = await withLeadRetry(phone.phone, async (current) => (current.sms?.token ? deps.store.update({ ...current, sms: { ...current.sms, token: null }, updatedAt: now }) : current));
      if (lead?.sms) action = 'texts stopped';
    }
    if (!(await deps.store.markOutcomeRecorded(callId))) return { result: 'duplicate', intent, action: 'none' };
    await deps.store.addDailyCounts(reportingDate(deps.config.reporting.zone, now), { smsInbound: 1, [`smsInbound_${intent}`]: 1 });
    deps.log?.({ event: 'sms-inbound', phone: maskPhone(phone.phone), detail: `${intent}: ${action}` });
    return { result: 'recorded', intent, action };
  };
}
