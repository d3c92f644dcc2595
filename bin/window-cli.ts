/**
 * `redial window` (and help and unknown verbs): whether a number may be called at an instant, and why. The verb that
 * needs the calling rules, the zone data and the config schema, so it is loaded only when it runs.
 * Exit codes: 0 answered (allowed or not), 2 bad arguments or configuration.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DateTime } from 'luxon';
import type { CallingWindowConfig } from '../lambdas/config/config';
import { DEFAULT_WINDOW_CONFIG } from '../lambdas/config/window-defaults.generated';
import { InvalidRequestError, makeCheckWindow } from '../lambdas/app/check-window';
import { systemClock } from '../lambdas/adapters/system-clock';
import type { Clock } from '../lambdas/ports/clock';

export const USAGE = `usage:
  redial window --phone <number> [--state XX] [--zip NNNNN] [--tz IANA] [--calls-last-24h ISO,...]
                [--at <ISO instant, default now>] [--config file.json] [--json]
  redial backfill start --from YYYY-MM-DD --to YYYY-MM-DD [--dry-run] [--run-id ID] [--max-concurrency N] [--no-wait]
  redial backfill status <runId>
  redial backfill resume <runId>
                (against the local runtime: --url, --api-key; against AWS: --aws)
  redial pause | resume | status   the kill switch (--url, --api-key: the local runtime, or ApiUrl + adminApiKey)
  redial lead <phone> [pause|resume|stop] [--json]
                                    a lead, its attempts, its next attempt and why (after the action)
  redial crm-replay                 send the parked CRM writes again
  redial report today | totals | caller-ids [--json]
  redial report breakdown | range --from YYYY-MM-DD [--to YYYY-MM-DD] [--json]
                                    the reports, as aligned tables (days of config.reporting.zone)
  redial block <number> | --area-code NNN | --prefix +1NNN  --reason "why"
  redial unblock <number> | --area-code NNN | --prefix +1NNN
  redial blocklist [--json]         never called or texted; BAD_NUMBER listings too (unblock releases them)
  redial replay --from <YYYY-MM-DD|ISO instant> [--to ..., default --from] [--route leads|webhooks-bland|webhooks-bland-sms|tools-lead-data ...]
                [--dry-run] [--json]     re-feed archived inbound bodies through their routes (idempotent; tool bodies only when named)
  redial cost --leads N [--dials-per-lead-per-day 8] [--avg-call-seconds 40] [--bland-tier start|build|scale] [--json]
  redial capacity --leads N [--plan start|build|scale] [--avg-call-seconds 45] [--json]   dials due a day vs what each plan places
                                    AWS and Bland cost per day and per dial, from published unit prices`;

class UsageError extends Error {}

/** An ISO instant with an explicit offset or Z: a local time without one would be ambiguous. */
export function parseInstant(value: string, field: string): number {
  const parsed = DateTime.fromISO(value, { setZone: true });
  // A date and a time, then Z or an offset: `2026-07-15` alone (its "-15" is no offset) is refused.
  if (!parsed.isValid || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)$/i.test(value.trim())) {
    throw new UsageError(`${field}: "${value}" is not an ISO instant with an offset (e.g. 2026-03-10T15:00:00Z or 2026-03-10T11:00:00-04:00)`);
  }
  return parsed.toMillis();
}

/** The calling window's configuration: the defaults, or a config file checked by the schema (loaded only then). */
function loadWindowConfig(path: string | undefined): CallingWindowConfig {
  if (!path) return DEFAULT_WINDOW_CONFIG;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new UsageError(`--config: cannot read ${path} as JSON (${(error as Error).message})`);
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { parseConfig } = require('../lambdas/config/config') as typeof import('../lambdas/config/config');
  return parseConfig(raw).window;
}

export function runWindow(argv: string[], clock: Clock, out: (line: string) => void): number {
  const { values } = parseArgs({
    args: argv,
    options: {
      phone: { type: 'string' },
      state: { type: 'string' },
      zip: { type: 'string' },
      tz: { type: 'string' },
      'calls-last-24h': { type: 'string' },
      at: { type: 'string' },
      config: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (!values.phone) throw new UsageError('--phone is required');
  const at = values.at && values.at !== 'now' ? parseInstant(values.at, '--at') : clock.now();
  const callTimes = (values['calls-last-24h'] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => parseInstant(s, '--calls-last-24h'));
  const checkWindow = makeCheckWindow({ window: loadWindowConfig(values.config) });
  const answer = checkWindow({ phone: values.phone, state: values.state, zip: values.zip, tz: values.tz, callTimes, at });
  if (values.json) {
    out(JSON.stringify({ allowed: answer.allowed, nextAllowedAt: answer.nextAllowedAt, zones: answer.zones, reasons: answer.reasons }));
    return 0;
  }
  const atIso = DateTime.fromMillis(at, { zone: 'utc' }).toISO({ suppressMilliseconds: true });
  out(`phone           ${answer.phone}`);
  out(`at              ${atIso}`);
  out(`allowed         ${answer.allowed ? 'yes' : 'NO'}`);
  out(`next allowed    ${answer.nextAllowedAt ?? 'none within the horizon'}`);
  out(`zones           ${answer.zones.join(', ')}  (from ${answer.sources.join(' > ')})`);
  out(`rules of        ${answer.regions.length ? answer.regions.join(', ') : 'unknown state: every rule applies'}`);
  for (const warning of answer.warnings) out(`warning         ${warning}`);
  for (const [i, reason] of answer.reasons.entries()) out(`${i === 0 ? 'reasons         ' : '                '}${reason}`);
  return 0;
}

export function main(argv: string[], clock: Clock = systemClock, out = console.log, err = console.error): number {
  const [verb, ...rest] = argv;
  try {
    switch (verb) {
      case 'window':
        return runWindow(rest, clock, out);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        out(USAGE);
        return verb === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command "${verb}"`);
    }
  } catch (error) {
    if (error instanceof UsageError || error instanceof InvalidRequestError || (error as Error).name === 'ConfigError') {
      err(`redial: ${(error as Error).message}`);
      if (error instanceof UsageError) err(USAGE);
      return 2;
    }
    // node:util parseArgs errors (unknown option, missing value) carry an ERR_PARSE_ARGS_* code.
    if (String((error as { code?: unknown }).code ?? '').startsWith('ERR_PARSE_ARGS')) {
      err(`redial: ${(error as Error).message}`);
      err(USAGE);
      return 2;
    }
    throw error;
  }
}

