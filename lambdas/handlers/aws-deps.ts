import { randomUUID } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';
import { METRIC } from '../ports/metrics';
import { PowertoolsMetricsSink } from '../adapters/aws/metrics.powertools';
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { z } from 'zod';
import { EventBridgeAttemptScheduler } from '../adapters/aws/attempt-scheduler.eventbridge';
import { S3Archive } from '../adapters/aws/archive.s3';
import { S3ArtifactStore } from '../adapters/aws/artifacts.s3';
import { SqsJsonQueue } from '../adapters/aws/queue.sqs';
import { SqsDialQueue } from '../adapters/aws/dial-queue.sqs';
import { DynamoCapacityStore } from '../adapters/aws/dial-capacity.dynamodb';
import type { CrmWriteMessage } from '../ports/crm-outbox';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoBackfillStore } from '../adapters/aws/backfill-store.dynamodb';
import { DynamoBlockList } from '../adapters/aws/blocklist.dynamodb';
import { DynamoCallerIdStore } from '../adapters/aws/caller-ids.dynamodb';
import { DynamoLeadStore, documentClientFrom } from '../adapters/aws/lead-store.dynamodb';
import { BlandVoiceAgent } from '../adapters/bland/voice-agent.bland';
import { ConvosoCrm } from '../adapters/convoso/crm.convoso';
import { systemClock } from '../adapters/system-clock';
import { loopDeps, type LoopDeps } from '../app/loop-deps';
import { parseConfig } from '../config/config';

/**
 * The composition root of every Lambda: environment (set by the CDK constructs) and secrets (one Secrets Manager
 * secret, read at cold start and cached by Powertools) become the ports the use cases take. Shared Powertools
 * logger and metrics; phone numbers are masked before they reach either.
 */
export const logger = new Logger({ serviceName: 'redial' });
export const metrics = new Metrics({ namespace: 'Redial', serviceName: 'redial' });
export const metricsSink = new PowertoolsMetricsSink(metrics);

const envSchema = z.object({
  TABLE_NAME: z.string().min(1),
  ARCHIVE_BUCKET: z.string().min(1),
  SECRET_ARN: z.string().min(1),
  SCHEDULE_GROUP: z.string().min(1),
  DIAL_QUEUE_ARN: z.string().min(1),
  /** Near attempts (due within 15 minutes) go straight to the dial queue, with a delay. */
  DIAL_QUEUE_URL: z.string().min(1),
  /** Fresh leads' first calls and callbacks: a queue of their own, never behind a backlog of redials. */
  DIAL_PRIORITY_QUEUE_ARN: z.string().min(1).optional(),
  DIAL_PRIORITY_QUEUE_URL: z.string().min(1).optional(),
  SCHEDULER_ROLE_ARN: z.string().min(1),
  SCHEDULER_DLQ_ARN: z.string().min(1),
  BLAND_BASE_URL: z.string().url().default('https://api.bland.ai'),
  CONVOSO_BASE_URL: z.string().url().default('https://api.convoso.com'),
  WEBHOOK_URL: z.string().default(''),
  /** The CRM outbox queue (write-back); empty = no write-back. */
  CRM_OUTBOX_URL: z.string().default(''),
  REDIAL_CONFIG: z.string().default('{}'),
});

/** What the secret holds (JSON). Names only here; values live in Secrets Manager. */
/** Strict: a misspelt key (`webhooksecret`) is refused at cold start, never read as an unset one. */
export const secretSchema = z.strictObject({
  /** The stack creates the secret with `SET-ME`: the functions that call Bland refuse it (requireBlandKey). */
  blandApiKey: z.string().min(1),
  intakeApiKey: z.string().min(16, 'must be at least 16 characters'),
  /** The operators' key for /admin/*; null = the admin API answers 503. */
  // Checked by the admin route (under 16 characters = unset), so a bad admin key cannot break the other functions.
  adminApiKey: z.string().nullable().default(null),
  /** The key the Bland pathway's tools send (X-API-Key or Bearer); under 16 characters or null = tools answer 503. */
  toolsApiKey: z.string().nullable().default(null),
  webhookSecret: z.string().min(16).nullable().default(null),
  convosoAuthToken: z.string().min(1).nullable().default(null),
  blandPathwayId: z.string().nullable().default(null),
  blandFrom: z.string().nullable().default(null),
});

export type RedialSecrets = z.infer<typeof secretSchema>;

/**
 * For the functions that call Bland (dialer, sweeper, backfill): the secret still holding the stack's placeholder is
 * an error naming the fix, before any call is attempted (and counted FAILED). Intake and webhooks do not call it, so
 * they keep archiving and accepting meanwhile.
 */
export function requireBlandKey(deps: { secrets: RedialSecrets }): void {
  if (deps.secrets.blandApiKey === 'SET-ME') throw new Error('blandApiKey: still the placeholder SET-ME: put the Bland API key in the secret (docs/deploy.md)');
}

export interface AwsDeps {
  readonly loop: LoopDeps;
  readonly archive: S3Archive;
  readonly secrets: RedialSecrets;
  /** Bland's call list (backfill). */
  readonly calls: BlandVoiceAgent;
  readonly runs: DynamoBackfillStore;
  readonly artifacts: S3ArtifactStore;
  /** Convoso, when its token is set: lookups and write-back. */
  readonly convoso: ConvosoCrm | null;
  /** The lead table (also where parked CRM writes are kept). */
  readonly store: DynamoLeadStore;
}

let cached: Promise<AwsDeps> | null = null;

export function awsDeps(env: NodeJS.ProcessEnv = process.env): Promise<AwsDeps> {
  cached ??= build(env).catch((error: unknown) => {
    cached = null;
    throw error;
  });
  return cached;
}

async function build(env: NodeJS.ProcessEnv): Promise<AwsDeps> {
  const e = envSchema.parse(env);
  const config = parseConfig(JSON.parse(e.REDIAL_CONFIG));
  const rawSecret = await getSecret(e.SECRET_ARN, { transform: 'json', maxAge: 300 });
  const secrets = secretSchema.parse(rawSecret);
  const doc = documentClientFrom(new DynamoDBClient({}));
  const store = new DynamoLeadStore(doc, e.TABLE_NAME, {
    reportingZone: config.reporting.zone,
    onCounterError: (error) => {
      logger.error('cohort counter write failed', { error: error.message });
      metrics.addMetric(METRIC.counterWriteFailures, MetricUnit.Count, 1);
    },
  });
  const scheduler = new EventBridgeAttemptScheduler(new SchedulerClient({}), {
    groupName: e.SCHEDULE_GROUP, queueArn: e.DIAL_QUEUE_ARN, priorityQueueArn: e.DIAL_PRIORITY_QUEUE_ARN, roleArn: e.SCHEDULER_ROLE_ARN, deadLetterArn: e.SCHEDULER_DLQ_ARN,
  }, systemClock);
  const agent = new BlandVoiceAgent({
    baseUrl: e.BLAND_BASE_URL, apiKey: secrets.blandApiKey, pathwayId: secrets.blandPathwayId ?? undefined, from: secrets.blandFrom ?? undefined,
    maxDurationMinutes: config.dialer.maxDurationMinutes, webhookUrl: e.WEBHOOK_URL,
  });
  const crm = secrets.convosoAuthToken
    ? new ConvosoCrm({ baseUrl: e.CONVOSO_BASE_URL, authToken: secrets.convosoAuthToken, dncCampaignId: config.crm.writeBack.dncCampaignId })
    : null;
  const crmOutbox = crm && e.CRM_OUTBOX_URL ? new SqsJsonQueue<CrmWriteMessage>(new SQSClient({}), e.CRM_OUTBOX_URL) : null;
  const loop = loopDeps({
    store, scheduler, dialQueue: new SqsDialQueue(new SQSClient({}), e.DIAL_QUEUE_URL),
    priorityDialQueue: e.DIAL_PRIORITY_QUEUE_URL ? new SqsDialQueue(new SQSClient({}), e.DIAL_PRIORITY_QUEUE_URL) : null, agent, crm, crmOutbox, crmParked: store, clock: systemClock, newId: randomUUID, config,
    blocklist: new DynamoBlockList(doc, e.TABLE_NAME),
    capacity: new DynamoCapacityStore(doc, e.TABLE_NAME),
    callerIds: new DynamoCallerIdStore(doc, e.TABLE_NAME),
    sms: agent,
    callLog: agent,
    // Every loop decision is one log line (phone already masked); the use cases count their own metrics.
    log: (event) => logger.info(event.event, { ...event }),
    metrics: metricsSink,
  });
  const s3 = new S3Client({});
  return {
    loop, archive: new S3Archive(s3, e.ARCHIVE_BUCKET), secrets, calls: agent,
    runs: new DynamoBackfillStore(doc, e.TABLE_NAME), artifacts: new S3ArtifactStore(s3, e.ARCHIVE_BUCKET), convoso: crm, store,
  };
}
