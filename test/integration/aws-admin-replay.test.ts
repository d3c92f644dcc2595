import { SchedulerClient, CreateScheduleCommand } from '@aws-sdk/client-scheduler';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoLeadStore } from '../../lambdas/adapters/aws/lead-store.dynamodb';
import { startLocalDynamo, type LocalDynamo } from '../../lambdas/adapters/local/dynalite';
import { handler as adminHandler } from '../../lambdas/handlers/admin.handler';
import { lambdaEnv } from '../support/lambda-env';
import { startDialQueue } from '../support/dial-queue-sqs';
import { pinWallClock } from '../support/wall-clock';

/**
 * The admin function's replay as deployed: API Gateway event → the composition root → archived bodies listed and read
 * from S3 (mocked at the client here; the S3 adapter itself runs against fauxqs in archive.contract.test.ts) → the
 * intake route's processing → the lead in DynamoDB (dynalite) and its schedule (Scheduler, mocked).
 */
let dynamo: LocalDynamo;
const secrets = mockClient(SecretsManagerClient);
const s3 = mockClient(S3Client);
const scheduler = mockClient(SchedulerClient);
const saved = { ...process.env };
const ADMIN_KEY = 'admin-key-0123456789';
let dialQueue: Awaited<ReturnType<typeof startDialQueue>>;

const archived = (key: string, body: string, authenticated: boolean) =>
  ({ key, receivedAt: Date.parse('2026-07-15T15:00:00Z'), route: 'leads', contentType: 'application/json', body, authenticated, bytes: body.length });

beforeAll(async () => {
  // A Wednesday 11:00 EDT: inside the window, whenever the test runs.
  pinWallClock('2026-07-15T15:00:00Z');
  dynamo = await startLocalDynamo({ tableName: 'admin-replay' });
  dialQueue = await startDialQueue();
  Object.assign(process.env, lambdaEnv(dynamo, dialQueue.env));
  secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ blandApiKey: 'bland-test-key', intakeApiKey: 'intake-key-0123456789', adminApiKey: ADMIN_KEY }) });
  scheduler.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn' });
  const bodies = [
    archived('inbound/2026-07-15/2026-07-15T15:00:00.000Z-leads-00000001.json', '{"phone":"(212) 555-0161","state":"NY"}', true),
    archived('inbound/2026-07-15/2026-07-15T15:00:01.000Z-leads-00000002.json', '{"phone":"(212) 555-0162","state":"NY"}', false),
  ];
  s3.on(ListObjectsV2Command).resolves({ Contents: bodies.map((b) => ({ Key: b.key })), IsTruncated: false });
  for (const b of bodies) s3.on(GetObjectCommand, { Key: b.key }).resolves({ Body: { transformToString: async () => JSON.stringify(b) } } as never);
}, 30_000);
afterAll(async () => {
  jest.useRealTimers();
  process.env = saved;
  secrets.restore();
  s3.restore();
  scheduler.restore();
  await dialQueue.stop();
  await dynamo.stop();
});

const event = (body: string, key: string): APIGatewayProxyEventV2 => ({
  version: '2.0', routeKey: 'POST /admin/replay', rawPath: '/admin/replay', rawQueryString: '', headers: { 'content-type': 'application/json', 'x-api-key': key }, body, isBase64Encoded: false,
  requestContext: { http: { method: 'POST', path: '/admin/replay', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'cli' } } as APIGatewayProxyEventV2['requestContext'],
});

describe('admin function: POST /admin/replay', () => {
  it('lists the day under inbound/, replays the authenticated intake, skips the forged one', async () => {
    const result = await adminHandler(event('{"from":"2026-07-15","to":"2026-07-15"}', ADMIN_KEY));
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body!)).toMatchObject({ examined: 2, replayed: 1, skipped: { unauthenticated: 1 }, byRoute: { leads: { 202: 1 } }, next: null });
    expect(s3.commandCalls(ListObjectsV2Command)[0]!.args[0].input).toMatchObject({ Bucket: 'archive', Prefix: 'inbound/2026-07-15/' });
    const store = new DynamoLeadStore(dynamo.doc, dynamo.tableName);
    expect(await store.get('+12125550161')).toMatchObject({ status: 'ACTIVE' });
    expect(await store.get('+12125550162')).toBeNull();
    // Its first attempt, due now (the pinned wall clock is inside the window), went straight to the dial queue.
    expect(scheduler.commandCalls(CreateScheduleCommand)).toHaveLength(0);
    expect((await dialQueue.receive()).map((q) => q.message.phone)).toEqual(['+12125550161']);
    expect((await adminHandler(event('{"from":"2026-07-15"}', ADMIN_KEY))).statusCode).toBe(400);
    expect((await adminHandler(event('{"from":"2026-07-15","to":"2026-07-15"}', 'wrong-key'))).statusCode).toBe(401);
  });
});
