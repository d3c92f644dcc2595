import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';

/** SQS delays a message at most 15 minutes (DelaySeconds 0-900). */
export const MAX_QUEUE_DELAY_MS = 900_000;

/** Sends JSON messages to one SQS queue (the dial queue, the CRM outbox). */
export class SqsJsonQueue<T> {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  /** `delayMs` (at most 15 minutes) delays delivery, rounded up to the second SQS counts in. */
  async send(message: T, delayMs = 0): Promise<void> {
    if (delayMs > MAX_QUEUE_DELAY_MS) throw new RangeError(`SQS delays a message at most ${MAX_QUEUE_DELAY_MS / 1000} s, not ${Math.ceil(delayMs / 1000)} s`);
    const delaySeconds = Math.max(0, Math.ceil(delayMs / 1000));
    await this.client.send(new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: JSON.stringify(message), ...(delaySeconds > 0 ? { DelaySeconds: delaySeconds } : {}) }));
  }
}
