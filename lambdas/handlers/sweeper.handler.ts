import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { makeReports } from '../app/reports';
import { makeSweep } from '../app/sweep';
import { METRIC } from '../ports/metrics';
import { awsDeps, logger, metrics, requireBlandKey } from './aws-deps';

/**
 * Every 5 minutes (EventBridge rule): overdue attempts are scheduled again, stuck claims recovered; and the open-lead
 * gauge the dashboard's volume target (8 dials a day per open lead) is drawn from.
 */
export async function handler(): Promise<{ rescheduled: number; recovered: number; openLeads: number }> {
  try {
    const deps = await awsDeps();
    requireBlandKey(deps);
    const result = await makeSweep(deps.loop)();
    const totals = await makeReports({ reports: deps.store, clock: deps.loop.clock, config: deps.loop.config }).totals();
    metrics.addMetric(METRIC.openLeads, MetricUnit.Count, totals.active);
    logger.info('sweep', { ...result, openLeads: totals.active });
    return { ...result, openLeads: totals.active };
  } finally {
    metrics.publishStoredMetrics();
  }
}
