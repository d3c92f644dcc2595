import { Duration } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { secureQueue } from './queues';
import { Construct } from 'constructs';
import { grantSecretValue, grantTable } from './grants';
import { RedialFunction } from './redial-function';

export interface CrmWriteBackProps {
  readonly table: Table;
  readonly secret: ISecret;
  readonly environment: Record<string, string>;
  /** The functions that record call outcomes (and so enqueue writes). */
  readonly producers: readonly RedialFunction[];
}

/**
 * Convoso write-back (docs/convoso-write-back.md): the outbox queue (+ DLQ after 20 receives, kept 14 days), and its
 * consumer, which updates the CRM lead and its DNC list. A Convoso outage fills the queue, never blocks the dialer.
 */
export class CrmWriteBack extends Construct {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  readonly writerFunction: RedialFunction;

  constructor(scope: Construct, id: string, props: CrmWriteBackProps) {
    super(scope, id);
    this.deadLetterQueue = secureQueue(this, 'OutboxDlq', { retentionPeriod: Duration.days(14) });
    this.queue = secureQueue(this, 'Outbox', {
      // A Convoso outage of a few hours is ridden out in the queue (20 receives, 5 minutes apart) before the DLQ.
      visibilityTimeout: Duration.seconds(300),
      retentionPeriod: Duration.days(14),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: 20 },
    });
    this.writerFunction = new RedialFunction(this, 'WriterFn', { handlerFile: 'crm-writer.handler.ts', environment: props.environment, timeout: Duration.seconds(60) });
    // Few writers at once: Convoso's rate limit is shared with the dialer's lookups and the backfill.
    this.writerFunction.addEventSource(new SqsEventSource(this.queue, { batchSize: 10, reportBatchItemFailures: true, maxConcurrency: 2 }));
    // The writer only parks a write the CRM cannot take (one PutItem); it reads nothing from the table.
    grantTable(this.writerFunction, props.table, ['PutItem']);
    grantSecretValue(this.writerFunction, props.secret);
    for (const producer of props.producers) {
      // SendMessage only: the queue URL comes in the environment (no GetQueueUrl, no GetQueueAttributes).
      producer.addToRolePolicy(new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.queue.queueArn] }));
      producer.addEnvironment('CRM_OUTBOX_URL', this.queue.queueUrl);
    }
  }
}
