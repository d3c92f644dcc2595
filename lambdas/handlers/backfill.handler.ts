import { METRIC } from '../ports/metrics';
import type { Context } from 'aws-lambda';
import { RateLimitedCrm, TokenBucket } from '../adapters/rate-limit';
import { systemClock } from '../adapters/system-clock';
import { makeAcceptLead } from '../app/accept-lead';
import { BackfillConfigError, makeBackfillSteps } from '../app/backfill';
import type { Crm } from '../ports/crm';
import { awsDeps, logger, metrics, requireBlandKey } from './aws-deps';
import { MetricUnit } from '@aws-lambda-powertools/metrics';

/** Without the Convoso token the check cannot decide a number: it stops at once, saying what to set (not retried). */
const CRM_NOT_CONFIGURED: Crm = {
  findByPhone: () => Promise.reject(new BackfillConfigError('Convoso is not configured: set convosoAuthToken in the secret (docs/deploy.md), then resume the run; no number was enqueued')),
};

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
      const rate = config.backfill.crmRatePerSecond / maxConcurrency;
      return {
        config, clock: systemClock, calls: deps.calls, leads: deps.loop.store, runs: deps.runs, artifacts: deps.artifacts,
        // Only the phone check asks Convoso: plan, fetch and summary run without its token (a fresh deploy's reconcile).
        crm: crm ? new RateLimitedCrm(crm, new TokenBucket(rate, 1, () => systemClock.now(), (ms) => new Promise((r) => setTimeout(r, ms)))) : CRM_NOT_CONFIGURED,
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
