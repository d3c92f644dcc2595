import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { DialMessage } from '../../ports/attempt-scheduler';
import type { DialQueue } from '../../ports/dial-queue';

/** The dial queue on SQS (the watchdog and the sweeper enqueue here; Scheduler targets it directly). */
export class SqsDialQueue implements DialQueue {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async send(message: DialMessage): Promise<void> {
    await this.client.send(new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: JSON.stringify(message) }));
  }
}
