import { makeKillSwitch } from '../app/kill-switch';
import type { LoopDeps } from '../app/loop-deps';
import { maskPhone, normalizePhone } from '../domain/phone';
import { makeReplayParkedCrmWrites } from '../app/crm-write-back';
import type { ParkedCrmWrites } from '../ports/crm-outbox';
import { json, safeEqual, type HttpRequest, type HttpResponse } from './http';

/**
 * The admin API shared by the Lambda and the local runtime (docs/operations.md): the kill switch and a lead's view.
 * Authenticated by X-API-Key in constant time; with no admin key configured every route answers 503 (never open).
 *   GET  /admin/system              { paused }
 *   POST /admin/system/pause        kill switch on
 *   POST /admin/system/resume       off, held attempts restored (spread)
 *   GET  /admin/leads/{phone}       the lead, its attempts, its next attempt and why
 *   GET  /admin/crm/parked          CRM writes kept for replay (no such lead, outbox down)
 *   POST /admin/crm/replay          send them through the outbox again
 */
export function makeAdminRoute(deps: { loop: LoopDeps; apiKey: string | null; who: string; parked?: ParkedCrmWrites | null }) {
  const killSwitch = makeKillSwitch(deps.loop);
  const replay = deps.parked && deps.loop.crmOutbox ? makeReplayParkedCrmWrites({ parked: deps.parked, outbox: deps.loop.crmOutbox }) : null;
  return async function adminRoute(req: HttpRequest): Promise<HttpResponse | null> {
    if (!req.path.startsWith('/admin/')) return null;
    if (!deps.apiKey) return json(503, { error: 'admin API disabled: set adminApiKey in the secret (docs/deploy.md)' });
    if (!safeEqual(req.headers['x-api-key'] ?? '', deps.apiKey)) return json(401, { error: 'missing or wrong X-API-Key' });
    const store = deps.loop.store;
    if (req.method === 'GET' && req.path === '/admin/system') return json(200, { paused: await store.getSystemPaused() });
    if (req.method === 'POST' && req.path === '/admin/system/pause') return json(200, await killSwitch.pause(deps.who));
    // API Gateway gives a request 30 s: restore for 25, then answer (a large backlog takes several calls).
    if (req.method === 'POST' && req.path === '/admin/system/resume') return json(200, await killSwitch.resume(deps.who, deps.loop.clock.now() + 25_000));
    if (req.method === 'GET' && req.path === '/admin/crm/parked') {
      if (!deps.parked) return json(503, { error: 'no CRM write-back here' });
      const parked = await deps.parked.listParkedCrmWrites();
      return json(200, { parked: parked.map((p) => ({ callId: p.message.callId, phone: maskPhone(p.message.phone), status: p.message.status, reason: p.reason, parkedAt: new Date(p.parkedAt).toISOString() })) });
    }
    if (req.method === 'POST' && req.path === '/admin/crm/replay') {
      if (!replay) return json(503, { error: 'no CRM write-back here (no Convoso token, or no outbox)' });
      return json(200, { replayed: await replay() });
    }
    const lead = /^\/admin\/leads\/([^/]+)$/.exec(req.path);
    if (req.method === 'GET' && lead) {
      const parsed = normalizePhone(decodeURIComponent(lead[1]!));
      if (!parsed.ok) return json(400, { error: `phone: ${parsed.reason}` });
      const found = await store.get(parsed.phone);
      if (!found) return json(404, { error: `no lead ${parsed.phone}` });
      return json(200, {
        lead: found,
        attempts: await store.listAttempts(found.phone),
        next: { at: found.nextAttemptAt === null ? null : new Date(found.nextAttemptAt).toISOString(), why: found.nextAttemptReason },
      });
    }
    return null;
  };
}
