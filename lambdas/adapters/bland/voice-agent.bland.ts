import type { BlandCallReport } from '../../domain/classify-call';
import type { CallListPage, CallListQuery, CallLog, ListedCall } from '../../ports/backfill';
import type { PlaceCallRequest, VoiceAgent } from '../../ports/voice-agent';
import type { SmsSender } from '../../ports/sms-sender';
import { DEFAULT_RETRY, HttpError, fetchWithRetry, type RetryOptions } from '../http-retry';

export interface BlandConfig {
  readonly baseUrl: string;
  readonly apiKey: string;
  /** A conversational pathway, or a task prompt: one of the two. */
  readonly pathwayId?: string | undefined;
  readonly task?: string | undefined;
  readonly from?: string | undefined;
  readonly voice?: string | undefined;
  readonly maxDurationMinutes: number;
  /** Where Bland posts the call-ended webhook. */
  readonly webhookUrl: string;
}

/**
 * VoiceAgent on the Bland AI API (docs/bland.md): POST /v1/calls to place, GET /v1/calls/{id} to read.
 * 429/5xx/timeouts are retried with backoff and jitter; a refusal (4xx, status:"error") is a non-retryable HttpError.
 */
interface ListAnswer {
  total_count?: number;
  count?: number;
  calls?: { call_id?: string; created_at?: string; to?: string; from?: string; inbound?: boolean }[];
}

export class BlandVoiceAgent implements VoiceAgent, CallLog, SmsSender {
  constructor(
    private readonly config: BlandConfig,
    private readonly retry: RetryOptions = DEFAULT_RETRY,
  ) {}

  /** The POST /v1/calls body for a request. */
  body(request: PlaceCallRequest): Record<string, unknown> {
    const c = this.config;
    return {
      phone_number: request.phone,
      ...(c.pathwayId ? { pathway_id: c.pathwayId } : { task: c.task ?? '' }),
      ...((request.from ?? c.from) ? { from: request.from ?? c.from } : {}),
      ...(c.voice ? { voice: c.voice } : {}),
      max_duration: c.maxDurationMinutes,
      webhook: c.webhookUrl,
      metadata: request.metadata,
      request_data: request.requestData,
      record: true,
    };
  }

  async placeCall(request: PlaceCallRequest): Promise<{ callId: string }> {
    // Placing a call is not idempotent: retried only when Bland certainly did not take it (429, no connection).
    // A timeout or 5xx throws an error marked `ambiguous`: the call may exist, and its webhook will say so.
    const response = await fetchWithRetry('bland', `${this.config.baseUrl}/v1/calls`, {
      method: 'POST',
      headers: { authorization: this.config.apiKey, 'content-type': 'application/json' },
      body: JSON.stringify(this.body(request)),
    }, { ...this.retry, onlyRetryRejected: true });
    const json = (await response.json().catch(() => null)) as { status?: string; call_id?: string; message?: string } | null;
    if (!response.ok || !json || json.status === 'error' || typeof json.call_id !== 'string') {
      throw new HttpError('bland', response.status, `call refused: ${json?.message ?? `HTTP ${response.status}`}`, false);
    }
    return { callId: json.call_id };
  }

  /**
   * POST /v1/sms/send (docs/bland.md): `user_number` the lead, `agent_number` ours, `agent_message` the text, with
   * Bland's `idempotency-key` header, so retries (429, 5xx, timeouts) cannot send the text twice.
   */
  async sendSms(request: { to: string; from: string; text: string; idempotencyKey: string }): Promise<{ conversationId: string | null }> {
    const response = await fetchWithRetry('bland', `${this.config.baseUrl}/v1/sms/send`, {
      method: 'POST',
      headers: { authorization: this.config.apiKey, 'content-type': 'application/json', 'idempotency-key': request.idempotencyKey },
      body: JSON.stringify({ user_number: request.to, agent_number: request.from, agent_message: request.text }),
    }, this.retry);
    const json = (await response.json().catch(() => null)) as { data?: { conversation_id?: string } | null; errors?: unknown } | null;
    if (!response.ok || !json || (Array.isArray(json.errors) && json.errors.length > 0)) {
      throw new HttpError('bland', response.status, `text refused: HTTP ${response.status}`, false);
    }
    return { conversationId: json.data?.conversation_id ?? null };
  }

  async getCall(callId: string): Promise<BlandCallReport | null> {
    const response = await fetchWithRetry('bland', `${this.config.baseUrl}/v1/calls/${encodeURIComponent(callId)}`, {
      headers: { authorization: this.config.apiKey },
    }, this.retry);
    if (response.status === 404) return null;
    if (!response.ok) throw new HttpError('bland', response.status, `GET call failed: HTTP ${response.status}`, false);
    return (await response.json()) as BlandCallReport;
  }

  /**
   * One page of GET /v1/calls (docs/bland.md, S8): a UTC day range, oldest first by created_at, rows `offset` to
   * `offset + limit`. Rows without an id or a parseable created_at are refused loudly rather than skipped silently.
   */
  async listCalls(query: CallListQuery): Promise<CallListPage> {
    const params = new URLSearchParams({
      start_date: query.startDate,
      end_date: query.endDate,
      from: String(query.offset),
      to: String(query.offset + query.limit),
      limit: String(query.limit),
      ascending: 'true',
      sort_by: 'created_at',
      ...(query.toNumber ? { to_number: query.toNumber } : {}),
    });
    const response = await fetchWithRetry('bland', `${this.config.baseUrl}/v1/calls?${params.toString()}`, { headers: { authorization: this.config.apiKey } }, this.retry);
    const json = (await response.json().catch(() => null)) as ListAnswer | null;
    if (!response.ok || !json || !Array.isArray(json.calls)) {
      throw new HttpError('bland', response.status, `GET /v1/calls failed: HTTP ${response.status}`, false);
    }
    const calls: ListedCall[] = json.calls.map((row, i) => {
      const createdAt = Date.parse(row.created_at ?? '');
      if (typeof row.call_id !== 'string' || Number.isNaN(createdAt)) {
        throw new HttpError('bland', response.status, `GET /v1/calls row ${query.offset + i} has no call_id or created_at`, false);
      }
      return { callId: row.call_id, customer: String((row.inbound ? row.from : row.to) ?? ''), createdAt };
    });
    return { calls, totalCount: typeof json.total_count === 'number' ? json.total_count : null };
  }
}
