import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../lambdas/adapters/system-clock';
import { parseConfig } from '../../lambdas/config/config';
import { startLocalRuntime, type LocalRuntime } from '../../bin/local-runtime';

/**
 * The mid-call tool over HTTP (POST /tools/lead-data, as the Bland pathway calls it): the lead is updated at once,
 * the Convoso write goes through the outbox (surviving an outage), bad input gets a 4xx naming the field.
 */
const FAST = { retries: 0, baseDelayMs: 1, maxDelayMs: 1, timeoutMs: 2_000, sleep: async () => undefined, random: () => 0 };
let rt: LocalRuntime;
const KEY = 'local-tools-key';

beforeAll(async () => {
  rt = await startLocalRuntime({
    // The window is closed at this instant (Tuesday 06:00 EST): the tool is about the lead, not about dialing.
    config: parseConfig({}), dataDir: mkdtempSync(join(tmpdir(), 'redial-tools-')), clock: new ManualClock(Date.parse('2026-11-24T11:00:00Z')), tickMs: 0, writeBackRetry: FAST,
    bland: { talkMs: 0, dropRate: 0, duplicateRate: 0, ratePerSecond: 1000 },
  });
  const res = await fetch(`${rt.url}/leads`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': rt.apiKey }, body: JSON.stringify({ phone: '2125550401', state: 'NY', crm_lead_id: 'c401' }) });
  expect(res.status).toBe(202);
  rt.convoso.addLead('+12125550401', { id: 'c401', listId: '1', status: 'NEW' });
});
afterAll(async () => rt?.stop());

async function tool(body: unknown, headers: Record<string, string> = { authorization: `Bearer ${KEY}` }) {
  const res = await fetch(`${rt.url}/tools/lead-data`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe('POST /tools/lead-data', () => {
  it('writes the fields to the lead at once and to Convoso through the outbox; unresolved {{variables}} and unknown fields are left out', async () => {
    const answer = await tool({ phone: '+12125550401', call_id: 'call-77', zip: '10001', plan_type: 'family', member_count: '4', age: 52, postal_code: '{{postal_code}}', favourite_colour: 'blue' });
    expect(answer).toEqual({ status: 200, json: { ok: true, phone: '+12125550401', updated: ['zip', 'plan_type', 'member_count', 'age'], ignored: ['favourite_colour'], crm: 'queued' } });
    expect((await rt.store.get('+12125550401'))!.fields).toMatchObject({ zip: '10001', plan_type: 'family', member_count: '4', age: '52' });
    expect(rt.convoso.updates).toEqual([]);
    await rt.loopOnce(); // the outbox drains
    expect(rt.convoso.updates).toEqual([expect.objectContaining({ leadId: 'c401', params: expect.objectContaining({ zip: '10001', plan_type: 'family', member_count: '4', age: '52' }) })]);
    expect(rt.convoso.updates[0]!.params['status']).toBeUndefined();
  });

  it('a Convoso outage keeps the write queued; it lands when Convoso is back (the tool answered at once)', async () => {
    rt.convoso.setDown(true);
    expect((await tool({ phone: '+12125550401', call_id: 'call-78', plan_type: 'individual' }, { 'x-api-key': KEY })).json).toMatchObject({ crm: 'queued' });
    await rt.loopOnce();
    expect(rt.crmOutbox.depth).toBe(1);
    rt.convoso.setDown(false);
    await rt.loopOnce();
    expect(rt.crmOutbox.depth).toBe(0);
    expect(rt.convoso.updates.at(-1)).toMatchObject({ leadId: 'c401', params: expect.objectContaining({ plan_type: 'individual' }) });
  });

  it.each([
    [{ phone: '+12125550401', zip: '1234' }, 400, 'zip', 'must be 5 digits'],
    [{ phone: '+12125550401', age: 'old' }, 400, 'age', 'must be a whole number'],
    [{ phone: '+12125550401', member_count: 40 }, 400, 'member_count', '20'],
    [{ phone: '+12125550401', zip: '{{zip}}' }, 400, 'fields', 'none given'],
    [{ zip: '10001' }, 400, 'phone', 'required'],
    [{ phone: '555', zip: '10001' }, 400, 'phone', ''],
    [{ phone: '+13055550999', zip: '10001' }, 404, 'phone', 'no lead +13055550999'],
  ])('%j: %i naming %s', async (body, status, field, mentions) => {
    const answer = await tool(body);
    expect(answer.status).toBe(status);
    const issue = (answer.json['issues'] as { field: string; message: string }[])[0]!;
    expect(issue.field).toBe(field);
    expect(issue.message).toContain(mentions);
    expect(typeof answer.json['archiveKey']).toBe('string');
  });

  it('a missing or wrong key is 401 (counted), malformed JSON 400', async () => {
    expect((await tool({ phone: '+12125550401', zip: '10001' }, {})).status).toBe(401);
    expect((await tool({ phone: '+12125550401', zip: '10001' }, { authorization: 'Bearer nope' })).status).toBe(401);
    expect(rt.metrics.sum('ToolRejected_ApiKey')).toBe(2);
    expect((await tool('{"phone":')).status).toBe(400);
  });

  it('a ZIP elsewhere adds its zone and state to the lead\'s rules (a 212 number in Florida also keeps Florida\'s hours); none is dropped', async () => {
    await tool({ phone: '+12125550401', zip: '33101' });
    const lead = (await rt.store.get('+12125550401'))!;
    expect(lead.regions).toEqual(expect.arrayContaining(['NY', 'FL']));
    expect(lead.zones).toEqual(expect.arrayContaining(['America/New_York']));
  });
});
