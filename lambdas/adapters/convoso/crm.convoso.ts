import type { Crm, CrmLead } from '../../ports/crm';
import type { CrmUpdateResult, CrmWriter } from '../../ports/crm-outbox';
import { DEFAULT_RETRY, HttpError, fetchWithRetry, type RetryOptions } from '../http-retry';

export interface ConvosoConfig {
  readonly baseUrl: string;
  readonly authToken: string;
  /** dnc/insert campaign: "0" is the global DNC list. */
  readonly dncCampaignId?: string;
}

interface ConvosoEntry {
  id?: string | number;
  list_id?: string | number;
  status?: string;
  first_name?: string | null;
  last_name?: string | null;
  email?: string | null;
  state?: string | null;
  postal_code?: string | null;
}

const text = (value: string | null | undefined) => (typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined);

interface SearchAnswer {
  success?: boolean;
  code?: number;
  text?: string;
  data?: { entries?: ConvosoEntry[] };
}

/** Crm on the Convoso API: `leads/search` by phone, first match when the number sits in several lists. */
export class ConvosoCrm implements Crm, CrmWriter {
  constructor(
    private readonly config: ConvosoConfig,
    private readonly retry: RetryOptions = DEFAULT_RETRY,
  ) {}

  async findByPhone(phone: string): Promise<CrmLead | null> {
    // Convoso stores US numbers as 10 digits.
    const digits = phone.replace(/\D/g, '').replace(/^1(\d{10})$/, '$1');
    const form = new URLSearchParams({ auth_token: this.config.authToken, phone_number: digits, limit: '10' });
    const response = await fetchWithRetry('convoso', `${this.config.baseUrl}/v1/leads/search`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    }, this.retry);
    const json = (await response.json().catch(() => null)) as SearchAnswer | null;
    if (!response.ok || !json || json.success === false) {
      throw new HttpError('convoso', response.status, `leads/search failed: ${json?.text ?? `HTTP ${response.status}`}`, false);
    }
    const first = json.data?.entries?.[0];
    if (!first || first.id === undefined) return null;
    return {
      leadId: String(first.id),
      listId: first.list_id === undefined ? null : String(first.list_id),
      status: first.status ?? null,
      statuses: (json.data?.entries ?? []).map((e) => e.status).filter((x): x is string => typeof x === 'string' && x !== ''),
      details: { firstName: text(first.first_name), lastName: text(first.last_name), email: text(first.email), state: text(first.state), zip: text(first.postal_code) },
    };
  }

  /** One form POST; `success:false` answers become a non-retryable HttpError (429/5xx/timeouts were retried). */
  private async post(path: string, params: Record<string, string>): Promise<{ ok: boolean; text: string; status: number }> {
    const form = new URLSearchParams({ ...params, auth_token: this.config.authToken });
    const response = await fetchWithRetry('convoso', `${this.config.baseUrl}/v1/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    }, this.retry);
    const json = (await response.json().catch(() => null)) as { success?: boolean; text?: string } | null;
    return { ok: response.ok && json !== null && json.success !== false, text: json?.text ?? `HTTP ${response.status}`, status: response.status };
  }

  /** leads/update with the status (if any) and the fields; "No such Lead" is an answer, not an error. */
  async updateLead(leadId: string, status: string | null, fields: Readonly<Record<string, string>>): Promise<CrmUpdateResult> {
    const answer = await this.post('leads/update', { ...fields, lead_id: leadId, ...(status ? { status } : {}) });
    if (answer.ok) return 'updated';
    if (/no such lead/i.test(answer.text)) return 'no-such-lead';
    throw new HttpError('convoso', answer.status, `leads/update failed: ${answer.text}`, false);
  }

  /** dnc/insert on the configured campaign (0 = global), US numbers as 10 digits with phone_code 1. */
  async insertDnc(phone: string): Promise<void> {
    const digits = phone.replace(/\D/g, '').replace(/^1(\d{10})$/, '$1');
    const answer = await this.post('dnc/insert', { phone_number: digits, phone_code: '1', campaign_id: this.config.dncCampaignId ?? '0' });
    // Already on the list is fine: the number is on it either way.
    if (!answer.ok && !/already/i.test(answer.text)) throw new HttpError('convoso', answer.status, `dnc/insert failed: ${answer.text}`, false);
  }
}
