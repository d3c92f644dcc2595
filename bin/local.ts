/**
 * `npm start`. The embedded local runtime (webhooks, scheduler, queue, simulators) arrives with the live-loop
 * issue; until then this runs the calling-rules demo: a few leads across zones, whether each may be called now,
 * and when each would next be dialed after a no-answer.
 */
import { DateTime } from 'luxon';
import { ConfigError, parseConfig, type Config } from '../lambdas/config/config';
import { CallingWindow } from '../lambdas/domain/calling-window';
import { resolveLocation } from '../lambdas/domain/location';
import { normalizePhone } from '../lambdas/domain/phone';
import { RedialPolicy } from '../lambdas/domain/redial-policy';
import { systemClock } from '../lambdas/adapters/system-clock';

function loadConfig(): Config {
  try {
    return parseConfig(process.env.REDIAL_CONFIG ? JSON.parse(process.env.REDIAL_CONFIG) : {});
  } catch (error) {
    // Invalid configuration stops the start with the bad keys named, not a stack trace.
    console.error(error instanceof ConfigError ? error.message : `REDIAL_CONFIG is not valid JSON: ${(error as Error).message}`);
    process.exit(2);
  }
}

const config = loadConfig();
const window = new CallingWindow(config.window);
const policy = new RedialPolicy(config.policy, window);
const now = systemClock.now(); // the composition root is the one place that reads the clock

const leads = [
  { phone: '(212) 555-0123', state: 'NY' },
  { phone: '(850) 555-0123', zip: '32501' },
  { phone: '(850) 555-0124' },
  { phone: '(602) 555-0100', state: 'AZ' },
  { phone: '(808) 555-0100', state: 'HI' },
  { phone: '(907) 555-0100', state: 'AK' },
  { phone: '(512) 555-0100', state: 'TX' },
  { phone: '(401) 555-0100', state: 'RI' },
];

console.log('redial: local runtime not built yet (it lands with the live-loop issue). Calling-rules demo:');
console.log(`now ${DateTime.fromMillis(now).toUTC().toISO({ suppressMilliseconds: true })}; business hours ${config.window.business.start}-${config.window.business.end} ${config.window.business.zone}\n`);
const fmt = (ms: number | null, zone: string) => (ms === null ? 'none within the horizon' : DateTime.fromMillis(ms, { zone }).toFormat('ccc yyyy-MM-dd HH:mm ZZZZ'));
for (const lead of leads) {
  const phone = normalizePhone(lead.phone);
  if (!phone.ok) {
    console.log(`${lead.phone}: ${phone.reason}`);
    continue;
  }
  const location = resolveLocation(phone.areaCode, lead);
  const subject = { zones: location.zones, regions: location.regions, callTimes: [now] };
  const allowed = window.isAllowed({ ...subject, callTimes: [] }, now);
  const next = policy.decide({ primaryZone: location.primaryZone, window: subject, createdAt: now, totalCalls: 1 }, { outcome: 'NO_ANSWER' }, now);
  console.log(`${phone.phone}  zones ${location.zones.join('+').padEnd(36)} rules ${location.regions.join(',') || '*'}`);
  console.log(`   callable now: ${allowed.allowed ? 'yes' : `no (${allowed.reasons[0]?.message})`}`);
  console.log(`   after a NO_ANSWER now: ${next.kind === 'redial' ? fmt(next.nextAttemptAt, location.primaryZone) : next.kind}\n`);
}
console.log('Check any lead yourself: npx redial window --phone "(850) 555-0123" --zip 32501 --at 2026-07-15T18:00:00Z');
