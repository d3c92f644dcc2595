import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeExecutionCommand, ListExecutionsCommand, RedriveExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { BackfillInputError, defaultRunId, formatSummaryLine, formatTotals, makeBackfillStatus, validateBackfillInput, type BackfillStatus } from '../lambdas/app/backfill';
import { DEFAULT_CONFIG, parseConfig, type Config } from '../lambdas/config/config';
import { DynamoBackfillStore } from '../lambdas/adapters/aws/backfill-store.dynamodb';
import { documentClientFrom } from '../lambdas/adapters/aws/lead-store.dynamodb';
import type { Clock } from '../lambdas/ports/clock';

/**
 * `redial backfill start|status|resume`: against the local runtime (its admin API, which runs the synthesized state
 * machine in-process) or against AWS (Step Functions StartExecution / DescribeExecution / RedriveExecution, progress
 * from the run's checkpoints in DynamoDB). Same progress lines and summary table for both.
 */

export class BackfillCliError extends Error {}

export type ExecutionState = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED' | 'PENDING_REDRIVE' | 'NONE';

export interface StatusView {
  readonly status: BackfillStatus;
  readonly execution: { state: ExecutionState; error: string | null };
}

export interface BackfillTarget {
  start(input: Record<string, unknown>): Promise<{ runId: string }>;
  resume(runId: string): Promise<{ runId: string; how: string }>;
  status(runId: string): Promise<StatusView | null>;
  /** The state of the run's latest execution, even before (or without) the run's own record. */
  execution(runId: string): Promise<StatusView['execution']>;
}

/** Where the admin API is: --url / --api-key, else $REDIAL_URL / $REDIAL_API_KEY, else the local runtime. */
export function adminEndpoint(values: { url?: string | undefined; 'api-key'?: string | undefined }, env: NodeJS.ProcessEnv): { baseUrl: string; apiKey: string } {
  return { baseUrl: values.url ?? env['REDIAL_URL'] ?? 'http://127.0.0.1:3000', apiKey: values['api-key'] ?? env['REDIAL_API_KEY'] ?? 'local-dev-key' };
}

/** One admin API request: the status and JSON body; an unreachable server is a CliError naming the URL. */
export function adminApi(baseUrl: string, apiKey: string, hint = 'or pass --url') {
  const call = async (method: string, path: string, body?: unknown) => {
    let response: Response;
    try {
      response = await fetch(`${baseUrl}${path}`, {
        method,
        headers: { 'x-api-key': apiKey, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (error) {
      throw new BackfillCliError(`cannot reach ${baseUrl} (${(error as Error).message}): start the local runtime with \`npm start\`, ${hint}`);
    }
    const json = (await response.json().catch(() => ({}))) as Record<string, unknown>;
    return { status: response.status, json };
  };
  /** The body of a 2xx answer; else the server's error as a CliError. */
  const expectOk = (answer: { status: number; json: Record<string, unknown> }) => {
    if (answer.status >= 400) throw new BackfillCliError(String(answer.json['error'] ?? `HTTP ${answer.status}`));
    return answer.json;
  };
  return { call, expectOk, request: async (method: string, path: string, body?: unknown) => expectOk(await call(method, path, body)) };
}

/** The local runtime's admin API (`npm start`). */
export function localTarget(baseUrl: string, apiKey: string): BackfillTarget {
  const { call, expectOk } = adminApi(baseUrl, apiKey, 'or pass --url / --aws');
  return {
    async start(input) {
      return expectOk(await call('POST', '/admin/backfill', input)) as { runId: string };
    },
    async resume(runId) {
      expectOk(await call('POST', `/admin/backfill/${encodeURIComponent(runId)}/resume`));
      return { runId, how: 'started again locally with the same runId (finished dates are skipped)' };
    },
    async status(runId) {
      const answer = await call('GET', `/admin/backfill/${encodeURIComponent(runId)}`);
      if (answer.status === 404) return null;
      const json = expectOk(answer) as unknown as BackfillStatus & { execution: { state: ExecutionState; error: string | null } | null };
      return { status: json, execution: json.execution ?? { state: 'NONE', error: null } };
    },
    async execution(runId) {
      return (await this.status(runId))?.execution ?? { state: 'NONE', error: null };
    },
  };
}

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

function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** `day 5 of 38, ETA 1m05s` while dates are fetched; `day 38 of 38, phones 120 of 600, ETA 40s` while they are checked. */
export function progressLine(status: BackfillStatus): string {
  const total = status.lines.length;
  const check = status.check;
  const finished = status.finished === total && (check === null ? status.failed > 0 : check.status !== 'checking');
  const eta = finished ? 'finished' : status.etaMs === null ? 'ETA unknown' : `ETA ${formatDuration(status.etaMs)}`;
  const phones = check ? `, phones ${check.offset} of ${check.total}${check.status === 'failed' ? ' (check failed)' : ''}` : '';
  return `day ${status.finished} of ${total}${status.failed ? ` (${status.failed} failed)` : ''}${phones}, ${eta}`;
}

export function summaryTable(status: BackfillStatus): string[] {
  const out = status.lines.map(formatSummaryLine);
  const summary = status.summary;
  if (summary) {
    out.push(formatTotals(summary.totals) + (status.run.dryRun ? ' (dry run: nothing was enqueued)' : ''));
    if (summary.check?.status === 'failed') out.push(`phone check FAILED after ${summary.check.checked} of ${summary.check.total}: ${summary.check.error ?? ''}`);
    if (summary.check === null && summary.failed > 0) out.push(`no phone was checked: ${summary.failed} date(s) could not be fetched`);
  }
  return out;
}

export interface CliIo {
  readonly out: (line: string) => void;
  readonly sleep: (ms: number) => Promise<void>;
}

/** Follows a run until its execution ends, printing each date as it finishes; returns the exit code. */
export async function follow(target: BackfillTarget, runId: string, io: CliIo, pollMs: number): Promise<number> {
  const printed = new Map<string, string>();
  let lastProgress = '';
  for (let polls = 1; ; polls++) {
    const view = await target.status(runId);
    if (!view) {
      // No run record yet: Plan has not run, or failed (bad input, missing Convoso token). Ask the execution.
      const execution = await target.execution(runId);
      if (execution.state !== 'RUNNING' && (execution.state !== 'NONE' || polls * pollMs > 120_000)) {
        io.out(`backfill ${runId}: execution ${execution.state}${execution.error ? `: ${execution.error}` : ' (no run was recorded)'}`);
        return 1;
      }
    }
    if (view) {
      for (const line of view.status.lines) {
        // A date is printed when it finishes, and again if a resume finishes it differently.
        if ((line.status === 'done' || line.status === 'failed') && printed.get(line.date) !== line.status) {
          printed.set(line.date, line.status);
          io.out(`  ${line.date} ${line.status === 'done' ? 'done' : `FAILED ${line.error ?? ''}`}: ${line.calls} calls, ${line.unique} phones`);
        }
      }
      const progress = progressLine(view.status);
      if (progress !== lastProgress) {
        io.out(progress);
        lastProgress = progress;
      }
      if (view.execution.state !== 'RUNNING') {
        // Summary lines (new / total per date) come from the Summarize step: read them once more at the end.
        const final = (await target.status(runId))!;
        io.out('');
        for (const line of summaryTable(final.status)) io.out(line);
        if (view.execution.state === 'NONE' && final.status.summary === null) {
          io.out(`no execution is running for ${runId} (was the runtime restarted?); resume with: npx redial backfill resume ${runId}`);
          return 1;
        }
        if (view.execution.state !== 'SUCCEEDED' && view.execution.state !== 'NONE') {
          io.out(`execution ${view.execution.state}${view.execution.error ? `: ${view.execution.error}` : ''}; resume with: npx redial backfill resume ${runId}`);
          return 1;
        }
        if (final.status.failed > 0) {
          io.out(`${final.status.failed} date(s) failed; after fixing the cause: npx redial backfill resume ${runId}`);
          return 1;
        }
        if (final.status.summary?.check?.status === 'failed') {
          io.out(`the phone check failed; after fixing the cause: npx redial backfill resume ${runId}`);
          return 1;
        }
        return 0;
      }
    }
    await io.sleep(pollMs);
  }
}

const USAGE = `usage:
  redial backfill start --from YYYY-MM-DD --to YYYY-MM-DD [--dry-run] [--run-id ID] [--max-concurrency N] [--no-wait]
  redial backfill status <runId>
  redial backfill resume <runId> [--no-wait]
target: the local runtime (--url, default $REDIAL_URL or http://127.0.0.1:3000; --api-key, default $REDIAL_API_KEY or
local-dev-key), or AWS with --aws ($REDIAL_STATE_MACHINE_ARN and $REDIAL_TABLE_NAME: the stack outputs).`;

export async function runBackfill(argv: string[], clock: Clock, io: CliIo, env: NodeJS.ProcessEnv = process.env, makeTarget?: () => BackfillTarget): Promise<number> {
  const [action, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    options: {
      from: { type: 'string' },
      to: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      'run-id': { type: 'string' },
      'max-concurrency': { type: 'string' },
      'no-wait': { type: 'boolean', default: false },
      url: { type: 'string' },
      'api-key': { type: 'string' },
      aws: { type: 'boolean', default: false },
      'poll-ms': { type: 'string', default: '1000' },
    },
    allowPositionals: true,
    strict: true,
  });
  const local = adminEndpoint(values, env);
  const target = makeTarget?.() ?? (values.aws
    ? awsTarget(required(env['REDIAL_STATE_MACHINE_ARN'], 'REDIAL_STATE_MACHINE_ARN'), required(env['REDIAL_TABLE_NAME'], 'REDIAL_TABLE_NAME'), clock, {},
      parseConfig(env['REDIAL_CONFIG'] ? JSON.parse(env['REDIAL_CONFIG']) : {}))
    : localTarget(local.baseUrl, local.apiKey));
  const pollMs = Number(values['poll-ms']);
  switch (action) {
    case 'start': {
      if (!values.from || !values.to) throw new BackfillCliError('--from and --to are required (YYYY-MM-DD, calendar days, --to inclusive)');
      const input: Record<string, unknown> = { from: values.from, to: values.to, dryRun: values['dry-run'] };
      if (values['run-id']) input['runId'] = values['run-id'];
      if (values['max-concurrency']) {
        const n = Number(values['max-concurrency']);
        if (!Number.isInteger(n) || n < 1 || n > 40) throw new BackfillCliError(`--max-concurrency must be an integer from 1 to 40, got ${values['max-concurrency']}`);
        input['maxConcurrency'] = n;
      }
      const { runId } = await target.start(input);
      io.out(`backfill ${runId} started: ${values.from} to ${values.to}${values['dry-run'] ? ' (dry run: stats only, no lead changes)' : ''}`);
      return values['no-wait'] ? 0 : follow(target, runId, io, pollMs);
    }
    case 'resume': {
      const runId = positionals[0];
      if (!runId) throw new BackfillCliError('resume needs a runId');
      const { how } = await target.resume(runId);
      io.out(`backfill ${runId}: ${how}`);
      return values['no-wait'] ? 0 : follow(target, runId, io, pollMs);
    }
    case 'status': {
      const runId = positionals[0];
      if (!runId) throw new BackfillCliError('status needs a runId');
      const view = await target.status(runId);
      if (!view) throw new BackfillCliError(`no backfill run ${runId}`);
      const run = view.status.run;
      io.out(`backfill ${runId}: ${run.kind} ${run.from} to ${run.to}${run.dryRun ? ' (dry run)' : ''}; execution ${view.execution.state}; ${progressLine(view.status)}`);
      for (const line of summaryTable(view.status)) io.out(line);
      return 0;
    }
    default:
      throw new BackfillCliError(`unknown backfill action "${action ?? ''}"\n${USAGE}`);
  }
}

function required(value: string | undefined, name: string): string {
  if (!value) throw new BackfillCliError(`--aws needs ${name} (a stack output of \`npx cdk deploy\`)`);
  return value;
}

/**
 * `redial pause | resume | status`: the kill switch, against the local runtime's admin API. While paused no call is
 * placed; resume restores the held attempts spread out (docs/operations.md).
 */
export async function runKillSwitch(argv: string[], out: (line: string) => void, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const [action, ...rest] = argv;
  const { values } = parseArgs({ args: rest, options: { url: { type: 'string' }, 'api-key': { type: 'string' } }, strict: true });
  const { baseUrl, apiKey } = adminEndpoint(values, env);
  const path = action === 'status' ? '/admin/system' : `/admin/system/${action}`;
  const json = (await adminApi(baseUrl, apiKey).request(action === 'status' ? 'GET' : 'POST', path)) as { paused?: boolean; finished?: boolean; restored?: number; lastAt?: string | null };
  if (action === 'pause') out('paused: no call is placed until `npx redial resume` (attempts falling due are held)');
  else if (action === 'resume' && json.finished === false) {
    out(`still paused: ${json.restored ?? 0} held attempt(s) restored so far; run \`npx redial resume\` again to finish`);
    return 1;
  } else if (action === 'resume') out(`resumed: ${json.restored ?? 0} held attempt(s) restored${json.lastAt ? `, the last at ${json.lastAt}` : ''}`);
  else out(json.paused ? 'paused' : 'running');
  return 0;
}

/**
 * `redial lead <phone> [pause|resume|stop]` (the lead, its attempts, its next attempt and why; after the action) and `redial crm-replay` (send the parked
 * CRM writes again), against the admin API of the local runtime or of AWS (--url <ApiUrl> --api-key <adminApiKey>).
 */
export async function runAdminVerb(argv: string[], out: (line: string) => void, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const [verb, ...rest] = argv;
  const { values, positionals } = parseArgs({ args: rest, options: { url: { type: 'string' }, 'api-key': { type: 'string' }, json: { type: 'boolean', default: false } }, allowPositionals: true, strict: true });
  const { baseUrl, apiKey } = adminEndpoint(values, env);
  if (verb === 'lead' && !positionals[0]) throw new BackfillCliError('lead needs a phone number');
  const action = positionals[1];
  if (verb === 'lead' && action !== undefined && !['pause', 'resume', 'stop'].includes(action)) throw new BackfillCliError(`lead: unknown action "${action}" (pause, resume or stop)`);
  const leadPath = `/admin/leads/${encodeURIComponent(positionals[0] ?? '')}${action ? `/${action}` : ''}`;
  const [method, path] = verb === 'lead' ? [action ? 'POST' : 'GET', leadPath] : ['POST', '/admin/crm/replay'];
  const json = await adminApi(baseUrl, apiKey).request(method, path);
  if (values.json || verb !== 'lead') {
    out(verb === 'lead' ? JSON.stringify(json) : `replayed ${String(json['replayed'])} parked CRM write(s)`);
    return 0;
  }
  const lead = json['lead'] as {
    phone: string; status: string; outcome: string | null; attemptsTotal: number; zones: string[];
    stopped?: { by: string; at: number } | null; locationWarnings?: string[];
  };
  const next = json['next'] as { at: string | null; why: string | null };
  const attempts = json['attempts'] as { calledAt: number; outcome: string; evidence: string }[];
  const ended = lead.stopped
    ? ` (stopped by ${lead.stopped.by} at ${new Date(lead.stopped.at).toISOString().slice(0, 16)}Z${lead.outcome ? `; last call ${lead.outcome}` : ''})`
    : lead.outcome ? ` (${lead.outcome})` : '';
  out(`lead         ${lead.phone}  ${lead.status}${ended}`);
  out(`zones        ${lead.zones.join(', ')}`);
  for (const warning of lead.locationWarnings ?? []) out(`warning      ${warning}`);
  out(`calls        ${lead.attemptsTotal}`);
  out(`next         ${next.at ?? 'none'}${next.why ? `  (${next.why})` : ''}`);
  for (const a of attempts) out(`  ${new Date(a.calledAt).toISOString().slice(0, 16)}Z  ${a.outcome.padEnd(14)} ${a.evidence}`);
  return 0;
}
