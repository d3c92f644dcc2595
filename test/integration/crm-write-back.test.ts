import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../lambdas/adapters/system-clock';
import { writeBackMessage } from '../../lambdas/app/crm-write-back';
import { parseConfig } from '../../lambdas/config/config';
import { startLocalRuntime, type LocalRuntime } from '../../bin/local-runtime';
import type { SimOutcome } from '../../sim/bland-sim';

/**
 * Convoso write-back over real HTTP: calls placed on the Bland simulator, signed webhooks recorded by the local
 * runtime, the outbox drained into the Convoso simulator's leads/update and dnc/insert. 2026-11-24 17:00Z is a
 * Tuesday 12:00 EST, inside the window.
 */
const NOW = Date.parse('2026-11-24T17:00:00Z');
const FAST = { retries: 0, baseDelayMs: 1, maxDelayMs: 1, timeoutMs: 2_000, sleep: async () => undefined, random: () => 0 };
let rt: LocalRuntime;
let dataDir: string;
let outcomes: SimOutcome[] = [];
let clock: ManualClock;

// A fresh runtime per test: redials of one test's leads must not mix into the next one's calls.
beforeEach(async () => {
  outcomes = [];
  clock = new ManualClock(NOW);
  dataDir = mkdtempSync(join(tmpdir(), 'redial-writeback-'));
  rt = await startLocalRuntime({
    config: parseConfig({ dialer: { preDialCrmCheck: false } }), dataDir, clock, tickMs: 0, writeBackRetry: FAST,
    bland: { talkMs: 0, dropRate: 0, duplicateRate: 0, ratePerSecond: 1000, outcomeFor: (i) => outcomes[i] ?? 'voicemail' },
  });
}, 30_000);
afterEach(async () => {
  await rt.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function callOnce(phone: string): Promise<void> {
  const res = await fetch(`${rt.url}/leads`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': rt.apiKey }, body: JSON.stringify({ phone, state: 'NY' }) });
  expect(res.status).toBe(202);
  // Schedules fire on the minute (EventBridge Scheduler's precision): move the clock to the first attempt.
  clock.set(Math.max(clock.now(), rt.pending().find((s) => s.message.phone === phone)!.at));
  await rt.loopOnce(); // dial
  await rt.bland.settle(); // webhook recorded, write enqueued
  await rt.loopOnce(); // outbox drained
}

describe('Convoso write-back', () => {
  it('after a call, the CRM lead gets the mapped status and the call facts; a DNC also goes on the DNC list', async () => {
    rt.convoso.addLead('+12125550301', { id: 'c301', listId: '1', status: 'NEW' });
    rt.convoso.addLead('+12125550302', { id: 'c302', listId: '1', status: 'NEW' });
    outcomes = ['voicemail', 'dnc'];
    await callOnce('+12125550301');
    await callOnce('+12125550302');
    const [vm, dnc] = [rt.convoso.updates.find((u) => u.leadId === 'c301')!, rt.convoso.updates.find((u) => u.leadId === 'c302')!];
    expect(vm.params).toMatchObject({ lead_id: 'c301', status: 'A', answered_by: 'voicemail', call_duration: '24' });
    expect(dnc.params).toMatchObject({ lead_id: 'c302', status: 'DNC', answered_by: 'human', call_summary: 'The customer asked to be placed on the do not call list.' });
    expect([...rt.convoso.dnc]).toEqual(['2125550302']);
    expect(rt.crmOutbox.depth).toBe(0);
  });

  it('a status a human set in the CRM (SALE, DNC) is never overwritten by the bot; the call facts still are', async () => {
    rt.convoso.addLead('+12125550305', { id: 'c305', listId: '1', status: 'SALE' });
    outcomes = ['voicemail'];
    await callOnce('+12125550305');
    const update = rt.convoso.updates.find((u) => u.leadId === 'c305')!;
    expect(update.params['status']).toBeUndefined();
    expect(update.params).toMatchObject({ lead_id: 'c305', answered_by: 'voicemail' });
  });

  it('a Convoso outage keeps the write queued (the dialer goes on), and it lands once Convoso is back', async () => {
    rt.convoso.addLead('+12125550303', { id: 'c303', listId: '1', status: 'NEW' });
    outcomes = ['busy'];
    rt.convoso.setDown(true);
    await callOnce('+12125550303');
    expect(rt.bland.calls.map((c) => c.request['phone_number'])).toContain('+12125550303');
    expect(rt.crmOutbox.depth).toBe(1);
    expect(rt.convoso.updates.some((u) => u.leadId === 'c303')).toBe(false);
    rt.convoso.setDown(false);
    await rt.loopOnce();
    expect(rt.crmOutbox.depth).toBe(0);
    expect(rt.convoso.updates.filter((u) => u.leadId === 'c303').map((u) => u.params['status'])).toEqual(['B']);
  });

  it('a number Convoso does not have is parked, not dropped, and replayed once the lead exists', async () => {
    outcomes = ['not-interested'];
    await callOnce('+12125550304');
    const parked = await rt.store.listParkedCrmWrites();
    expect(parked.map((p) => [p.message.phone, p.message.status, p.reason])).toEqual([['+12125550304', 'NI', 'no CRM lead has this number']]);
    const admin = (method: string, path: string) => fetch(`${rt.url}${path}`, { method, headers: { 'x-api-key': rt.apiKey } }).then((r) => r.json());
    expect(await admin('GET', '/admin/crm/parked')).toEqual({ parked: [expect.objectContaining({ phone: '+1******0304', status: 'NI', reason: 'no CRM lead has this number' })] });
    rt.convoso.addLead('+12125550304', { id: 'c304', listId: '1', status: 'NEW' });
    expect(await admin('POST', '/admin/crm/replay')).toEqual({ replayed: 1 });
    await rt.loopOnce();
    expect(await rt.store.listParkedCrmWrites()).toEqual([]);
    expect(rt.convoso.updates.find((u) => u.leadId === 'c304')!.params['status']).toBe('NI');
  });
});

describe('writeBackMessage', () => {
  const config = parseConfig({});
  it('maps the outcome through the configured table, and keeps only simple collected fields', () => {
    const message = writeBackMessage(config, '+12125550399', 'c9', 'TRANSFERRED', {
      callId: 'call-9', summary: 'Transferred to a licensed agent', call_length: 6.5, answered_by: 'human', recording_url: 'https://r/9.mp3',
      // Bland's variables also carry its own values: only the configured fields are written, never a reserved name.
      variables: { plan_type: 'PPO', member_count: 3, nested: { a: 1 }, age: '', phone_number: '+12125550399', state: 'NY', status: 'SALE', auth_token: 'x', now: 'Tue' },
    });
    expect(message).toEqual({
      v: 1, kind: 'crm-write', callId: 'call-9', phone: '+12125550399', crmLeadId: 'c9', status: 'ACA', outcome: 'TRANSFERRED', dnc: false,
      fields: { plan_type: 'PPO', member_count: '3', call_summary: 'Transferred to a licensed agent', call_duration: '390', answered_by: 'human', recording_url: 'https://r/9.mp3' },
    });
    expect(writeBackMessage(config, '+12125550399', null, 'FAILED', { callId: 'x' }).status).toBeNull();
    const hostile = parseConfig({ crm: { writeBack: { collectedFields: ['status', 'auth_token', 'plan_type'] } } });
    expect(writeBackMessage(hostile, '+12125550399', null, 'VOICEMAIL', { callId: 'y', variables: { status: 'SALE', auth_token: 'x', plan_type: 'HMO' } }).fields).toEqual({ plan_type: 'HMO' });
  });
});

describe('the local console (npm start)', () => {
  it('the Convoso simulator knows the leads posted to the runtime: their write-backs update them, nothing is parked', async () => {
    const lines: string[] = [];
    const known = await startLocalRuntime({
      config: parseConfig({ dialer: { preDialCrmCheck: true } }), dataDir: mkdtempSync(join(tmpdir(), 'redial-known-')), clock, tickMs: 0,
      writeBackRetry: FAST, crmKnowsPostedLeads: true, log: (l) => lines.push(l),
      bland: { talkMs: 0, dropRate: 0, duplicateRate: 0, ratePerSecond: 1000, outcomeFor: () => 'voicemail' },
    });
    try {
      for (const [phone, lead] of [['+12125550311', 'L311'], ['+12125550312', undefined]] as const) {
        const res = await fetch(`${known.url}/leads`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': known.apiKey }, body: JSON.stringify({ phone, state: 'NY', ...(lead ? { lead_id: lead } : {}) }) });
        expect(res.status).toBe(202);
        expect(known.convoso.hasLead(phone)).toBe(true);
      }
      clock.set(Math.max(...known.pending().map((s) => s.at)));
      await known.loopOnce();
      await known.bland.settle();
      await known.loopOnce();
      expect(known.convoso.updates.map((u) => u.leadId).sort()).toEqual(['L311', 'zap-1']);
      expect(await known.store.listParkedCrmWrites()).toEqual([]);
      expect(lines.filter((l) => l.includes('parked'))).toEqual([]);
    } finally {
      await known.stop();
    }
  });

  it('writes parked for leads Convoso lacks print one line, then a count, not one line each', async () => {
    const lines: string[] = [];
    const unknown = await startLocalRuntime({
      config: parseConfig({ dialer: { preDialCrmCheck: false } }), dataDir: mkdtempSync(join(tmpdir(), 'redial-parked-')), clock, tickMs: 0,
      writeBackRetry: FAST, log: (l) => lines.push(l),
      bland: { talkMs: 0, dropRate: 0, duplicateRate: 0, ratePerSecond: 1000, outcomeFor: () => 'voicemail' },
    });
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${unknown.url}/leads`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': unknown.apiKey }, body: JSON.stringify({ phone: `+1212555032${i}`, state: 'NY' }) });
      expect(res.status).toBe(202);
    }
    clock.set(Math.max(...unknown.pending().map((s) => s.at)));
    await unknown.loopOnce();
    await unknown.bland.settle();
    await unknown.loopOnce();
    expect(await unknown.store.listParkedCrmWrites()).toHaveLength(5);
    await unknown.stop();
    const parked = lines.filter((l) => l.includes('parked'));
    expect(parked).toHaveLength(2);
    expect(parked[0]).toMatch(/: parked \(no CRM lead has this number\) {2}\(repeats of this are summarized every 30 s\)$/);
    expect(parked[1]).toMatch(/^crm write-back: writes parked for leads the CRM does not have: 4 more in the last \d+ s \(npx redial crm-replay sends them again\)$/);
  });
});
