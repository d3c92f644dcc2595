import type { DialMessage } from '../../ports/attempt-scheduler';
import type { DialQueue } from '../../ports/dial-queue';
import { SqsJsonQueue } from './queue.sqs';

/** The dial queue on SQS (the watchdog and the sweeper enqueue here; Scheduler targets it directly). */
export class SqsDialQueue extends SqsJsonQueue<DialMessage> implements DialQueue {}
