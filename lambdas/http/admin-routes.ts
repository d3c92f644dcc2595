import { makeKillSwitch } from '../app/kill-switch';
import type { LoopDeps } from '../app/loop-deps';
import { maskPhone, normalizePhone } from '../domain/phone';
import { makeReplayParkedCrmWrites } from '../app/crm-write-back';
import type { ParkedCrmWrites } from '../ports/crm-outbox';
import { json, safeEqual, type HttpRequest, type HttpResponse } from './http';
import { makeReports, ReportRequestError } from '../app/reports';
import { LeadControlError, makeLeadControl } from '../app/lead-control';
import type { ReportStore } from '../ports/reports';
import type { Lead } from '../domain/lead';
import { BlocklistRequestError, makeBlocklistAdmin } from '../app/blocklist-admin';
import { callerIdReport } from '../domain/caller-id';
import { ReplayRequestError, type ReplayPage } from './replay';

/**
 * The admin API shared by the Lambda and the local runtime (docs/operations.md): the kill switch and a lead's view.
 * Authenticated by X-API-Key in constant time; with no admin key configured every route answers 503 (never open).
 *   GET  /admin/system              { paused }
 *   POST /admin/system/pause        kill switch on
 *   POST /admin/system/resume       off, held attempts restored (spread)
 *   GET  /admin/leads/{phone}       the lead, its attempts, its next attempt and why
 *   POST /admin/leads/{phone}/pause|resume|stop   an operator's hand on one lead
 *   GET  /admin/stats/today         the reporting day so far
 *   GET  /admin/reports/breakdown?from=YYYY-MM-DD&to=YYYY-MM-DD   leads created in range, by where they stand
 *   GET  /admin/reports/range?from&to                            calls placed in range and what came of them
 *   GET  /admin/reports/totals      every lead ever
 *   GET  /admin/reports/caller-ids  the caller-ID pool: dials, pickups, transfers per number (48 h), cooldowns
 *   GET  /admin/blocklist           numbers, area codes and prefixes never called or texted (and BAD_NUMBER listings)
 *   POST /admin/blocklist           { number | areaCode | prefix, reason }
 *   POST /admin/blocklist/remove    { number | areaCode | prefix } (releases a BAD_NUMBER listing too)
 *   GET  /admin/crm/parked          CRM writes kept for replay (no such lead, outbox down)
 *   POST /admin/crm/replay          send them through the outbox again
 *   POST /admin/replay              { from, to, routes?, after?, limit?, dryRun? }: archived inbound bodies re-fed
 */
export function makeAdminRoute(deps: {
  loop: LoopDeps;
  apiKey: string | null;
  who: string;
  parked?: ParkedCrmWrites | null;
  reports?: ReportStore | null;
  /** Re-feeds archived inbound bodies (lambdas/http/replay.ts). */
  replayArchive?: ((input: unknown) => Promise<ReplayPage>) | null;
}) {
  const killSwitch = makeKillSwitch(deps.loop);
  const reports = deps.reports ? makeReports({ reports: deps.reports, clock: deps.loop.clock, config: deps.loop.config, capacity: deps.loop.capacity ?? null }) : null;
  const leadControl = makeLeadControl(deps.loop);
  const blocklist = deps.loop.blocklist ? makeBlocklistAdmin({ blocklist: deps.loop.blocklist, clock: deps.loop.clock }) : null;
  const replay = deps.parked && deps.loop.crmOutbox ? makeReplayParkedCrmWrites({ parked: deps.parked, outbox: deps.loop.crmOutbox }) : null;
  const leadView = async (lead: Lead) => ({
    lead,
    attempts: await deps.loop.store.listAttempts(lead.phone),
    next: { at: lead.nextAttemptAt === null ? null : new Date(lead.nextAttemptAt).toISOString(), why: lead.nextAttemptReason },
  });
  return async function adminRoute(req: HttpRequest): Promise<HttpResponse | null> {
    try {
      return await route(req);
    } catch (error) {
      if (error instanceof ReportRequestError || error instanceof ReplayRequestError) return json(400, { error: error.message });
      if (error instanceof LeadControlError || error instanceof BlocklistRequestError) return json(error.status, { error: error.message });
      throw error;
    }
  };

  async function report(req: HttpRequest): Promise<HttpResponse | null> {
    if (req.method !== 'GET') return null;
    if (req.path === '/admin/reports/caller-ids') {
      const pool = deps.loop.config.callerIds;
      const states = deps.loop.callerIds ? await deps.loop.callerIds.states(pool.numbers.map((n) => n.number)) : new Map();
      return json(200, { numbers: callerIdReport(pool, states, deps.loop.clock.now()) });
    }
    const known = ['/admin/stats/today', '/admin/reports/breakdown', '/admin/reports/range', '/admin/reports/totals'];
    if (!known.includes(req.path)) return null;
    if (!reports) return json(503, { error: 'no reports here' });
    const { from, to } = req.query ?? {};
    if (req.path === '/admin/stats/today') return json(200, await reports.today());
    if (req.path === '/admin/reports/breakdown') return json(200, await reports.breakdown(from, to));
    if (req.path === '/admin/reports/range') return json(200, await reports.range(from, to));
    return json(200, await reports.totals());
  }

  async function route(req: HttpRequest): Promise<HttpResponse | null> {
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
    if (req.method === 'POST' && req.path === '/admin/replay') {
      if (!deps.replayArchive) return json(503, { error: 'no archive replay here' });
      let body: unknown;
      try {
        body = JSON.parse(req.body || '{}');
      } catch {
        return json(400, { error: 'body: not valid JSON' });
      }
      return json(200, await deps.replayArchive(body));
    }
    if (req.path === '/admin/blocklist' || req.path === '/admin/blocklist/remove') {
      if (!blocklist) return json(503, { error: 'no blocklist here' });
      if (req.method === 'GET' && req.path === '/admin/blocklist') {
        const entries = await blocklist.list();
        return json(200, { entries: entries.map((e) => ({ ...e, addedAt: new Date(e.addedAt).toISOString() })) });
      }
      if (req.method !== 'POST') return null;
      let body: unknown;
      try {
        body = JSON.parse(req.body || '{}');
      } catch {
        return json(400, { error: 'body: not valid JSON' });
      }
      if (req.path === '/admin/blocklist') return json(201, { entry: await blocklist.add(body, deps.who) });
      return json(200, { removed: await blocklist.remove(body) });
    }
    const reported = await report(req);
    if (reported) return reported;
    const lead = /^\/admin\/leads\/([^/]+)(?:\/(pause|resume|stop))?$/.exec(req.path);
    if (!lead) return null;
    let raw: string;
    try {
      raw = decodeURIComponent(lead[1]!);
    } catch {
      return json(400, { error: 'phone: not a valid percent-encoded path segment' });
    }
    const parsed = normalizePhone(raw);
    if (!parsed.ok) return json(400, { error: `phone: ${parsed.reason}` });
    const action = lead[2] as 'pause' | 'resume' | 'stop' | undefined;
    if (req.method === 'GET' && !action) {
      const found = await store.get(parsed.phone);
      if (!found) return json(404, { error: `no lead ${parsed.phone}` });
      return json(200, await leadView(found));
    }
    if (req.method === 'POST' && action) return json(200, await leadView(await leadControl[action](parsed.phone, deps.who)));
    return null;
  }
}
