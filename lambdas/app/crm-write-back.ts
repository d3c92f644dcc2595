import type { Config } from '../config/config';
import type { Outcome } from '../domain/outcome';
import { maskPhone } from '../domain/phone';
import type { Clock } from '../ports/clock';
import { crmTerminal, type Crm } from '../ports/crm';
import type { CrmOutbox, CrmWriteMessage, CrmWriter, ParkedCrmWrites } from '../ports/crm-outbox';

/**
 * Convoso write-back: what the CRM learns after every call, and the outbox consumer that writes it.
 * The producer (record-call-outcome) only enqueues; the consumer runs apart, retried by its queue.
 */

/** The facts of a call the CRM keeps (Convoso field names as the replaced system wrote them, docs/convoso-write-back.md). */
export interface CallFacts {
  readonly callId: string;
  readonly summary?: unknown;
  readonly call_length?: unknown;
  readonly answered_by?: unknown;
  readonly recording_url?: unknown;
  readonly call_ended_by?: unknown;
  readonly transferred_to?: unknown;
  readonly variables?: unknown;
}

const MAX_FIELD = 2_000;
/** Never taken from call variables, whatever the allowlist says: they address or authenticate the update. */
const RESERVED = new Set(['auth_token', 'lead_id', 'status', 'phone_number', 'list_id', 'phone_code']);

function text(value: unknown): string | null {
  if (typeof value === 'string') return value.trim() === '' ? null : value.slice(0, MAX_FIELD);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return null;
}

/** The write for one recorded call: the mapped status, the call's facts and the fields the agent collected. */
export function writeBackMessage(config: Config, phone: string, crmLeadId: string | null, outcome: Outcome, call: CallFacts): CrmWriteMessage {
  const fields: Record<string, string> = {};
  // What the agent collected: only the configured fields (Bland's variables also carry phone_number, state, now...
  // of its own), scalar values only, never a reserved name.
  if (call.variables && typeof call.variables === 'object') {
    const variables = call.variables as Record<string, unknown>;
    for (const name of config.crm.writeBack.collectedFields) {
      const v = text(variables[name]);
      if (!RESERVED.has(name) && v !== null) fields[name] = v;
    }
  }
  const facts: Record<string, string | null> = {
    call_summary: text(call.summary),
    call_duration: typeof call.call_length === 'number' ? String(Math.round(call.call_length * 60)) : null,
    answered_by: text(call.answered_by),
    recording_url: text(call.recording_url),
    call_ended_by: text(call.call_ended_by),
    transferred_to: text(call.transferred_to),
  };
  for (const [name, value] of Object.entries(facts)) if (value !== null) fields[name] = value;
  return {
    v: 1,
    kind: 'crm-write',
    callId: call.callId,
    phone,
    crmLeadId,
    status: config.crm.writeBack.statusByOutcome[outcome] ?? null,
    outcome,
    fields,
    dnc: outcome === 'DNC',
  };
}

export interface CrmWriteBackDeps {
  readonly crm: Crm & CrmWriter;
  /** CRM statuses that end a lead (crm.terminalStatuses): a write never replaces one (a human agent's SALE or DNC). */
  readonly terminalStatuses: Readonly<Record<string, 'SALE' | 'DNC'>>;
  readonly parked: ParkedCrmWrites;
  readonly clock: Clock;
  readonly log?: (line: string) => void;
  /** Where "parked" lines go (default `log`): the local console summarizes their repeats. */
  readonly logParked?: (line: string) => void;
}

/**
 * The outbox consumer. Errors (outage, throttling) propagate so the queue redelivers and, after its retries, keeps
 * the message in its dead-letter queue. A lead the CRM does not have is parked for replay, never dropped; the DNC list
 * insert does not need a lead, so it happens either way.
 */
export function makeCrmWriteBack(deps: CrmWriteBackDeps) {
  const log = deps.log ?? (() => undefined);
  const logParked = deps.logParked ?? log;
  return async function writeBack(message: CrmWriteMessage): Promise<'updated' | 'parked'> {
    // The lead as the CRM has it now: its id, and whether a human already ended it (never overwritten by the bot).
    const current = await deps.crm.findByPhone(message.phone);
    const leadId = message.crmLeadId ?? current?.leadId ?? null;
    const humanTerminal = crmTerminal(current, deps.terminalStatuses);
    const status = humanTerminal ? null : message.status;
    const result = leadId === null ? 'no-such-lead' : await deps.crm.updateLead(leadId, status, message.fields);
    // The DNC list needs no lead: it is written whether or not the update found one.
    if (message.dnc) await deps.crm.insertDnc(message.phone);
    if (result === 'no-such-lead') {
      const reason = leadId === null ? 'no CRM lead has this number' : `the CRM has no lead ${leadId}`;
      await deps.parked.parkCrmWrite({ message, reason, parkedAt: deps.clock.now() });
      logParked(`crm write-back ${message.callId} ${maskPhone(message.phone)}: parked (${reason})`);
      return 'parked';
    }
    const kept = humanTerminal ? `status ${humanTerminal.status} kept (set in the CRM)` : (status ?? 'status kept');
    log(`crm write-back ${message.callId} ${maskPhone(message.phone)}: ${kept}${message.dnc ? ' + DNC list' : ''}`);
    return 'updated';
  };
}

/** Sends every parked write through the outbox again (after the lead was added to the CRM). */
export function makeReplayParkedCrmWrites(deps: { parked: ParkedCrmWrites; outbox: CrmOutbox }) {
  return async function replayParked(): Promise<number> {
    const parked = await deps.parked.listParkedCrmWrites();
    for (const write of parked) {
      // Removed first: the consumer may park the same call again at once (still no lead), and that must stay.
      // The lead id is looked up again (a lead deleted and re-created in the CRM has a new one).
      await deps.parked.removeParkedCrmWrite(write.message.callId);
      try {
        await deps.outbox.send({ ...write.message, crmLeadId: null });
      } catch (error) {
        await deps.parked.parkCrmWrite(write);
        throw error;
      }
    }
    return parked.length;
  };
}
