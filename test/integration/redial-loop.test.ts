import { makeLeadControl } from '../../lambdas/app/lead-control';
import { makeKillSwitch } from '../../lambdas/app/kill-switch';
import { startLocalDynamo, type LocalDynamo } from '../../lambdas/adapters/local/dynalite';
import { DNC, NO_ANSWER, SALE, callbackAt, checkInvariants, startLoop, type Script } from '../support/loop-harness';

/**
 * The live loop end to end in-process on real engines (dynalite, local scheduler and queue), a scripted voice agent
 * and a manual clock. Times: 2026-07-15 is a Wednesday; 15:00Z is 11:00 EDT, the default window's opening.
 */
let dynamo: LocalDynamo;
beforeAll(async () => {
  dynamo = await startLocalDynamo({ tableName: 'loop-base' });
});
afterAll(async () => dynamo.stop());

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
const NY = '+12125550100';
const MIN = 60_000;

describe('the redial loop', () => {
  it('dials a new lead within a minute, redials no-answers at +2, +5, +10, +30, +60, +120, +120 min, then tomorrow at the opening', async () => {
    const loop = await startLoop(dynamo, { now: at('2026-07-15T15:00:00Z'), script: () => NO_ANSWER });
    const accepted = await loop.acceptLead({ phone: '(212) 555-0100', state: 'NY', firstName: 'Ada' });
    expect(accepted).toMatchObject({ httpStatus: 202, phone: NY, status: 'ACTIVE', created: true, nextAttemptAt: '2026-07-15T15:00:00.000Z' });
    await loop.runUntil(at('2026-07-16T15:00:20Z'));
    const dials = loop.agent.calls.map((c) => c.at);
    expect(iso(dials[0]!)).toBe('2026-07-15T15:01:00Z'); // scheduled "now" → now + 1 minute (Scheduler rule)
    // Each outcome arrives 30 s after the dial; the gap runs from the outcome.
    const gaps = dials.slice(1, 8).map((d, i) => (d - (dials[i]! + 30_000)) / MIN);
    expect(gaps).toEqual([2, 5, 10, 30, 60, 120, 120]);
    expect(dials).toHaveLength(9);
    expect(iso(dials[8]!)).toBe('2026-07-16T15:00:00Z'); // Thursday 11:00 EDT
    expect(await checkInvariants(loop, [NY])).toEqual([]);
    expect(loop.events.some((e) => e.phone === '+1******0100' && e.event === 'redial')).toBe(true);
  });

  it.each([
    ['SALE', SALE],
    ['DNC', DNC],
  ])('%s stops the lead: no attempt left', async (outcome, terminal) => {
    const loop = await startLoop(dynamo, { now: at('2026-07-15T15:00:00Z'), script: (c) => (c.n === 1 ? terminal : NO_ANSWER) });
    await loop.acceptLead({ phone: NY, state: 'NY' });
    await loop.runUntil(at('2026-07-17T23:00:00Z'));
    expect(loop.agent.calls).toHaveLength(2);
    expect(await loop.store.get(NY)).toMatchObject({ status: 'DONE', outcome, nextAttemptAt: null, scheduleToken: null });
    expect(loop.scheduler.list()).toEqual([]);
    expect((await loop.store.listAttempts(NY)).map((a) => a.outcome)).toEqual(['NO_ANSWER', outcome]);
    // Posting the lead again does not reactivate it.
    expect(await loop.acceptLead({ phone: NY })).toMatchObject({ httpStatus: 200, status: 'DONE', outcome, created: false });
  });

  it('a callback requested for 22:00 local lands at the next morning opening', async () => {
    const loop = await startLoop(dynamo, { now: at('2026-07-15T15:00:00Z'), script: (c) => (c.n === 0 ? callbackAt('2026-07-15T22:00:00-04:00') : NO_ANSWER) });
    await loop.acceptLead({ phone: NY, state: 'NY' });
    await loop.runUntil(at('2026-07-16T15:00:20Z'));
    expect(loop.agent.calls.map((c) => iso(c.at))).toEqual(['2026-07-15T15:01:00Z', '2026-07-16T15:00:00Z']);
  });

  it('a lead posted at 22:00 ET is first dialed at the next opening', async () => {
    const loop = await startLoop(dynamo, { now: at('2026-07-16T02:00:00Z'), script: () => NO_ANSWER });
    expect((await loop.acceptLead({ phone: NY, state: 'NY' })).nextAttemptAt).toBe('2026-07-16T15:00:00.000Z');
    await loop.runUntil(at('2026-07-16T15:00:30Z'));
    expect(loop.agent.calls.map((c) => iso(c.at))).toEqual(['2026-07-16T15:00:00Z']);
  });

  it('a dial whose time has left the window (the clock moved) is refused and rescheduled, never placed', async () => {
    const loop = await startLoop(dynamo, { now: at('2026-07-15T23:55:00Z'), script: () => NO_ANSWER }); // 19:55 EDT
    await loop.acceptLead({ phone: NY, state: 'NY' });
    loop.clock.set(at('2026-07-16T00:30:00Z')); // 20:30 EDT: the schedule fires late
    await loop.scheduler.tick();
    await loop.queue.drain(loop.handle);
    expect(loop.dialResults).toEqual(['refused']);
    expect(loop.agent.calls).toEqual([]);
    expect((await loop.store.get(NY))!.nextAttemptAt).toBe(at('2026-07-16T15:00:00Z'));
    expect(await checkInvariants(loop, [NY])).toEqual([]);
    // Counted on the reporting day (America/New_York): 20:30 EDT is still 2026-07-15 there, though 2026-07-16 in UTC.
    expect(await loop.store.getDailyCounts('2026-07-15')).toMatchObject({ windowRefusals: 1 });
    expect(await loop.store.getDailyCounts('2026-07-16')).toEqual({});
  });

  it('the kill switch: while paused no call is placed and nothing is scheduled into the pause; resume restores the held attempts, spread by minute', async () => {
    // 3 restored attempts a minute at most (0.05/s), so the spreading shows with a handful of leads.
    const loop = await startLoop(dynamo, { now: at('2026-07-15T15:00:00Z'), script: () => NO_ANSWER, config: { dialer: { resumeRatePerSecond: 0.05 } } });
    const phones = ['+12125550140', '+12125550141', '+12125550142', '+12125550143', '+12125550144', '+12125550145', '+12125550146'];
    for (const phone of phones) await loop.acceptLead({ phone, state: 'NY' });
    const killSwitch = makeKillSwitch(loop.deps);
    await killSwitch.pause('test');
    await loop.runUntil(at('2026-07-15T16:00:00Z'));
    expect(loop.dialResults).toEqual(phones.map(() => 'paused'));
    expect(loop.agent.calls).toEqual([]);
    // Held: no schedule was made into the pause, and the sweeper leaves them alone.
    expect(loop.scheduler.list().filter((s) => s.message.kind === 'dial')).toEqual([]);
    expect(await loop.sweep()).toEqual({ rescheduled: 0, recovered: 0 });
    expect(await checkInvariants(loop, phones)).toEqual([]);

    // A resume out of time (its deadline already passed) restores nothing and leaves the switch on.
    expect(await killSwitch.resume('test', loop.clock.now())).toEqual({ paused: true, finished: false, restored: 0, lastAt: null });
    expect(await loop.store.getSystemPaused()).toBe(true);
    const resumed = await killSwitch.resume('test');
    expect(resumed).toMatchObject({ paused: false, finished: true, restored: 7 });
    expect(await loop.store.getSystemPaused()).toBe(false);
    const slots = loop.scheduler.list().filter((s) => s.message.kind === 'dial').map((s) => iso(s.at));
    expect(slots).toEqual(['2026-07-15T16:01:00Z', '2026-07-15T16:01:00Z', '2026-07-15T16:01:00Z', '2026-07-15T16:02:00Z', '2026-07-15T16:02:00Z', '2026-07-15T16:02:00Z', '2026-07-15T16:03:00Z']);
    expect(await checkInvariants(loop, phones)).toEqual([]);
    await loop.runUntil(at('2026-07-15T16:03:10Z'));
    expect(loop.agent.calls).toHaveLength(7);
    expect(await checkInvariants(loop, phones)).toEqual([]);
  });

  it('intake is idempotent: an active lead keeps its schedule; a CRM SALE/DNC status ends it', async () => {
    const loop = await startLoop(dynamo, { now: at('2026-07-15T15:00:00Z'), script: () => NO_ANSWER });
    const first = await loop.acceptLead({ phone: NY, state: 'NY' });
    const again = await loop.acceptLead({ phone: '212-555-0100' });
    expect(again).toMatchObject({ created: false, nextAttemptAt: first.nextAttemptAt });
    expect(loop.scheduler.list()).toHaveLength(1);
    expect(await loop.acceptLead({ phone: NY, status: 'dnc' })).toMatchObject({ httpStatus: 200, status: 'DONE', outcome: 'DNC' });
    // Five simultaneous deliveries of a new lead: one lead, one attempt, no error.
    const results = await Promise.all([1, 2, 3, 4, 5].map(() => loop.acceptLead({ phone: '(312) 555-0199', state: 'IL' })));
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.nextAttemptAt)).size).toBe(1);
    expect(loop.scheduler.list().filter((s) => s.message.phone === '+13125550199')).toHaveLength(1);
    expect(loop.scheduler.list().filter((s) => s.message.phone === NY)).toEqual([]);
  });
});

describe('faults: after each, every ACTIVE lead has exactly one future attempt and no attempt was dialed twice', () => {
  const noAnswerWith = (fault: Script['webhook'], onCall = 0) => (c: { n: number }): Script => (c.n === onCall ? { ...NO_ANSWER, webhook: fault } : NO_ANSWER);

  it('a duplicated webhook is applied once', async () => {
    const loop = await startLoop(dynamo, { now: at('2026-07-15T15:00:00Z'), script: noAnswerWith('duplicate') });
    await loop.acceptLead({ phone: NY, state: 'NY' });
    await loop.runUntil(at('2026-07-15T15:04:00Z')); // past the duplicate (15:02:15) and the second outcome
    expect((await loop.store.listAttempts(NY)).map((a) => a.callId)).toEqual(['call-1', 'call-2']);
    expect(loop.agent.calls.map((c) => iso(c.at))).toEqual(['2026-07-15T15:01:00Z', '2026-07-15T15:03:30Z']);
    expect(await checkInvariants(loop, [NY])).toEqual([]);
  });

  it('a duplicated dial message dials once', async () => {
    const loop = await startLoop(dynamo, { now: at('2026-07-15T15:00:00Z'), script: () => NO_ANSWER });
    await loop.acceptLead({ phone: NY, state: 'NY' });
    const [schedule] = loop.scheduler.list();
    await loop.queue.send(schedule!.message); // SQS redelivery before the schedule even fires
    await loop.runUntil(at('2026-07-15T15:01:10Z'));
    expect(loop.agent.calls).toHaveLength(1);
    // The early copy dials; its outcome replaces the attempt and cancels the schedule the copy came from.
    expect(loop.dialResults).toEqual(['dialed']);
    await loop.queue.send(schedule!.message); // and a late copy of the old message is stale
    await loop.queue.drain(loop.handle);
    expect(loop.dialResults).toEqual(['dialed', 'stale']);
    expect(await checkInvariants(loop, [NY])).toEqual([]);
  });

  it('a dropped webhook is recovered by the watchdog from the voice agent', async () => {
    const loop = await startLoop(dynamo, { now: at('2026-07-15T15:00:00Z'), script: noAnswerWith('drop') });
    await loop.acceptLead({ phone: NY, state: 'NY' });
    await loop.runUntil(at('2026-07-15T15:20:10Z'));
    // max_duration 12 + grace 5: the watchdog at 15:18 records the outcome; the next dial follows 2 minutes later.
    expect(loop.agent.calls.map((c) => iso(c.at))).toEqual(['2026-07-15T15:01:00Z', '2026-07-15T15:20:00Z']);
    expect((await loop.store.listAttempts(NY))[0]).toMatchObject({ callId: 'call-1', outcome: 'NO_ANSWER' });
    expect(await checkInvariants(loop, [NY])).toEqual([]);
  });

  it('Bland refusing the call (4xx, or 429 after retries) counts a FAILED attempt and reschedules', async () => {
    const loop = await startLoop(dynamo, { now: at('2026-07-15T15:00:00Z'), script: () => NO_ANSWER });
    loop.agent.failNext = 1;
    await loop.acceptLead({ phone: NY, state: 'NY' });
    await loop.runUntil(at('2026-07-15T15:03:10Z'));
    expect(loop.dialResults[0]).toBe('call-failed');
    expect(loop.agent.calls.map((c) => iso(c.at))).toEqual(['2026-07-15T15:02:00Z']);
    expect(await checkInvariants(loop, [NY])).toEqual([]);
  });

  it('a crash between the Bland call and the write: the redelivery does not dial again and the webhook recovers the call', async () => {
    const loop = await startLoop(dynamo, { now: at('2026-07-15T15:00:00Z'), script: () => NO_ANSWER });
    await loop.acceptLead({ phone: NY, state: 'NY' });
    const putCall = loop.store.putCall.bind(loop.store);
    let crashed = false;
    loop.store.putCall = async (call) => {
      if (!crashed) {
        crashed = true;
        throw new Error('Lambda timed out');
      }
      return putCall(call);
    };
    await loop.runUntil(at('2026-07-15T15:10:00Z'));
    expect(crashed).toBe(true);
    // The crashed delivery is redelivered by the queue and finds the attempt already claimed.
    expect(loop.dialResults[0]).toBe('already-claimed');
    // One call for the first token; the webhook's metadata indexed it; the lead moved on to its second attempt.
    const tokens = loop.agent.calls.map((c) => c.request.metadata.scheduleToken);
    expect(new Set(tokens).size).toBe(tokens.length);
    expect((await loop.store.listAttempts(NY)).map((a) => a.callId).slice(0, 1)).toEqual(['call-1']);
    expect((await loop.store.get(NY))!.attemptsTotal).toBe(loop.agent.calls.length);
    // The recovered call is counted as a dial too: the day's dials equal the calls placed, and match the outcomes.
    const day = await loop.store.getDailyCounts('2026-07-15');
    expect(day['dials']).toBe(loop.agent.calls.length);
    expect(day['outcome_NO_ANSWER']).toBe(loop.agent.calls.length);
    expect(await checkInvariants(loop, [NY])).toEqual([]);
  });

  it('an operator cannot pause a lead while its call is being placed (the cap would miss that call); after the outcome they can', async () => {
    const loop = await startLoop(dynamo, { now: at('2026-07-15T15:00:00Z'), script: () => NO_ANSWER });
    await loop.acceptLead({ phone: NY, state: 'NY' });
    const control = makeLeadControl(loop.deps);
    // The pause arrives while the dialer is placing the call (after its claim, before it records the call).
    const placeCall = loop.agent.placeCall.bind(loop.agent);
    const during: unknown[] = [];
    loop.agent.placeCall = async (request) => {
      if (during.length === 0) during.push(await control.pause(NY, 'ops').catch((error: unknown) => error));
      return placeCall(request);
    };
    await loop.runUntil(at('2026-07-15T15:01:30Z'));
    expect(during).toEqual([expect.objectContaining({ status: 409, message: expect.stringContaining('a call to this lead is in progress') })]);
    // The call was counted on the lead; once its outcome is in, the pause goes through and cancels the next attempt.
    const counted = (await loop.store.get(NY))!;
    expect(counted.attemptsTotal).toBe(1);
    expect(counted.recentCallTimes).toHaveLength(1);
    const paused = await control.pause(NY, 'ops');
    expect(paused).toMatchObject({ status: 'PAUSED', nextAttemptAt: null, scheduleToken: null });
    expect(loop.scheduler.list().filter((s) => s.message.kind === 'dial')).toEqual([]);
  });

  it('a number that fails for good is listed as BAD_NUMBER with the reason and date; releasing it is an operator\'s unblock', async () => {
    const loop = await startLoop(dynamo, { now: at('2026-07-15T15:00:00Z'), script: () => ({ body: { status: 'failed', completed: false, error_message: 'The number you dialed is not in service' } }) });
    await loop.acceptLead({ phone: NY, state: 'NY' });
    await loop.runUntil(at('2026-07-15T16:00:00Z'));
    expect(await loop.blocklist.list()).toEqual([expect.objectContaining({
      kind: 'number', value: NY, source: 'bad-number', addedAt: at('2026-07-15T15:01:30Z'), reason: expect.stringMatching(/^BAD_NUMBER: .*not in service/),
    })]);
    expect(loop.agent.calls).toHaveLength(1);
    expect(await loop.blocklist.remove('number', NY)).toBe(true);
  });

  it('the watchdog never turns an agent outage into FAILED: it asks again, and gives up only after 2 hours', async () => {
    const loop = await startLoop(dynamo, { now: at('2026-07-15T15:00:00Z'), script: () => ({ ...NO_ANSWER, webhook: 'drop' }) });
    await loop.acceptLead({ phone: NY, state: 'NY' });
    const getCall = loop.agent.getCall.bind(loop.agent);
    loop.agent.getCall = async () => {
      throw new Error('Bland 503');
    };
    await loop.runUntil(at('2026-07-15T15:30:00Z'));
    expect(await loop.store.listAttempts(NY)).toEqual([]);
    const watchdogs = loop.scheduler.list().filter((s) => s.message.kind === 'watchdog');
    expect(watchdogs.map((w) => iso(w.at))).toEqual(['2026-07-15T15:33:00Z']); // 15:18, 15:23, 15:28, then 15:33
    loop.agent.getCall = getCall; // Bland is back: the real outcome is recorded
    await loop.runUntil(at('2026-07-15T15:34:00Z'));
    expect((await loop.store.listAttempts(NY)).map((a) => a.outcome)).toEqual(['NO_ANSWER']);
    expect(await checkInvariants(loop, [NY])).toEqual([]);
  });

  it('a lost schedule is made again by the sweeper', async () => {
    const loop = await startLoop(dynamo, { now: at('2026-07-15T15:00:00Z'), script: () => NO_ANSWER });
    await loop.acceptLead({ phone: NY, state: 'NY' });
    const [lost] = loop.scheduler.list();
    await loop.scheduler.cancel(lost!.name); // as if the process died between the lead write and the schedule
    loop.clock.set(at('2026-07-15T15:10:00Z'));
    expect(await loop.sweep()).toEqual({ rescheduled: 1, recovered: 0 });
    await loop.runUntil(at('2026-07-15T15:12:00Z'));
    expect(loop.agent.calls.map((c) => iso(c.at))).toEqual(['2026-07-15T15:11:00Z']);
    expect(await checkInvariants(loop, [NY])).toEqual([]);
  });
});
