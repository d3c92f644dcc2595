import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHmac } from 'node:crypto';
import { parseConfig } from '../../lambdas/config/config';
import { ScaledClock, startLocalRuntime, type LocalRuntime } from '../../bin/local-runtime';

/**
 * The embedded local runtime over real HTTP: the same routes and use cases as on AWS, dynalite on disk, the local
 * scheduler and queue, and the Bland and Convoso simulators. The clock runs 120x (one simulated minute = 0.5 s).
 */
let runtime: LocalRuntime;
let dataDir: string;
const START = Date.parse('2026-07-15T15:00:00Z'); // Wednesday 11:00 EDT

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'redial-local-'));
  runtime = await startLocalRuntime({
    config: parseConfig({}),
    dataDir,
    clock: new ScaledClock(START, 120),
    speed: 120,
    tickMs: 50,
    bland: { weights: { voicemail: 1, 'no-answer': 0, busy: 0, transferred: 0, callback: 0, sale: 0, dnc: 0, 'not-interested': 0 }, dropRate: 0, duplicateRate: 0, ratePerSecond: 100 },
  });
}, 30_000);
afterAll(async () => runtime.stop());

const post = (path: string, body: string, headers: Record<string, string> = {}) =>
  fetch(`${runtime.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': runtime.apiKey, ...headers }, body });

async function waitFor<T>(probe: () => Promise<T | null | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('local runtime over HTTP', () => {
  it('a posted lead is dialed, its outcome recorded and its next attempt scheduled (the README path)', async () => {
    const res = await post('/leads', JSON.stringify({ phone: '(212) 555-0100', first_name: 'Ada', state: 'NY' }));
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ phone: '+12125550100', status: 'ACTIVE' });
    const view = await waitFor(async () => {
      const r = await fetch(`${runtime.url}/leads/%2B12125550100`);
      const v = (await r.json()) as { lead: { nextAttemptAt: number | null; attemptsTotal: number }; attempts: { outcome: string }[] };
      return v.attempts.length >= 1 && v.lead.nextAttemptAt !== null ? v : null;
    });
    expect(view.attempts[0]!.outcome).toBe('VOICEMAIL');
    expect(view.lead.attemptsTotal).toBeGreaterThanOrEqual(1);
    expect(runtime.bland.calls[0]!.request).toMatchObject({ phone_number: '+12125550100', metadata: { phone: '+12125550100' } });
  });

  it.each([
    ['an unknown state', { state: 'ZZ' }, `state "ZZ" is not a US state, territory or Canadian province: held to every US zone and every state's rules`, []],
    ['a zone abbreviation', { state: 'NY', time_zone: 'EST' }, 'tz "EST" is not an IANA zone: held to every US zone', ['NY']],
    ['a ZIP the zone data lacks', { zip: '99999' }, 'zip "99999" is not in the ZIP zone data: located by its prefix in AK', ['AK', 'NY']],
  ])('%s: the lead is kept (202) with a warning, and held to the stricter rules', async (name, extra, warning, regions) => {
    const phone = `+121255506${name.length}`;
    const res = await post('/leads', JSON.stringify({ phone, ...extra }));
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ phone, status: 'ACTIVE', warnings: [warning] });
    const lead = (await runtime.store.get(phone))!;
    expect(lead.locationWarnings).toEqual([warning]);
    expect(lead.regions).toEqual(regions); // empty: every rule binds
    const zones = (regions as string[]).includes('AK') ? ['America/Anchorage', 'America/Adak', 'America/New_York'] : ['America/New_York', 'America/Chicago', 'America/Denver', 'America/Phoenix', 'America/Los_Angeles', 'America/Anchorage', 'America/Adak', 'Pacific/Honolulu'];
    expect(lead.zones).toEqual(expect.arrayContaining(zones));
  });

  it('a lead whose location is recognized gets no warnings field', async () => {
    const res = await post('/leads', JSON.stringify({ phone: '(212) 555-0177', state: 'NY', zip: '10001', time_zone: 'America/New_York' }));
    expect(res.status).toBe(202);
    expect(await res.json()).not.toHaveProperty('warnings');
  });

  it('form-encoded Zapier bodies are accepted', async () => {
    const res = await post('/leads', 'phone_number=3055550102&first_name=Bo&state=FL&plan_type=family', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(res.status).toBe(202);
    expect(((await runtime.store.get('+13055550102'))!.fields)).toEqual({ plan_type: 'family' });
  });

  it.each([
    ['missing phone', JSON.stringify({ first_name: 'x' }), {}, 400, 'phone'],
    ['bad phone', JSON.stringify({ phone: '555-0100' }), {}, 400, 'phone'],
    ['phone of the wrong type', JSON.stringify({ phone: { n: 1 } }), {}, 400, 'phone'],
    ['bad zip and email', JSON.stringify({ phone: '2125550111', zip: '12', email: 'nope' }), {}, 400, 'zip'],
    ['empty body', '', {}, 400, 'the body is empty'],
    ['not JSON', '{"phone":', {}, 400, 'not valid JSON'],
    ['a JSON array', '[1,2]', {}, 400, 'must be a JSON object'],
    ['wrong content type', 'phone=1', { 'content-type': 'text/plain' }, 415, 'text/plain'],
    ['huge body', JSON.stringify({ phone: '2125550111', notes: 'x'.repeat(300_000) }), {}, 413, 'larger than'],
    ['no API key', JSON.stringify({ phone: '2125550111' }), { 'x-api-key': '' }, 401, 'X-API-Key'],
    ['wrong API key', JSON.stringify({ phone: '2125550111' }), { 'x-api-key': 'guess' }, 401, 'X-API-Key'],
  ])('%s: 4xx naming the problem, archived, counted by reason', async (_name, body, headers, status, mentions) => {
    const reason = { 400: 'Invalid', 401: 'ApiKey', 413: 'TooLarge', 415: 'ContentType' }[status]!;
    const before = runtime.metrics.sum(`IntakeRejected_${reason}`);
    const res = await post('/leads', body, headers as Record<string, string>);
    expect(res.status).toBe(status);
    expect(runtime.metrics.sum(`IntakeRejected_${reason}`)).toBe(before + 1);
    const answer = (await res.json()) as { archiveKey: string };
    expect(JSON.stringify(answer)).toContain(mentions);
    const archived = JSON.parse(readFileSync(join(dataDir, 'archive', answer.archiveKey), 'utf8')) as { body: string; route: string };
    expect(archived.route).toBe('leads');
    expect(archived.body).toBe(body.slice(0, 256 * 1024));
  });

  it('the Bland webhook refuses a bad signature, ignores in-call events and acknowledges unknown calls', async () => {
    const body = JSON.stringify({ call_id: 'not-ours', status: 'completed', answered_by: 'human' });
    const signatureFailures = runtime.metrics.sum('WebhookRejected_Signature');
    expect((await post('/webhooks/bland', body, { 'x-webhook-signature': 'deadbeef' })).status).toBe(401);
    expect((await post('/webhooks/bland', body)).status).toBe(401);
    expect(runtime.metrics.sum('WebhookRejected_Signature')).toBe(signatureFailures + 2); // alarmed on when it spikes
    const sign = (raw: string) => createHmac('sha256', 'local-webhook-secret').update(raw).digest('hex');
    const ok = await post('/webhooks/bland', body, { 'x-webhook-signature': sign(body) });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ result: 'unknown-call' });
    const event = JSON.stringify({ message: 'Call connected', call_id: 'x', category: 'call', log_level: 'info' });
    expect(await (await post('/webhooks/bland', event, { 'x-webhook-signature': sign(event) })).json()).toMatchObject({ result: 'not-final' });
    const badType = JSON.stringify({ call_id: 42 });
    const res = await post('/webhooks/bland', badType, { 'x-webhook-signature': sign(badType) });
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).toContain('call_id');
  });

  it('unknown routes are 404, health answers', async () => {
    expect((await fetch(`${runtime.url}/nope`)).status).toBe(404);
    expect(await (await fetch(`${runtime.url}/health`)).json()).toMatchObject({ ok: true });
  });
});
