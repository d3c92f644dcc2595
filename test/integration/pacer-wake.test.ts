import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoCapacityStore } from '../../lambdas/adapters/aws/dial-capacity.dynamodb';
import { ensureTable } from '../../lambdas/adapters/aws/table-definition';
import { startLocalDynamo, type LocalDynamo } from '../../lambdas/adapters/local/dynalite';
import { makePacer } from '../../lambdas/app/pacing';
import { parseConfig } from '../../lambdas/config/config';
import type { Lead } from '../../lambdas/domain/lead';
import type { DialMessage } from '../../lambdas/ports/attempt-scheduler';
import { MemoryMetrics } from '../../lambdas/adapters/local/metrics.memory';
import { checkInvariants, startLoop } from '../support/loop-harness';

/**
 * The pacer's waiting room on dynalite: a freed slot goes at once to the first waiter whose class may use it (never a
 * lower class into the reserve), the sweeper's wake fills every free slot, and an attempt admitted by its own message
 * leaves the room. And the daily spend cap, end to end through the loop.
 */
let dynamo: LocalDynamo;
let tables = 0;
beforeAll(async () => {
  dynamo = await startLocalDynamo({ tableName: 'wake-0' });
});
afterAll(async () => dynamo.stop());

const T0 = Date.parse('2026-07-15T15:00:00Z');
const DAY = 86_400_000;

function lead(phone: string, calls: number, createdAt: number, deferredSince: number | null, reason = 'gap'): Lead {
  return { phone, attemptsTotal: calls, createdAt, deferredSince, nextAttemptAt: T0, updatedAt: T0, attemptReason: reason, scheduleToken: `tok-${phone}` } as unknown as Lead;
}

async function pacerWith(concurrency: number) {
  const table = `wake-${++tables}`;
  await ensureTable(dynamo.client, table);
  const store = new DynamoCapacityStore(dynamo.doc, table);
  const woken: DialMessage[] = [];
  const pacer = makePacer(store, parseConfig({ pacer: { plan: 'scale', concurrency, reservedShare: 0.2, newestFirstShare: 0 } }), () => 0.5, async (m) => {
    woken.push(m);
  });
  const msg = (l: Lead): DialMessage => ({ v: 1, kind: 'dial', phone: l.phone, scheduleToken: l.scheduleToken! });
  return { store, pacer, woken, msg };
}

describe('pacer waiting room', () => {
  it('a freed slot goes to the first waiter at once; a lower class never takes the reserve', async () => {
    const { pacer, woken, msg, store } = await pacerWith(5); // rungs and day-first calls: 4 of 5 slots
    // Four redials fill their lane; a fifth redial is refused and waits.
    for (let i = 0; i < 4; i++) expect((await pacer.admit(lead(`+1${i}`, 1, T0 - DAY, null), `t${i}`, 0, 'gap', T0)).admitted).toBe(true);
    const waitingRedial = lead('+19', 1, T0 - DAY, T0);
    const refused = await pacer.admit(waitingRedial, 'tok-+19', 0, 'gap', T0);
    expect(refused).toMatchObject({ admitted: false, limit: 'concurrency', cls: 'first-of-day' });
    await pacer.park(waitingRedial, 'first-of-day', msg(waitingRedial));
    // A fresh lead still gets the reserved slot.
    expect((await pacer.admit(lead('+20', 0, T0, null, 'first'), 'fresh-1', 0, 'first', T0)).admitted).toBe(true);
    // The fresh call ends: 4 held, the redial's lane (4) is still full, so the reserve is not handed to it.
    await pacer.release('fresh-1', T0 + 40_000);
    expect(woken).toEqual([]);
    // A redial ends: its slot goes to the waiting redial at once.
    await pacer.release('t0', T0 + 41_000);
    expect(woken).toEqual([msg(waitingRedial)]);
    expect(await store.waiting()).toBe(0);
  });

  it('a release looks at the room only after a refusal for concurrency within a lease; the sweeper\'s wake always does', async () => {
    const { pacer, woken, msg } = await pacerWith(10);
    for (let i = 0; i < 3; i++) expect((await pacer.admit(lead(`+4${i}`, 1, T0 - DAY, null), `t${i}`, 0, 'gap', T0)).admitted).toBe(true);
    // A waiter left over from a wake lost to a crash, with no dial refused since (none ever, in this ledger).
    const stranded = lead('+49', 1, T0 - DAY, T0 - 60_000);
    await pacer.park(stranded, 'first-of-day', msg(stranded));
    await pacer.release('t0', T0 + 40_000);
    expect(woken).toEqual([]);
    expect(await pacer.wakeFree(T0 + 60_000)).toBe(1);
    expect(woken).toEqual([msg(stranded)]);
  });

  it('waiters go in priority order; the sweeper hands every free slot out; an attempt admitted by its own message leaves the room', async () => {
    const { pacer, woken, msg, store } = await pacerWith(10);
    const redial = lead('+31', 2, T0 - 3 * DAY, T0 - 5_000);
    const rung = lead('+32', 2, T0 - 3 * DAY, T0 - 1_000);
    const callback = lead('+33', 2, T0 - 9 * DAY, T0, 'callback');
    const late = lead('+34', 1, T0 - DAY, T0 - 9_000);
    await pacer.park(redial, 'first-of-day', msg(redial));
    await pacer.park(rung, 'rung', msg(rung));
    await pacer.park(callback, 'callback', msg(callback));
    await pacer.park(late, 'first-of-day', msg(late));
    expect(await store.waiting()).toBe(4);
    // The late redial comes back by its own message (its turn) and is admitted: it leaves the room.
    expect((await pacer.admit(late, 'tok-+34', 0, 'gap', T0)).admitted).toBe(true);
    await pacer.unpark(late, 'first-of-day');
    expect(await store.waiting()).toBe(3);
    expect(await pacer.wakeFree(T0)).toBe(3);
    expect(woken.map((m) => m.phone)).toEqual(['+33', '+32', '+31']);
    expect(await store.waiting()).toBe(0);
  });

  it('a slot under which no call was placed gives its hourly and daily counts back, once', async () => {
    const table = `wake-${++tables}`;
    await ensureTable(dynamo.client, table);
    const store = new DynamoCapacityStore(dynamo.doc, table);
    const pacer = makePacer(store, parseConfig({ pacer: { plan: 'scale', perHour: 2, perDay: 2, reservedShare: 0, newestFirstShare: 0 } }), () => 0.5);
    const admit = (phone: string, token: string, at: number) => pacer.admit(lead(phone, 1, T0 - DAY, null), token, 0, 'gap', at);
    expect((await admit('+61', 'a', T0)).admitted).toBe(true);
    expect((await admit('+62', 'b', T0)).admitted).toBe(true);
    expect(await admit('+63', 'c', T0)).toMatchObject({ admitted: false, limit: 'per-day' });
    // a's call was never placed (Bland answered 429): its slot and its counts go back; a call that ended keeps them.
    await pacer.release('a', T0 + 1_000, 0, T0);
    await pacer.release('b', T0 + 40_000);
    expect(await pacer.usage(T0 + 40_000)).toMatchObject({ inFlight: 0, hour: 1, day: 1 });
    // Released again (a retry of the same step): nothing more given back.
    await pacer.release('a', T0 + 2_000, 0, T0);
    expect(await pacer.usage(T0 + 40_000)).toMatchObject({ hour: 1, day: 1 });
    expect((await admit('+63', 'c', T0 + 41_000)).admitted).toBe(true);
    expect(await admit('+64', 'd', T0 + 41_000)).toMatchObject({ admitted: false });
  });

  it('attempts refused by the hourly cap book retries in the next hours at the cap\'s pace (shared by every class, the reserve kept), not one herd at the hour', async () => {
    const table = `wake-${++tables}`;
    await ensureTable(dynamo.client, table);
    const store = new DynamoCapacityStore(dynamo.doc, table);
    // 10 an hour, 20% reserved: redials use 8 of each hour. The first 8 redials are admitted, the next 30 refused.
    const pacer = makePacer(store, parseConfig({ pacer: { plan: 'scale', perHour: 10, reservedShare: 0.2, newestFirstShare: 0 } }), () => 0.5);
    for (let i = 0; i < 8; i++) expect((await pacer.admit(lead(`+3${i}`, 1, T0 - DAY, null), `h${i}`, 0, 'gap', T0 + i)).admitted).toBe(true);
    const retries: number[] = [];
    for (let i = 0; i < 30; i++) {
      const refused = await pacer.admit(lead(`+4${i}`, 1, T0 - DAY, T0), `w${i}`, 0, 'gap', T0 + 60_000);
      if (refused.admitted) throw new Error('admitted over the hourly cap');
      expect(refused.limit).toBe('per-hour');
      retries.push(refused.retryAt);
    }
    // 8 in each of the next 3 hours (16:00Z, 17:00Z, 18:00Z), 6 minutes apart (the cap's pace); the 6 left over come
    // back at a random moment of the hour after (19:30Z with random 0.5), never all at the top of one hour.
    const hour = (h: number) => Date.parse(`2026-07-15T${h}:00:00Z`);
    const booked = (h: number) => Array.from({ length: 8 }, (_, k) => hour(h) + k * 360_000);
    expect(retries).toEqual([...booked(16), ...booked(17), ...booked(18), ...Array.from({ length: 6 }, () => hour(19) + 1_800_000)]);
    // Fresh leads take the hour's reserve (2); a third, refused for the hour, books into the reserve of the next hour
    // the redials left (8 of 10 booked), at its start.
    for (const f of ['f1', 'f2']) expect((await pacer.admit(lead(`+5${f}`, 0, T0, null, 'first'), f, 0, 'first', T0 + 60_000)).admitted).toBe(true);
    const fresh = await pacer.admit(lead('+50', 0, T0, null, 'first'), 'f0', 0, 'first', T0 + 60_000);
    expect(fresh).toMatchObject({ admitted: false, limit: 'per-hour', cls: 'fresh', retryAt: hour(16) + 30_000 });
    // Past hours' bookings are pruned like the hourly counts.
    await pacer.prune(hour(20));
    const ledger = await dynamo.doc.send(new GetCommand({ TableName: table, Key: { pk: 'PACER', sk: 'LEDGER' } }));
    expect(Object.keys(ledger.Item ?? {}).filter((k) => k.startsWith('bk_')).sort()).toEqual(['bk_2026-07-15T18']);
  });
});

describe('daily spend cap (through the loop)', () => {
  it('once the day\'s Bland spend reaches the cap, no new dial starts: deferred for spend (not FAILED), metric SpendCapReached', async () => {
    const metrics = new MemoryMetrics();
    const loop = await startLoop(dynamo, {
      now: T0, // Wed 11:00 EDT
      pacing: true,
      metrics,
      config: { pacer: { plan: 'scale', dailySpendCapUsd: 0.3 } },
      script: () => ({ body: { status: 'completed', answered_by: 'voicemail', price: 0.2 } as never, durationMs: 60_000 }),
    });
    const phones: string[] = [];
    for (const phone of ['(212) 555-0301', '(212) 555-0302']) phones.push((await loop.acceptLead({ phone, state: 'NY' })).phone);
    await loop.runUntil(T0 + 2 * 60_000);
    // Both placed at once (nothing spent yet); their ends bring the day to $0.40, over the $0.30 cap.
    expect(loop.agent.calls).toHaveLength(2);
    const late = (await loop.acceptLead({ phone: '(212) 555-0303', state: 'NY' })).phone;
    await loop.runUntil(T0 + 60 * 60_000);
    expect(loop.agent.calls).toHaveLength(2);
    expect(loop.agent.calls.some((c) => c.request.phone === late)).toBe(false);
    expect(metrics.sum('SpendCapReached')).toBeGreaterThan(0);
    const lead = (await loop.store.get(late))!;
    expect(lead.status).toBe('ACTIVE');
    expect(lead.attemptsTotal).toBe(0);
    expect(lead.nextAttemptReason).toMatch(/spend full/);
    // It comes back the next UTC day.
    expect(lead.nextAttemptAt!).toBeGreaterThanOrEqual(Date.parse('2026-07-16T00:00:00Z'));
    expect(await checkInvariants(loop, [...phones, late])).toEqual([]);
  });
});
