import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../lambdas/adapters/system-clock';
import { parseConfig } from '../../lambdas/config/config';
import { failingStore, runUntil as driveUntil } from '../support/runtime-driver';
import { startLocalRuntime, type LocalRuntime, type LocalRuntimeOptions } from '../../bin/local-runtime';
import { runReplay } from '../../bin/replay-cli';
import { BackfillCliError } from '../../bin/backfill-cli';
import { FsArchive } from '../../lambdas/adapters/local/archive.fs';
import { makeReplayArchive } from '../../lambdas/http/replay';

/**
 * Replay over HTTP: a morning of traffic on the local runtime (leads, a duplicate, a bad phone, a forged key, a forged
 * webhook signature, calls and their signed webhooks), then `npx redial replay` re-feeds the archive. Replaying into
 * the same system changes nothing (twice over); replaying into an empty one brings back every authenticated lead;
 * forged bodies are never replayed. 2026-07-15 is a Wednesday; 15:00Z is 11:00 EDT.
 */
const at = (iso: string) => Date.parse(iso);
const running: LocalRuntime[] = [];
afterEach(async () => {
  while (running.length > 0) await running.pop()!.stop();
});

async function start(now: string, dataDir = mkdtempSync(join(tmpdir(), 'redial-replay-')), extra: Partial<LocalRuntimeOptions> = {}) {
  const clock = new ManualClock(at(now));
  const rt = await startLocalRuntime({
    config: parseConfig({ dialer: { preDialCrmCheck: false } }), dataDir, clock, tickMs: 0,
    bland: { talkMs: 0, dropRate: 0, duplicateRate: 0.5, ratePerSecond: 1000, outcomeFor: (i) => (i === 1 ? 'sale' : 'voicemail') },
    ...extra,
  });
  running.push(rt);
  const runUntil = (until: number) => driveUntil(rt, clock, until, 200);
  return { rt, clock, dataDir, runUntil };
}

const post = (rt: LocalRuntime, path: string, body: string, headers: Record<string, string>) =>
  fetch(`${rt.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body }).then((r) => r.status);

const PHONES = ['+12125550101', '+13055550102', '+15125550103'];

/** Everything replay could disturb: the leads, their calls, the schedules, Bland's call log and the day's counters. */
async function snapshot(rt: LocalRuntime) {
  const leads = [];
  for (const phone of [...PHONES, '+12135550104']) {
    const lead = await rt.store.get(phone);
    leads.push(lead && { phone, status: lead.status, outcome: lead.outcome, version: lead.version, scheduleToken: lead.scheduleToken, nextAttemptAt: lead.nextAttemptAt, attemptsTotal: lead.attemptsTotal, attempts: await rt.store.listAttempts(phone) });
  }
  return { leads, schedules: rt.pending(), blandCalls: rt.bland.calls.length, counts: await rt.store.getDailyCounts('2026-07-15') };
}

async function replay(rt: LocalRuntime, args: string[]) {
  const lines: string[] = [];
  const code = await runReplay(args, (l) => lines.push(l), { REDIAL_URL: rt.url, REDIAL_API_KEY: rt.apiKey });
  return { code, lines, json: args.includes('--json') ? (JSON.parse(lines.at(-1)!) as Record<string, unknown>) : null };
}

describe('npx redial replay: archived bodies re-fed through their routes', () => {
  it('replaying a morning into the same system changes nothing, twice; forged bodies are never replayed; a copy of the archive rebuilds the leads', async () => {
    const a = await start('2026-07-15T15:00:00Z');
    const key = { 'x-api-key': a.rt.apiKey };
    expect(await post(a.rt, '/leads', JSON.stringify({ phone: '(212) 555-0101', state: 'NY' }), key)).toBe(202);
    expect(await post(a.rt, '/leads', JSON.stringify({ phone: '(305) 555-0102', state: 'FL' }), key)).toBe(202);
    expect(await post(a.rt, '/leads', 'phone=512-555-0103&state=TX', { ...key, 'content-type': 'application/x-www-form-urlencoded' })).toBe(202);
    expect(await post(a.rt, '/leads', JSON.stringify({ phone: '(212) 555-0101', state: 'NY' }), key)).toBe(202); // Zapier retried
    expect(await post(a.rt, '/leads', JSON.stringify({ phone: '123', state: 'NY' }), key)).toBe(400);
    expect(await post(a.rt, '/leads', JSON.stringify({ phone: '(213) 555-0104', state: 'CA' }), { 'x-api-key': 'guessed-key' })).toBe(401);
    // A forged SALE for a lead: refused, archived, and never replayed.
    const forged = JSON.stringify({ call_id: 'forged-1', status: 'completed', answered_by: 'human', disposition_tag: 'SALE', metadata: { phone: '+13055550102' } });
    expect(await post(a.rt, '/webhooks/bland', forged, { 'x-webhook-signature': 'f'.repeat(64) })).toBe(401);
    await a.runUntil(at('2026-07-15T15:40:00Z'));

    const before = await snapshot(a.rt);
    expect(before.blandCalls).toBeGreaterThanOrEqual(6);
    expect(before.leads.filter((l) => l?.outcome === 'SALE')).toHaveLength(1);
    expect(before.leads[3]).toBeNull(); // the forged-key lead was never created
    const webhooks = a.rt.bland.calls.filter((c) => c.webhook !== 'dropped').length;
    const duplicated = a.rt.bland.calls.filter((c) => c.webhook === 'duplicated').length;
    expect(duplicated).toBeGreaterThan(0);

    // A dry run counts, changes nothing.
    const dry = await replay(a.rt, ['--from', '2026-07-15', '--dry-run', '--json']);
    expect(dry.json).toMatchObject({ examined: 7 + webhooks + duplicated, replayed: 0, unauthenticated: 2, byRoute: { leads: { 'would-replay': 5 }, 'webhooks-bland': { 'would-replay': webhooks + duplicated } } });
    expect(await snapshot(a.rt)).toEqual(before);

    // Pages of 3; every body answered as the first time round, nothing changed.
    const first = await replay(a.rt, ['--from', '2026-07-15T00:00:00Z', '--to', '2026-07-15T23:59:59Z', '--limit', '3']);
    expect(first.code).toBe(0);
    expect(first.lines.filter((l) => l.startsWith('page '))).toHaveLength(Math.ceil((7 + webhooks + duplicated) / 3) + ((7 + webhooks + duplicated) % 3 === 0 ? 1 : 0));
    expect(first.lines.at(-2)).toMatch(new RegExp(`^replayed ${5 + webhooks + duplicated} of ${7 + webhooks + duplicated} archived bodies; skipped 2 unauthenticated`));
    expect(first.lines.join('\n')).toMatch(/400 leads .*: invalid lead/);
    expect(await snapshot(a.rt)).toEqual(before);
    const again = await replay(a.rt, ['--from', '2026-07-15', '--json']);
    expect(again.json).toMatchObject({ replayed: 5 + webhooks + duplicated, unauthenticated: 2, byRoute: { leads: { 200: 1, 202: 3, 400: 1 }, 'webhooks-bland': { 200: webhooks + duplicated } } }); // 200: the sold lead, finished
    expect(await snapshot(a.rt)).toEqual(before);

    // The table lost (a new system, the same archive): replaying the intake brings back exactly the authenticated leads.
    const b = await start('2026-07-16T15:00:00Z');
    cpSync(join(a.dataDir, 'archive'), join(b.dataDir, 'archive'), { recursive: true });
    const rebuilt = await replay(b.rt, ['--from', '2026-07-15', '--to', '2026-07-16', '--route', 'leads', '--json']);
    expect(rebuilt.json).toMatchObject({ replayed: 5, unauthenticated: 1, otherRoute: webhooks + duplicated + 1, byRoute: { leads: { 202: 4, 400: 1 } } });
    for (const phone of PHONES) expect(await b.rt.store.get(phone)).toMatchObject({ status: 'ACTIVE', nextAttemptAt: at('2026-07-16T15:00:00Z') });
    expect(await b.rt.store.get('+12135550104')).toBeNull();
    expect(b.rt.pending().filter((s) => s.message.kind === 'dial').map((s) => s.message.phone).sort()).toEqual(PHONES);
    await b.runUntil(at('2026-07-16T15:05:00Z'));
    expect(new Set(b.rt.bland.calls.map((c) => c.request['phone_number'])).size).toBe(3);
  }, 60_000);

  it('a webhook whose processing failed (answered 500, archived) is recorded by its replay: the SALE it carried ends the lead', async () => {
    let failing = true;
    const failOutcome = failingStore('putAttempt', () => failing, 'table throttled');
    const a = await start('2026-07-15T15:00:00Z', undefined, { bland: { talkMs: 0, dropRate: 0, duplicateRate: 0, ratePerSecond: 1000, outcomeFor: () => 'sale' }, wrapPorts: { store: failOutcome } });
    expect(await post(a.rt, '/leads', JSON.stringify({ phone: '(212) 555-0101', state: 'NY' }), { 'x-api-key': a.rt.apiKey })).toBe(202);
    await a.runUntil(at('2026-07-15T15:02:00Z'));
    expect(a.rt.bland.calls).toHaveLength(1);
    const waiting = (await a.rt.store.get('+12125550101'))!;
    expect(waiting).toMatchObject({ status: 'ACTIVE', lastCallId: a.rt.bland.calls[0]!.callId });
    failing = false;
    const replayed = await replay(a.rt, ['--from', '2026-07-15', '--route', 'webhooks-bland', '--json']);
    expect(replayed.json).toMatchObject({ replayed: 1, byRoute: { 'webhooks-bland': { 200: 1 } } });
    expect(await a.rt.store.get('+12125550101')).toMatchObject({ status: 'DONE', outcome: 'SALE' });
    expect((await a.rt.store.listAttempts('+12125550101')).map((x) => x.outcome)).toEqual(['SALE']);
    // Replayed again: a duplicate, nothing changes.
    expect((await replay(a.rt, ['--from', '2026-07-15', '--route', 'webhooks-bland', '--json'])).json).toMatchObject({ byRoute: { 'webhooks-bland': { 200: 1 } } });
    expect((await a.rt.store.listAttempts('+12125550101'))).toHaveLength(1);
    expect(a.rt.bland.calls).toHaveLength(1);
  });

  it('a webhook taken while no secret was set was never checked: not replayed; mid-call tool bodies only when named', async () => {
    const clock = new ManualClock(at('2026-07-15T15:00:00Z'));
    const rt = await startLocalRuntime({ config: parseConfig({}), dataDir: mkdtempSync(join(tmpdir(), 'redial-replay-')), clock, tickMs: 0, webhookSecret: '' });
    running.push(rt);
    expect(await post(rt, '/leads', JSON.stringify({ phone: '(212) 555-0101', state: 'NY' }), { 'x-api-key': rt.apiKey })).toBe(202);
    const unsigned = JSON.stringify({ call_id: 'never-placed', status: 'completed', answered_by: 'human', disposition_tag: 'SALE', metadata: { phone: '+12125550101' } });
    expect(await post(rt, '/webhooks/bland', unsigned, {})).toBe(200); // accepted unchecked (no secret), as configured
    expect(await post(rt, '/tools/lead-data', JSON.stringify({ phone: '+12125550101', plan_type: 'PPO' }), { authorization: 'Bearer local-tools-key' })).toBe(200);
    const plain = await replay(rt, ['--from', '2026-07-15', '--json']);
    expect(plain.json).toMatchObject({ examined: 3, replayed: 1, unauthenticated: 1, otherRoute: 1, byRoute: { leads: { 202: 1 } } });
    const tools = await replay(rt, ['--from', '2026-07-15', '--route', 'tools-lead-data', '--json']);
    expect(tools.json).toMatchObject({ replayed: 1, byRoute: { 'tools-lead-data': { 200: 1 } } });
  });

  it('a page stops when its time budget is spent, after at least one body, and the next page carries on from there', async () => {
    const archive = new FsArchive(mkdtempSync(join(tmpdir(), 'redial-replay-budget-')));
    for (let i = 0; i < 5; i++) await archive.put('leads', at('2026-07-15T15:00:00Z') + i * 1000, 'application/json', `{"n":${i}}`, { authenticated: true, bytes: 7 });
    const seen: string[] = [];
    const route = Object.assign(async () => ({ statusCode: 202, headers: {}, body: '{}' }), {
      routeName: 'leads',
      replay: async (record: { body: string }) => {
        seen.push(record.body);
        return { statusCode: 202, headers: {}, body: '{}' };
      },
    });
    let clockMs = 0;
    const replayArchive = makeReplayArchive({ archive, routes: [route], elapsedMs: () => (clockMs += 400), budgetMs: 1000 });
    const pages = [];
    let after: string | null = null;
    do {
      const page = await replayArchive({ from: '2026-07-15', to: '2026-07-15', after });
      pages.push(page.replayed);
      after = page.next;
    } while (after !== null && pages.length < 10);
    expect(seen).toEqual([0, 1, 2, 3, 4].map((n) => `{"n":${n}}`));
    expect(pages.length).toBeGreaterThan(1);
  });

  it('a bad request names its field; the CLI says so and exits through its error path', async () => {
    const a = await start('2026-07-15T15:00:00Z');
    await expect(replay(a.rt, ['--from', '2026-13-01'])).rejects.toThrow(new BackfillCliError('from: "2026-13-01" is not YYYY-MM-DD or an ISO instant with Z or an offset'));
    await expect(replay(a.rt, ['--from', '2026-07-15', '--to', '2026-07-01'])).rejects.toThrow('to: is before from');
    await expect(replay(a.rt, ['--from', '2026-01-01', '--to', '2026-07-01'])).rejects.toThrow('to: a replay covers at most 31 days a request');
    await expect(replay(a.rt, ['--from', '2026-07-15', '--route', 'nope'])).rejects.toThrow('routes: unknown nope (known: leads, tools-lead-data, webhooks-bland-sms, webhooks-bland)');
    await expect(replay(a.rt, ['--from', '2026-07-15', '--limit', '5000'])).rejects.toThrow(/^limit: /);
    const res = await fetch(`${a.rt.url}/admin/replay`, { method: 'POST', headers: { 'x-api-key': a.rt.apiKey }, body: '{"from":"2026-07-15","to":"2026-07-15","extra":1}' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(/extra/);
    const unauthorized = await fetch(`${a.rt.url}/admin/replay`, { method: 'POST', headers: { 'x-api-key': 'wrong' }, body: '{}' });
    expect(unauthorized.status).toBe(401);
  });
});
