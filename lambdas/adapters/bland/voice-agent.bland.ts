import type { BlandCallReport } from '../../domain/classify-call';
import type { PlaceCallRequest, VoiceAgent } from '../../ports/voice-agent';
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
export class BlandVoiceAgent implements VoiceAgent {
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

  async getCall(callId: string): Promise<BlandCallReport | null> {
    const response = await fetchWithRetry('bland', `${this.config.baseUrl}/v1/calls/${encodeURIComponent(callId)}`, {
      headers: { authorization: this.config.apiKey },
    }, this.retry);
    if (response.status === 404) return null;
    if (!response.ok) throw new HttpError('bland', response.status, `GET call failed: HTTP ${response.status}`, false);
    return (await response.json()) as BlandCallReport;
  }
}
