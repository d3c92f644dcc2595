import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../lambdas/adapters/system-clock';
import { parseConfig } from '../../lambdas/config/config';
import { runAdminVerb, runKillSwitch } from '../../bin/admin-cli';
import { startLocalRuntime, type LocalRuntime } from '../../bin/local-runtime';

/**
 * `npx redial pause | resume | status` against the local runtime over HTTP: dials already due (and messages already
 * queued) are held while paused, and resume restores them spread by minute. 2026-11-24 17:00Z is 12:00 EST, a Tuesday.
 */
let rt: LocalRuntime;
let dataDir: string;
const clock = new ManualClock(Date.parse('2026-11-24T17:00:00Z'));

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'redial-killswitch-'));
  rt = await startLocalRuntime({
    config: parseConfig({ dialer: { preDialCrmCheck: false, resumeRatePerSecond: 0.05 }, crm: { writeBack: { enabled: false } } }),
    dataDir, clock, tickMs: 0, bland: { talkMs: 0, dropRate: 0, duplicateRate: 0, ratePerSecond: 1000, outcomeFor: () => 'no-answer' },
  });
}, 30_000);
afterAll(async () => {
  await rt.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const cli = async (...args: string[]) => {
  const out: string[] = [];
  const code = await runKillSwitch([...args, '--url', rt.url], (l) => out.push(l));
  return { code, out };
};

it('pause holds every dial (queued ones too); resume restores them spread by minute; status tells which', async () => {
  const phones = ['+12125550401', '+12125550402', '+12125550403', '+12125550404'];
  for (const phone of phones) {
    const res = await fetch(`${rt.url}/leads`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': rt.apiKey }, body: JSON.stringify({ phone, state: 'NY' }) });
    expect(res.status).toBe(202);
  }
  // Due, fired into the queue, then the switch goes on before the dialer drains it.
  clock.set(Date.parse('2026-11-24T17:01:00Z'));
  await rt.scheduler.tick();
  // Their first calls: on the priority lane.
  expect(rt.priorityQueue.depth).toBe(4);
  expect(await cli('pause')).toEqual({ code: 0, out: ['paused: no call is placed until `npx redial resume` (attempts falling due are held)'] });
  expect((await cli('status')).out).toEqual(['paused']);
  await rt.loopOnce();
  clock.set(Date.parse('2026-11-24T17:30:00Z'));
  await rt.loopOnce();
  expect(rt.bland.calls).toEqual([]);
  expect(rt.pending()).toEqual([]);

  expect(await cli('resume')).toEqual({ code: 0, out: ['resumed: 4 held attempt(s) restored, the last at 2026-11-24T17:32:00.000Z'] });
  expect((await cli('status')).out).toEqual(['running']);
  expect(rt.pending().map((s) => new Date(s.at).toISOString())).toEqual(['2026-11-24T17:31:00.000Z', '2026-11-24T17:31:00.000Z', '2026-11-24T17:31:00.000Z', '2026-11-24T17:32:00.000Z']);
  clock.set(Date.parse('2026-11-24T17:32:00Z'));
  await rt.loopOnce();
  expect(rt.bland.calls.map((c) => c.request['phone_number']).sort()).toEqual(phones);
  await rt.bland.settle();
  // A lead's view: the lead, its attempts, its next attempt and why.
  const view = (await (await fetch(`${rt.url}/admin/leads/(212)%20555-0401`, { headers: { 'x-api-key': rt.apiKey } })).json()) as { lead: { phone: string }; next: { why: string }; attempts: unknown[] };
  expect(view.lead.phone).toBe('+12125550401');
  expect(view.next.why).toMatch(/restored after the kill switch|call .* in progress|NO_ANSWER/);
});

it('a wrong key is refused', async () => {
  await expect(runKillSwitch(['pause', '--url', rt.url, '--api-key', 'nope'], () => undefined)).rejects.toThrow('missing or wrong X-API-Key');
});

it('npx redial lead <phone> prints the lead, its calls and its next attempt with the reason', async () => {
  const out: string[] = [];
  expect(await runAdminVerb(['lead', '(212) 555-0401', '--url', rt.url], (l) => out.push(l))).toBe(0);
  expect(out[0]).toBe('lead         +12125550401  ACTIVE');
  expect(out[1]).toBe('zones        America/New_York');
  expect(out[2]).toBe('calls        1');
  expect(out[3]).toMatch(/^next {9}2026-11-24T17:3\d:00\.000Z {2}\(NO_ANSWER/);
  expect(out[4]).toMatch(/^ {2}2026-11-24T17:32Z {2}NO_ANSWER/);
  await expect(runAdminVerb(['lead', '+12125550999', '--url', rt.url], () => undefined)).rejects.toThrow('no lead +12125550999');
  const replay: string[] = [];
  expect(await runAdminVerb(['crm-replay', '--url', rt.url], (l) => replay.push(l))).toBe(0);
  expect(replay).toEqual(['replayed 0 parked CRM write(s)']);
});

it('a lead an operator stopped shows who stopped it and when, not just its last call outcome', async () => {
  const phone = '+12125550477';
  const res = await fetch(`${rt.url}/leads`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': rt.apiKey }, body: JSON.stringify({ phone, state: 'NY' }) });
  expect(res.status).toBe(202);
  const out: string[] = [];
  expect(await runAdminVerb(['lead', phone, 'stop', '--url', rt.url], (l) => out.push(l))).toBe(0);
  expect(out[0]).toMatch(/^lead {9}\+12125550477 {2}DONE \(stopped by .+ at 2026-11-24T\d\d:\d\dZ\)$/);
  const json: string[] = [];
  expect(await runAdminVerb(['lead', phone, '--json', '--url', rt.url], (l) => json.push(l))).toBe(0);
  expect(JSON.parse(json[0]!)).toMatchObject({ lead: { status: 'DONE', stopped: { by: expect.any(String), at: clock.now() } } });
});

it('npx redial lead shows the location warnings of a lead whose state was not recognized', async () => {
  const phone = '+12125550478';
  const res = await fetch(`${rt.url}/leads`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': rt.apiKey }, body: JSON.stringify({ phone, state: 'ZZ' }) });
  expect(res.status).toBe(202);
  const out: string[] = [];
  expect(await runAdminVerb(['lead', phone, '--url', rt.url], (l) => out.push(l))).toBe(0);
  expect(out).toContain(`warning      state "ZZ" is not a US state, territory or Canadian province: held to every US zone and every state's rules`);
});
