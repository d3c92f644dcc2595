import { DateTime } from 'luxon';
import type { OutcomeConfig } from '../config/config';
import { LabelSet, normalizeLabel } from './labels';
import type { Outcome } from './outcome';

/**
 * Classifies a Bland call-ended webhook body (the call object of GET /v1/calls/{id}) into one Outcome.
 * Field names and values: docs/bland.md. Precedence, first match wins:
 *   1 DNC            disposition/pathway tag, or the customer's own words (user transcript lines, summary)
 *   2 SALE           disposition label (ACA and other sale labels) on a call that connected
 *   3 BAD_NUMBER     permanent failure in error_message on a call that did not complete
 *   4 TRANSFERRED    only with proof the transfer connected (warm_transfer_call MERGED, or a cold transfer with
 *                    talk time after it); a TRANSFERRED tag alone is not proof
 *   5 CALLBACK       callback label/tag, or a requested time in variables
 *   6 NOT_INTERESTED label
 *   7 VOICEMAIL      answered_by voicemail/machine, or label
 *   8 BUSY           status/answered_by busy, busy error text, or label
 *   9 NO_ANSWER      status/answered_by no-answer, or label when no human answered
 *  10 FAILED         status failed/canceled or an error on a call that did not complete
 *  11 UNKNOWN        anything else (never terminal)
 * Unknown labels never crash and never count as terminal.
 */

export interface BlandTranscriptLine {
  readonly user?: string | null;
  readonly text?: string | null;
}

/** The fields of Bland's call object that classification reads; every one may be absent or null. */
export interface BlandCallReport {
  readonly call_id?: string | null;
  readonly status?: string | null;
  readonly completed?: boolean | null;
  readonly queue_status?: string | null;
  readonly answered_by?: string | null;
  readonly call_ended_by?: string | null;
  readonly error_message?: string | null;
  readonly disposition_tag?: string | null;
  readonly pathway_tags?: readonly unknown[] | null;
  readonly summary?: string | null;
  readonly variables?: Readonly<Record<string, unknown>> | null;
  readonly transferred_to?: string | null;
  readonly transferred_at?: string | null;
  readonly post_transfer_duration?: number | null;
  readonly warm_transfer_call?: {
    readonly state?: string | null;
    readonly proxy_agent_calls?: readonly { readonly state?: string | null }[] | null;
  } | null;
  readonly transcripts?: readonly BlandTranscriptLine[] | null;
}

export interface CallClassification {
  readonly outcome: Outcome;
  /** Requested callback instant (epoch ms) when the call asked for one and it could be read. */
  readonly callbackAt: number | null;
  /** Which field decided, for the attempt record and for operators. */
  readonly evidence: string;
}

/** Permanent failures: the number cannot be reached at all (Bland error reference, SIP 404 and carrier texts). */
const PERMANENT_FAILURE = new LabelSet([
  'number you dialed is not found', 'number is not found', 'not in service', 'no longer in service',
  'number has been disconnected', 'dialed has been disconnected', 'number is disconnected', 'disconnected number',
  'invalid number', 'invalid phone number', 'unallocated number', 'number does not exist',
], false);
const BUSY_ERROR = new LabelSet(['number you dialed is busy', 'line busy', 'user busy'], false);
const CALLBACK_TIME_KEYS = ['callback_datetime', 'callback_at', 'callbackAt', 'callback_time_iso', 'callback_time'];

export class CallClassifier {
  private readonly dnc: LabelSet;
  private readonly dncPhrases: LabelSet;
  private readonly sale: LabelSet;
  private readonly transfer: LabelSet;
  private readonly callback: LabelSet;
  private readonly notInterested: LabelSet;
  private readonly voicemail: LabelSet;
  private readonly noAnswer: LabelSet;
  private readonly busy: LabelSet;
  /** Category order for a label that is not exactly any synonym: the precedence above. */
  private readonly ordered: readonly [Outcome, LabelSet][];

  constructor(config: OutcomeConfig) {
    // DNC is never negated: "No, do not call me" is emphasis, and a false DNC costs less than a missed one.
    this.dnc = new LabelSet(config.dncLabels, false);
    this.dncPhrases = new LabelSet(config.dncPhrases, false);
    this.sale = new LabelSet(config.saleLabels);
    this.transfer = new LabelSet(config.transferLabels);
    this.callback = new LabelSet(config.callbackLabels);
    this.notInterested = new LabelSet(config.notInterestedLabels);
    this.voicemail = new LabelSet(config.voicemailLabels);
    this.noAnswer = new LabelSet(config.noAnswerLabels);
    this.busy = new LabelSet(config.busyLabels);
    this.ordered = [
      ['DNC', this.dnc], ['SALE', this.sale], ['TRANSFERRED', this.transfer], ['CALLBACK', this.callback],
      ['NOT_INTERESTED', this.notInterested], ['VOICEMAIL', this.voicemail], ['BUSY', this.busy], ['NO_ANSWER', this.noAnswer],
    ];
  }

  /**
   * The category of one label: a label that is exactly a synonym belongs to that category (so `TRANSFER_SALE`,
   * listed as a transfer, is not a sale); a DNC synonym anywhere in it makes it DNC; otherwise the category whose
   * synonym starts earliest (`NOT_INTERESTED_IN_ACA` is not interested, not a sale), ties in precedence order.
   */
  labelCategory(label: string): Outcome | null {
    if (normalizeLabel(label) === '') return null;
    for (const [outcome, set] of this.ordered) if (set.isExactly(label)) return outcome;
    if (this.dnc.occursIn(label)) return 'DNC';
    let best: Outcome | null = null;
    let bestIndex = Infinity;
    for (const [outcome, set] of this.ordered) {
      const i = set.indexIn(label);
      if (i >= 0 && i < bestIndex) {
        best = outcome;
        bestIndex = i;
      }
    }
    return best;
  }

  classify(call: BlandCallReport): CallClassification {
    const status = lower(call.status);
    const answeredBy = lower(call.answered_by);
    const error = typeof call.error_message === 'string' ? call.error_message : '';
    const disposition = typeof call.disposition_tag === 'string' ? call.disposition_tag : '';
    const dispositionCategory = disposition ? this.labelCategory(disposition) : null;
    const tags = (call.pathway_tags ?? []).filter((t): t is string => typeof t === 'string');
    const tagCategories = tags.map((t) => this.labelCategory(t));
    const completed = status === 'completed' || (status === '' && call.completed === true && error === '');
    const humanAnswered = answeredBy === 'human' || answeredBy === 'unknown';
    const none = (outcome: Outcome, evidence: string): CallClassification => ({ outcome, callbackAt: null, evidence });

    // 1. DNC: any sign the customer revoked consent (47 CFR 64.1200(a)(10): revocation by any reasonable means).
    if (dispositionCategory === 'DNC') return none('DNC', `disposition_tag "${disposition}"`);
    const dncTag = tags.find((_, i) => tagCategories[i] === 'DNC');
    if (dncTag) return none('DNC', `pathway tag "${dncTag}"`);
    const customerWords = (call.transcripts ?? []).filter((l) => lower(l.user) === 'user').map((l) => l.text ?? '');
    const spoken = customerWords.find((text) => this.dncPhrases.occursIn(text));
    if (spoken !== undefined) return none('DNC', 'customer asked not to be called (transcript)');
    if (typeof call.summary === 'string' && this.dncPhrases.occursIn(call.summary)) return none('DNC', 'summary says the customer asked not to be called');

    // 2. SALE, only on a call that connected: a sale tag on a failed dial would end a lead nobody spoke to.
    if (dispositionCategory === 'SALE' && (completed || humanAnswered)) return none('SALE', `disposition_tag "${disposition}"`);

    // 3. BAD_NUMBER: the call never completed and the carrier said the number does not exist.
    if (!completed && error && PERMANENT_FAILURE.occursIn(error)) return none('BAD_NUMBER', `error_message "${error}"`);

    // 4. TRANSFERRED only when the transfer connected.
    const transfer = this.transferProof(call);
    if (transfer) return none('TRANSFERRED', transfer);

    // 5. CALLBACK
    const callbackAt = readCallbackAt(call.variables);
    const callbackTag = tags.find((_, i) => tagCategories[i] === 'CALLBACK');
    const callbackRequested = call.variables?.['callback_requested'] === true || call.variables?.['callback_requested'] === 'true';
    if (dispositionCategory === 'CALLBACK' || callbackTag || callbackRequested || callbackAt !== null) {
      const why = dispositionCategory === 'CALLBACK' ? `disposition_tag "${disposition}"` : callbackTag ? `pathway tag "${callbackTag}"` : 'variables request a callback';
      return { outcome: 'CALLBACK', callbackAt, evidence: why };
    }

    // 6. NOT_INTERESTED
    if (dispositionCategory === 'NOT_INTERESTED') return none('NOT_INTERESTED', `disposition_tag "${disposition}"`);

    // 7. VOICEMAIL
    if (answeredBy === 'voicemail' || answeredBy === 'machine') return none('VOICEMAIL', `answered_by "${answeredBy}"`);
    if (dispositionCategory === 'VOICEMAIL') return none('VOICEMAIL', `disposition_tag "${disposition}"`);

    // 8. BUSY
    if (status === 'busy' || answeredBy === 'busy') return none('BUSY', `status/answered_by busy`);
    if (error && BUSY_ERROR.occursIn(error)) return none('BUSY', `error_message "${error}"`);
    if (dispositionCategory === 'BUSY') return none('BUSY', `disposition_tag "${disposition}"`);

    // 9. NO_ANSWER
    if (status === 'no-answer' || answeredBy === 'no-answer' || answeredBy === 'no_answer') return none('NO_ANSWER', 'status/answered_by no-answer');
    if (dispositionCategory === 'NO_ANSWER' && !humanAnswered) return none('NO_ANSWER', `disposition_tag "${disposition}"`);

    // 10. FAILED
    if (status === 'failed' || status === 'canceled' || status === 'cancelled') return none('FAILED', error ? `error_message "${error}"` : `status "${status}"`);
    if (!completed && (error || /_error$/.test(lower(call.queue_status)))) return none('FAILED', error ? `error_message "${error}"` : `queue_status "${call.queue_status}"`);

    return none('UNKNOWN', disposition ? `no deciding field (disposition_tag "${disposition}" alone decides nothing here)` : 'no deciding field');
  }

  /** Evidence that a transfer really connected, or null. */
  private transferProof(call: BlandCallReport): string | null {
    const warm = call.warm_transfer_call;
    if (warm && typeof warm === 'object') {
      if (upper(warm.state) === 'MERGED') return 'warm_transfer_call.state MERGED';
      if (!warm.state && (warm.proxy_agent_calls ?? []).some((leg) => upper(leg?.state) === 'MERGED')) {
        return 'warm_transfer_call leg MERGED';
      }
      // A warm transfer that did not merge (CANCELLED, NO_ANSWER, TIMED_OUT...) is no transfer, whatever the tag says.
      return null;
    }
    const talkAfter = typeof call.post_transfer_duration === 'number' && call.post_transfer_duration > 0;
    if (call.transferred_to && call.transferred_at && talkAfter) return 'cold transfer with post-transfer talk time';
    return null;
  }
}

function lower(value: unknown): string {
  return typeof value === 'string' ? value.trim().toLowerCase() : '';
}

function upper(value: unknown): string {
  return typeof value === 'string' ? value.trim().toUpperCase() : '';
}

/** A requested callback instant from the call's variables, when one parses as an ISO date-time with an offset. */
export function readCallbackAt(variables: Readonly<Record<string, unknown>> | null | undefined): number | null {
  if (!variables) return null;
  for (const key of CALLBACK_TIME_KEYS) {
    const value = variables[key];
    if (typeof value === 'string' && /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value)) {
      const parsed = DateTime.fromISO(value, { setZone: true });
      // Without an offset the instant is ambiguous: ignore it rather than guess a zone.
      if (parsed.isValid && /([+-]\d{2}:?\d{2}|Z)$/.test(value)) return parsed.toMillis();
    }
  }
  return null;
}

/** The facts of a call kept in its attempt record, read defensively from Bland's call object (outbound or inbound). */
export function callFacts(report: BlandCallReport & { readonly call_length?: unknown; readonly price?: unknown }) {
  return {
    disposition: typeof report.disposition_tag === 'string' ? report.disposition_tag : null,
    answeredBy: typeof report.answered_by === 'string' ? report.answered_by : null,
    durationS: typeof report.call_length === 'number' && Number.isFinite(report.call_length) ? Math.round(report.call_length * 60) : null,
    price: typeof report.price === 'number' && Number.isFinite(report.price) ? report.price : null,
    summary: typeof report.summary === 'string' ? report.summary.slice(0, 2000) : null,
  };
}
