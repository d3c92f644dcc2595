import { App } from 'aws-cdk-lib';
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
