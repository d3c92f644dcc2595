import { createHmac } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../lambdas/adapters/system-clock';
import { parseConfig } from '../../lambdas/config/config';
import { settleLoop } from '../support/runtime-driver';
import { LOCAL_DEMO_CONFIG, startLocalRuntime, type LocalRuntime } from '../../bin/local-runtime';
import { mainAsync } from '../../bin/cli';

/**
 * The contact-rate features as `npm start` runs them (its demo config: a caller-ID pool and an SMS number), over
 * HTTP against the Bland and Convoso simulators: a local caller ID, a text after a voicemail, a STOP reply, the
 * reports. 2026-11-24 17:00Z is Tuesday 12:00 EST.
 */
let rt: LocalRuntime;
let clock: ManualClock;

beforeAll(async () => {
  clock = new ManualClock(Date.parse('2026-11-24T17:00:00Z'));
  rt = await startLocalRuntime({
    config: parseConfig(LOCAL_DEMO_CONFIG), dataDir: mkdtempSync(join(tmpdir(), 'redial-contact-')), clock, tickMs: 0,
    bland: { talkMs: 0, dropRate: 0, duplicateRate: 0, ratePerSecond: 1000, outcomeFor: () => 'voicemail' },
  });
});
afterAll(async () => rt?.stop());

const step = () => settleLoop(rt);

describe('caller-ID pool, texts and opt-out against the simulators', () => {
  it('a New York lead is called from the 212 number; its voicemail brings a text from the SMS number; STOP ends it everywhere', async () => {
    const res = await fetch(`${rt.url}/leads`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': rt.apiKey }, body: JSON.stringify({ phone: '2125550701', first_name: 'Ada', state: 'NY' }) });
    expect(res.status).toBe(202);
    clock.set(rt.nextAt()!);
    await step(); // dial, voicemail webhook, the sequence starts
    clock.set(Math.max(clock.now(), rt.pending().find((s) => s.message.kind === 'sms')!.at));
    await step(); // the day-0 text
    expect(rt.bland.calls.map((c) => [c.request['phone_number'], c.request['from']])).toEqual([['+12125550701', '+12125550001']]);
    expect(rt.bland.texts.map((t) => [t.to, t.from, t.text.slice(0, 8)])).toEqual([['+12125550701', '+18005550100', 'Hi Ada, ']]);
    expect([rt.metrics.sum('CallerIdDials_12125550001'), rt.metrics.sum('CallerIdPickups_12125550001'), rt.metrics.sum('SmsSent')]).toEqual([1, 0, 1]);

    const body = JSON.stringify({ user_number: '+12125550701', agent_number: '+18005550100', message: 'STOP', message_id: 'sms-1' });
    const sms = await fetch(`${rt.url}/webhooks/bland-sms`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'x-webhook-signature': createHmac('sha256', 'local-webhook-secret').update(body).digest('hex') }, body,
    });
    expect(await sms.json()).toMatchObject({ result: 'recorded', intent: 'opt-out', action: 'lead DNC' });
    expect(await rt.store.get('+12125550701')).toMatchObject({ status: 'DONE', outcome: 'DNC' });
    expect(await rt.liveDials('+12125550701')).toEqual([]);

    const unsigned = await fetch(`${rt.url}/webhooks/bland-sms`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(unsigned.status).toBe(401);

    const lines: string[] = [];
    await mainAsync(['report', 'today', '--url', rt.url, '--api-key', rt.apiKey], clock, (l) => lines.push(l));
    expect(lines).toContainEqual(expect.stringMatching(/^texts sent \/ received \/ opt-outs\s+1 \/ 1 \/ 1$/));
    const pool: string[] = [];
    await mainAsync(['report', 'caller-ids', '--url', rt.url, '--api-key', rt.apiKey], clock, (l) => pool.push(l));
    expect(pool).toContainEqual(expect.stringMatching(/^\+12125550001\s+1\s+0\s+0\.0%\s+0\s+1\s+-$/));
  });
});
