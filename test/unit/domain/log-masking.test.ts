import fc from 'fast-check';
import { CreateScheduleCommand, DeleteScheduleCommand, SchedulerClient, UpdateScheduleCommand } from '@aws-sdk/client-scheduler';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SQSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { startLocalDynamo, type LocalDynamo } from '../../../lambdas/adapters/local/dynalite';
import { MemoryMetrics } from '../../../lambdas/adapters/local/metrics.memory';
import { makeAcceptLead } from '../../../lambdas/app/accept-lead';
import { makeKillSwitch } from '../../../lambdas/app/kill-switch';
import { makeLeadControl } from '../../../lambdas/app/lead-control';
import { makeRecordCallOutcome } from '../../../lambdas/app/record-call-outcome';
import { makeRecordInboundCall } from '../../../lambdas/app/record-inbound-call';
import { makeRecordInboundSms } from '../../../lambdas/app/sms-follow-up';
import { maskPhone } from '../../../lambdas/domain/phone';
import { awsDeps } from '../../../lambdas/handlers/aws-deps';
import { handler as crmWriterHandler } from '../../../lambdas/handlers/crm-writer.handler';
import { handler as dialerHandler } from '../../../lambdas/handlers/dialer.handler';
import { handler as sweeperHandler } from '../../../lambdas/handlers/sweeper.handler';
import { callerIdMetric, METRIC } from '../../../lambdas/ports/metrics';
import { startBlandSim, type BlandSim } from '../../../sim/bland-sim';
import { startConvosoSim, type ConvosoSim } from '../../../sim/convoso-sim';
import { callbackAt, DNC, NO_ANSWER, SALE, startLoop, type Script } from '../../support/loop-harness';
import { lambdaEnv } from '../../support/lambda-env';
import { pinWallClock } from '../../support/wall-clock';
import { startDialQueue } from '../../support/dial-queue-sqs';

/**
 * Customers' phone numbers never reach a log line or a metric (docs/security.md): the mask itself, every event the
 * loop logs through a day of dialing with every kind of outcome, and what the Lambda handlers print through the
 * Powertools logger and EMF metrics. Only our own numbers (the caller-ID pool, the SMS sender) may appear whole.
 */

/** A number in the forms it could leak in: E.164 and the 10 national digits (which `+1`, dashes or spaces only wrap). */
const forms = (e164: string) => [e164, e164.slice(2)];
/** Every customer number found whole in `text`. */
const leaked = (text: string, customers: readonly string[]) => customers.filter((p) => forms(p).some((f) => text.includes(f)));
/** Every E.164-looking number in `text` that is not one of ours. */
const strangers = (text: string, ours: readonly string[]) => [...text.matchAll(/\+?1?\d{10}(?!\d)/g)].map((m) => m[0]).filter((n) => !ours.some((o) => o.endsWith(n.replace(/^\+?1?/, ''))));

describe('maskPhone', () => {
  it.each([
    ['+13105555858', '+1******5858'],
    ['+12125550100', '+1******0100'],
    ['+14165550123', '+1******0123'], // Toronto: the same NANP shape
  ])('%s → %s', (phone, masked) => {
    expect(maskPhone(phone)).toBe(masked);
  });

  it('shows the country code and the last four digits, never the area code or exchange', () => {
    const nanp = fc.tuple(fc.integer({ min: 200, max: 999 }), fc.integer({ min: 200, max: 999 }), fc.integer({ min: 0, max: 9999 }))
      .map(([area, exchange, line]) => `+1${area}${exchange}${String(line).padStart(4, '0')}`);
    fc.assert(fc.property(nanp, (phone) => {
      const masked = maskPhone(phone);
      expect(masked).toBe(`+1******${phone.slice(-4)}`);
      expect(masked.replace(/\D/g, '')).toBe(`1${phone.slice(-4)}`);
    }), { numRuns: 500 });
  });

  it('short or empty input shows nothing', () => {
    expect(maskPhone('12')).toBe('****');
    expect(maskPhone('')).toBe('****');
  });
});

describe('the loop logs and counts masked numbers only', () => {
  let dynamo: LocalDynamo;
  beforeAll(async () => {
    dynamo = await startLocalDynamo({ tableName: 'log-masking' });
  });
  afterAll(async () => dynamo.stop());

  const at = (iso: string) => Date.parse(iso);
  const POOL = ['+12125550001', '+13055550002'];
  const SMS_FROM = '+18005550100';
  const VOICEMAIL: Script = { body: { status: 'completed', answered_by: 'voicemail', call_length: 0.4 } };
  const TRANSFER: Script = { body: { status: 'completed', answered_by: 'human', disposition_tag: 'TRANSFERRED', call_length: 3 } };
  /** One customer per path: each number's script (2026-07-15 is a Wednesday; 15:00Z is 11:00 EDT). */
  const CUSTOMERS: Record<string, (n: number) => Script> = {
    '+12125550101': () => NO_ANSWER,
    '+12125550102': () => VOICEMAIL,
    '+13105555858': (n) => (n === 0 ? callbackAt('2026-07-15T16:00:00-07:00') : SALE),
    '+17135550104': (n) => (n === 0 ? { ...NO_ANSWER, webhook: 'duplicate' } : DNC),
    '+13055550105': (n) => (n === 0 ? { ...VOICEMAIL, webhook: 'drop' } : TRANSFER),
    '+16175550106': () => NO_ANSWER, // paused by an operator
    '+14155550107': () => NO_ANSWER, // blocklisted before its first dial (never called)
  };
  const BLOCKED = '+14155550107';
  const INBOUND_UNKNOWN = '+15125550199';
  const customers = [...Object.keys(CUSTOMERS), INBOUND_UNKNOWN];

  it('a day and a half of dialing, every outcome, faults, operators and inbound traffic: no event or metric holds a customer number', async () => {
    const metrics = new MemoryMetrics();
    const loop = await startLoop(dynamo, {
      now: at('2026-07-15T15:00:00Z'),
      config: { callerIds: { numbers: POOL.map((number) => ({ number })) }, sms: { fromNumber: SMS_FROM } },
      script: (call) => CUSTOMERS[call.request.phone]!(loop.agent.calls.filter((c) => c.request.phone === call.request.phone).length - 1),
      metrics,
    });
    for (const phone of Object.keys(CUSTOMERS)) await loop.acceptLead({ phone: `(${phone.slice(2, 5)}) ${phone.slice(5, 8)}-${phone.slice(8)}`, state: 'NY', firstName: 'Ada' });
    // Blocked after it was accepted: its first dial is refused.
    await loop.blocklist.add({ kind: 'number', value: BLOCKED, reason: 'carrier complaint', source: 'operator', addedAt: loop.clock.now(), addedBy: 'test' });
    // The voice agent's first two errors name the number (as an API's error body might): a timeout that may have placed
    // the call, then a refusal. Neither message may reach an event.
    const place = loop.agent.placeCall.bind(loop.agent);
    let failures = 0;
    loop.agent.placeCall = async (request) => {
      if (failures === 0) { failures++; throw Object.assign(new Error(`timed out calling ${request.phone}`), { ambiguous: true }); }
      if (failures === 1) { failures++; throw new Error(`call refused: ${request.phone} is not a valid number`); }
      return place(request);
    };
    await loop.runUntil(at('2026-07-15T15:30:00Z'));
    await makeLeadControl(loop.deps).pause('+16175550106', 'ops@example.com');
    const killSwitch = makeKillSwitch(loop.deps);
    await killSwitch.pause('ops@example.com');
    await loop.runUntil(at('2026-07-15T16:00:00Z'));
    await killSwitch.resume('ops@example.com', at('2026-07-15T16:00:30Z'));
    await loop.sweep();
    await makeRecordInboundSms(loop.deps)({ from: '+12125550102', text: 'STOP', messageId: 'm-1' }, null);
    await makeRecordInboundCall(loop.deps)({ call_id: 'in-1', from: INBOUND_UNKNOWN, inbound: true, status: 'completed', answered_by: 'human', call_length: 1, created_at: new Date(loop.clock.now()).toISOString() } as Parameters<ReturnType<typeof makeRecordInboundCall>>[0], null);
    await loop.runUntil(at('2026-07-16T23:00:00Z'));
    expect(failures).toBe(2);

    // The paths ran: dials, redials, a callback, terminal outcomes, recovery, a refusal, the kill switch, texts.
    const kinds = new Set(loop.events.map((e) => e.event));
    for (const kind of ['dialed', 'redial', 'terminal', 'blocked', 'paused', 'lead-paused', 'sms-sent', 'sms-inbound']) expect([kind, kinds.has(kind)]).toEqual([kind, true]);
    expect(loop.events.length).toBeGreaterThan(40);
    for (const event of loop.events) expect(event.phone).toMatch(/^(\+1\*{6}\d{4}|-)$/);
    const logged = JSON.stringify(loop.events);
    expect(leaked(logged, customers)).toEqual([]);
    expect(strangers(logged, [...POOL, SMS_FROM])).toEqual([]);

    // Metric names are fixed words, or a caller-ID metric of one of our own numbers; the port has no dimensions at all.
    const names = Object.keys(metrics.snapshot());
    expect(names).toEqual(expect.arrayContaining([METRIC.dials, callerIdMetric('Dials', POOL[0]!)]));
    const ours = new Set(POOL.flatMap((n) => [callerIdMetric('Dials', n), callerIdMetric('Pickups', n)]));
    for (const name of names) expect([name, ours.has(name) || /^[A-Za-z]+(_[A-Za-z_]+)?$/.test(name)]).toEqual([name, true]);
    expect(leaked(names.join(' '), customers)).toEqual([]);
  });
});

describe('the Lambda handlers print masked numbers only (Powertools logger and EMF metrics on stdout)', () => {
  let dynamo: LocalDynamo;
  let bland: BlandSim;
  let convoso: ConvosoSim;
  const secrets = mockClient(SecretsManagerClient);
  const scheduler = mockClient(SchedulerClient);
  const saved = { ...process.env };
  const LEAD = '+12125550177';
  const UNKNOWN_TO_CRM = '+12125550199';
  let dialQueue: Awaited<ReturnType<typeof startDialQueue>>;

  beforeAll(async () => {
    pinWallClock('2026-07-15T15:00:00Z'); // inside the window, whenever the test runs
    dynamo = await startLocalDynamo({ tableName: 'log-masking-handlers' });
    bland = await startBlandSim({ apiKey: 'bland-test-key', talkMs: 60_000 });
    convoso = await startConvosoSim({ authToken: 'convoso-test-token' });
    dialQueue = await startDialQueue();
    Object.assign(process.env, lambdaEnv(dynamo, { BLAND_BASE_URL: bland.url, CONVOSO_BASE_URL: convoso.url, WEBHOOK_URL: 'https://example.invalid/webhooks/bland', ...dialQueue.env }));
    secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ blandApiKey: 'bland-test-key', intakeApiKey: 'intake-key-0123456789', convosoAuthToken: 'convoso-test-token' }) });
    scheduler.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn' });
    scheduler.on(UpdateScheduleCommand).resolves({});
    scheduler.on(DeleteScheduleCommand).resolves({});
  }, 30_000);
  afterAll(async () => {
    jest.useRealTimers();
    process.env = saved;
    secrets.restore();
    scheduler.restore();
    await bland.stop();
    await convoso.stop();
    await dialQueue.stop();
    await dynamo.stop();
  });

  const record = (id: string, body: unknown) => ({
    messageId: id, receiptHandle: id, body: JSON.stringify(body), attributes: {}, messageAttributes: {}, md5OfBody: '', eventSource: 'aws:sqs', eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:q', awsRegion: 'us-east-1',
  });

  it('accept, dial, outcome, sweep and CRM write-back: the lines name +1******0177, never the number', async () => {
    const printed: string[] = [];
    // Kept, not echoed: the Powertools logger and metrics write JSON lines to process.stdout.
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      printed.push(String(chunk));
      return true;
    });
    try {
      const deps = await awsDeps();
      await makeAcceptLead(deps.loop)({ phone: '(212) 555-0177', state: 'NY', firstName: 'Ada' });
      const lead = (await deps.store.get(LEAD))!;
      expect((await dialerHandler({ Records: [record('d1', { v: 1, kind: 'dial', phone: LEAD, scheduleToken: lead.scheduleToken })] } as SQSEvent)).batchItemFailures).toEqual([]);
      const dialed = (await deps.store.get(LEAD))!;
      await makeRecordCallOutcome(deps.loop)({ call_id: dialed.lastCallId!, to: LEAD, status: 'completed', answered_by: 'voicemail', call_length: 0.4, metadata: { phone: LEAD, scheduleToken: dialed.scheduleToken! }, created_at: new Date().toISOString() });
      await sweeperHandler();
      const crm = { v: 1, kind: 'crm-write', callId: 'call-x', phone: UNKNOWN_TO_CRM, crmLeadId: null, status: 'A', outcome: 'VOICEMAIL', fields: {}, dnc: false };
      expect((await crmWriterHandler({ Records: [record('c1', crm)] } as SQSEvent)).batchItemFailures).toEqual([]);
    } finally {
      spy.mockRestore();
    }

    const lines = printed.join('').split('\n').filter((l) => l.trim().startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
    const logs = lines.filter((l) => !('_aws' in l));
    const emf = lines.filter((l) => '_aws' in l) as { _aws: { CloudWatchMetrics: { Dimensions: string[][]; Metrics: { Name: string }[] }[] } }[];
    // The lines were printed and name the lead masked: the dial, the loop's decisions, the parked CRM write.
    expect(logs.map((l) => l['message'])).toEqual(expect.arrayContaining(['dial message', 'dialed', 'redial', 'crm write']));
    expect(logs.filter((l) => l['phone'] === '+1******0177').length).toBeGreaterThanOrEqual(3);
    expect(logs.some((l) => l['phone'] === '+1******0199')).toBe(true);
    expect(leaked(printed.join(''), [LEAD, UNKNOWN_TO_CRM])).toEqual([]);
    // EMF: the one `service` dimension, fixed metric names.
    expect(emf.length).toBeGreaterThan(0);
    for (const line of emf) {
      for (const directive of line._aws.CloudWatchMetrics) {
        expect(directive.Dimensions).toEqual([['service']]);
        for (const metric of directive.Metrics) expect(metric.Name).toMatch(/^[A-Za-z]+(_[A-Za-z_]+)?$/);
      }
    }
  });
});
