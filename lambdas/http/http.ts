import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** The HTTP shape shared by the Lambda handlers (API Gateway HTTP API) and the local server. */
export interface HttpRequest {
  readonly method: string;
  readonly path: string;
  /** Header names lower-case. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: string;
  /** Query string parameters (the last value of a repeated one). */
  readonly query?: Readonly<Record<string, string | undefined>>;
}

export interface HttpResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

export const json = (statusCode: number, body: unknown): HttpResponse => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

/** Constant-time comparison of two secrets of any length (both hashed first, so lengths do not leak). */
export function safeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

/**
 * Bland's X-Webhook-Signature: lowercase hex HMAC-SHA256 of the body with the webhook secret (docs/bland.md).
 * Checked against the raw body, and against the compact JSON of it (Bland's example signs JSON.stringify(body)).
 */
export function validSignature(rawBody: string, signature: string | undefined, secret: string): boolean {
  if (!signature) return false;
  const given = signature.trim().toLowerCase().replace(/^sha256=/, '');
  const candidates = [rawBody];
  try {
    candidates.push(JSON.stringify(JSON.parse(rawBody)));
  } catch {
    // not JSON: only the raw form can match
  }
  return candidates.some((body) => safeEqual(createHmac('sha256', secret).update(body).digest('hex'), given));
}
