import { parseArgs } from 'node:util';
import type { BackfillStatus } from '../lambdas/app/backfill';
import { formatSummaryLine, formatTotals } from '../lambdas/app/backfill-format';
import { adminApi, adminEndpoint, BackfillCliError } from './admin-api';
import type { Clock } from '../lambdas/ports/clock';

/**
 * `redial backfill start|status|resume`: against the local runtime (its admin API, which runs the synthesized state
 * machine in-process) or against AWS (Step Functions StartExecution / DescribeExecution / RedriveExecution, progress
 * from the run's checkpoints in DynamoDB). Same progress lines and summary table for both.
 */

export { BackfillCliError, adminApi, adminEndpoint };

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
  // The AWS SDK is loaded only for --aws: every other command starts without it.
  const target = makeTarget?.() ?? (values.aws
    ? (await import('./backfill-aws.js')).awsTarget(required(env['REDIAL_STATE_MACHINE_ARN'], 'REDIAL_STATE_MACHINE_ARN'), required(env['REDIAL_TABLE_NAME'], 'REDIAL_TABLE_NAME'), clock, {},
      (await import('../lambdas/config/config.js')).parseConfig(env['REDIAL_CONFIG'] ? JSON.parse(env['REDIAL_CONFIG']) : {}))
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
