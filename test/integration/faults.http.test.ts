import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../lambdas/adapters/system-clock';
import { startLocalDynamoProcess, type LocalDynamo } from '../../lambdas/adapters/local/dynalite';
import { DEFAULT_CONFIG, parseConfig } from '../../lambdas/config/config';
import type { AttemptScheduler } from '../../lambdas/ports/attempt-scheduler';
import { startLocalRuntime, type LocalRuntime } from '../../bin/local-runtime';
import { startBlandSim, type BlandSim, type CallFault, type SimCall } from '../../sim/bland-sim';
import { startConvosoSim, type ConvosoSim } from '../../sim/convoso-sim';
import { seededRandom } from '../../sim/random';
import { oracleAllowed } from '../support/legal-oracle';

/**
 * The fault suite (issue 8): FAULT_LEADS leads (default 2,000) across every US zone, three business days
 * (Mon 2026-03-09 to Wed 2026-03-11, the first week of daylight time), through the local runtime over HTTP, with faults
 * drawn from one seed (FAULT_SEED):
 * - webhooks dropped, duplicated, delayed 5-45 simulated minutes (so a later call's webhook overtakes them: reordered);
 * - Bland answering 500/503/429 to a new call, or placing the call and cutting the answer (a client timeout);
 * - capacity refusals: the pacer on at its default plan (the plan full at each zone's opening) and Bland's 429s, each
 *   a deferral (at full size some must have happened);
 * - Convoso down 30 minutes each afternoon (pre-dial checks fail);
 * - dial messages delivered again (SQS at-least-once), fresh and long stale;
 * - a crash at each step of the dialer and of the outcome handler: after the claim (before the call), after the call
 *   (before its record), before the watchdog schedule, after the attempt record (before the lead), between the lead
 *   write and its next schedule, before the call is marked recorded;
 * - the runtime stopped and started again on the same data mid-afternoon on day 2 (its in-memory queue lost).
 * Checked every night (faults paused while the loop settles) and at the end: no dial outside the calling window (an
 * independent oracle), no attempt token dialed twice, at most 8 dials per lead per local day, every ACTIVE lead has
 * exactly one future attempt, every lead with a SALE or DNC call is terminal, no posted lead lost.
 */
const LEADS = Number(process.env.FAULT_LEADS ?? 2000);
const SEED = Number(process.env.FAULT_SEED ?? 8);
const MIN = 60_000;
const START = Date.parse('2026-03-09T08:00:00Z'); // Mon 04:00 EDT
const NIGHTS = ['2026-03-10T06:00:00Z', '2026-03-11T06:00:00Z', '2026-03-12T06:00:00Z'].map(Date.parse);
const END = NIGHTS.at(-1)!;
const RESTART_AT = Date.parse('2026-03-10T19:30:00Z');
const OUTAGES = ['2026-03-09T18:00:00Z', '2026-03-10T20:00:00Z', '2026-03-11T17:00:00Z'].map(Date.parse);
const SECRET = 'local-webhook-secret';

/**
 * Every US zone, by area code and the state Zapier sends, with the truth the oracle uses, written here by hand (not
 * taken from the system): every zone the person may be in (the state's zones, and the area code's) and every state
 * whose law binds. Texas, Tennessee, Florida, Arizona (Navajo Nation) and Alaska (the Aleutians) span two zones.
 */
const ET = 'America/New_York', CT = 'America/Chicago', MT = 'America/Denver', PT = 'America/Los_Angeles';
const PLACES: readonly { area: string; state: string | null; zones: string[]; regions: string[] }[] = [
  { area: '212', state: 'NY', zones: [ET], regions: ['NY'] }, { area: '305', state: 'FL', zones: [ET, CT], regions: ['FL'] },
  { area: '404', state: 'GA', zones: [ET], regions: ['GA'] }, { area: '617', state: 'MA', zones: [ET], regions: ['MA'] },
  { area: '312', state: 'IL', zones: [CT], regions: ['IL'] }, { area: '512', state: 'TX', zones: [CT, MT], regions: ['TX'] },
  { area: '615', state: 'TN', zones: [CT, ET], regions: ['TN'] }, { area: '303', state: 'CO', zones: [MT], regions: ['CO'] },
  { area: '801', state: 'UT', zones: [MT], regions: ['UT'] }, { area: '602', state: 'AZ', zones: ['America/Phoenix', MT], regions: ['AZ'] },
  { area: '213', state: 'CA', zones: [PT], regions: ['CA'] }, { area: '206', state: 'WA', zones: [PT], regions: ['WA'] },
  { area: '907', state: 'AK', zones: ['America/Anchorage', 'America/Adak'], regions: ['AK'] }, { area: '808', state: 'HI', zones: ['Pacific/Honolulu'], regions: ['HI'] },
  { area: '850', state: 'FL', zones: [ET, CT], regions: ['FL'] }, { area: '915', state: 'TX', zones: [CT, MT], regions: ['TX'] },
  // A New York number given a California address: both zones, both states' laws.
  { area: '212', state: 'CA', zones: [PT, ET], regions: ['CA', 'NY'] },
  // No state sent: the area code's (Nevada).
  { area: '702', state: null, zones: [PT], regions: ['NV'] },
];

class SimulatedCrash extends Error {
  constructor(readonly point: string) {
    super(`simulated crash: ${point}`);
  }
}

interface Lead {
  readonly phone: string;
  readonly place: (typeof PLACES)[number];
  readonly body: Record<string, string>;
  readonly arrivesAt: number;
  readonly postedTwice: boolean;
}

function makeLeads(random: () => number): Lead[] {
  const leads: Lead[] = [];
  for (let i = 0; i < LEADS; i++) {
    const place = PLACES[i % PLACES.length]!;
    const { area, state } = place;
    const phone = `+1${area}${String(2_000_000 + i).padStart(7, '0')}`;
    const r = random();
    // 60% waiting at the start of day 1, the rest through days 1 and 2 (some at night).
    const arrivesAt = r < 0.6 ? START : r < 0.85 ? START + Math.floor(random() * 20 * 60) * MIN : START + 86_400_000 + Math.floor(random() * 22 * 60) * MIN;
    leads.push({ phone, place, body: { phone, first_name: `Lead${i}`, ...(state ? { state } : {}) }, arrivesAt, postedTwice: random() < 0.05 });
  }
  return leads.sort((a, b) => a.arrivesAt - b.arrivesAt);
}

describe(`fault suite: ${LEADS} leads, every US zone, 3 business days, random faults (seed ${SEED})`, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'redial-faults-'));
  const clock = new ManualClock(START);
  const random = seededRandom(SEED);
  const faults: Record<string, number> = {};
  const count = (kind: string, n = 1) => {
    faults[kind] = (faults[kind] ?? 0) + n;
  };
  let faultsOn = true;
  const roll = (p: number) => faultsOn && random() < p;
  let bland: BlandSim;
  let convoso: ConvosoSim;
  let rt: LocalRuntime;
  let dynamo: LocalDynamo;
  let port = 0;

  const crashAfter = <T>(point: string, p: number, run: () => Promise<T>, when: (v: T) => boolean = () => true) => async (): Promise<T> => {
    const value = await run();
    if (when(value) && roll(p)) {
      count(`crash: ${point}`);
      throw new SimulatedCrash(point);
    }
    return value;
  };
  const crashBefore = (point: string, p: number) => {
    if (roll(p)) {
      count(`crash: ${point}`);
      throw new SimulatedCrash(point);
    }
  };

  /** The loop's store and scheduler, with a crash at each step of the dialer and the outcome handler. */
  const wrapPorts = {
    store: (store: LocalRuntime['store']) => new Proxy(store, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver) as unknown;
        if (typeof value !== 'function') return value;
        const fn = (value as (...a: unknown[]) => Promise<unknown>).bind(target);
        if (prop === 'claim') return (...a: unknown[]) => crashAfter('dialer, after the claim (before the call)', 0.01, () => fn(...a), (v) => v !== null)();
        if (prop === 'putCall') return (...a: unknown[]) => (crashBefore('after the call (before its record)', 0.01), fn(...a));
        if (prop === 'putAttempt') return (...a: unknown[]) => crashAfter('outcome, after the attempt record (before the lead)', 0.01, () => fn(...a))();
        if (prop === 'markOutcomeRecorded') return (...a: unknown[]) => (crashBefore('outcome, before the call is marked recorded', 0.01), fn(...a));
        return fn;
      },
    }),
    scheduler: (scheduler: AttemptScheduler): AttemptScheduler => ({
      schedule: async (name, at, message) => {
        crashBefore(name.startsWith('w-') ? 'dialer, after the call record (before its watchdog)' : 'after the lead write (before its next schedule)', 0.01);
        return scheduler.schedule(name, at, message);
      },
      cancel: (name) => scheduler.cancel(name),
    }),
  };

  const start = async () => {
    rt = await startLocalRuntime({
      config: parseConfig({}), dataDir, clock, tickMs: 0, port, webhookSecret: SECRET, sims: { bland, convoso }, dynamo, wrapPorts,
      blandRetry: { retries: 2, baseDelayMs: 1, maxDelayMs: 1, timeoutMs: 5_000, sleep: async () => undefined, random: () => 0 },
      crmRetry: { retries: 1, baseDelayMs: 1, maxDelayMs: 1, timeoutMs: 5_000, sleep: async () => undefined, random: () => 0 },
      writeBackRetry: { retries: 0, baseDelayMs: 1, maxDelayMs: 1, timeoutMs: 5_000, sleep: async () => undefined, random: () => 0 },
    });
    port = Number(new URL(rt.url).port);
  };

  beforeAll(async () => {
    bland = await startBlandSim({
      apiKey: 'sim-bland-key', webhookSecret: SECRET, seed: SEED, talkMs: 0, now: () => clock.now(), dropRate: 0.04, duplicateRate: 0.04,
      weights: { voicemail: 26, 'no-answer': 24, busy: 4, transferred: 6, callback: 5, sale: 12, dnc: 9, 'not-interested': 14 },
      callFault: (): CallFault | null => {
        if (!faultsOn) return null;
        const r = random();
        return r < 0.01 ? 500 : r < 0.02 ? 503 : r < 0.035 ? 429 : r < 0.045 ? 'lost-answer' : null;
      },
      webhookDelayMs: () => (roll(0.04) ? (5 + Math.floor(random() * 40)) * MIN : 0),
    });
    convoso = await startConvosoSim({ authToken: 'sim-convoso-token' });
    // The database outlives the runtime's restart, as DynamoDB outlives a Lambda container; in its own process, as
    // DynamoDB is (its work on the other core).
    dynamo = await startLocalDynamoProcess({ tableName: 'redial-faults' });
    await start();
  }, 60_000);
  afterAll(async () => {
    await rt?.stop();
    await bland?.stop();
    await convoso?.stop();
    await dynamo?.stop();
  });

  it('0 dials outside the window, 0 attempts dialed twice, <= 8 a day, one future attempt per open lead, every SALE/DNC terminal', async () => {
    const began = performance.now();
    const leads = makeLeads(random);
    const placeOf = new Map(leads.map((l) => [l.phone, l.place]));
    // A few leads a human already closed in Convoso (the pre-dial check finishes them), the rest open there.
    for (const [i, lead] of leads.entries()) convoso.addLead(lead.phone, { id: `c${i}`, listId: '1', status: i % 50 === 0 ? 'SALE' : 'NEW' });
    let posted = 0;
    // callsInWindow, tokens and leadDays: at the end (every call so far is also checked at each night's checkpoint);
    // futureAttempts and leadsKept: summed over the checkpoints.
    const checks = { checkpoints: 0, callsInWindow: 0, tokens: 0, leadDays: 0, futureAttempts: 0, attemptsOnlyInDueIndex: 0, terminal: 0, leadsKept: 0 };
    const violations: string[] = [];

    const post = async (lead: Lead) => {
      for (let tries = 1; ; tries++) {
        const res = await fetch(`${rt.url}/leads`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': rt.apiKey }, body: JSON.stringify(lead.body) });
        if (res.status === 202 || res.status === 200) return;
        // A crash answered 500: the sender retries (Zapier's autoreplay; docs/deploy.md), as any client of a 5xx would.
        if (res.status === 500 && tries < 5) {
          count('intake answered 500 (crash), posted again');
          continue;
        }
        violations.push(`intake of ${lead.phone} answered ${res.status}`);
        return;
      }
    };
    const step = async () => {
      await rt.loopOnce();
      await bland.settle();
      await bland.releaseDue();
      await rt.loopOnce();
    };

    /** The invariants that hold at every moment: window, tokens, daily cap (over every call placed so far). */
    const checkCalls = async (final: boolean) => {
      const byPhone = new Map<string, SimCall[]>();
      for (const call of bland.calls) byPhone.set(String(call.request['phone_number']), [...(byPhone.get(String(call.request['phone_number'])) ?? []), call]);
      const tokens = new Map<string, number>();
      for (const [phone, calls] of byPhone) {
        const lead = await rt.store.get(phone);
        if (!lead) {
          violations.push(`${phone} was called but is not stored`);
          continue;
        }
        const perDay = new Map<string, number>();
        for (const [i, call] of calls.entries()) {
          const earlier = calls.slice(0, i).map((c) => c.placedAt);
          const truth = placeOf.get(phone) ?? null;
          if (!truth || !oracleAllowed({ zones: truth.zones, regions: truth.regions, callTimes: earlier }, call.placedAt, DEFAULT_CONFIG.window)) {
            violations.push(`${phone}: call at ${new Date(call.placedAt).toISOString()} outside the window`);
          }
          if (final) checks.callsInWindow++;
          const token = String((call.request['metadata'] as { scheduleToken: string }).scheduleToken);
          tokens.set(token, (tokens.get(token) ?? 0) + 1);
          const day = new Intl.DateTimeFormat('en-CA', { timeZone: lead.primaryZone }).format(new Date(call.placedAt));
          perDay.set(day, (perDay.get(day) ?? 0) + 1);
        }
        for (const [day, n] of perDay) {
          if (final) checks.leadDays++;
          if (n > 8) violations.push(`${phone}: ${n} dials on ${day}`);
        }
      }
      for (const [token, n] of tokens) {
        if (final) checks.tokens++;
        if (n > 1) violations.push(`attempt ${token} dialed ${n} times`);
      }
    };

    /** At a quiet moment (faults paused, the loop settled and swept): every open lead has exactly one future attempt. */
    const checkFutureAttempts = async (upTo: number) => {
      const pending = rt.pending();
      const stuckMs = (DEFAULT_CONFIG.dialer.maxDurationMinutes + DEFAULT_CONFIG.dialer.watchdogGraceMinutes) * MIN;
      for (const lead of leads.filter((l) => l.arrivesAt <= upTo)) {
        const stored = await rt.store.get(lead.phone);
        checks.leadsKept++;
        if (!stored) {
          violations.push(`${lead.phone} was posted and is lost`);
          continue;
        }
        if (stored.status !== 'ACTIVE') continue;
        checks.futureAttempts++;
        const live = pending.filter((s) => s.message.kind === 'dial' && s.message.phone === lead.phone && s.message.scheduleToken === stored.scheduleToken);
        const claimed = stored.scheduleToken !== null && stored.claimedToken === stored.scheduleToken;
        // A claimed attempt is the lead's future: its watchdog, its webhook or (stuck) the next sweep moves it on.
        const recoverable = claimed && (pending.some((s) => s.message.kind === 'watchdog' && s.message.phone === lead.phone) || stored.updatedAt > clock.now() - stuckMs - 5 * MIN || (stored.nextAttemptAt ?? 0) > clock.now());
        // A schedule lost to a crash (between the lead write and its schedule): the attempt is still in the lead, on
        // the `due` index, and the sweeper schedules it once due (within its 2-minute grace and 5-minute period).
        const inDueIndex = !claimed && live.length === 0 && stored.nextAttemptAt !== null && stored.nextAttemptAt > clock.now() - 7 * MIN;
        // Once it is overdue by more than the sweeper's grace and period, it no longer counts (and is a violation).
        if (inDueIndex) checks.attemptsOnlyInDueIndex++;
        const attempts = live.length + (claimed || inDueIndex ? 1 : 0);
        if (stored.nextAttemptAt === null || attempts !== 1 || (claimed && !recoverable)) {
          violations.push(`${lead.phone}: ACTIVE with ${live.length} live dial schedules, claimed ${claimed}, recoverable ${recoverable}, next ${stored.nextAttemptAt === null ? 'none' : new Date(stored.nextAttemptAt).toISOString()}`);
        }
      }
    };

    const nightly = async (night: number) => {
      faultsOn = false;
      // Let everything in flight land (held webhooks, watchdogs, the sweeper's recoveries), then look.
      for (let t = clock.now(); t <= night + 30 * MIN; t += 5 * MIN) {
        clock.set(t);
        await step();
        await rt.sweep();
        await step();
      }
      await checkCalls(night === END);
      await checkFutureAttempts(clock.now());
      checks.checkpoints++;
      const line = `${new Date(night).toISOString().slice(0, 10)} night: ${bland.calls.length} dials so far, violations ${violations.length}`;
      console.log(line);
      faultsOn = true;
    };

    let next = 0;
    let nightIndex = 0;
    let restarted = false;
    let heldBeforeRestart = 0;
    let deferredBeforeRestart = 0;
    let outage: number | null = null;
    const pastTokens: { phone: string; scheduleToken: string }[] = [];
    while (clock.now() < END) {
      const now = clock.now();
      // Intake: leads whose time has come, some posted twice (Zapier retries).
      const arriving: Lead[] = [];
      while (next < leads.length && leads[next]!.arrivesAt <= now) arriving.push(leads[next++]!);
      for (let i = 0; i < arriving.length; i += 16) {
        await Promise.all(arriving.slice(i, i + 16).map(async (lead) => {
          await post(lead);
          posted++;
          if (lead.postedTwice) {
            count('intake posted twice');
            await post(lead);
          }
        }));
      }
      // Convoso down for 30 minutes once a day.
      if (outage === null && OUTAGES.some((o) => now >= o && now < o + 30 * MIN)) {
        outage = now;
        convoso.setDown(true);
        count('Convoso outages');
      } else if (outage !== null && now >= outage + 30 * MIN) {
        outage = null;
        convoso.setDown(false);
      }
      // The runtime stopped and started again on the same data (its in-memory queue and outbox lost).
      if (!restarted && now >= RESTART_AT) {
        restarted = true;
        count('runtime restarts');
        heldBeforeRestart += rt.metrics.sum('DialHeld_CrmUnavailable');
        deferredBeforeRestart += rt.metrics.sum('DialDeferred_Capacity');
        await rt.stop();
        await start();
      }
      // SQS at-least-once: copies of messages about to fire, and of attempts dialed long ago.
      for (const s of rt.pending().filter((x) => x.at <= now && x.message.kind === 'dial')) {
        if (roll(0.05)) {
          count('dial messages redelivered');
          await rt.queue.send(s.message);
        }
      }
      if (pastTokens.length > 0 && roll(0.2)) {
        count('stale dial messages redelivered');
        await rt.queue.send({ v: 1, kind: 'dial', ...pastTokens[Math.floor(random() * pastTokens.length)]! });
      }
      const before = bland.calls.length;
      await step();
      for (const call of bland.calls.slice(before)) pastTokens.push({ phone: String(call.request['phone_number']), scheduleToken: String((call.request['metadata'] as { scheduleToken: string }).scheduleToken) });

      if (nightIndex < NIGHTS.length && clock.now() >= NIGHTS[nightIndex]!) {
        await nightly(NIGHTS[nightIndex]!);
        nightIndex++;
        continue;
      }
      // The next minute, or straight to the next thing that can happen (quiet nights pass in one step).
      const candidates = [now + MIN];
      const nextSchedule = rt.nextAt();
      // Idle: no webhook held, and nothing due within the minute (rt.nextAt() covers schedules and delayed queue messages
      // alike, so a queued attempt due in 10 minutes, or a stale one, does not hold the clock to minute steps).
      const idle = bland.heldWebhooks === 0 && (nextSchedule === null || nextSchedule > now + MIN);
      if (idle) {
        candidates.length = 0;
        candidates.push(nextSchedule ?? END, next < leads.length ? leads[next]!.arrivesAt : END, NIGHTS[nightIndex] ?? END, ...OUTAGES.filter((o) => o > now), RESTART_AT > now ? RESTART_AT : END, now + 5 * MIN);
      }
      clock.set(Math.max(now + 1, Math.min(END, ...candidates)));
    }
    if (nightIndex < NIGHTS.length) await nightly(END);

    // Every lead with a SALE or DNC call ended there (or earlier, by another terminal outcome).
    const terminalCalls = bland.calls.filter((c) => c.outcome === 'sale' || c.outcome === 'dnc');
    for (const call of terminalCalls) {
      checks.terminal++;
      const lead = await rt.store.get(String(call.request['phone_number']));
      if (lead?.status !== 'DONE' || !['SALE', 'DNC'].includes(String(lead.outcome))) {
        violations.push(`${String(call.request['phone_number'])}: a ${call.outcome} call, but the lead is ${lead?.status} ${lead?.outcome}`);
      }
    }
    // Reordered: a delayed webhook sent after a later call to the same number was placed.
    const reordered = bland.calls.filter((c) => c.delayedMs !== undefined && bland.calls.some((d) => d.request['phone_number'] === c.request['phone_number'] && d.placedAt > c.placedAt && d.placedAt < c.placedAt + c.delayedMs!)).length;
    const webhooks = { dropped: 0, duplicated: 0, delayed: 0 };
    for (const c of bland.calls) {
      if (c.webhook === 'dropped') webhooks.dropped++;
      if (c.webhook === 'duplicated') webhooks.duplicated++;
      if (c.delayedMs !== undefined) webhooks.delayed++;
    }
    const figures = {
      leads: LEADS, posted, dials: bland.calls.length, seconds: Math.round((performance.now() - began) / 1000),
      faults: {
        ...faults, 'webhooks dropped': webhooks.dropped, 'webhooks duplicated': webhooks.duplicated, 'webhooks delayed': webhooks.delayed, 'webhooks reordered': reordered,
        ...Object.fromEntries(Object.entries(bland.faults.callFaults).map(([k, v]) => [`Bland ${k === 'lost-answer' ? 'call placed, answer lost' : k} on a new call`, v])),
        'dials held while Convoso was down': heldBeforeRestart + rt.metrics.sum('DialHeld_CrmUnavailable'),
        // Capacity refusals: the pacer's (the plan full at a zone's opening) and Bland's 429s, each a deferral.
        'dials deferred for capacity': deferredBeforeRestart + rt.metrics.sum('DialDeferred_Capacity'),
      },
      invariantsChecked: checks,
      outcomes: Object.fromEntries(['sale', 'dnc', 'voicemail', 'no-answer', 'busy', 'transferred', 'callback', 'not-interested'].map((o) => [o, bland.calls.filter((c) => c.outcome === o).length])),
      violations: violations.length,
    };
    console.log(`fault suite figures:\n${JSON.stringify(figures, null, 2)}`);
    expect(violations.slice(0, 20)).toEqual([]);
    // An attempt kept only in the due index comes from a crash that lost its schedule: never more of them than those crashes.
    expect(checks.attemptsOnlyInDueIndex).toBeLessThanOrEqual(faults['crash: after the lead write (before its next schedule)'] ?? 0);
    // The faults were really injected (a suite that injected none would prove nothing); at full size, every kind.
    const kinds = ['crash: dialer, after the claim (before the call)', 'crash: after the call (before its record)', 'crash: after the lead write (before its next schedule)', 'runtime restarts', 'Convoso outages'];
    const injected: Record<string, number> = Object.fromEntries(kinds.map((k) => [k, faults[k] ?? 0]));
    if (LEADS >= 1000) {
      for (const k of ['crash: dialer, after the call record (before its watchdog)', 'crash: outcome, after the attempt record (before the lead)', 'crash: outcome, before the call is marked recorded',
        'dial messages redelivered', 'stale dial messages redelivered']) injected[k] = faults[k] ?? 0;
      for (const [k, n] of Object.entries(figures.faults)) if (/^(Bland|webhooks|dials held|dials deferred)/.test(k)) injected[k] = n;
      expect(Object.keys(bland.faults.callFaults).sort()).toEqual(['429', '500', '503', 'lost-answer']);
    }
    expect(Object.entries(injected).filter(([, n]) => n === 0).map(([k]) => k)).toEqual([]);
    expect(webhooks.dropped * webhooks.duplicated * webhooks.delayed).toBeGreaterThan(0);
    expect(terminalCalls.length).toBeGreaterThan(0);
  }, 1_200_000);
});
