import type { DialMessage } from './attempt-scheduler';

/** The queue the dialer consumes (SQS on AWS, in-process locally). At-least-once delivery. */
export interface DialQueue {
  /** `delayMs` (0 to 15 minutes, SQS DelaySeconds) holds the message back until then. */
  send(message: DialMessage, delayMs?: number): Promise<void>;
}

/** The longest a message can wait in the dial queue (SQS: 900 s); attempts due later use the scheduler. */
export const MAX_DIAL_DELAY_MS = 900_000;
