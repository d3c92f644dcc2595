import type { MetricUnit, MetricsSink } from '../../ports/metrics';

/** The local runtime's metrics: a tally per name (sum, count, max), read by tests and `GET /admin/metrics`. */
export class MemoryMetrics implements MetricsSink {
  private readonly tally = new Map<string, { sum: number; count: number; max: number; unit: MetricUnit }>();

  add(name: string, value: number, unit: MetricUnit = 'Count'): void {
    const t = this.tally.get(name) ?? { sum: 0, count: 0, max: -Infinity, unit };
    this.tally.set(name, { sum: t.sum + value, count: t.count + 1, max: Math.max(t.max, value), unit });
  }

  /** Sum of the values added under `name` (0 if none). */
  sum(name: string): number {
    return this.tally.get(name)?.sum ?? 0;
  }

  snapshot(): Record<string, { sum: number; count: number; max: number; unit: MetricUnit }> {
    return Object.fromEntries([...this.tally].sort(([a], [b]) => a.localeCompare(b)));
  }
}
