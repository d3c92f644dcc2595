import type { DialMessage } from './attempt-scheduler';

/** The queue the dialer consumes (SQS on AWS, in-process locally). At-least-once delivery. */
export interface DialQueue {
  send(message: DialMessage): Promise<void>;
}
