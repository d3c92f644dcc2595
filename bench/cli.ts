/**
 * npm run bench (CLI part): how long an operator waits for `npx redial <verb>` to answer, for a verb that needs no
 * runtime (cost), the one that loads the calling rules (window), and one that asks the admin API (report today,
 * against a closed port, so it answers at once with its error). Each is timed end to end in a fresh process:
 *   ours      node_modules/.bin/redial through npx: the esbuild bundle, one module per verb (bin/redial-cli.cjs)
 *   baseline  the same entry with REDIAL_CLI_NO_BUNDLE=1: TypeScript compiled by tsx at every start, as before
 * The median of BENCH_CLI_RUNS runs (default 7). Goal (issue 14): under 1 s per command through npx.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fixed, writeBenchResult } from './results';

const RUNS = Number(process.env.BENCH_CLI_RUNS ?? 7);
const ROOT = join(__dirname, '..');
const COMMANDS: readonly (readonly string[])[] = [
  ['cost', '--leads', '1000'],
  ['window', '--phone', '(850) 555-0123', '--zip', '32501', '--at', '2026-07-15T18:00:00Z', '--json'],
  ['report', 'today', '--url', 'http://127.0.0.1:9'],
];

function medianMs(args: readonly string[], env: NodeJS.ProcessEnv): number {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const run = spawnSync('npx', ['--no-install', 'redial', ...args], { cwd: ROOT, env, encoding: 'utf8' });
    times.push(performance.now() - t0);
    if (run.status !== 0 && args[0] !== 'report') throw new Error(`npx redial ${args.join(' ')} exited ${run.status}: ${run.stderr}`);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
}

function main(): void {
  // The first start builds the bundle (once per change of the sources): not what an operator waits for every time.
  spawnSync('npx', ['--no-install', 'redial', 'cost', '--leads', '1'], { cwd: ROOT, stdio: 'ignore' });
  console.log(`== CLI start to answer, npx redial, median of ${RUNS} runs ==`);
  const rows = COMMANDS.map((args) => {
    const ours = medianMs(args, process.env);
    const baseline = medianMs(args, { ...process.env, REDIAL_CLI_NO_BUNDLE: '1' });
    const verb = args.slice(0, args[0] === 'report' ? 2 : 1).join(' ');
    console.log(`  ${verb.padEnd(14)} ${fixed(ours, 0).padStart(6)} ms (tsx at every start: ${fixed(baseline, 0)} ms, ${fixed(baseline / ours, 2)}x)`);
    return {
      measure: `npx redial ${verb}: start to answer`,
      figure: `${fixed(ours, 0)} ms`,
      baseline: `${fixed(baseline, 0)} ms (tsx)`,
      ratio: `${fixed(baseline / ours, 2)}x faster`,
      goal: '< 1,000 ms (issue 14)',
      met: ours < 1000,
      recorded: verb === 'cost' ? 'about 4 s (acceptance run)' : '',
    };
  });
  writeBenchResult('cli', { BENCH_CLI_RUNS: RUNS }, rows);
}

main();
