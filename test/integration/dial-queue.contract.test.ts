import { CreateQueueCommand, DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { SqsDialQueue } from '../../lambdas/adapters/aws/dial-queue.sqs';
import { LocalDialQueue } from '../../lambdas/adapters/local/dial-queue.local';
import type { DialMessage } from '../../lambdas/ports/attempt-scheduler';
import type { DialQueue } from '../../lambdas/ports/dial-queue';
import { startFauxqs, type FauxqsHandle } from '../support/fauxqs';

/** One contract, two implementations: SQS (through fauxqs, a real SQS wire protocol) and the local queue. */
interface Harness {
  queue: DialQueue;
  /** Receives (and acknowledges) everything that was sent and is ready. */
  receiveAll(): Promise<DialMessage[]>;
  /** Lets `ms` of the queue's time pass (real time for SQS, the injected clock locally). */
  pass(ms: number): Promise<void>;
}

let fauxqs: FauxqsHandle;
let sqs: SQSClient;
let queues = 0;
beforeAll(async () => {
  fauxqs = await startFauxqs();
  // fauxqs accepts any credentials; these are placeholders, not secrets.
  sqs = new SQSClient({ endpoint: fauxqs.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
}, 30_000);
afterAll(async () => {
  sqs.destroy();
  await fauxqs.stop();
});

async function sqsHarness(): Promise<Harness> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `dial-${queues++}` }));
  return {
    queue: new SqsDialQueue(sqs, QueueUrl!),
    receiveAll: async () => {
      const out: DialMessage[] = [];
      for (;;) {
        const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
        if (!Messages || Messages.length === 0) return out;
        for (const m of Messages) {
          out.push(JSON.parse(m.Body!) as DialMessage);
          await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: m.ReceiptHandle! }));
        }
      }
    },
    pass: (ms) => new Promise((r) => setTimeout(r, ms)),
  };
}

async function localHarness(): Promise<Harness> {
  let now = Date.parse('2026-07-15T15:00:00Z');
  const queue = new LocalDialQueue(5, () => now);
  return {
    queue,
    pass: async (ms) => {
      now += ms;
    },
    receiveAll: async () => {
      const out: DialMessage[] = [];
      await queue.drain(async (m) => {
        out.push(m);
      });
      return out;
    },
  };
}

const dial = (token: string): DialMessage => ({ v: 1, kind: 'dial', phone: '+12125550100', scheduleToken: token });

describe.each([
  ['SQS adapter (fauxqs)', sqsHarness],
  ['local queue', localHarness],
])('DialQueue contract: %s', (_name, makeHarness) => {
  it('delivers every message sent, whole', async () => {
    const h = await makeHarness();
    const watchdog: DialMessage = { v: 1, kind: 'watchdog', phone: '+12125550100', scheduleToken: 't', callId: 'call-1' };
    await h.queue.send(dial('a'));
    await h.queue.send(watchdog);
    const received = await h.receiveAll();
    expect(received).toHaveLength(2);
    expect(received).toEqual(expect.arrayContaining([dial('a'), watchdog]));
  });

  it('delivers a message sent twice twice (at-least-once: consumers must be idempotent)', async () => {
    const h = await makeHarness();
    await h.queue.send(dial('b'));
    await h.queue.send(dial('b'));
    expect(await h.receiveAll()).toEqual([dial('b'), dial('b')]);
  });

  it('holds a delayed message back until its delay has passed (SQS DelaySeconds), the others come at once', async () => {
    const h = await makeHarness();
    await h.queue.send(dial('later'), 2_000);
    await h.queue.send(dial('now'));
    expect(await h.receiveAll()).toEqual([dial('now')]);
    await h.pass(2_600);
    expect(await h.receiveAll()).toEqual([dial('later')]);
  });
});

describe('SQS adapter specifics', () => {
  it('refuses a delay SQS cannot hold (over 15 minutes) instead of sending the message at once', async () => {
    const h = await sqsHarness();
    await expect(h.queue.send(dial('far'), 900_001)).rejects.toThrow('at most 900 s');
    expect(await h.receiveAll()).toEqual([]);
  });
});

describe('local queue specifics', () => {
  it('delivers up to `concurrency` messages at once (a pool of dialer instances)', async () => {
    const queue = new LocalDialQueue();
    for (const t of ['a', 'b', 'c', 'd', 'e']) await queue.send(dial(t));
    let running = 0;
    let most = 0;
    await queue.drain(async () => {
      most = Math.max(most, ++running);
      await new Promise((r) => setTimeout(r, 5));
      running--;
    }, 3);
    expect(most).toBe(3);
    expect(queue.depth).toBe(0);
  });

  it('redelivers a message whose handler failed, and dead-letters it after maxReceives', async () => {
    const queue = new LocalDialQueue(3);
    await queue.send(dial('c'));
    const attempts: string[] = [];
    for (let i = 0; i < 3; i++) {
      await queue.drain(async (m) => {
        attempts.push(m.scheduleToken);
        throw new Error('dialer crashed');
      });
    }
    expect(attempts).toEqual(['c', 'c', 'c']);
    expect(queue.depth).toBe(0);
    expect(queue.deadLetters).toEqual([dial('c')]);
  });
});
