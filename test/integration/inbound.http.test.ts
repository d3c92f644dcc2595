import { createHmac } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../lambdas/adapters/system-clock';
import { parseConfig } from '../../lambdas/config/config';
import { startLocalRuntime, type LocalRuntime } from '../../bin/local-runtime';

/**
 * Inbound calls over HTTP: Bland's call object with `inbound: true` (the caller in `from`), signed and posted to the
 * local runtime's webhook. 2026-11-24 17:00Z is Tuesday 12:00 EST, inside the window.
 */
const NOW = Date.parse('2026-11-24T17:00:00Z');
let rt: LocalRuntime;
let clock: ManualClock;
let n = 0;

beforeAll(async () => {
  clock = new ManualClock(NOW);
  rt = await startLocalRuntime({
    config: parseConfig({ dialer: { preDialCrmCheck: false } }), dataDir: mkdtempSync(join(tmpdir(), 'redial-inbound-')), clock, tickMs: 0,
    bland: { talkMs: 0, dropRate: 0, duplicateRate: 0, ratePerSecond: 1000, outcomeFor: () => 'no-answer' },
  });
});
afterAll(async () => rt?.stop());

const HUMAN = { status: 'completed', completed: true, answered_by: 'human', call_length: 3 };
async function inbound(from: string | undefined, fields: Record<string, unknown>, callId = `in-${++n}`) {
  const body = JSON.stringify({ call_id: callId, inbound: true, from, to: '+18005550100', created_at: new Date(clock.now()).toISOString(), ...HUMAN, ...fields });
  const res = await fetch(`${rt.url}/webhooks/bland`, {
    method: 'POST', headers: { 'content-type': 'application/json', 'x-webhook-signature': createHmac('sha256', 'local-webhook-secret').update(body).digest('hex') }, body,
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}
async function lead(phone: string, state = 'NY') {
  const res = await fetch(`${rt.url}/leads`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': rt.apiKey }, body: JSON.stringify({ phone, state }) });
  expect(res.status).toBe(202);
}

describe('inbound calls', () => {
  it('a lead calling back and transferred: its next outbound attempt is held 30 minutes, and the call is not an outbound dial (no cap use)', async () => {
    await lead('+12125550501');
    const before = (await rt.store.get('+12125550501'))!;
    expect((await inbound('+12125550501', { disposition_tag: 'TRANSFERRED', transferred_to: '+12125550100', warm_transfer_call: { state: 'MERGED' } })).json).toMatchObject({ result: 'recorded', outcome: 'TRANSFERRED', status: 'ACTIVE' });
    const after = (await rt.store.get('+12125550501'))!;
    expect(after.nextAttemptAt).toBeGreaterThanOrEqual(NOW + 30 * 60_000);
    expect(after.nextAttemptAt).toBeGreaterThan(before.nextAttemptAt!);
    expect(after).toMatchObject({ transfers: 1, lastOutcome: 'TRANSFERRED', attemptsTotal: 0, recentCallTimes: [] });
    expect((await rt.store.listAttempts('+12125550501')).map((a) => a.evidence)).toEqual([expect.stringMatching(/^inbound call: /)]);
    expect(await rt.liveDials('+12125550501')).toHaveLength(1);
  });

  it('SALE or DNC on an inbound call ends the lead (DNC also on Convoso\'s DNC list); a second delivery changes nothing', async () => {
    await lead('+12125550502');
    await lead('+12125550503');
    rt.convoso.addLead('+12125550503', { id: 'c503', listId: '1', status: 'NEW' });
    expect((await inbound('+12125550502', { disposition_tag: 'SALE' }, 'in-sale')).json).toMatchObject({ outcome: 'SALE', status: 'DONE' });
    expect((await inbound('+12125550502', { disposition_tag: 'SALE' }, 'in-sale')).json).toMatchObject({ result: 'duplicate' });
    expect((await inbound('+12125550503', { disposition_tag: 'DO_NOT_CONTACT' })).json).toMatchObject({ outcome: 'DNC', status: 'DONE' });
    await rt.loopOnce();
    expect([...rt.convoso.dnc]).toContain('2125550503');
    expect(rt.pending().filter((s) => s.message.phone === '+12125550502' || s.message.phone === '+12125550503')).toEqual([]);
  });

  it('an unknown caller is recorded; an outbound sequence starts only for a lead Convoso holds and has not finished', async () => {
    expect((await inbound('+13055550601', { disposition_tag: 'NOT_INTERESTED' })).json).toMatchObject({ result: 'inbound-unknown-caller', crm: 'not in the CRM' });
    // A DNC from a number with no lead is kept on the blocklist: it is never called if it arrives later.
    expect((await inbound('+13055550604', { disposition_tag: 'DO_NOT_CONTACT' })).json).toMatchObject({ result: 'inbound-unknown-caller' });
    expect((await rt.store.get('+13055550604'))).toBeNull();
    const answer = await fetch(`${rt.url}/leads`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': rt.apiKey }, body: JSON.stringify({ phone: '+13055550604', state: 'FL' }) });
    expect(await answer.json()).toMatchObject({ status: 'PAUSED', nextAttemptAt: null });
    expect(await rt.store.get('+13055550601')).toBeNull();
    expect(await rt.store.listAttempts('+13055550601')).toHaveLength(1);

    rt.convoso.addLead('+13055550602', { id: 'c602', listId: '4', status: 'SALE' });
    expect((await inbound('+13055550602', { disposition_tag: 'CALL_BACK_SCHEDULED' })).json).toMatchObject({ result: 'inbound-unknown-caller', crm: 'CRM status SALE' });
    expect(await rt.store.get('+13055550602')).toBeNull();

    rt.convoso.addLead('+13055550603', { id: 'c603', listId: '4', status: 'NEW' });
    expect((await inbound('+13055550603', { disposition_tag: 'NOT_INTERESTED' })).json).toMatchObject({ result: 'recorded', status: 'ACTIVE' });
    // Open in Convoso: a lead, whose first call waits for the next day (they just said not interested).
    const created = (await rt.store.get('+13055550603'))!;
    expect(created).toMatchObject({ status: 'ACTIVE', source: 'inbound', crmLeadId: 'c603', lastOutcome: 'NOT_INTERESTED' });
    expect(created.nextAttemptAt).toBeGreaterThanOrEqual(Date.parse('2026-11-25T05:00:00Z')); // Wednesday in Florida
  });

  it('an inbound call without the caller\'s number is a 400 naming `from`', async () => {
    const answer = await inbound(undefined, {});
    expect(answer.status).toBe(400);
    expect(JSON.stringify(answer.json)).toContain('from');
  });
});
