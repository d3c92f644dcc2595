import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { CfnSchedule } from 'aws-cdk-lib/aws-scheduler';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import {
  Choice,
  Condition,
  DefinitionBody,
  Errors,
  JsonPath,
  LogLevel,
  Map as MapState,
  StateMachine,
  StateMachineType,
  TaskInput,
  Timeout,
} from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import type { BackfillConfig } from '../lambdas/config/config';
import type { Dialer } from './dialer';
import { grantSecretValue, grantTable, LOOP_TABLE_ACTIONS } from './grants';
import { RedialFunction } from './redial-function';

export interface BackfillProps {
  readonly table: Table;
  readonly bucket: IBucket;
  readonly secret: ISecret;
  readonly dialer: Dialer;
  readonly environment: Record<string, string>;
  readonly config: BackfillConfig;
}

/** State names: the local runtime binds each Task to the local handler by these names. */
export const BACKFILL_TASKS = ['Plan', 'FetchDate', 'RecordFailure', 'MergePhones', 'CheckPhones', 'RecordCheckFailure', 'Summarize'] as const;
export type BackfillTaskName = (typeof BACKFILL_TASKS)[number];
export const BACKFILL_TASK_STEPS: Record<BackfillTaskName, string> = {
  Plan: 'plan', FetchDate: 'fetchDate', RecordFailure: 'recordFailure', MergePhones: 'mergePhones', CheckPhones: 'checkPhones',
  RecordCheckFailure: 'recordFailure', Summarize: 'summarize',
};

/**
 * The backfill / reconcile workflow (docs/backfill.md): a Standard state machine
 *   Plan → Dates (inline Map, MaxConcurrency from the input) [FetchDate | RecordFailure]
 *        → MergePhones → Checked? ⇄ CheckPhones (| RecordCheckFailure) → Summarize
 * with per-state retries (2, 4, 8, 16, 32 s) on top of the HTTP clients' own, a Catch per date so one bad date does not
 * stop the others, and only keys and counts between states. Each distinct phone of the range is checked once, after
 * every date is fetched. A recurring EventBridge schedule starts a reconcile run.
 */
export class Backfill extends Construct {
  readonly stateMachine: StateMachine;
  readonly fn: RedialFunction;
  readonly reconcileSchedule: CfnSchedule;

  constructor(scope: Construct, id: string, props: BackfillProps) {
    super(scope, id);
    this.fn = new RedialFunction(this, 'BackfillFn', {
      handlerFile: 'backfill.handler.ts',
      environment: { ...props.environment, ...props.dialer.schedulingEnvironment },
      timeout: Duration.minutes(15),
      memorySize: 1024,
    });
    grantTable(this.fn, props.table, LOOP_TABLE_ACTIONS);
    // Only the run's phone lists: get and put under backfill/ (no list, no delete).
    this.fn.addToRolePolicy(new PolicyStatement({ actions: ['s3:GetObject', 's3:PutObject'], resources: [props.bucket.arnForObjects('backfill/*')] }));
    // Listing its own prefix: a missing artifact (a run older than their expiry) is then told apart from a denied read.
    this.fn.addToRolePolicy(new PolicyStatement({ actions: ['s3:ListBucket'], resources: [props.bucket.bucketArn], conditions: { StringLike: { 's3:prefix': ['backfill/*'] } } }));
    grantSecretValue(this.fn, props.secret);
    props.dialer.grantScheduling(this.fn);

    const task = (name: BackfillTaskName, input: Record<string, unknown> | string): LambdaInvoke => new LambdaInvoke(this, name, {
      stateName: name,
      lambdaFunction: this.fn,
      payload: TaskInput.fromObject({ step: BACKFILL_TASK_STEPS[name], input: input === '$' ? JsonPath.entirePayload : input }),
      payloadResponseOnly: true,
      retryOnServiceExceptions: false,
      taskTimeout: Timeout.duration(Duration.minutes(15)),
    });
    const retried = <T extends LambdaInvoke>(state: T): T => {
      // Bad input and a missing setting (the Convoso token) fail at once; anything else (Bland/Convoso outages, Lambda throttles) is retried 2, 4, 8, 16, 32 s.
      state.addRetry({ errors: ['BackfillInputError', 'BackfillConfigError'], maxAttempts: 0 });
      state.addRetry({ errors: [Errors.ALL], interval: Duration.seconds(2), backoffRate: 2, maxAttempts: 5 });
      return state;
    };

    const plan = retried(task('Plan', '$'));
    const fetchDate = retried(task('FetchDate', '$'));
    const recordFailure = retried(task('RecordFailure', '$'));
    fetchDate.addCatch(recordFailure, { errors: [Errors.ALL], resultPath: '$.error' });

    const dates = new MapState(this, 'Dates', {
      stateName: 'Dates',
      itemsPath: '$.dates',
      maxConcurrencyPath: '$.maxConcurrency',
      itemSelector: {
        'runId.$': '$.runId',
        'dryRun.$': '$.dryRun',
        'maxConcurrency.$': '$.maxConcurrency',
        'date.$': '$$.Map.Item.Value',
      },
      // Per-date results stay in DynamoDB: the state keeps the plan (runId), never a list of calls.
      resultPath: JsonPath.DISCARD,
    });
    dates.itemProcessor(fetchDate);

    const runTask = { 'runId.$': '$.runId', 'dryRun.$': '$.dryRun', 'maxConcurrency.$': '$.maxConcurrency' };
    const mergePhones = retried(task('MergePhones', runTask));
    const checkPhones = retried(task('CheckPhones', runTask));
    const recordCheckFailure = retried(task('RecordCheckFailure', { 'runId.$': '$.runId', 'error.$': '$.error' }));
    const summarize = retried(task('Summarize', { 'runId.$': '$.runId' }));
    for (const state of [mergePhones, checkPhones]) state.addCatch(recordCheckFailure, { errors: [Errors.ALL], resultPath: '$.error' });
    recordCheckFailure.next(summarize);
    const checked = new Choice(this, 'Checked?', { stateName: 'Checked?' })
      .when(Condition.booleanEquals('$.done', true), summarize)
      .otherwise(checkPhones);
    checkPhones.next(checked);
    mergePhones.next(checked);

    const logs = new LogGroup(this, 'BackfillLogs', { retention: RetentionDays.THREE_MONTHS, removalPolicy: RemovalPolicy.DESTROY });
    this.stateMachine = new StateMachine(this, 'StateMachine', {
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromChainable(plan.next(dates).next(mergePhones)),
      comment: 'redial backfill/reconcile: {"from":"YYYY-MM-DD","to":"YYYY-MM-DD","dryRun":false,"runId":"optional","maxConcurrency":2}',
      timeout: Duration.hours(24),
      tracingEnabled: true,
      logs: { destination: logs, level: LogLevel.ALL, includeExecutionData: false },
    });

    // The reconcile: every few hours, the last days again; idempotent enqueueing makes it catch only what was missed.
    // Assumable by EventBridge Scheduler for this account only (confused-deputy guard).
    const role = new Role(this, 'ReconcileRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } } }),
    });
    role.addToPolicy(new PolicyStatement({ actions: ['states:StartExecution'], resources: [this.stateMachine.stateMachineArn] }));
    // A start that fails after the retries lands in the scheduler's dead-letter queue (alarmed with the others).
    role.addToPolicy(new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [props.dialer.schedulerDeadLetterQueue.queueArn] }));
    const every = props.config.reconcile.everyHours;
    this.reconcileSchedule = new CfnSchedule(this, 'Reconcile', {
      description: `redial reconcile: the last ${props.config.reconcile.lastDays} days every ${props.config.reconcile.everyHours} h`,
      scheduleExpression: `rate(${every} ${every === 1 ? 'hour' : 'hours'})`,
      flexibleTimeWindow: { mode: 'OFF' },
      state: props.config.reconcile.enabled ? 'ENABLED' : 'DISABLED',
      target: {
        arn: this.stateMachine.stateMachineArn,
        roleArn: role.roleArn,
        input: JSON.stringify({ reconcile: true, lastDays: props.config.reconcile.lastDays }),
        retryPolicy: { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 3600 },
        deadLetterConfig: { arn: props.dialer.schedulerDeadLetterQueue.queueArn },
      },
    });
  }
}
