import { Aws, Duration, Stack } from 'aws-cdk-lib';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { CfnScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { secureQueue } from './queues';
import { Construct } from 'constructs';
import { grantSecretValue, grantTable, grantWaitingRoom, LOOP_TABLE_ACTIONS } from './grants';
import { RedialFunction } from './redial-function';

export interface DialerProps {
  readonly table: Table;
  readonly secret: ISecret;
  /** Environment shared by every function (table, secret, base URLs, config). */
  readonly environment: Record<string, string>;
  /** Dial-queue messages handled at once (config dialer.dispatchConcurrency): the event source's maxConcurrency. */
  readonly dispatchConcurrency: number;
}

/**
 * The dialing capability: the dial queue (+ DLQ), the `redial` schedule group, the role EventBridge Scheduler uses
 * (allowed only sqs:SendMessage on the dial queue and its own DLQ), the dialer function (SQS, partial batch
 * failures) and the sweeper (every 5 minutes).
 */
export class Dialer extends Construct {
  readonly queue: Queue;
  /** Fresh leads' first calls and callbacks (DialMessage.lane): consumed beside the dial queue, never behind it. */
  readonly priorityQueue: Queue;
  readonly deadLetterQueue: Queue;
  readonly schedulerDeadLetterQueue: Queue;
  readonly schedulerRole: Role;
  readonly scheduleGroupName: string;
  readonly dialerFunction: RedialFunction;
  readonly sweeperFunction: RedialFunction;
  /** What a function needs to schedule attempts (names of the group, queue, role, DLQ). */
  readonly schedulingEnvironment: Record<string, string>;
  private readonly scheduleArn: string;
  private readonly group: CfnScheduleGroup;

  constructor(scope: Construct, id: string, props: DialerProps) {
    super(scope, id);
    this.deadLetterQueue = secureQueue(this, 'DialDlq', { retentionPeriod: Duration.days(14) });
    this.queue = secureQueue(this, 'DialQueue', {
      visibilityTimeout: Duration.seconds(90),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: 5 },
    });
    this.priorityQueue = secureQueue(this, 'DialPriorityQueue', {
      visibilityTimeout: Duration.seconds(90),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: 5 },
    });
    this.schedulerDeadLetterQueue = secureQueue(this, 'SchedulerDlq', { retentionPeriod: Duration.days(14) });

    this.scheduleGroupName = 'redial';
    this.group = new CfnScheduleGroup(this, 'ScheduleGroup', { name: this.scheduleGroupName });

    this.schedulerRole = new Role(this, 'SchedulerRole', { assumedBy: new ServicePrincipal('scheduler.amazonaws.com') });
    // Only sqs:SendMessage, only on the two dial queues and the scheduler's own dead-letter queue.
    this.schedulerRole.addToPolicy(new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.queue.queueArn, this.priorityQueue.queueArn, this.schedulerDeadLetterQueue.queueArn] }));

    this.schedulingEnvironment = {
      SCHEDULE_GROUP: this.scheduleGroupName,
      DIAL_QUEUE_ARN: this.queue.queueArn,
      DIAL_QUEUE_URL: this.queue.queueUrl,
      DIAL_PRIORITY_QUEUE_ARN: this.priorityQueue.queueArn,
      DIAL_PRIORITY_QUEUE_URL: this.priorityQueue.queueUrl,
      SCHEDULER_ROLE_ARN: this.schedulerRole.roleArn,
      SCHEDULER_DLQ_ARN: this.schedulerDeadLetterQueue.queueArn,
    };
    const environment = { ...props.environment, ...this.schedulingEnvironment };
    // No reserved concurrency: a new account's concurrency limit (10 or 50) cannot reserve it and the stack would not
    // deploy; the pacer (the voice platform's plan limits) bounds the dials, not Lambda settings.
    this.dialerFunction = new RedialFunction(this, 'DialerFn', { handlerFile: 'dialer.handler.ts', environment, timeout: Duration.seconds(60) });
    this.dialerFunction.addEventSource(new SqsEventSource(this.queue, { batchSize: 10, reportBatchItemFailures: true, maxConcurrency: props.dispatchConcurrency }));
    // The priority lane has pollers of its own: a fresh lead is picked up while the opening wave fills the dial queue.
    this.dialerFunction.addEventSource(new SqsEventSource(this.priorityQueue, { batchSize: 1, reportBatchItemFailures: true, maxConcurrency: 2 }));
    this.sweeperFunction = new RedialFunction(this, 'SweeperFn', { handlerFile: 'sweeper.handler.ts', environment, timeout: Duration.minutes(2) });
    new Rule(this, 'SweepEvery5Min', { schedule: Schedule.rate(Duration.minutes(5)), targets: [new LambdaFunction(this.sweeperFunction)] });

    this.scheduleArn = Stack.of(this).formatArn({ service: 'scheduler', region: Aws.REGION, account: Aws.ACCOUNT_ID, resource: 'schedule', resourceName: `${this.scheduleGroupName}/*` });
    for (const fn of [this.dialerFunction, this.sweeperFunction]) {
      grantSecretValue(fn, props.secret);
      this.grantScheduling(fn);
    }
    grantTable(this.dialerFunction, props.table, LOOP_TABLE_ACTIONS);
    // The sweeper finds overdue attempts in the `due` index.
    grantTable(this.sweeperFunction, props.table, LOOP_TABLE_ACTIONS, { dueIndex: true });
    // Both free slots (a placed-nothing dial, the watchdog, a stuck claim) and hand them to the waiting room.
    for (const fn of [this.dialerFunction, this.sweeperFunction]) grantWaitingRoom(fn, props.table);
  }

  /**
   * Lets a function plan attempts: send near ones to the dial queue (with a delay), create, update and delete schedules
   * in the group for the rest, and pass the scheduler role to Scheduler only.
   */
  grantScheduling(fn: RedialFunction): void {
    fn.addToRolePolicy(new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.queue.queueArn, this.priorityQueue.queueArn] }));
    fn.addToRolePolicy(new PolicyStatement({ actions: ['scheduler:CreateSchedule', 'scheduler:UpdateSchedule', 'scheduler:DeleteSchedule'], resources: [this.scheduleArn] }));
    fn.addToRolePolicy(new PolicyStatement({
      actions: ['iam:PassRole'],
      resources: [this.schedulerRole.roleArn],
      conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
    }));
    fn.node.addDependency(this.group);
  }
}
