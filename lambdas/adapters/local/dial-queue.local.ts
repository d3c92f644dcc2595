import type { DialMessage } from '../../ports/attempt-scheduler';
import type { DialQueue } from '../../ports/dial-queue';
import { LocalQueue } from './queue.local';

/** The local stand-in for the SQS dial queue (see LocalQueue). */
export class LocalDialQueue extends LocalQueue<DialMessage> implements DialQueue {}
