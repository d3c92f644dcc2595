import { CreateQueueCommand, DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { DialMessage } from '../../lambdas/ports/attempt-scheduler';
import { startFauxqs } from './fauxqs';

/**
 * A real SQS dial queue (fauxqs) for tests that run the Lambda handlers' own composition root: `env` points the SDK
 * at it (AWS_ENDPOINT_URL_SQS) and names the queue (DIAL_QUEUE_URL), `receive` takes what the handlers sent.
 */
export async function startDialQueue() {
  const fauxqs = await startFauxqs();
  // fauxqs accepts any credentials; these are placeholders, not secrets.
  const sqs = new SQSClient({ endpoint: fauxqs.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'dial' }));
  return {
    env: { AWS_ENDPOINT_URL_SQS: fauxqs.endpoint, DIAL_QUEUE_URL: QueueUrl! },
    /** Every message ready now (acknowledged): a delayed one only once its delay has passed. */
    async receive(): Promise<{ message: DialMessage }[]> {
      const out: { message: DialMessage }[] = [];
      for (;;) {
        const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
        if (!Messages || Messages.length === 0) return out;
        for (const m of Messages) {
          out.push({ message: JSON.parse(m.Body!) as DialMessage });
          await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: m.ReceiptHandle! }));
        }
      }
    },
    async stop() {
      sqs.destroy();
      await fauxqs.stop();
    },
  };
}
