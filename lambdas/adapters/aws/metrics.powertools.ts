import { MetricUnit as PowertoolsUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { MetricUnit, MetricsSink } from '../../ports/metrics';

const UNITS = { Count: PowertoolsUnit.Count, Milliseconds: PowertoolsUnit.Milliseconds, None: PowertoolsUnit.NoUnit } as const;

/** MetricsSink on Powertools Metrics: EMF lines, published by each handler at the end of its invocation. */
export class PowertoolsMetricsSink implements MetricsSink {
  constructor(private readonly metrics: Metrics) {}

  add(name: string, value: number, unit: MetricUnit = 'Count'): void {
    this.metrics.addMetric(name, UNITS[unit], value);
  }
}
