/**
 * The last step of `npm run bench`: one table of every benchmark's figures, the baseline each was measured against
 * in the same run, the ratio, the goal an earlier issue set and whether this run meets it, and the figure recorded
 * before (docs/architecture.md, docs/cost.md). Reads `.bench-out/*.json` (bench/results.ts); `--clear` empties it
 * (the first step of `npm run bench`, so a failed benchmark cannot show an old figure as this run's).
 */
import { clearBenchResults, readBenchResults } from './results';

const ORDER = ['decisions', 'loop', 'backfill', 'ops', 'cli', 'pacing'];

function main(): void {
  if (process.argv.includes('--clear')) {
    clearBenchResults();
    return;
  }
  const results = readBenchResults().sort((a, b) => ORDER.indexOf(a.bench) - ORDER.indexOf(b.bench));
  if (results.length === 0) {
    console.error('no benchmark results in .bench-out/: run npm run bench');
    process.exitCode = 1;
    return;
  }
  const missing = ORDER.filter((b) => !results.some((r) => r.bench === b));
  const header = ['measure', 'figure', 'baseline (same run)', 'ratio', 'goal', 'met', 'recorded before'];
  const body = results.flatMap((r) => r.rows.map((row) => [
    row.measure, row.figure, row.baseline, row.ratio, row.goal, row.met === null ? (row.goal ? 'n/a' : '') : row.met ? 'yes' : 'NO', row.recorded,
  ]));
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((cells) => cells[i]!.length)));
  const line = (cells: readonly string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  console.log('\n== npm run bench: summary (this machine, this run; ratios are against baselines measured in the same run) ==');
  console.log(`sizes: ${results.map((r) => `${r.bench} ${Object.entries(r.sizes).map(([k, v]) => `${k}=${v}`).join(' ')}`).join('; ')}`);
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const cells of body) console.log(line(cells));
  console.log('met: n/a = judged at the full size only (a smoke run is too small). Goals: the issues that set them; "recorded before": docs/architecture.md (issues 3-5), full sizes.');
  if (missing.length > 0) console.log(`not in this run: ${missing.join(', ')}`);
}

main();
