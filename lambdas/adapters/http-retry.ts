/**
 * HTTP with a timeout and retries (exponential backoff, full jitter, Retry-After honoured) on 429, 5xx and network
 * errors. Shared by the Bland and Convoso clients. Sleep and randomness are injected so tests run instantly.
 */
export interface RetryOptions {
  readonly retries: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly timeoutMs: number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly random: () => number;
  /**
   * For requests that are not idempotent (placing a call): retry only when the server certainly did not act on it
   * (429, or a connection that was never made). A timeout or a 5xx may hide a call already placed.
   */
  readonly onlyRetryRejected?: boolean;
}

export const DEFAULT_RETRY: RetryOptions = {
  retries: 3,
  baseDelayMs: 500,
  maxDelayMs: 8_000,
  timeoutMs: 10_000,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
};

export class HttpError extends Error {
  constructor(
    readonly service: string,
    readonly status: number | null,
    message: string,
    /** True when retrying later might succeed (429, 5xx, timeout, network). */
    readonly retryable: boolean,
  ) {
    super(`${service}: ${message}`);
    this.name = 'HttpError';
  }
}

const isRetryableStatus = (status: number) => status === 429 || status >= 500;

export async function fetchWithRetry(service: string, url: string, init: RequestInit, options: RetryOptions = DEFAULT_RETRY): Promise<Response> {
  let lastError: HttpError | null = null;
  for (let attempt = 0; attempt <= options.retries; attempt++) {
    if (attempt > 0) {
      const backoff = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1));
      const retryAfter = lastError?.status === 429 ? Number((lastError as HttpError & { retryAfterS?: number }).retryAfterS ?? 0) * 1000 : 0;
      await options.sleep(Math.max(retryAfter, Math.floor(options.random() * backoff)));
    }
    let response: Response;
    try {
      response = await fetch(url, { ...init, signal: AbortSignal.timeout(options.timeoutMs) });
    } catch (error) {
      const timedOut = (error as Error).name === 'TimeoutError';
      const code = String((error as { cause?: { code?: unknown } }).cause?.code ?? '');
      const neverSent = code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN';
      lastError = new HttpError(service, null, timedOut ? `timed out after ${options.timeoutMs} ms` : `network error: ${(error as Error).message}`, true);
      if (options.onlyRetryRejected && !neverSent) throw Object.assign(lastError, { ambiguous: true });
      continue;
    }
    if (!isRetryableStatus(response.status)) return response;
    if (options.onlyRetryRejected && response.status !== 429) {
      const text = await response.text().catch(() => '');
      throw Object.assign(new HttpError(service, response.status, `HTTP ${response.status} ${text.slice(0, 200)}`, true), { ambiguous: true });
    }
    const text = await response.text().catch(() => '');
    lastError = Object.assign(new HttpError(service, response.status, `HTTP ${response.status} ${text.slice(0, 200)}`, true), {
      retryAfterS: Number(response.headers.get('retry-after') ?? 0) || 0,
    });
  }
  throw lastError!;
}
