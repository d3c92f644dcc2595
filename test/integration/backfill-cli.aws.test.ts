import { DescribeExecutionCommand, ListExecutionsCommand, RedriveExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoBackfillStore } from '../../lambdas/adapters/aws/backfill-store.dynamodb';
import { startLocalDynamo, type LocalDynamo } from '../../lambdas/adapters/local/dynalite';
import { ManualClock } from '../../lambdas/adapters/system-clock';
import { follow, runBackfill } from '../../bin/backfill-cli';
import { awsTarget } from '../../bin/backfill-aws';

/**
 * `npx redial backfill ... --aws`: Step Functions has no local engine reachable by the SDK, so its client is mocked
 * (requests asserted); the run's checkpoints are read from a real DynamoDB engine (dynalite).
 */
const ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:Backfill';
let dynamo: LocalDynamo;
const sfnMock = mockClient(SFNClient);
const clock = new ManualClock(Date.parse('2026-01-20T15:00:00Z'));

beforeAll(async () => {
  dynamo = await startLocalDynamo({ tableName: 'cli-aws' });
  const runs = new DynamoBackfillStore(dynamo.doc, dynamo.tableName);
  await runs.createRun({ runId: 'r1', kind: 'backfill', from: '2025-12-01', to: '2025-12-02', zone: 'America/New_York', dryRun: false, createdAt: clock.now(), startedAt: clock.now(), dates: 2 });
  await runs.recordDate('r1', '2025-12-01', { calls: 10, unique: 4, invalid: 0 }, clock.now(), clock.now(), 0);
  await runs.failDate('r1', '2025-12-02', 'CallListError: made no progress', clock.now());
});
afterAll(() => dynamo.stop());
beforeEach(() => sfnMock.reset());

const target = () => awsTarget(ARN, dynamo.tableName, clock, { sfn: new SFNClient({ region: 'us-east-1' }), dynamo: dynamo.client });

describe('backfill CLI against AWS', () => {
  it('start names the execution after the runId and passes the input', async () => {
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: `${ARN}:x` });
    expect(await target().start({ from: '2025-12-01', to: '2025-12-02', dryRun: true, runId: 'r9' })).toEqual({ runId: 'r9' });
    const call = sfnMock.commandCalls(StartExecutionCommand)[0]!.args[0].input;
    expect(call).toEqual({ stateMachineArn: ARN, name: 'r9', input: JSON.stringify({ from: '2025-12-01', to: '2025-12-02', dryRun: true, runId: 'r9' }) });
  });

  it('resume redrives a failed execution, and starts a new one with the same runId after a successful one', async () => {
    sfnMock.on(ListExecutionsCommand).resolves({ executions: [{ executionArn: `${ARN}:r1`, name: 'r1', status: 'FAILED', startDate: new Date(), stateMachineArn: ARN }] });
    sfnMock.on(RedriveExecutionCommand).resolves({ redriveDate: new Date() });
    expect((await target().resume('r1')).how).toMatch(/^redriven r1/);
    expect(sfnMock.commandCalls(RedriveExecutionCommand)[0]!.args[0].input).toEqual({ executionArn: `${ARN}:r1` });

    sfnMock.reset();
    sfnMock.on(ListExecutionsCommand).resolves({ executions: [{ executionArn: `${ARN}:r1`, name: 'r1', status: 'SUCCEEDED', startDate: new Date(), stateMachineArn: ARN }] });
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: `${ARN}:r1--2` });
    expect((await target().resume('r1')).how).toMatch(/^started r1\.\w+ with the same runId/);
    const input = JSON.parse(sfnMock.commandCalls(StartExecutionCommand)[0]!.args[0].input.input!) as Record<string, unknown>;
    expect(input).toEqual({ from: '2025-12-01', to: '2025-12-02', dryRun: false, runId: 'r1' });
  });

  it('status prints progress from the checkpoints and the execution state', async () => {
    sfnMock.on(ListExecutionsCommand).resolves({ executions: [{ executionArn: `${ARN}:r1`, name: 'r1', status: 'SUCCEEDED', startDate: new Date(), stateMachineArn: ARN }] });
    sfnMock.on(DescribeExecutionCommand).resolves({ status: 'SUCCEEDED', executionArn: `${ARN}:r1`, stateMachineArn: ARN, startDate: new Date() });
    const out: string[] = [];
    const code = await runBackfill(['status', 'r1', '--aws'], clock, { out: (l) => out.push(l), sleep: async () => undefined }, {}, target);
    expect(code).toBe(0);
    expect(out[0]).toBe('backfill r1: backfill 2025-12-01 to 2025-12-02; execution SUCCEEDED; day 2 of 2 (1 failed), finished');
    expect(out[1]).toBe('2025-12-01:     10 calls |     4 unique |     4 new |      4 total');
    expect(out[2]).toBe('2025-12-02:      0 calls |     0 unique |     0 new |      4 total | FAILED CallListError: made no progress');
  });

  it('bad input is refused before any execution starts; an existing runId is pointed at resume', async () => {
    await expect(target().start({ from: '2026-01-07', to: '2025-12-01' })).rejects.toThrow('from (2026-01-07) is after to (2025-12-01)');
    expect(sfnMock.commandCalls(StartExecutionCommand)).toHaveLength(0);
    sfnMock.on(StartExecutionCommand).rejects(Object.assign(new Error('Execution Already Exists'), { name: 'ExecutionAlreadyExists' }));
    await expect(target().start({ from: '2025-12-01', to: '2025-12-02', runId: 'r1' })).rejects.toThrow('backfill r1 exists already: resume it with `npx redial backfill resume r1 --aws`');
  });

  it('follow stops with the execution error when Plan failed and no run was recorded', async () => {
    sfnMock.on(ListExecutionsCommand).resolves({ executions: [{ executionArn: `${ARN}:nope`, name: 'nope', status: 'FAILED', startDate: new Date(), stateMachineArn: ARN }] });
    sfnMock.on(DescribeExecutionCommand).resolves({ status: 'FAILED', error: 'Error', cause: 'backfill needs Convoso', executionArn: `${ARN}:nope`, stateMachineArn: ARN, startDate: new Date() });
    const out: string[] = [];
    expect(await follow(target(), 'nope', { out: (l) => out.push(l), sleep: async () => undefined }, 1)).toBe(1);
    expect(out).toEqual(['backfill nope: execution FAILED: Error: backfill needs Convoso']);
  });

  it('--aws without the stack outputs says which is missing', async () => {
    await expect(runBackfill(['status', 'r1', '--aws'], clock, { out: () => undefined, sleep: async () => undefined }, {})).rejects.toThrow('--aws needs REDIAL_STATE_MACHINE_ARN');
  });
});
