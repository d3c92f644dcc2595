import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  SchedulerClient,
  UpdateScheduleCommand,
  type CreateScheduleCommandInput,
} from '@aws-sdk/client-scheduler';
import { mockClient } from 'aws-sdk-client-mock';
import { EventBridgeAttemptScheduler, atExpression } from '../../lambdas/adapters/aws/attempt-scheduler.eventbridge';
import { DynamoLeadStore } from '../../lambdas/adapters/aws/lead-store.dynamodb';
import { ensureTable } from '../../lambdas/adapters/aws/table-definition';
import { startLocalDynamo, type LocalDynamo } from '../../lambdas/adapters/local/dynalite';
import { LocalAttemptScheduler } from '../../lambdas/adapters/local/attempt-scheduler.local';
import { ManualClock } from '../../lambdas/adapters/system-clock';
import type { AttemptScheduler, DialMessage } from '../../lambdas/ports/attempt-scheduler';

/**
 * One contract, two implementations: EventBridge Scheduler (no emulator exists: aws-sdk-client-mock, with the mock
 * keeping schedules by name the way the API does: Create conflicts on an existing name, Delete of a missing one is
 * ResourceNotFound) and the local scheduler on dynalite.
 */
const NOW = Date.parse('2026-07-15T15:00:00Z');
const msg = (token: string): DialMessage => ({ v: 1, kind: 'dial', phone: '+12125550100', scheduleToken: token });

interface Harness {
  scheduler: AttemptScheduler;
  clock: ManualClock;
  pending(): Promise<{ name: string; at: number; message: DialMessage }[]>;
  close(): Promise<void>;
}

const CONFIG = {
  groupName: 'redial',
  queueArn: 'arn:aws:sqs:us-east-1:123456789012:dial',
  roleArn: 'arn:aws:iam::123456789012:role/scheduler',
  deadLetterArn: 'arn:aws:sqs:us-east-1:123456789012:dial-dlq',
};

function parseAt(expression: string): number {
  return Date.parse(`${/^at\((.+)\)$/.exec(expression)![1]}Z`);
}

async function eventBridgeHarness(): Promise<Harness> {
  const schedules = new Map<string, CreateScheduleCommandInput>();
  const mock = mockClient(SchedulerClient);
  mock.on(CreateScheduleCommand).callsFake((input: CreateScheduleCommandInput) => {
    if (schedules.has(input.Name!)) throw new ConflictException({ Message: 'exists', message: 'exists', $metadata: {} });
    schedules.set(input.Name!, input);
    return { ScheduleArn: `arn:aws:scheduler:us-east-1:123456789012:schedule/redial/${input.Name}` };
  });
  mock.on(UpdateScheduleCommand).callsFake((input: CreateScheduleCommandInput) => {
    if (!schedules.has(input.Name!)) throw new ResourceNotFoundException({ Message: 'missing', message: 'missing', $metadata: {} });
    schedules.set(input.Name!, input);
    return {};
  });
  mock.on(DeleteScheduleCommand).callsFake((input: { Name: string }) => {
    if (!schedules.delete(input.Name)) throw new ResourceNotFoundException({ Message: 'missing', message: 'missing', $metadata: {} });
    return {};
  });
  const clock = new ManualClock(NOW);
  return {
    scheduler: new EventBridgeAttemptScheduler(new SchedulerClient({ region: 'us-east-1' }), CONFIG, clock),
    clock,
    pending: async () => [...schedules.values()].map((s) => ({ name: s.Name!, at: parseAt(s.ScheduleExpression!), message: JSON.parse(s.Target!.Input!) as DialMessage })),
    close: async () => mock.restore(),
  };
}

let dynamo: LocalDynamo;
beforeAll(async () => {
  dynamo = await startLocalDynamo({ tableName: 'scheduler-contract' });
});
afterAll(async () => dynamo.stop());

let tables = 0;
/** A fresh table per harness keeps cases independent. */
async function freshStore(): Promise<DynamoLeadStore> {
  const name = `scheduler-contract-${tables++}`;
  await ensureTable(dynamo.client, name);
  return new DynamoLeadStore(dynamo.doc, name);
}

async function localHarness(): Promise<Harness> {
  const store = await freshStore();
  const clock = new ManualClock(NOW);
  const scheduler = new LocalAttemptScheduler(store, async () => undefined, clock);
  return {
    scheduler,
    clock,
    // What a restarted scheduler would find: the persisted schedules.
    pending: async () => (await store.listSchedules()).sort((a, b) => a.name.localeCompare(b.name)),
    close: async () => undefined,
  };
}

describe.each([
  ['EventBridge Scheduler adapter (aws-sdk-client-mock)', eventBridgeHarness],
  ['local scheduler (dynalite)', localHarness],
])('AttemptScheduler contract: %s', (_name, makeHarness) => {
  let h: Harness;
  beforeEach(async () => {
    h = await makeHarness();
  });
  afterEach(async () => h.close());

  it('keeps one schedule at the requested time with the message', async () => {
    await h.scheduler.schedule('d-a', NOW + 3_600_000, msg('a'));
    expect(await h.pending()).toEqual([{ name: 'd-a', at: NOW + 3_600_000, message: msg('a') }]);
  });

  it('moves a time in the past (or under a minute away) to now + 1 minute', async () => {
    await h.scheduler.schedule('d-b', NOW - 3_600_000, msg('b'));
    await h.scheduler.schedule('d-c', NOW + 10_000, msg('c'));
    expect((await h.pending()).map((s) => s.at)).toEqual([NOW + 60_000, NOW + 60_000]);
  });

  it('scheduling the same name again replaces it (idempotent retries)', async () => {
    await h.scheduler.schedule('d-d', NOW + 3_600_000, msg('d'));
    await h.scheduler.schedule('d-d', NOW + 7_200_000, msg('d'));
    expect(await h.pending()).toEqual([{ name: 'd-d', at: NOW + 7_200_000, message: msg('d') }]);
  });

  it('cancel removes the schedule; cancelling a missing one is fine', async () => {
    await h.scheduler.schedule('d-e', NOW + 3_600_000, msg('e'));
    await h.scheduler.cancel('d-e');
    await expect(h.scheduler.cancel('d-e')).resolves.toBeUndefined();
    await expect(h.scheduler.cancel('never-existed')).resolves.toBeUndefined();
    expect(await h.pending()).toEqual([]);
  });
});

describe('EventBridge Scheduler request shape', () => {
  it('one-off at() in UTC, no flexible window, deleted after completion, retried and dead-lettered into the dial queue', async () => {
    const h = await eventBridgeHarness();
    const adapter = h.scheduler as EventBridgeAttemptScheduler;
    expect(adapter.request('d-x', Date.parse('2026-07-15T18:30:00.400Z'), msg('x'))).toEqual({
      Name: 'd-x',
      GroupName: 'redial',
      ScheduleExpression: 'at(2026-07-15T18:30:01)',
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'DELETE',
      State: 'ENABLED',
      Target: {
        Arn: CONFIG.queueArn,
        RoleArn: CONFIG.roleArn,
        Input: JSON.stringify(msg('x')),
        RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86_400 },
        DeadLetterConfig: { Arn: CONFIG.deadLetterArn },
      },
    });
    expect(atExpression(Date.parse('2026-07-15T18:30:00.000Z'))).toBe('at(2026-07-15T18:30:00)');
    await h.close();
  });

  it('other Scheduler errors are not swallowed', async () => {
    const mock = mockClient(SchedulerClient);
    mock.on(CreateScheduleCommand).rejects(new Error('ThrottlingException'));
    const adapter = new EventBridgeAttemptScheduler(new SchedulerClient({ region: 'us-east-1' }), CONFIG, new ManualClock(NOW));
    await expect(adapter.schedule('d-y', NOW + 3_600_000, msg('y'))).rejects.toThrow('ThrottlingException');
    mock.restore();
  });
});

describe('local scheduler specifics', () => {
  it('fires what is due by the clock, delivers at least once, and resumes after a restart', async () => {
    const store = await freshStore();
    const clock = new ManualClock(NOW);
    const delivered: DialMessage[] = [];
    let failNext = true;
    const deliver = async (m: DialMessage) => {
      if (failNext) {
        failNext = false;
        throw new Error('queue down');
      }
      delivered.push(m);
    };
    const first = new LocalAttemptScheduler(store, deliver, clock);
    await first.schedule('r-1', NOW + 120_000, msg('r1'));
    await first.schedule('r-2', NOW + 600_000, msg('r2'));
    clock.set(NOW + 120_000);
    await expect(first.tick()).rejects.toThrow('queue down'); // delivery failed: the schedule stays
    // Restart: a new scheduler on the same store finds both schedules.
    const second = new LocalAttemptScheduler(store, deliver, clock);
    expect(await second.resume()).toBe(2);
    expect(second.list().map((s) => s.name)).toEqual(['r-1', 'r-2']);
    expect(await second.tick()).toBe(1);
    expect(delivered).toEqual([msg('r1')]);
    expect((await store.listSchedules()).map((s) => s.name)).not.toContain('r-1');
    clock.set(NOW + 600_000);
    await second.tick();
    expect(delivered).toEqual([msg('r1'), msg('r2')]);
    expect(second.nextAt()).toBeNull();
  });
});
