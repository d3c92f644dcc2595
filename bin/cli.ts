#!/usr/bin/env node
/**
 * redial operator CLI: every verb (docs/operations.md; `redial help` lists them). Each verb's module is loaded when it
 * runs, so a command starts without the code (and the AWS SDK, the zone data) of the others.
 * Exit codes: 0 done, 1 the command ran and failed (e.g. a backfill with failed dates), 2 bad arguments.
 */
import { systemClock } from '../lambdas/adapters/system-clock';
import type { Clock } from '../lambdas/ports/clock';
import { BackfillCliError } from './admin-api';

const ASYNC_VERBS = ['backfill', 'pause', 'resume', 'status', 'lead', 'crm-replay', 'report', 'cost', 'capacity', 'block', 'unblock', 'blocklist', 'replay'];

/** Every verb, including those that talk to a runtime (backfill): resolves to the exit code. */
export async function mainAsync(argv: string[], clock: Clock = systemClock, out = console.log, err = console.error): Promise<number> {
  if (!ASYNC_VERBS.includes(argv[0] ?? '')) return (await import('./window-cli.js')).main(argv, clock, out, err);
  try {
    // Each verb's module is loaded when it runs: a command starts without the others (and without the AWS SDK).
    if (argv[0] === 'block' || argv[0] === 'unblock' || argv[0] === 'blocklist') return await (await import('./blocklist-cli.js')).runBlocklist(argv, out);
    if (argv[0] === 'cost') return (await import('./cost-cli.js')).runCost(argv.slice(1), out);
    if (argv[0] === 'capacity') return (await import('./capacity-cli.js')).runCapacity(argv.slice(1), out);
    if (argv[0] === 'replay') return await (await import('./replay-cli.js')).runReplay(argv.slice(1), out);
    if (argv[0] === 'report') return await (await import('./report-cli.js')).runReport(argv.slice(1), out);
    if (argv[0] === 'lead' || argv[0] === 'crm-replay') return await (await import('./admin-cli.js')).runAdminVerb(argv, out);
    if (argv[0] !== 'backfill') return await (await import('./admin-cli.js')).runKillSwitch(argv, out);
    return await (await import('./backfill-cli.js')).runBackfill(argv.slice(1), clock, { out, sleep: (ms) => new Promise((r) => setTimeout(r, ms)) });
  } catch (error) {
    if (error instanceof BackfillCliError || String((error as { code?: unknown }).code ?? '').startsWith('ERR_PARSE_ARGS')) {
      err(`redial: ${(error as Error).message}`);
      return 2;
    }
    throw error;
  }
}

// Run directly (`tsx bin/cli.ts`); the bundle behind `npx redial` calls mainAsync itself.
if (typeof module !== 'undefined' && require.main === module) {
  void mainAsync(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
