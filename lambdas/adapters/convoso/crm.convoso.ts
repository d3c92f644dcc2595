import type { Crm, CrmLead } from '../../ports/crm';
import { DEFAULT_RETRY, HttpError, fetchWithRetry, type RetryOptions } from '../http-retry';

export interface ConvosoConfig {
  readonly baseUrl: string;
  readonly authToken: string;
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
export class ConvosoCrm implements Crm {
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
}
