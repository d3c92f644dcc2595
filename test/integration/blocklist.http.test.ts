import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../lambdas/adapters/system-clock';
import { parseConfig } from '../../lambdas/config/config';
import { runUntil } from '../support/runtime-driver';
import { startLocalRuntime, type LocalRuntime } from '../../bin/local-runtime';
import { mainAsync } from '../../bin/cli';

/** The blocklist through the CLI and the admin API of the local runtime, against the Bland simulator. */
let rt: LocalRuntime;
let clock: ManualClock;
const at = (iso: string) => Date.parse(iso);

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await mainAsync([...argv, '--url', rt.url, '--api-key', rt.apiKey], clock, (l) => out.push(l), (l) => err.push(l));
  return { code, out: out.join('\n'), err: err.join('\n') };
}
async function post(phone: string, state: string) {
  const res = await fetch(`${rt.url}/leads`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': rt.apiKey }, body: JSON.stringify({ phone, state }) });
  return (await res.json()) as Record<string, unknown>;
}
const step = (until: number) => runUntil(rt, clock, until, 200);

beforeAll(async () => {
  clock = new ManualClock(at('2026-07-15T15:00:00Z'));
  rt = await startLocalRuntime({
    config: parseConfig({}), dataDir: mkdtempSync(join(tmpdir(), 'redial-block-')), clock, tickMs: 0,
    bland: { talkMs: 0, dropRate: 0, duplicateRate: 0, ratePerSecond: 1000, outcomeFor: () => 'no-answer' },
  });
});
afterAll(async () => rt?.stop());

describe('npx redial block | unblock | blocklist', () => {
  it('a blocked number posted as a lead is kept but paused, never dialed; an area code blocked mid-day pauses its leads at their next attempt', async () => {
    expect(await cli('block', '(212) 555-0101', '--reason', 'asked by a lawyer')).toMatchObject({ code: 0, out: expect.stringContaining('blocked number +12125550101') });
    expect(await post('2125550101', 'NY')).toMatchObject({ status: 'PAUSED', nextAttemptAt: null });
    expect(await post('3055550102', 'FL')).toMatchObject({ status: 'ACTIVE' });
    await step(at('2026-07-15T15:05:00Z'));
    expect(rt.bland.calls.map((c) => c.request['phone_number'])).toEqual(['+13055550102', '+13055550102']);

    expect((await cli('block', '--area-code', '305', '--reason', 'carrier complaint')).code).toBe(0);
    const before = rt.bland.calls.length;
    await step(at('2026-07-15T18:00:00Z'));
    expect(rt.bland.calls.length).toBe(before);
    const lead = await cli('lead', '+13055550102');
    expect(lead.out).toMatch(/PAUSED/);
    expect(lead.out).toContain('blocked (area code 305: carrier complaint)');

    const list = await cli('blocklist');
    expect(list.out).toMatch(/^\+12125550101\s+number\s+operator\s+2026-07-15T15:00\s+admin api \(local\)\s+asked by a lawyer$/m);
    expect(list.out).toMatch(/^305\s+areaCode\s+operator/m);
  });

  it('unblock, then resume: the lead is dialed again', async () => {
    expect(await cli('unblock', '--area-code', '305')).toMatchObject({ code: 0, out: expect.stringContaining('unblocked areaCode 305') });
    expect((await cli('lead', '+13055550102', 'resume')).code).toBe(0);
    const before = rt.bland.calls.length;
    await step(at('2026-07-15T18:05:00Z'));
    expect(rt.bland.calls.length).toBeGreaterThan(before);
  });

  it('bad requests name the field; unknown entries are 404', async () => {
    expect(await cli('block', '--area-code', '105', '--reason', 'x')).toMatchObject({ code: 2, err: expect.stringContaining('areaCode: must be 3 digits') });
    expect(await cli('block', '+12125550199')).toMatchObject({ code: 2, err: expect.stringContaining('reason: required') });
    expect(await cli('block', '--prefix', '212', '--reason', 'x')).toMatchObject({ code: 2, err: expect.stringContaining('prefix: must be +1') });
    expect(await cli('unblock', '+12125550199')).toMatchObject({ code: 2, err: expect.stringContaining('number +12125550199 is not on the blocklist') });
    expect(await cli('block')).toMatchObject({ code: 2, err: expect.stringContaining('block needs a number') });
    const res = await fetch(`${rt.url}/admin/blocklist`, { method: 'POST', headers: { 'x-api-key': rt.apiKey }, body: JSON.stringify({ number: '+12125550199', areaCode: '212', reason: 'x' }) });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'body: name exactly one of number, areaCode, prefix' });
  });
});
