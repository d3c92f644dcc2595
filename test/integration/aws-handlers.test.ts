import { CreateScheduleCommand, DeleteScheduleCommand, SchedulerClient, UpdateScheduleCommand } from '@aws-sdk/client-scheduler';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { APIGatewayProxyEventV2, SQSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoLeadStore } from '../../lambdas/adapters/aws/lead-store.dynamodb';
import { startLocalDynamo, type LocalDynamo } from '../../lambdas/adapters/local/dynalite';
import { handler as adminHandler } from '../../lambdas/handlers/admin.handler';
import { handler as backfillHandler } from '../../lambdas/handlers/backfill.handler';
import { handler as dialerHandler } from '../../lambdas/handlers/dialer.handler';
import { handler as intakeHandler } from '../../lambdas/handlers/intake.handler';
import { startBlandSim, type BlandSim } from '../../sim/bland-sim';
import { startConvosoSim, type ConvosoSim } from '../../sim/convoso-sim';
import { handler as crmWriterHandler } from '../../lambdas/handlers/crm-writer.handler';
import { lambdaEnv } from '../support/lambda-env';
import { startDialQueue } from '../support/dial-queue-sqs';
import { pinWallClock } from '../support/wall-clock';

/**
 * The Lambda handlers with their AWS event shapes, wired by the real composition root: DynamoDB is dynalite (through
 * AWS_ENDPOINT_URL_DYNAMODB), Bland is the simulator; Secrets Manager, S3 and EventBridge Scheduler have no local
 * engine here and are mocked at the client.
 */
let dynamo: LocalDynamo;
let bland: BlandSim;
let convoso: ConvosoSim;
const secrets = mockClient(SecretsManagerClient);
const s3 = mockClient(S3Client);
const scheduler = mockClient(SchedulerClient);
const saved = { ...process.env };
let dialQueue: Awaited<ReturnType<typeof startDialQueue>>;

beforeAll(async () => {
  // A Wednesday 11:00 EDT: inside the window, whenever the test runs.
  pinWallClock('2026-07-15T15:00:00Z');
  dynamo = await startLocalDynamo({ tableName: 'handlers' });
  bland = await startBlandSim({ apiKey: 'bland-test-key', talkMs: 10_000 });
  convoso = await startConvosoSim({ authToken: 'convoso-test-token' });
  dialQueue = await startDialQueue();
  Object.assign(process.env, lambdaEnv(dynamo, { BLAND_BASE_URL: bland.url, CONVOSO_BASE_URL: convoso.url, WEBHOOK_URL: 'https://example.invalid/webhooks/bland', ...dialQueue.env }));
  secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ blandApiKey: 'bland-test-key', intakeApiKey: 'intake-key-0123456789', webhookSecret: null, convosoAuthToken: 'convoso-test-token' }) });
  s3.on(PutObjectCommand).resolves({});
  scheduler.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn' });
  scheduler.on(UpdateScheduleCommand).resolves({});
  scheduler.on(DeleteScheduleCommand).resolves({});
}, 30_000);
afterAll(async () => {
  jest.useRealTimers();
  process.env = saved;
  secrets.restore();
  s3.restore();
  scheduler.restore();
  await bland.stop();
  await convoso.stop();
  await dialQueue.stop();
  await dynamo.stop();
});

const apiEvent = (body: string, headers: Record<string, string>): APIGatewayProxyEventV2 => ({
  version: '2.0', routeKey: 'POST /leads', rawPath: '/leads', rawQueryString: '', headers, body, isBase64Encoded: false,
  requestContext: { http: { method: 'POST', path: '/leads', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'zapier' } } as APIGatewayProxyEventV2['requestContext'],
});

describe('AWS handlers', () => {
  it('intake: API Gateway event → lead stored, raw body archived, first attempt sent straight to the dial queue', async () => {
    const handler = intakeHandler;
    const body = Buffer.from('phone=%28212%29+555-0177&first_name=Ada&state=NY').toString('base64');
    const event = { ...apiEvent(body, { 'content-type': 'application/x-www-form-urlencoded', 'x-api-key': 'intake-key-0123456789' }), isBase64Encoded: true };
    const result = await handler(event);
    expect(result.statusCode).toBe(202);
    expect(JSON.parse(result.body!)).toMatchObject({ phone: '+12125550177', status: 'ACTIVE' });
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(1);
    // The wall clock is pinned inside the window: the first attempt is due now, so no schedule (a minute away at best) is made.
    expect(scheduler.commandCalls(CreateScheduleCommand)).toHaveLength(0);
    const queued = await dialQueue.receive();
    expect(queued).toEqual([{ message: expect.objectContaining({ v: 1, kind: 'dial', phone: '+12125550177' }) }]);
    const wrongKey = await handler(apiEvent('{"phone":"2125550177"}', { 'content-type': 'application/json', 'x-api-key': 'nope' }));
    expect(wrongKey.statusCode).toBe(401);
  });

  it('dialer: SQS batch → the valid message dials through Bland, the malformed one alone is reported failed', async () => {
    const store = new DynamoLeadStore(dynamo.doc, dynamo.tableName);
    const lead = (await store.get('+12125550177'))!;
    const handler = dialerHandler;
    const record = (id: string, body: string) => ({ messageId: id, receiptHandle: id, body, attributes: {}, messageAttributes: {}, md5OfBody: '', eventSource: 'aws:sqs', eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:dial', awsRegion: 'us-east-1' });
    const event = { Records: [
      record('good', JSON.stringify({ v: 1, kind: 'dial', phone: lead.phone, scheduleToken: lead.scheduleToken })),
      record('bad', JSON.stringify({ v: 1, kind: 'dial', phone: '12' })),
    ] } as SQSEvent;
    const response = await handler(event);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'bad' }]);
    expect(bland.calls.map((c) => c.request['phone_number'])).toEqual(['+12125550177']);
    expect((await store.get(lead.phone))!.attemptsTotal).toBe(1);
    // A redelivery of the same message dials nothing more.
    expect((await handler({ Records: [event.Records[0]!] } as SQSEvent)).batchItemFailures).toEqual([]);
    expect(bland.calls).toHaveLength(1);
    // A batch whose every record fails answers every failure (no Lambda error for the error alarms to count).
    const allBad = { Records: [record('bad-1', '{"v":1}'), record('bad-2', 'not json')] } as SQSEvent;
    expect((await handler(allBad)).batchItemFailures).toEqual([{ itemIdentifier: 'bad-1' }, { itemIdentifier: 'bad-2' }]);
  });

  it('backfill: the Task payload { step, input } runs the step; bad input surfaces as BackfillInputError (never retried by the state machine)', async () => {
    const context = { getRemainingTimeInMillis: () => 900_000 };
    const plan = await backfillHandler({ step: 'plan', input: { from: '2025-12-01', to: '2025-12-03', dryRun: true, runId: 'handler-1' } }, context);
    expect(plan).toEqual({ runId: 'handler-1', dryRun: true, maxConcurrency: 2, dates: ['2025-12-01', '2025-12-02', '2025-12-03'], total: 3, skipped: 0 });
    const summary = await backfillHandler({ step: 'summarize', input: { runId: 'handler-1' } }, context) as { dates: number; table: string[] };
    expect(summary.dates).toBe(3);
    expect(summary.table[0]).toBe('2025-12-01:      0 calls |     0 unique |     0 new |      0 total | pending');
    await expect(backfillHandler({ step: 'plan', input: { from: '2025-12-03', to: '2025-12-01' } }, context)).rejects.toMatchObject({ name: 'BackfillInputError' });
    await expect(backfillHandler({ step: 'launch', input: {} }, context)).rejects.toMatchObject({ name: 'BackfillInputError', message: expect.stringContaining('step:') });
  });

  it('crm writer: SQS batch → the CRM lead updated, the DNC listed; a malformed record alone fails; an unknown number is parked', async () => {
    convoso.addLead('+12125550188', { id: 'c188', listId: '1', status: 'NEW' });
    const message = (phone: string, outcome: string, status: string | null) => ({ v: 1, kind: 'crm-write', callId: `call-${phone.slice(-4)}`, phone, crmLeadId: null, status, outcome, fields: { answered_by: 'human' }, dnc: outcome === 'DNC' });
    const record = (id: string, body: unknown) => ({ messageId: id, body: JSON.stringify(body), receiptHandle: id, attributes: {}, messageAttributes: {}, md5OfBody: '', eventSource: 'aws:sqs', eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:outbox', awsRegion: 'us-east-1' });
    const result = await crmWriterHandler({ Records: [
      record('1', message('+12125550188', 'DNC', 'DNC')),
      record('2', { v: 1, kind: 'crm-write', phone: 'nope' }),
      record('3', message('+12125550199', 'VOICEMAIL', 'A')),
    ] } as SQSEvent);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: '2' }]);
    expect(convoso.updates).toEqual([{ leadId: 'c188', params: { answered_by: 'human', lead_id: 'c188', status: 'DNC' } }]);
    expect([...convoso.dnc]).toEqual(['2125550188']);
    const parked = await new DynamoLeadStore(dynamo.doc, dynamo.tableName).listParkedCrmWrites();
    expect(parked.map((p) => p.message.phone)).toEqual(['+12125550199']);
    const allBad = await crmWriterHandler({ Records: [record('4', { v: 1 }), record('5', { kind: 'crm-write' })] } as SQSEvent);
    expect(allBad.batchItemFailures).toEqual([{ itemIdentifier: '4' }, { itemIdentifier: '5' }]);
  });

  it('admin: with no adminApiKey in the secret every admin route answers 503 (never open)', async () => {
    const event = { ...apiEvent('', { 'x-api-key': 'anything' }), rawPath: '/admin/system/pause', routeKey: 'POST /admin/system/pause' };
    const result = await adminHandler(event);
    expect(result.statusCode).toBe(503);
    expect(JSON.parse(result.body as string)).toEqual({ error: 'admin API disabled: set adminApiKey in the secret (docs/deploy.md)' });
  });
});
