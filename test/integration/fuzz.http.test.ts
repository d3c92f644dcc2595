import { createHmac } from 'node:crypto';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { ManualClock } from '../../lambdas/adapters/system-clock';
import { parseConfig } from '../../lambdas/config/config';
import { LOCAL_DEMO_CONFIG, startLocalRuntime, type LocalRuntime } from '../../bin/local-runtime';
import { runReplay } from '../../bin/replay-cli';

/**
 * Bad input, fuzzed over HTTP against the local runtime: 10,000 generated bodies across the intake, call webhook,
 * text webhook, mid-call tool and admin routes. Malformed JSON and forms, wrong types, unicode, injection strings,
 * giant fields, missing and forged keys and signatures. Expected: never a 5xx; every refusal names the field or the
 * reason; every body sent to a public route is archived (its archive key answered, the file present).
 */
let rt: LocalRuntime;
let dataDir: string;
const SECRET = 'local-webhook-secret';
const RUNS = Number(process.env.FUZZ_RUNS ?? 2000);

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'redial-fuzz-'));
  rt = await startLocalRuntime({
    config: parseConfig(LOCAL_DEMO_CONFIG), dataDir, clock: new ManualClock(Date.parse('2026-11-24T17:00:00Z')), tickMs: 0,
    bland: { talkMs: 0, dropRate: 0, duplicateRate: 0, ratePerSecond: 1000 },
  });
}, 60_000);
afterAll(async () => rt?.stop());

const nasty = fc.constantFrom(
  "'; DROP TABLE leads; --", '<script>alert(1)</script>', '{{phone_number}}', '${jndi:ldap://x}', '../../etc/passwd', '\u0000', '\uFEFF+1 212 555 0100',
  '🙂📞', '٢١٢٥٥٥٠١٠٠', 'null', 'undefined', 'NaN', '-1', '1e309', ' ', '+1 (212) 555-0100', '2125550100', '+12125550100', '+1212555010', '911',
);
const value: fc.Arbitrary<unknown> = fc.oneof(
  nasty, fc.string(), fc.string({ unit: 'binary', maxLength: 40 }), fc.integer(), fc.double(), fc.boolean(), fc.constant(null),
  fc.array(fc.string(), { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 5 }), fc.string(), { maxKeys: 3 }),
);
const keys = ['phone', 'phone_number', 'first_name', 'zip', 'state', 'email', 'lead_id', 'call_id', 'status', 'answered_by', 'inbound', 'from',
  'metadata', 'disposition_tag', 'message', 'user_number', 'plan_type', 'age', 'member_count', 'number', 'areaCode', 'prefix', 'reason', 'call_length'];
const object = fc.dictionary(fc.oneof(fc.constantFrom(...keys), fc.string({ maxLength: 8 })), value, { maxKeys: 8 });
const body = fc.oneof(
  { weight: 5, arbitrary: object.map((o) => JSON.stringify(o)) },
  { weight: 2, arbitrary: fc.string({ maxLength: 200 }) }, // malformed JSON or a form
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 100 }) },
  { weight: 1, arbitrary: object.map((o) => new URLSearchParams(Object.entries(o).map(([k, v]): [string, string] => [k, typeof v === 'string' ? v : JSON.stringify(v) ?? ''])).toString()) },
  { weight: 1, arbitrary: fc.constantFrom('', '[]', 'null', '"x"', '{', '{"phone":{"$gt":""}}', JSON.stringify({ phone: '2125550100', notes: 'x'.repeat(300_000) })) },
);
const contentType = fc.constantFrom('application/json', 'application/x-www-form-urlencoded', 'text/plain', '', 'application/json; charset=utf-8');
// Mostly valid credentials, so that most bodies reach validation; missing and forged ones a third of the time.
const auth = fc.constantFrom('valid', 'valid', 'valid', 'valid', 'missing', 'forged');

type Route = { path: string; method: string; headers: (raw: string, a: string) => Record<string, string>; archived: boolean };
const ROUTES: Route[] = [
  { path: '/leads', method: 'POST', archived: true, headers: (_r, a) => (a === 'missing' ? ({} as Record<string, string>) : { 'x-api-key': a === 'valid' ? 'local-dev-key' : 'local-dev-kez' }) },
  { path: '/webhooks/bland', method: 'POST', archived: true, headers: (raw, a) => (a === 'missing' ? ({} as Record<string, string>) : { 'x-webhook-signature': a === 'valid' ? createHmac('sha256', SECRET).update(raw).digest('hex') : 'f'.repeat(64) }) },
  { path: '/webhooks/bland-sms', method: 'POST', archived: true, headers: (raw, a) => (a === 'missing' ? ({} as Record<string, string>) : { 'x-webhook-signature': a === 'valid' ? createHmac('sha256', SECRET).update(raw).digest('hex') : 'f'.repeat(64) }) },
  { path: '/tools/lead-data', method: 'POST', archived: true, headers: (_r, a) => (a === 'missing' ? ({} as Record<string, string>) : { authorization: `Bearer ${a === 'valid' ? 'local-tools-key' : 'nope'}` }) },
  { path: '/admin/blocklist', method: 'POST', archived: false, headers: (_r, a) => (a === 'missing' ? ({} as Record<string, string>) : { 'x-api-key': a === 'valid' ? 'local-dev-key' : 'guess' }) },
];

describe('fuzzed bodies (10,000 across five routes)', () => {
  const statuses = new Map<number, number>();
  /** Bodies sent with a valid key or signature to an archived route: the ones a replay re-feeds. */
  let authenticated = 0;
  afterAll(() => {
    // The spread of answers, for the record (a fuzz that only ever got 401 would prove little).
    console.log(`fuzz answers by status: ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`);
  });

  it.each(ROUTES)('$method $path: no 5xx, every refusal names the field or reason, every body archived', async (route) => {
    await fc.assert(fc.asyncProperty(body, contentType, auth, async (raw, type, a) => {
      const res = await fetch(`${rt.url}${route.path}`, { method: route.method, headers: { ...(type ? { 'content-type': type } : {}), ...route.headers(raw, a) }, body: raw });
      const answer = (await res.json()) as { error?: unknown; issues?: { field: string; message: string }[]; archiveKey?: unknown };
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      if (route.archived && a === 'valid') authenticated++;
      expect(res.status).toBeLessThan(500);
      if (res.status >= 400) {
        expect(typeof answer.error).toBe('string');
        expect((answer.error as string).length).toBeGreaterThan(5);
        for (const issue of answer.issues ?? []) expect(issue.field.length).toBeGreaterThan(0);
      }
      if (route.archived && res.status !== 503) {
        expect(typeof answer.archiveKey === 'string' || res.status < 300).toBe(true);
        if (typeof answer.archiveKey === 'string') expect(existsSync(join(dataDir, 'archive', answer.archiveKey))).toBe(true);
      }
    }), { numRuns: RUNS, seed: 42 });
  }, 300_000);

  it('the archive replays: every authenticated body re-fed through its route, none answered 5xx, forged ones skipped', async () => {
    const lines: string[] = [];
    expect(await runReplay(['--from', '2026-11-24', '--limit', '500', '--json', '--route', 'leads', '--route', 'webhooks-bland', '--route', 'webhooks-bland-sms', '--route', 'tools-lead-data'], (l) => lines.push(l), { REDIAL_URL: rt.url, REDIAL_API_KEY: rt.apiKey })).toBe(0);
    const result = JSON.parse(lines.at(-1)!) as { replayed: number; unauthenticated: number; byRoute: Record<string, Record<string, number>> };
    console.log(`fuzz archive replayed: ${JSON.stringify(result.byRoute)}`);
    expect(result.replayed).toBe(authenticated);
    expect(result.unauthenticated).toBeGreaterThan(0);
    for (const statuses of Object.values(result.byRoute)) for (const status of Object.keys(statuses)) expect(Number(status)).toBeLessThan(500);
  }, 300_000);
});
