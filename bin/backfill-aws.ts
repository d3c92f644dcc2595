import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeExecutionCommand, ListExecutionsCommand, RedriveExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { BackfillInputError, defaultRunId, makeBackfillStatus, validateBackfillInput } from '../lambdas/app/backfill';
import { DEFAULT_CONFIG, type Config } from '../lambdas/config/config';
import { DynamoBackfillStore } from '../lambdas/adapters/aws/backfill-store.dynamodb';
import { documentClientFrom } from '../lambdas/adapters/aws/lead-store.dynamodb';
import type { Clock } from '../lambdas/ports/clock';
import { BackfillCliError } from './admin-api';
import type { BackfillTarget, ExecutionState, StatusView } from './backfill-cli';

/** `redial backfill ... --aws`: Step Functions and the run's checkpoints in DynamoDB (loaded only for --aws). */
/** AWS: the deployed state machine and table (stack outputs BackfillStateMachineArn and TableName). */
export function awsTarget(stateMachineArn: string, tableName: string, clock: Clock, clients: { sfn?: SFNClient; dynamo?: DynamoDBClient } = {}, config: Config = DEFAULT_CONFIG): BackfillTarget {
  const sfn = clients.sfn ?? new SFNClient({});
  const runs = new DynamoBackfillStore(documentClientFrom(clients.dynamo ?? new DynamoDBClient({})), tableName);
  const statusOf = makeBackfillStatus({ runs, clock });
  /** The run's executions are named `<runId>` and `<runId>.<suffix>` (a runId has no dot); the newest first. */
  const executionsOf = async (runId: string) => {
    const found: { executionArn: string; name: string; status: string; startDate: Date }[] = [];
    let nextToken: string | undefined;
    do {
      const page = await sfn.send(new ListExecutionsCommand({ stateMachineArn, maxResults: 1000, nextToken }));
      for (const e of page.executions ?? []) {
        if (e.name === runId || e.name?.startsWith(`${runId}.`)) found.push({ executionArn: e.executionArn!, name: e.name!, status: e.status!, startDate: e.startDate! });
      }
      nextToken = page.nextToken;
    } while (nextToken);
    return found.sort((a, b) => b.startDate.getTime() - a.startDate.getTime());
  };
  const start = async (runId: string, name: string, input: Record<string, unknown>) => {
    try {
      await sfn.send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify({ ...input, runId }) }));
    } catch (error) {
      if ((error as { name?: string }).name === 'ExecutionAlreadyExists') {
        throw new BackfillCliError(`backfill ${runId} exists already: resume it with \`npx redial backfill resume ${runId} --aws\`, or choose another --run-id`);
      }
      throw error;
    }
  };
  const latestExecution = async (runId: string): Promise<StatusView['execution']> => {
    const [latest] = await executionsOf(runId);
    if (!latest) return { state: 'NONE', error: null };
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn: latest.executionArn }));
    return { state: described.status as ExecutionState, error: described.error ? `${described.error}: ${described.cause ?? ''}` : null };
  };
  return {
    async start(input) {
      // The state machine's Plan would refuse bad input too, but only after the CLI had started waiting: check here.
      try {
        validateBackfillInput(input, config.backfill, clock.now());
      } catch (error) {
        if (error instanceof BackfillInputError) throw new BackfillCliError(error.message);
        throw error;
      }
      const runId = typeof input['runId'] === 'string' ? input['runId'] : defaultRunId(String(input['from']), String(input['to']), input['dryRun'] === true, clock.now());
      const { runId: _ignored, ...rest } = input;
      await start(runId, runId, rest);
      return { runId };
    },
    async resume(runId) {
      const [latest] = await executionsOf(runId);
      if (latest?.status === 'RUNNING') throw new BackfillCliError(`backfill ${runId} is still running (${latest.name})`);
      if (latest && ['FAILED', 'TIMED_OUT', 'ABORTED'].includes(latest.status)) {
        await sfn.send(new RedriveExecutionCommand({ executionArn: latest.executionArn }));
        return { runId, how: `redriven ${latest.name} from its failed step (RedriveExecution)` };
      }
      const run = await runs.getRun(runId);
      if (!run) throw new BackfillCliError(`no backfill run ${runId} in ${tableName}`);
      const name = `${runId}.${clock.now().toString(36)}`;
      await start(runId, name, { from: run.from, to: run.to, dryRun: run.dryRun });
      return { runId, how: `started ${name} with the same runId (finished dates are skipped)` };
    },
    async status(runId) {
      const status = await statusOf(runId);
      if (!status) return null;
      return { status, execution: await latestExecution(runId) };
    },
    execution: latestExecution,
  };
}
