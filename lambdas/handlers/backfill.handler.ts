import { METRIC } from '../ports/metrics';
import type { Context } from 'aws-lambda';
import { RateLimitedCrm, TokenBucket } from '../adapters/rate-limit';
import { systemClock } from '../adapters/system-clock';
import { makeAcceptLead } from '../app/accept-lead';
import { makeBackfillSteps } from '../app/backfill';
import { awsDeps, logger, metrics, requireBlandKey } from './aws-deps';
import { MetricUnit } from '@aws-lambda-powertools/metrics';

/** Leaves this much of the Lambda's time for the last chunk's writes before handing over to the next step. */
const SAFETY_MS = 90_000;

/**
 * Every Task of the backfill state machine (lib/backfill.ts): `{ step, input }` → the step's output.
 * Errors propagate to Step Functions, whose Retry/Catch decide (BackfillInputError is never retried).
 */
export async function handler(event: unknown, context: Pick<Context, 'getRemainingTimeInMillis'>): Promise<unknown> {
  try {
    const deps = await awsDeps();
    requireBlandKey(deps);
    const crm = deps.loop.crm;
    const config = deps.loop.config;
    const runStep = makeBackfillSteps((maxConcurrency) => {
      if (!crm) throw new Error('backfill needs Convoso: set convosoAuthToken in the secret (docs/deploy.md)');
      const rate = config.backfill.crmRatePerSecond / maxConcurrency;
      return {
        config, clock: systemClock, calls: deps.calls, leads: deps.loop.store, runs: deps.runs, artifacts: deps.artifacts,
        crm: new RateLimitedCrm(crm, new TokenBucket(rate, 1, () => systemClock.now(), (ms) => new Promise((r) => setTimeout(r, ms)))),
        acceptLead: makeAcceptLead(deps.loop),
        log: (line) => logger.info(line),
      };
    });
    const result = await runStep(event, { deadline: systemClock.now() + context.getRemainingTimeInMillis() - SAFETY_MS });
    const step = (event as { step?: string }).step;
    if (step === 'summarize') {
      const output = result as { done: number; failed: number };
      metrics.addMetric(METRIC.backfillDatesDone, MetricUnit.Count, output.done);
      metrics.addMetric(METRIC.backfillDatesFailed, MetricUnit.Count, output.failed);
    }
    return result;
  } finally {
    metrics.publishStoredMetrics();
  }
}
