/**
 * `npm start`: the whole system on this machine. HTTP routes on 127.0.0.1:3000 (POST /leads, POST /webhooks/bland,
 * GET /leads/<phone>, GET /health), dynalite under .redial/, the local scheduler and queue, and the Bland and
 * Convoso simulators. Options: --speed N (simulated clock N times faster), --port P, --fresh (start from an empty
 * data directory), --data-dir D (default .redial), --start-at <ISO instant> (the simulated clock starts there, e.g. inside
 * the calling window). Config overrides: REDIAL_CONFIG='{"policy":{"maxCallsPerDay":6}}'.
 */
import { rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError, parseConfig, type Config } from '../lambdas/config/config';
import { LOCAL_DEMO_CONFIG, startLocalRuntime } from './local-runtime';

function loadConfig(): Config {
  try {
    return parseConfig({ ...LOCAL_DEMO_CONFIG, ...(process.env.REDIAL_CONFIG ? JSON.parse(process.env.REDIAL_CONFIG) : {}) });
  } catch (error) {
    // Invalid configuration stops the start with the bad keys named, not a stack trace.
    console.error(error instanceof ConfigError ? error.message : `REDIAL_CONFIG is not valid JSON: ${(error as Error).message}`);
    process.exit(2);
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      speed: { type: 'string', default: '1' },
      port: { type: 'string', default: process.env.PORT ?? '3000' },
      fresh: { type: 'boolean', default: false },
      'data-dir': { type: 'string', default: '.redial' },
      'start-at': { type: 'string' },
    },
  });
  const speed = Number(values.speed);
  if (!Number.isFinite(speed) || speed <= 0 || speed > 10_000) throw new Error(`--speed must be a number between 0 and 10000, got ${values.speed}`);
  const startAt = values['start-at'] === undefined ? undefined : Date.parse(values['start-at']);
  if (startAt !== undefined && (Number.isNaN(startAt) || !/^\d{4}-\d{2}-\d{2}T/.test(values['start-at']!))) {
    console.error(`redial: --start-at must be an ISO instant such as 2026-12-08T16:00:00Z, got ${values['start-at']}`);
    process.exit(2);
  }
  // Another directory keeps a second runtime (or a test's) from touching the one in .redial/.
  const dataDir = values['data-dir'];
  if (values.fresh) rmSync(dataDir, { recursive: true, force: true });
  const runtime = await startLocalRuntime({ config: loadConfig(), dataDir, port: Number(values.port), speed, ...(startAt !== undefined ? { startAt } : {}), demoHistory: true, crmKnowsPostedLeads: true, log: (line) => console.log(line) });
  console.log(`redial local runtime on ${runtime.url} (speed x${speed}${startAt !== undefined ? `, clock from ${new Date(startAt).toISOString()}` : ''}; ${runtime.resumed} pending attempts resumed from ${dataDir}/)`);
  console.log(`Bland simulator ${runtime.bland.url}, Convoso simulator ${runtime.convoso.url}. Post a lead from another terminal:`);
  console.log(`  curl -s -X POST ${runtime.url}/leads -H 'X-API-Key: ${runtime.apiKey}' -H 'content-type: application/json' -d '{"phone":"(212) 555-0100","first_name":"Ada","state":"NY"}'`);
  console.log(`  curl -s ${runtime.url}/leads/%2B12125550100`);
  console.log(`  npx redial backfill start --from 2025-12-01 --to 2026-01-07 --dry-run   # walks the simulator's call history`);
  const stop = async () => {
    await runtime.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((error: unknown) => {
  console.error(`redial: ${(error as Error).message}`);
  process.exit(1);
});
