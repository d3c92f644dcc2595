import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoCapacityStore } from '../../lambdas/adapters/aws/dial-capacity.dynamodb';
import { ensureTable } from '../../lambdas/adapters/aws/table-definition';
import { startLocalDynamo, type LocalDynamo } from '../../lambdas/adapters/local/dynalite';
import { capacityKeys, waiterPlace, type LaneLimits } from '../../lambdas/domain/pacing';

/** The capacity ledger on dynalite: the same item and conditional writes as on AWS. */
let dynamo: LocalDynamo;
let tables = 0;
beforeAll(async () => {
  dynamo = await startLocalDynamo({ tableName: 'capacity-0' });
});
afterAll(async () => dynamo.stop());

async function ledger(): Promise<DynamoCapacityStore> {
  const name = `capacity-${++tables}`;
  await ensureTable(dynamo.client, name);
  return new DynamoCapacityStore(dynamo.doc, name);
}

const T0 = Date.parse('2026-07-15T15:00:00Z');
const LIMITS: LaneLimits = { concurrency: 3, perSecond: null, perHour: null, perDay: null, spendUsd: null };
const keys = capacityKeys;

describe('DynamoCapacityStore', () => {
  it('holds at most `concurrency` slots; a release frees one; the first dial creates the ledger', async () => {
    const store = await ledger();
    const results = [];
    for (const token of ['a', 'b', 'c', 'd']) results.push(await store.acquire(token, keys(T0), LIMITS, T0 + 60_000, T0));
    expect(results.map((r) => r.acquired)).toEqual([true, true, true, false]);
    expect(results[3]).toMatchObject({ acquired: false, full: ['concurrency'], usage: { inFlight: 3 } });
    expect(await store.release('b', keys(T0).day, 0, T0)).toEqual({ inFlight: 2, refusedAt: T0 });
    expect(await store.acquire('d', keys(T0), LIMITS, T0 + 60_000, T0)).toMatchObject({ acquired: true, usage: { inFlight: 3 } });
    // A release of a token that holds nothing (a duplicate, or a lease already pruned) changes nothing.
    expect(await store.release('zz', keys(T0).day, 0, T0)).toEqual({ inFlight: 3, refusedAt: T0 });
    expect((await store.usage(keys(T0), T0)).inFlight).toBe(3);
  });

  it('a release says when a dial was last refused for concurrency (never, until one is)', async () => {
    const store = await ledger();
    await store.acquire('a', keys(T0), LIMITS, T0 + 60_000, T0);
    expect(await store.release('a', keys(T0).day, 0, T0 + 1)).toEqual({ inFlight: 0, refusedAt: null });
    // Refused for the day (not concurrency): not noted.
    const day = { ...LIMITS, perDay: 1 };
    expect((await store.acquire('b', keys(T0), day, T0 + 60_000, T0 + 2)).acquired).toBe(false);
    expect((await store.release('b', keys(T0).day, 0, T0 + 3)).refusedAt).toBeNull();
  });

  it('50 dialers at once for 10 slots: exactly 10 win', async () => {
    const store = await ledger();
    const limits = { ...LIMITS, concurrency: 10 };
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => store.acquire(`t${i}`, keys(T0), limits, T0 + 60_000, T0)));
    expect(results.filter((r) => r.acquired)).toHaveLength(10);
    expect((await store.usage(keys(T0), T0)).inFlight).toBe(10);
  });

  it('a lease past its end does not count and is dropped when it stands in the way (a call whose end was never seen)', async () => {
    const store = await ledger();
    const limits = { ...LIMITS, concurrency: 1 };
    expect((await store.acquire('lost', keys(T0), limits, T0 + 60_000, T0)).acquired).toBe(true);
    expect((await store.acquire('next', keys(T0 + 30_000), limits, T0 + 90_000, T0 + 30_000)).acquired).toBe(false);
    expect((await store.acquire('next', keys(T0 + 61_000), limits, T0 + 121_000, T0 + 61_000))).toMatchObject({ acquired: true, usage: { inFlight: 1 } });
  });

  it('per-second, per-hour and per-day counts stop at their caps and name the one that binds; a new period starts empty', async () => {
    const store = await ledger();
    const limits: LaneLimits = { concurrency: 100, perSecond: 2, perHour: 3, perDay: 4, spendUsd: null };
    const at = (ms: number, token: string) => store.acquire(token, keys(ms), limits, ms + 60_000, ms);
    expect([(await at(T0, '1')).acquired, (await at(T0 + 100, '2')).acquired]).toEqual([true, true]);
    expect(await at(T0 + 200, '3')).toMatchObject({ acquired: false, full: ['per-second'] });
    expect((await at(T0 + 1_000, '3')).acquired).toBe(true);
    expect(await at(T0 + 2_000, '4')).toMatchObject({ acquired: false, full: ['per-hour'] });
    expect((await at(T0 + 3_600_000, '4')).acquired).toBe(true);
    expect(await at(T0 + 3_600_000 + 5_000, '5')).toMatchObject({ acquired: false, full: ['per-day'] });
    expect((await at(T0 + 86_400_000, '5')).acquired).toBe(true);
  });

  it('the day\'s spend, added as calls end, stops new dials at the cap', async () => {
    const store = await ledger();
    const limits = { ...LIMITS, concurrency: 10, spendUsd: 1 };
    expect((await store.acquire('a', keys(T0), limits, T0 + 60_000, T0)).acquired).toBe(true);
    await store.release('a', keys(T0).day, 0.6, T0);
    expect((await store.acquire('b', keys(T0), limits, T0 + 60_000, T0)).acquired).toBe(true);
    await store.release('b', keys(T0).day, 0.6, T0);
    expect(await store.acquire('c', keys(T0), limits, T0 + 60_000, T0)).toMatchObject({ acquired: false, full: ['spend'], usage: { spendUsd: 1.2 } });
  });

  it('turns on a line are spaced and distinct, also when taken at once', async () => {
    const store = await ledger();
    const turns = await Promise.all(Array.from({ length: 6 }, () => store.reserveTurn('first-of-day', T0, 500)));
    expect(new Set(turns).size).toBe(6);
    expect(Math.min(...turns)).toBeGreaterThanOrEqual(T0 + 500);
    // A line in the past restarts from now.
    expect(await store.reserveTurn('rung', T0 + 3_600_000, 500)).toBe(T0 + 3_600_500);
  });

  it('prune drops expired leases and past periods, keeps what is current', async () => {
    const store = await ledger();
    const limits: LaneLimits = { concurrency: 10, perSecond: 10, perHour: 10, perDay: 10, spendUsd: null };
    await store.acquire('old', keys(T0), limits, T0 + 60_000, T0);
    const later = T0 + 3 * 86_400_000;
    await store.acquire('live', keys(later), limits, later + 60_000, later);
    await store.prune(keys(later + 10_000), later + 10_000);
    const item = (await dynamo.doc.send(new GetCommand({ TableName: `capacity-${tables}`, Key: { pk: 'PACER', sk: 'LEDGER' } }))).Item!;
    expect(Object.keys(item['held'] as object)).toEqual(['live']);
    expect(Object.keys(item).filter((k) => /^(s|h|d)_/.test(k)).sort()).toEqual([`d_${keys(later).day}`, `h_${keys(later).hour}`]);
  });

  it('the waiting room gives its waiters in priority order (class, then the longest waiting, the newest lead first for day-first calls); each is taken once', async () => {
    const store = await ledger();
    const msg = (phone: string) => ({ v: 1 as const, kind: 'dial' as const, phone, scheduleToken: `tok-${phone}` });
    const lead = (phone: string, dueSince: number, createdAt: number) => ({ phone, dueSince, createdAt });
    const places = {
      oldFirstOfDay: waiterPlace('first-of-day', lead('+1', T0 - 1_000, T0 - 30 * 86_400_000)),
      newFirstOfDay: waiterPlace('first-of-day', lead('+2', T0, T0 - 86_400_000)),
      lateRung: waiterPlace('rung', lead('+3', T0 + 5_000, 0)),
      earlyRung: waiterPlace('rung', lead('+4', T0 + 1_000, 0)),
      fresh: waiterPlace('fresh', lead('+5', T0 + 9_000, T0 + 9_000)),
      callback: waiterPlace('callback', lead('+6', T0, 0)),
    };
    for (const [name, place] of Object.entries(places)) await store.park({ place, message: msg(name) });
    expect(await store.waiting()).toBe(6);
    const order = (await store.waiters(10)).map((w) => w.message.phone);
    expect(order).toEqual(['fresh', 'callback', 'earlyRung', 'lateRung', 'newFirstOfDay', 'oldFirstOfDay']);
    // Parking a lead again at the same place replaces its message (one waiter per lead).
    await store.park({ place: places.fresh, message: { ...msg('fresh'), scheduleToken: 'tok-new' } });
    expect((await store.waiters(1))[0]!.message.scheduleToken).toBe('tok-new');
    // Ten dialers race for the head: one takes it.
    const takes = await Promise.all(Array.from({ length: 10 }, () => store.take(places.fresh)));
    expect(takes.filter(Boolean)).toHaveLength(1);
    await store.unpark(places.callback);
    expect((await store.waiters(10)).map((w) => w.message.phone)).toEqual(['earlyRung', 'lateRung', 'newFirstOfDay', 'oldFirstOfDay']);
    expect(await store.waiting()).toBe(4);
    // The ledger item is not a waiter.
    await store.acquire('a', keys(T0), LIMITS, T0 + 60_000, T0);
    expect(await store.waiting()).toBe(4);
  });
});
