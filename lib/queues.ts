import { Queue, QueueEncryption, type QueueProps } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

/** An SQS queue with the project's defaults: SSE with SQS-managed keys, TLS-only access. */
export function secureQueue(scope: Construct, id: string, props: Omit<QueueProps, 'encryption' | 'enforceSSL'> = {}): Queue {
  return new Queue(scope, id, { ...props, encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true });
}
