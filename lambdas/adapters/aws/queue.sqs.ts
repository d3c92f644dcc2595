import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';

/** Sends JSON messages to one SQS queue (the dial queue, the CRM outbox). */
export class SqsJsonQueue<T> {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async send(message: T): Promise<void> {
    await this.client.send(new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: JSON.stringify(message) }));
  }
}
