import { App } from 'aws-cdk-lib';
import { defaultRunId, reconcileRunId, type BackfillStatus } from '../lambdas/app/backfill';
import type { BackfillRun } from '../lambdas/ports/backfill';
import type { StateMachineDefinition } from 'aws-local-stepfunctions' with { 'resolution-mode': 'import' };
import { BACKFILL_TASKS } from '../lib/backfill';
import { RedialStack } from '../lib/redial-stack';

/**
 * The backfill state machine run locally: the definition is taken from the synthesized CloudFormation template of the
 * real stack (not a copy), and aws-local-stepfunctions runs it with each Task bound to the local step handler.
 */

// aws-local-stepfunctions 3 uses Promise.withResolvers (Node >= 22); on Node 20 every Task would fail without it.
const promiseCtor = Promise as unknown as { withResolvers?: () => unknown };
promiseCtor.withResolvers ??= function withResolvers<T>() {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
};

// The package is ESM-typed but ships a CommonJS build (its "require" export), which this CommonJS project loads.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { StateMachine } = require('aws-local-stepfunctions') as typeof import('aws-local-stepfunctions', { with: { 'resolution-mode': 'import' } });

export type { StateMachineDefinition };

type CfnValue = string | { [key: string]: unknown };

/** Joins a CloudFormation `Fn::Join` definition, standing in a placeholder ARN for each reference (Lambda ARNs). */
export function definitionFromTemplate(template: { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> }): StateMachineDefinition {
  const machines = Object.values(template.Resources).filter((r) => r.Type === 'AWS::StepFunctions::StateMachine');
  if (machines.length !== 1) throw new Error(`expected one state machine in the template, found ${machines.length}`);
  const raw = machines[0]!.Properties!['DefinitionString'] as CfnValue;
  let text: string;
  if (typeof raw === 'string') text = raw;
  else {
    const [separator, parts] = (raw['Fn::Join'] as [string, CfnValue[]]);
    text = parts.map((part) => (typeof part === 'string' ? part : 'arn:aws:lambda:us-east-1:000000000000:function:redial-backfill')).join(separator);
  }
  return JSON.parse(text) as StateMachineDefinition;
}

/** Synthesizes the real stack (bundling skipped: only the definition is wanted) and returns the backfill ASL. */
export function synthesizeBackfillDefinition(redialConfig = '{}'): StateMachineDefinition {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new RedialStack(app, 'RedialLocal', { stage: 'local', redialConfig });
  const template = app.synth().getStackByName(stack.stackName).template as Parameters<typeof definitionFromTemplate>[0];
  return definitionFromTemplate(template);
}

export interface LocalExecution {
  readonly result: Promise<unknown>;
  abort(): void;
}

/**
 * Runs one execution. `runStep` is the same step entry the Lambda handler uses. Retry waits can be overridden
 * (tests: 0), else they are the definition's (2, 4, 8, 16, 32 s).
 */
export function runBackfillDefinition(
  definition: StateMachineDefinition,
  input: unknown,
  runStep: (event: unknown) => Promise<unknown>,
  options: { retryIntervalMs?: number } = {},
): LocalExecution {
  const machine = new StateMachine(definition, { validationOptions: { checkArn: true, checkPaths: true } });
  const handlers = Object.fromEntries(BACKFILL_TASKS.map((name) => [name, async (event: unknown) => (await runStep(event)) as never]));
  const retryIntervalOverrides = options.retryIntervalMs === undefined
    ? undefined
    : Object.fromEntries(BACKFILL_TASKS.map((name) => [name, options.retryIntervalMs!]));
  const execution = machine.run(input as never, { overrides: { taskResourceLocalHandlers: handlers, ...(retryIntervalOverrides ? { retryIntervalOverrides } : {}) } });
  return { result: execution.result, abort: () => execution.abort() };
}

/** Bad request to the local backfill service (400 over HTTP). */
export class BackfillRequestError extends Error {}

export interface LocalBackfillOptions {
  readonly runStep: (event: unknown) => Promise<unknown>;
  readonly status: (runId: string) => Promise<BackfillStatus | null>;
  readonly getRun: (runId: string) => Promise<BackfillRun | null>;
  readonly now: () => number;
  readonly definition?: () => StateMachineDefinition;
  readonly retryIntervalMs?: number;
  readonly log?: (line: string) => void;
}

interface Tracked {
  state: 'RUNNING' | 'SUCCEEDED' | 'FAILED';
  error: string | null;
  output: unknown;
  done: Promise<void>;
  planned: Promise<void>;
}

/**
 * The local stand-in for Step Functions' StartExecution / DescribeExecution / resume: executions of the synthesized
 * definition, one at a time per runId, tracked in memory (the checkpoints themselves are in the store, so a resume
 * after a restart of the runtime works from them).
 */
export function makeLocalBackfill(options: LocalBackfillOptions) {
  let definition: StateMachineDefinition | null = null;
  const executions = new Map<string, Tracked>();

  function execute(runId: string, input: Record<string, unknown>): Tracked {
    if (executions.get(runId)?.state === 'RUNNING') throw new BackfillRequestError(`backfill ${runId} is already running`);
    definition ??= (options.definition ?? (() => synthesizeBackfillDefinition()))();
    let planned!: () => void;
    const tracked: Tracked = { state: 'RUNNING', error: null, output: null, done: Promise.resolve(), planned: new Promise<void>((r) => (planned = r)) };
    // Plan validates the input: the caller hears about bad input from start() itself, not from a failed background run.
    const runStep = async (event: unknown) => {
      const result = await options.runStep(event);
      if ((event as { step?: string }).step === 'plan') planned();
      return result;
    };
    const execution = runBackfillDefinition(definition, input, runStep, { retryIntervalMs: options.retryIntervalMs });
    tracked.done = execution.result.then(
      (output) => {
        Object.assign(tracked, { state: 'SUCCEEDED', output });
      },
      (error: unknown) => {
        Object.assign(tracked, { state: 'FAILED', error: (error as Error).message });
        options.log?.(`backfill ${runId}: execution failed: ${(error as Error).message}`);
      },
    );
    executions.set(runId, tracked);
    return tracked;
  }

  async function started(runId: string, tracked: Tracked): Promise<{ runId: string }> {
    await Promise.race([tracked.done, tracked.planned]);
    if (tracked.state === 'FAILED') throw new BackfillRequestError(tracked.error ?? 'backfill failed');
    return { runId };
  }

  return {
    /** Starts a run (a runId is chosen here when none is given, so the caller can follow it at once). */
    async start(input: Record<string, unknown>): Promise<{ runId: string }> {
      if (input['reconcile'] === true) {
        const runId = reconcileRunId(options.now());
        return started(runId, execute(runId, { ...input, runId }));
      }
      const runId = typeof input['runId'] === 'string' ? input['runId'] : defaultRunId(String(input['from']), String(input['to']), input['dryRun'] === true, options.now());
      return started(runId, execute(runId, { ...input, runId }));
    },
    /** Runs again the dates not done (failed ones, or all left by a stopped execution). */
    async resume(runId: string): Promise<{ runId: string }> {
      const run = await options.getRun(runId);
      if (!run) throw new BackfillRequestError(`no backfill run ${runId}`);
      return started(runId, execute(runId, { from: run.from, to: run.to, dryRun: run.dryRun, runId }));
    },
    async status(runId: string) {
      const status = await options.status(runId);
      const tracked = executions.get(runId);
      return status ? { ...status, execution: tracked ? { state: tracked.state, error: tracked.error } : null } : null;
    },
    /** Resolves when the run's current execution ends (tests, CLI). */
    async wait(runId: string): Promise<void> {
      await executions.get(runId)?.done;
    },
  };
}

export type LocalBackfill = ReturnType<typeof makeLocalBackfill>;
