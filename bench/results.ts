import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Each benchmark is its own `tsx` process; it writes its figures here (`.bench-out/<bench>.json`, gitignored) and
 * `tsx bench/summary.ts` prints them as one table at the end of `npm run bench`.
 */
export const BENCH_OUT = join(__dirname, '..', '.bench-out');

export interface BenchRow {
  /** What was measured, e.g. "loop leads/s (30 leads)". */
  readonly measure: string;
  /** The figure, already formatted with its unit (e.g. "9.3 leads/s"). */
  readonly figure: string;
  /** The baseline measured in the same run, formatted, or "" when the row has none. */
  readonly baseline: string;
  /** figure ÷ baseline, formatted (e.g. "4.87x"), or "". */
  readonly ratio: string;
  /** The goal an earlier issue set, with where it was set, or "". */
  readonly goal: string;
  /** Whether this run meets the goal: true, false, or null when the goal does not apply at this size. */
  readonly met: boolean | null;
  /** The figure recorded before (docs), for comparison, or "". */
  readonly recorded: string;
}

export interface BenchResult {
  readonly bench: string;
  /** The sizes the run used (env), so a smoke run is never mistaken for a full one. */
  readonly sizes: Readonly<Record<string, number>>;
  readonly at: string;
  readonly rows: readonly BenchRow[];
  /** The full figures, for docs that derive from them (docs/scale.md reads the ops bench's). */
  readonly detail?: unknown;
}

export function writeBenchResult(bench: string, sizes: Readonly<Record<string, number>>, rows: readonly BenchRow[], detail?: unknown): void {
  mkdirSync(BENCH_OUT, { recursive: true });
  const result: BenchResult = { bench, sizes, at: new Date().toISOString(), rows, ...(detail === undefined ? {} : { detail }) };
  writeFileSync(join(BENCH_OUT, `${bench}.json`), `${JSON.stringify(result, null, 2)}\n`);
}

export function readBenchResults(): BenchResult[] {
  let files: string[];
  try {
    files = readdirSync(BENCH_OUT).filter((f) => f.endsWith('.json')).sort();
  } catch {
    return [];
  }
  return files.map((f) => JSON.parse(readFileSync(join(BENCH_OUT, f), 'utf8')) as BenchResult);
}

/** Forgets the results of earlier runs (the first step of `npm run bench`). */
export function clearBenchResults(): void {
  rmSync(BENCH_OUT, { recursive: true, force: true });
}

export const fixed = (n: number, digits = 1) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
