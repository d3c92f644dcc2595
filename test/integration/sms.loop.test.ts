import fc from 'fast-check';
import { startLocalDynamo, type LocalDynamo } from '../../lambdas/adapters/local/dynalite';
import { DEFAULT_CONFIG } from '../../lambdas/config/config';
import { wallAt } from '../../lambdas/domain/zone-time';
import { makeRecordInboundSms } from '../../lambdas/app/sms-follow-up';
import { checkInvariants, NO_ANSWER, SALE, startLoop, type Script } from '../support/loop-harness';
import { oracleAllowed } from '../support/legal-oracle';

/**
 * SMS follow-up in the loop (dynalite, local scheduler and queue, a recording SMS sender): the sequence after a
 * voicemail or no-answer, its days, the window, one text a day, DNC and the blocklist, duplicated deliveries.
 * 2026-07-15 is a Wednesday.
 */
let dynamo: LocalDynamo;
beforeAll(async () => {
  dynamo = await startLocalDynamo({ tableName: 'sms-loop' });
});
afterAll(async () => dynamo.stop());

const at = (iso: string) => Date.parse(iso);
const FROM = '+18005550100';
const SMS = { sms: { fromNumber: FROM } };
const NY = '+12125550100';
const VOICEMAIL: Script = { body: { status: 'completed', answered_by: 'voicemail', call_length: 0.4 } };

describe('SMS follow-up', () => {
  it('after a voicemail: texts on days 0, 1, 3 and 7 (the window moves a weekend step to Monday), one a day, each inside the window', async () => {
    const loop = await startLoop(dynamo, { now: at('2026-07-15T15:00:00Z'), config: SMS, script: () => VOICEMAIL });
    await loop.acceptLead({ phone: NY, state: 'NY', firstName: 'Ada' });
    await loop.runUntil(at('2026-07-24T23:00:00Z'));
    const texts = loop.sms.texts;
    expect(texts.map((t) => wallAt('America/New_York', t.at).date)).toEqual(['2026-07-15', '2026-07-16', '2026-07-20', '2026-07-22']);
    expect(texts[0]!.text).toBe('Hi Ada, this is the health insurance team returning your request. When is a good time to talk? Reply STOP to opt out.');
    expect(texts.every((t) => t.from === FROM && t.to === NY)).toBe(true);
    const lead = (await loop.store.get(NY))!;
    for (const t of texts) expect(oracleAllowed({ zones: lead.zones, regions: lead.regions, callTimes: [] }, t.at, DEFAULT_CONFIG.window)).toBe(true);
    expect(lead.sms).toMatchObject({ nextStep: 4, sent: 4, token: null });
    expect(await checkInvariants(loop, [NY])).toEqual([]);
  });

  it('the daily text cap holds across leads: over it, a step waits for the next day', async () => {
    const loop = await startLoop(dynamo, { now: at('2026-07-15T15:00:00Z'), config: { sms: { fromNumber: FROM, dailyCap: 1 } }, script: () => VOICEMAIL });
    await loop.acceptLead({ phone: NY, state: 'NY' });
    await loop.acceptLead({ phone: '+12125550111', state: 'NY' });
    await loop.runUntil(at('2026-07-16T23:00:00Z'));
    const days = loop.sms.texts.map((t) => wallAt('America/New_York', t.at).date);
    expect(days.filter((d) => d === '2026-07-15')).toHaveLength(1);
    expect(days.filter((d) => d === '2026-07-16')).toHaveLength(1);
    expect(loop.smsResults).toContain('deferred');
  });

  it('the kill switch holds texts as it holds calls', async () => {
    const loop = await startLoop(dynamo, { now: at('2026-07-15T15:00:00Z'), config: SMS, script: () => VOICEMAIL });
    await loop.acceptLead({ phone: NY, state: 'NY' });
    await loop.runUntil(at('2026-07-15T15:02:00Z')); // dialed, voicemail, the day-0 text scheduled
    await loop.store.setSystemPaused(true, 'test', loop.clock.now());
    await loop.runUntil(at('2026-07-17T23:00:00Z'));
    expect(loop.sms.texts).toEqual([]);
    expect(loop.smsResults).toContain('deferred');
  });

  it('off without a from-number; not started by other outcomes; stopped by a SALE', async () => {
    const off = await startLoop(dynamo, { now: at('2026-07-15T15:00:00Z'), script: () => VOICEMAIL });
    await off.acceptLead({ phone: NY, state: 'NY' });
    await off.runUntil(at('2026-07-17T23:00:00Z'));
    expect(off.sms.texts).toEqual([]);

    const sold = await startLoop(dynamo, { now: at('2026-07-15T15:00:00Z'), config: SMS, script: (call) => (call.n === 0 ? NO_ANSWER : SALE) });
    await sold.acceptLead({ phone: NY, state: 'NY' });
    await sold.runUntil(at('2026-07-24T23:00:00Z'));
    expect(sold.sms.texts).toHaveLength(1); // day 0, before the sale on the next call
    expect((await sold.store.get(NY))!.status).toBe('DONE');
  });

  it('a STOP reply makes the lead DNC at once: no more calls or texts; "call me" brings its next call forward', async () => {
    const loop = await startLoop(dynamo, { now: at('2026-07-15T15:00:00Z'), config: SMS, script: () => VOICEMAIL });
    const inbound = makeRecordInboundSms(loop.deps);
    await loop.acceptLead({ phone: NY, state: 'NY' });
    await loop.acceptLead({ phone: '+13055550101', state: 'FL' });
    await loop.runUntil(at('2026-07-15T16:00:00Z'));
    expect(await inbound({ from: '(212) 555-0100', text: 'Stop texting me', messageId: 'm1' }, null)).toMatchObject({ intent: 'opt-out', action: 'lead DNC' });
    expect(await inbound({ from: '(212) 555-0100', text: 'Stop texting me', messageId: 'm1' }, null)).toMatchObject({ result: 'duplicate' });
    const texts = loop.sms.texts.length;
    const calls = loop.agent.calls.length;
    const before = (await loop.store.get('+13055550101'))!.nextAttemptAt!;
    expect((await inbound({ from: '+13055550101', text: 'yes call me', messageId: 'm2' }, null)).intent).toBe('callback');
    expect((await loop.store.get('+13055550101'))!.nextAttemptAt!).toBeLessThanOrEqual(before);
    await loop.runUntil(at('2026-07-24T23:00:00Z'));
    expect((await loop.store.get(NY))).toMatchObject({ status: 'DONE', outcome: 'DNC' });
    expect(loop.sms.texts.slice(texts).filter((t) => t.to === NY)).toEqual([]);
    expect(loop.agent.calls.slice(calls).filter((c) => c.request.phone === NY)).toEqual([]);
    // A number with no lead that opts out is blocklisted, so it is never called or texted later.
    expect(await inbound({ from: '+14045550199', text: 'UNSUBSCRIBE', messageId: 'm3' }, null)).toMatchObject({ action: 'blocklisted' });
    expect((await loop.acceptLead({ phone: '+14045550199', state: 'GA' })).status).toBe('PAUSED');
  });

  it('property: under duplicated messages, send failures, blocklisting and inbound opt-outs, no step is sent twice and no call or text reaches a blocked, DNC or opted-out number, nor a text one out of the window', async () => {
    const phones = [NY, '+13055550101', '+15125550102', '+12135550103'];
    const states = ['NY', 'FL', 'TX', 'CA'];
    await fc.assert(fc.asyncProperty(
      fc.record({
        start: fc.integer({ min: at('2026-07-13T12:00:00Z'), max: at('2026-07-17T23:00:00Z') }),
        leads: fc.uniqueArray(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 4 }),
        dnc: fc.integer({ min: 0, max: 8 }),
        block: fc.option(fc.integer({ min: 0, max: 3 }), { nil: null }),
        optOut: fc.option(fc.record({ lead: fc.integer({ min: 0, max: 3 }), day: fc.integer({ min: 1, max: 8 }), text: fc.constantFrom('STOP', 'remove me please', 'Unsubscribe.', 'quit texting me') }), { nil: null }),
        duplicate: fc.boolean(),
        failures: fc.nat(3),
      }),
      async (run) => {
        const loop = await startLoop(dynamo, {
          now: run.start, config: SMS,
          script: (call) => (call.n === run.dnc ? { body: { status: 'completed', answered_by: 'human', disposition_tag: 'DNC', call_length: 0.3 } } : call.n % 2 ? VOICEMAIL : NO_ANSWER),
        });
        for (const i of run.leads) await loop.acceptLead({ phone: phones[i]!, state: states[i]! });
        loop.sms.failNext = run.failures;
        let blockedAt = Infinity;
        let optedOutAt = Infinity;
        const inbound = makeRecordInboundSms(loop.deps);
        for (let day = 1; day <= 9; day++) {
          if (run.optOut && run.optOut.day === day) {
            // An inbound opt-out, delivered twice (webhook retries).
            for (let copy = 0; copy < 2; copy++) await inbound({ from: phones[run.optOut.lead]!, text: run.optOut.text, messageId: `in-${day}` }, null);
            optedOutAt = loop.clock.now();
          }
          if (run.duplicate) for (const s of loop.scheduler.list().filter((x) => x.message.kind === 'sms')) await loop.queue.send(s.message);
          await loop.runUntil(run.start + day * 86_400_000);
          if (day === 2 && run.block !== null) {
            await loop.blocklist.add({ kind: 'number', value: phones[run.block]!, reason: 'test', source: 'operator', addedAt: loop.clock.now(), addedBy: 'test' });
            blockedAt = loop.clock.now();
          }
        }
        const problems: string[] = [];
        // A failed send is redelivered, not lost: nothing ends in the dead letters, and every failure was retried.
        if (loop.queue.deadLetters.length > 0) problems.push(`${loop.queue.deadLetters.length} message(s) dead-lettered`);
        for (const failed of loop.sms.attempts.filter((a) => !a.ok)) {
          if (!loop.sms.attempts.some((a) => a.ok && a.idempotencyKey === failed.idempotencyKey) && (await loop.store.get(failed.to))!.status === 'ACTIVE') problems.push(`step ${failed.idempotencyKey} failed and was never sent`);
        }
        const ok = loop.sms.attempts.filter((a) => a.ok);
        const keys = new Set(ok.map((a) => a.idempotencyKey));
        if (keys.size !== ok.length) problems.push(`a step was sent twice: ${ok.map((a) => a.idempotencyKey).join(', ')}`);
        for (const t of loop.sms.texts) {
          const lead = (await loop.store.get(t.to))!;
          // The independent oracle, with every earlier call and text to the number (state caps count both).
          const earlier = [...loop.agent.calls.filter((c) => c.request.phone === t.to && c.at < t.at).map((c) => c.at), ...loop.sms.texts.filter((o) => o.to === t.to && o.at < t.at).map((o) => o.at)];
          if (!oracleAllowed({ zones: lead.zones, regions: lead.regions, callTimes: earlier }, t.at, DEFAULT_CONFIG.window)) problems.push(`text to ${t.to} at ${new Date(t.at).toISOString()} outside the window`);
          if (run.block !== null && t.to === phones[run.block] && t.at >= blockedAt) problems.push(`text to blocked ${t.to}`);
          if (run.optOut && t.to === phones[run.optOut.lead] && t.at >= optedOutAt) problems.push(`text to ${t.to} after it opted out`);
          const dncAt = (await loop.store.listAttempts(t.to)).find((a) => a.outcome === 'DNC')?.calledAt;
          if (dncAt !== undefined && t.at > dncAt + 60_000) problems.push(`text to ${t.to} after its DNC`);
          const day = (x: number) => wallAt(lead.primaryZone, x).date;
          if (loop.sms.texts.filter((o) => o.to === t.to && day(o.at) === day(t.at)).length > 1) problems.push(`two texts to ${t.to} on ${day(t.at)}`);
        }
        for (const c of loop.agent.calls) {
          const lead = (await loop.store.get(c.request.phone))!;
          const earlier = [...loop.agent.calls.filter((o) => o.request.phone === c.request.phone && o.at < c.at).map((o) => o.at), ...loop.sms.texts.filter((o) => o.to === c.request.phone && o.at < c.at).map((o) => o.at)];
          if (!oracleAllowed({ zones: lead.zones, regions: lead.regions, callTimes: earlier }, c.at, DEFAULT_CONFIG.window)) problems.push(`call to ${c.request.phone} at ${new Date(c.at).toISOString()} outside the window (calls and texts counted)`);
          if (run.optOut && c.request.phone === phones[run.optOut.lead] && c.at >= optedOutAt) problems.push(`call to ${c.request.phone} after it opted out`);
          if (run.block !== null && c.request.phone === phones[run.block] && c.at >= blockedAt) problems.push(`call to blocked ${c.request.phone}`);
        }
        if (problems.length > 0) throw new Error(problems.join('\n'));
      },
    ), { numRuns: Number(process.env.SMS_RUNS ?? 10) });
    // Ten runs of a loop over days: about a minute on 2 cores beside the fault suite, so the 60 s default is too close.
  }, 300_000);
});
