import { CreateScheduleCommand, DeleteScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoLeadStore } from '../../lambdas/adapters/aws/lead-store.dynamodb';
import { startLocalDynamo, type LocalDynamo } from '../../lambdas/adapters/local/dynalite';
import { handler } from '../../lambdas/handlers/backfill.handler';
import { startBlandSim, type BlandSim } from '../../sim/bland-sim';
import { lambdaEnv } from '../support/lambda-env';
import { startDialQueue } from '../support/dial-queue-sqs';
import { pinWallClock } from '../support/wall-clock';

/**
 * A fresh deploy before the Convoso token is set: the reconcile's plan, fetch and summary run (they need Bland only),
 * and the phone check stops at once with BackfillConfigError (never retried by the state machine), saying what to set.
 * The backfill handler through the real composition root, its secret without convosoAuthToken.
 */
let dynamo: LocalDynamo;
let bland: BlandSim;
let dialQueue: Awaited<ReturnType<typeof startDialQueue>>;
const secrets = mockClient(SecretsManagerClient);
const s3 = mockClient(S3Client);
const scheduler = mockClient(SchedulerClient);
const saved = { ...process.env };
const objects = new Map<string, string>();

beforeAll(async () => {
  pinWallClock('2026-07-15T15:00:00Z');
  dynamo = await startLocalDynamo({ tableName: 'no-convoso' });
  // One past call a day to one number: the check has a number to decide.
  bland = await startBlandSim({
    apiKey: 'bland-test-key', talkMs: 0,
    history: (day) => [{ call_id: `past-${day}`, created_at: `${day}T16:00:00.000Z`, to: '+12125550142', from: '+12125550001', inbound: false, completed: true, call_length: 0.3, answered_by: 'voicemail' }],
  });
  dialQueue = await startDialQueue();
  Object.assign(process.env, lambdaEnv(dynamo, { BLAND_BASE_URL: bland.url, CONVOSO_BASE_URL: 'http://127.0.0.1:9', WEBHOOK_URL: 'https://example.invalid/webhooks/bland', ...dialQueue.env }));
  secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ blandApiKey: 'bland-test-key', intakeApiKey: 'intake-key-0123456789', webhookSecret: null }) });
  // The artifacts bucket as a map (S3 has no local engine in this test; s3-missing-keys.test.ts covers the adapter).
  s3.on(PutObjectCommand).callsFake((input: { Key: string; Body: string }) => {
    objects.set(input.Key, String(input.Body));
    return {};
  });
  s3.on(GetObjectCommand).callsFake((input: { Key: string }) => {
    const body = objects.get(input.Key);
    if (body === undefined) throw Object.assign(new Error('no such key'), { name: 'NoSuchKey' });
    return { Body: { transformToString: async () => body } };
  });
  s3.on(ListObjectsV2Command).resolves({ Contents: [] });
  scheduler.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn' });
  scheduler.on(DeleteScheduleCommand).resolves({});
}, 30_000);
afterAll(async () => {
  jest.useRealTimers();
  process.env = saved;
  secrets.restore();
  s3.restore();
  scheduler.restore();
  await bland.stop();
  await dialQueue.stop();
  await dynamo.stop();
});

describe('backfill without the Convoso token', () => {
  it('plans, fetches and summarizes; the phone check fails at once with what to set', async () => {
    const context = { getRemainingTimeInMillis: () => 900_000 };
    const plan = await handler({ step: 'plan', input: { from: '2026-07-13', to: '2026-07-14', runId: 'no-crm-1' } }, context) as { dates: string[] };
    expect(plan.dates).toEqual(['2026-07-13', '2026-07-14']);
    for (const date of plan.dates) await handler({ step: 'fetchDate', input: { runId: 'no-crm-1', dryRun: false, maxConcurrency: 1, date } }, context);
    await handler({ step: 'mergePhones', input: { runId: 'no-crm-1', dryRun: false, maxConcurrency: 1 } }, context);
    const check = handler({ step: 'checkPhones', input: { runId: 'no-crm-1', dryRun: false, maxConcurrency: 1 } }, context);
    await expect(check).rejects.toMatchObject({ name: 'BackfillConfigError', message: expect.stringContaining('convosoAuthToken') });
    // Nothing was enqueued without the check.
    expect(await new DynamoLeadStore(dynamo.doc, dynamo.tableName).get('+12125550142')).toBeNull();
    // The state machine records the check failed (its catch) and summarizes: the execution ends, no alarm fires.
    await handler({ step: 'recordFailure', input: { runId: 'no-crm-1', error: { Error: 'BackfillConfigError', Cause: 'Convoso is not configured' } } }, context);
    const summary = await handler({ step: 'summarize', input: { runId: 'no-crm-1' } }, context) as { done: number; failed: number };
    expect(summary).toMatchObject({ done: 2, failed: 0 });
    // Bad input still fails as bad input (it is not hidden behind the missing token).
    await expect(handler({ step: 'plan', input: { from: 'nope' } }, context)).rejects.toMatchObject({ name: 'BackfillInputError' });
  });
});
