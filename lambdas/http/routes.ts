import { createHash } from 'node:crypto';
import type { AcceptLeadResult, LeadIntake } from '../app/accept-lead';
import { InvalidRequestError } from '../app/check-window';
import type { CallEnded, OutcomeResult } from '../app/record-call-outcome';
import type { Archive, ArchivedBody } from '../ports/archive';
import type { Clock } from '../ports/clock';
import { json, safeEqual, validSignature, type HttpRequest, type HttpResponse } from './http';
import { parseIntake } from './intake-schema';
import type { MetricsSink } from '../ports/metrics';
import { UnknownLeadError, type LeadDataResult } from '../app/lead-data';

/** Bodies larger than this are refused (413) after their first bytes are archived. */
export const MAX_BODY_BYTES = 256 * 1024;

interface RouteDeps {
  readonly archive: Archive;
  readonly clock: Clock;
  readonly metrics?: MetricsSink;
}

/** Why a request was refused, by status: one metric per reason (`WebhookRejected_Signature`...), never per caller. */
const REJECTION: Record<number, string> = { 400: 'Invalid', 401: 'Auth', 413: 'TooLarge', 415: 'ContentType' };

/** Counts the route's 4xx answers by reason; `authReason` names its 401 (an API key, or a webhook signature). */
function countRejections(deps: RouteDeps, prefix: string, authReason: string, route: (req: HttpRequest) => Promise<HttpResponse>) {
  return async (req: HttpRequest): Promise<HttpResponse> => {
    const response = await route(req);
    const reason = response.statusCode === 401 ? authReason : REJECTION[response.statusCode];
    if (reason) deps.metrics?.add(`${prefix}_${reason}`, 1);
    return response;
  };
}

function parseBody(req: HttpRequest): { ok: true; value: Record<string, unknown> } | { ok: false; response: HttpResponse } {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (req.body.trim() === '') return { ok: false, response: json(400, { error: 'the body is empty' }) };
  if (type === 'application/json' || type === '') {
    try {
      const value: unknown = JSON.parse(req.body);
      if (!value || typeof value !== 'object' || Array.isArray(value)) return { ok: false, response: json(400, { error: 'the body must be a JSON object' }) };
      return { ok: true, value: value as Record<string, unknown> };
    } catch (error) {
      return { ok: false, response: json(400, { error: `the body is not valid JSON: ${(error as Error).message}` }) };
    }
  }
  if (type === 'application/x-www-form-urlencoded') {
    return { ok: true, value: Object.fromEntries(new URLSearchParams(req.body)) };
  }
  return { ok: false, response: json(415, { error: `content-type ${type} is not supported: send application/json or application/x-www-form-urlencoded` }) };
}

/**
 * A public route (intake, webhooks, tool): called as a function with the request, and `replay` re-feeds an archived
 * body through the same processing (no new archive entry, no key or signature: it was checked when it arrived).
 */
export type PublicRoute = ((req: HttpRequest) => Promise<HttpResponse>) & {
  /** The archive's name for the route (`leads`, `webhooks-bland`...). */
  readonly routeName: string;
  replay(record: ArchivedBody): Promise<HttpResponse>;
};

/** Adds the archive key to a JSON answer (an error names where its raw body is kept). */
function withArchiveKey(response: HttpResponse, archiveKey: string): HttpResponse {
  return { ...response, body: JSON.stringify({ ...(JSON.parse(response.body) as object), archiveKey }) };
}

/**
 * What every public route does: check the caller (key or signature), archive the raw body with that verdict (so a
 * replay never re-feeds a forged body), refuse a body over the size limit, parse it (JSON or form), then process; an
 * InvalidRequestError from the use case is a 400 naming its field (404 for a lead the tool does not know). Refusals
 * are counted by reason. A replay runs the same parse and process.
 */
function publicRoute(
  deps: RouteDeps,
  spec: {
    readonly name: string;
    readonly metricPrefix: string;
    readonly authReason: string;
    /** null when the caller is who it says; else the refusal (401, or 503 when the route is disabled). */
    authenticate(req: HttpRequest): HttpResponse | null;
    /** False when the route accepts without checking (a webhook with no secret set): never replayable then. */
    verified?(): boolean;
    /** The error of its 400s (`invalid lead`). */
    readonly invalid: string;
    process(body: Record<string, unknown>, archiveKey: string, raw: string): Promise<HttpResponse>;
  },
): PublicRoute {
  const tooLarge = () => json(413, { error: `the body is larger than ${MAX_BODY_BYTES} bytes` });
  const parseAndProcess = async (req: HttpRequest, archiveKey: string): Promise<HttpResponse> => {
    const body = parseBody(req);
    if (!body.ok) return withArchiveKey(body.response, archiveKey);
    try {
      return await spec.process(body.value, archiveKey, req.body);
    } catch (error) {
      if (!(error instanceof InvalidRequestError)) throw error;
      return json(error instanceof UnknownLeadError ? 404 : 400, { error: spec.invalid, issues: [{ field: error.field, message: error.message }], archiveKey });
    }
  };
  const handle = countRejections(deps, spec.metricPrefix, spec.authReason, async (req: HttpRequest): Promise<HttpResponse> => {
    const refusal = spec.authenticate(req);
    const bytes = Buffer.byteLength(req.body);
    const authenticated = refusal === null && (spec.verified?.() ?? true);
    const archiveKey = await deps.archive.put(spec.name, deps.clock.now(), req.headers['content-type'] ?? null, req.body.slice(0, MAX_BODY_BYTES), { authenticated, bytes });
    if (refusal) return withArchiveKey(refusal, archiveKey);
    if (bytes > MAX_BODY_BYTES) return withArchiveKey(tooLarge(), archiveKey);
    return parseAndProcess(req, archiveKey);
  });
  return Object.assign(handle, {
    routeName: spec.name,
    async replay(record: ArchivedBody): Promise<HttpResponse> {
      if ((record.bytes ?? 0) > MAX_BODY_BYTES) return withArchiveKey(tooLarge(), record.key);
      return parseAndProcess({ method: 'POST', path: `/replay/${spec.name}`, headers: record.contentType ? { 'content-type': record.contentType } : {}, body: record.body }, record.key);
    },
  });
}

/** POST /leads (Zapier): check the key, archive raw, validate, accept. */
export function makeIntakeRoute(deps: RouteDeps & { acceptLead: (intake: LeadIntake) => Promise<AcceptLeadResult>; apiKey: string }): PublicRoute {
  return publicRoute(deps, {
    name: 'leads',
    metricPrefix: 'IntakeRejected',
    authReason: 'ApiKey',
    invalid: 'invalid lead',
    authenticate(req) {
      const key = req.headers['x-api-key'];
      return key && safeEqual(key, deps.apiKey) ? null : json(401, { error: 'missing or invalid X-API-Key' });
    },
    async process(body, archiveKey) {
      const parsed = parseIntake(body);
      if (!parsed.ok) return json(400, { error: 'invalid lead', issues: parsed.issues, archiveKey });
      const result = await deps.acceptLead(parsed.intake);
      return json(result.httpStatus, {
        phone: result.phone, status: result.status, outcome: result.outcome, nextAttemptAt: result.nextAttemptAt,
        ...(result.warnings.length ? { warnings: result.warnings } : {}),
      });
    },
  });
}

/** The Bland webhooks' caller check: the HMAC signature when a secret is set (without one, taken unchecked). */
function signedByBland(secret: string | null) {
  return {
    metricPrefix: 'WebhookRejected',
    authReason: 'Signature',
    authenticate: (req: HttpRequest) => (secret && !validSignature(req.body, req.headers['x-webhook-signature'], secret) ? json(401, { error: 'missing or invalid X-Webhook-Signature' }) : null),
    verified: () => Boolean(secret),
  };
}

/** POST /webhooks/bland: verify the signature when a secret is set, archive raw, record the outcome. */
export function makeBlandWebhookRoute(deps: RouteDeps & { recordCallOutcome: (body: CallEnded, archiveKey: string | null) => Promise<OutcomeResult>; secret: string | null }): PublicRoute {
  return publicRoute(deps, {
    name: 'webhooks-bland',
    ...signedByBland(deps.secret),
    invalid: 'invalid webhook',
    async process(body, archiveKey) {
      if (body['call_id'] !== undefined && typeof body['call_id'] !== 'string') {
        return json(400, { error: 'invalid webhook', issues: [{ field: 'call_id', message: 'must be a string' }], archiveKey });
      }
      const result = await deps.recordCallOutcome(body as CallEnded, archiveKey);
      // In-call event messages (no call object) and unknown calls are acknowledged: Bland must not retry them.
      return json(200, { ...result, archiveKey });
    },
  });
}

/**
 * POST /tools/lead-data (the Bland pathway's mid-call tool): check the key (`X-API-Key`, or `Authorization: Bearer`,
 * as Bland's tool auth sends it), archive raw, validate, write the lead; the CRM write is queued.
 */
export function makeLeadDataToolRoute(deps: RouteDeps & { recordLeadData: (body: Record<string, unknown>) => Promise<LeadDataResult>; apiKey: string | null }): PublicRoute {
  return publicRoute(deps, {
    name: 'tools-lead-data',
    metricPrefix: 'ToolRejected',
    authReason: 'ApiKey',
    invalid: 'invalid tool call',
    authenticate(req) {
      if (!deps.apiKey) return json(503, { error: 'tools disabled: set toolsApiKey in the secret (docs/deploy.md)' });
      const bearer = /^Bearer\s+(.+)$/i.exec(req.headers['authorization'] ?? '')?.[1];
      const key = req.headers['x-api-key'] ?? bearer;
      return key && safeEqual(key, deps.apiKey) ? null : json(401, { error: 'missing or invalid X-API-Key (or Authorization: Bearer)' });
    },
    async process(body) {
      return json(200, { ok: true, ...(await deps.recordLeadData(body)) });
    },
  });
}

/**
 * POST /webhooks/bland-sms: an inbound text (the SMS number's webhook, docs/bland.md), signature checked as for
 * calls. Bland's per-message body is UNCONFIRMED, so the sender, text and id are read from the names its SMS API uses
 * (`user_number`/`from`/`phone_number`, `message`/`text`/`body`, `message_id`/`id`); without an id the raw body's hash
 * keys the idempotency.
 */
export function makeBlandSmsWebhookRoute(deps: RouteDeps & { recordInboundSms: (input: { from: string; text: string; messageId: string }, archiveKey: string | null) => Promise<unknown>; secret: string | null }): PublicRoute {
  return publicRoute(deps, {
    name: 'webhooks-bland-sms',
    ...signedByBland(deps.secret),
    invalid: 'invalid text webhook',
    async process(v, archiveKey, raw) {
      const pick = (...names: string[]) => names.map((n) => v[n]).find((x) => typeof x === 'string' && x.trim() !== '') as string | undefined;
      // A conversation status event (ended...) carries no text: acknowledged.
      if (v['type'] === 'status') return json(200, { result: 'not-a-message', archiveKey });
      const from = pick('user_number', 'from', 'phone_number');
      const text = pick('message', 'text', 'body');
      if (!from) return json(400, { error: 'invalid text webhook', issues: [{ field: 'from', message: 'the sender\'s number is missing (user_number, from or phone_number)' }], archiveKey });
      if (text === undefined) return json(400, { error: 'invalid text webhook', issues: [{ field: 'message', message: 'the text is missing (message, text or body)' }], archiveKey });
      const messageId = pick('message_id', 'id', 'sms_id') ?? createHash('sha256').update(raw).digest('hex').slice(0, 32);
      return json(200, { ...(await deps.recordInboundSms({ from, text, messageId }, archiveKey) as object), archiveKey });
    },
  });
}
