import { makeSweep } from '../app/sweep';
import { awsDeps, logger, metrics } from './aws-deps';

/** Every few minutes (EventBridge rule): overdue attempts are scheduled again, stuck claims recovered. */
export async function handler(): Promise<{ rescheduled: number; recovered: number }> {
  try {
    const deps = await awsDeps();
    const result = await makeSweep(deps.loop)();
    logger.info('sweep', result);
    return result;
  } finally {
    metrics.publishStoredMetrics();
  }
}
