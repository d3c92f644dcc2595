import { DynamoLeadStore } from '../../lambdas/adapters/aws/lead-store.dynamodb';
import { startLocalDynamo, type LocalDynamo } from '../../lambdas/adapters/local/dynalite';
import { newLead, type Lead } from '../../lambdas/domain/lead';
import type { E164 } from '../../lambdas/domain/phone';
import { VersionConflictError } from '../../lambdas/ports/lead-store';
import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** The DynamoDB LeadStore against dynalite: a real engine, real conditional writes, no mocked client. */
let dynamo: LocalDynamo;
let store: DynamoLeadStore;
const T0 = Date.parse('2026-07-15T15:00:00Z');

const lead = (phone: string, overrides: Partial<Lead> = {}): Lead => ({
  ...newLead({
    phone: phone as E164,
    location: { zones: ['America/New_York'], primaryZone: 'America/New_York', regions: ['NY'] },
    now: T0,
    source: 'test',
    firstName: 'Ada',
    fields: { plan: 'family' },
  }),
  ...overrides,
});

beforeAll(async () => {
  dynamo = await startLocalDynamo();
  store = new DynamoLeadStore(dynamo.doc, dynamo.tableName);
});
afterAll(async () => {
  await dynamo.stop();
});

describe('DynamoLeadStore on dynalite', () => {
  it('creates a lead once per phone, at version 1, and reads it back whole', async () => {
    expect(await store.create(lead('+12125550101'))).toBe(true);
    expect(await store.create(lead('+12125550101', { firstName: 'Other' }))).toBe(false);
    const stored = await store.get('+12125550101');
    expect(stored).toEqual({ ...lead('+12125550101'), version: 1 });
    expect(await store.get('+12125550199')).toBeNull();
  });

  it('updates with optimistic locking: a stale version is refused', async () => {
    await store.create(lead('+12125550102'));
    const v1 = (await store.get('+12125550102'))!;
    const v2 = await store.update({ ...v1, attemptsTotal: 1 });
    expect(v2.version).toBe(2);
    await expect(store.update({ ...v1, attemptsTotal: 5 })).rejects.toBeInstanceOf(VersionConflictError);
    expect((await store.get('+12125550102'))!.attemptsTotal).toBe(1);
  });

  it('claims an attempt exactly once, and only while its token is current', async () => {
    await store.create(lead('+12125550103', { nextAttemptAt: T0, scheduleToken: 'tok-1' }));
    const claims = await Promise.all([1, 2, 3, 4, 5].map(() => store.claim('+12125550103', 'tok-1', T0)));
    expect(claims.filter((c) => c !== null)).toHaveLength(1);
    expect(claims.find((c) => c !== null)!.claimedToken).toBe('tok-1');
    expect(await store.claim('+12125550103', 'tok-1', T0)).toBeNull(); // redelivery
    expect(await store.claim('+12125550103', 'tok-0', T0)).toBeNull(); // stale token
    expect(await store.claim('+12125550199', 'tok-1', T0)).toBeNull(); // no such lead
  });

  it('never claims for a lead that is not ACTIVE', async () => {
    await store.create(lead('+12125550104', { status: 'DONE', outcome: 'SALE', scheduleToken: 'tok-9' }));
    expect(await store.claim('+12125550104', 'tok-9', T0)).toBeNull();
  });

  it('indexes each call once and records its outcome once', async () => {
    const call = { callId: 'call-1', phone: '+12125550105', scheduleToken: 'tok', placedAt: T0, outcomeRecorded: false };
    expect(await store.putCall(call)).toBe(true);
    expect(await store.putCall(call)).toBe(false);
    expect(await store.getCall('call-1')).toEqual(call);
    expect(await store.markOutcomeRecorded('call-1')).toBe(true);
    expect(await store.markOutcomeRecorded('call-1')).toBe(false);
    expect(await store.markOutcomeRecorded('call-unknown')).toBe(false);
    expect((await store.getCall('call-1'))!.outcomeRecorded).toBe(true);
  });

  it('keeps attempts under their lead in call order', async () => {
    const base = { phone: '+12125550106', evidence: 'x', disposition: null, answeredBy: null, durationS: 12, price: 0.1, summary: null, archiveKey: null };
    await store.putAttempt({ ...base, callId: 'b', calledAt: T0 + 60_000, outcome: 'VOICEMAIL' });
    await store.putAttempt({ ...base, callId: 'a', calledAt: T0, outcome: 'NO_ANSWER' });
    expect((await store.listAttempts('+12125550106')).map((a) => a.callId)).toEqual(['a', 'b']);
  });

  it('adds daily counters atomically', async () => {
    await Promise.all([1, 2, 3].map(() => store.addDailyCounts('2026-07-15', { dials: 1, VOICEMAIL: 2 })));
    expect(await store.getDailyCounts('2026-07-15')).toEqual({ dials: 3, VOICEMAIL: 6 });
    expect(await store.getDailyCounts('2026-07-16')).toEqual({});
  });

  it('lists active leads whose next attempt is due, across shards, never DONE ones', async () => {
    for (let i = 0; i < 12; i++) {
      await store.create(lead(`+1312555${String(1000 + i)}`, { nextAttemptAt: T0 + i * 60_000, scheduleToken: `t${i}` }));
    }
    await store.create(lead('+13125559999', { status: 'DONE', outcome: 'DNC', nextAttemptAt: null }));
    const due = await store.listDue(T0 + 5 * 60_000);
    // (+12125550103 from the claim test is due too; only this test's leads are compared.)
    expect(due.map((l) => l.phone).filter((p) => p.startsWith('+1312')).sort()).toEqual([0, 1, 2, 3, 4, 5].map((i) => `+1312555${1000 + i}`));
    // Finishing a lead takes it off the index.
    const first = (await store.get('+13125551000'))!;
    await store.update({ ...first, status: 'DONE', outcome: 'SALE', nextAttemptAt: null, scheduleToken: null });
    expect((await store.listDue(T0 + 5 * 60_000)).map((l) => l.phone)).not.toContain('+13125551000');
  });

  it('cohort counters: a lead stored before them is counted in full at its next write (nothing goes negative)', async () => {
    const legacy = { ...lead('+12125550181'), version: 3 };
    // As an older version wrote it: no `counted` mark, and never in the counters.
    await dynamo.doc.send(new PutCommand({ TableName: dynamo.tableName, Item: { ...legacy, pk: 'LEAD#+12125550181', sk: 'LEAD', kind: 'lead' } }));
    const before = (await store.listCohortCounts('2026-07-15', '2026-07-15'))[0]?.counts ?? {};
    await store.update({ ...legacy, status: 'DONE', outcome: 'SALE', lastOutcome: 'SALE' });
    const after = (await store.listCohortCounts('2026-07-15', '2026-07-15'))[0]!.counts;
    const delta = (k: string) => (after[k] ?? 0) - (before[k] ?? 0);
    expect([delta('leads'), delta('status_DONE'), delta('terminal_SALE'), delta('last_SALE'), delta('status_ACTIVE'), delta('last_NONE')]).toEqual([1, 1, 1, 1, 0, 0]);
    // Its next write moves it as usual.
    await store.update({ ...(await store.get('+12125550181'))!, status: 'PAUSED' });
    const again = (await store.listCohortCounts('2026-07-15', '2026-07-15'))[0]!.counts;
    expect((again['leads'] ?? 0) - (before['leads'] ?? 0)).toBe(1);
    expect(Object.values(again).every((n) => n >= 0)).toBe(true);
  });

  it('a failed counter write is reported, never thrown: the lead write it follows has happened', async () => {
    const errors: string[] = [];
    const failing = new Proxy(dynamo.doc, {
      get(target, prop, receiver) {
        if (prop !== 'send') return Reflect.get(target, prop, receiver) as unknown;
        return (command: { input: { Key?: { pk?: string } } }) => {
          if (command.input.Key?.pk === 'COHORTS') return Promise.reject(new Error('ProvisionedThroughputExceededException'));
          return target.send(command as never);
        };
      },
    }) as DynamoDBDocumentClient;
    const flaky = new DynamoLeadStore(failing, dynamo.tableName, { onCounterError: (e) => errors.push(e.message) });
    expect(await flaky.create(lead('+12125550182'))).toBe(true);
    const updated = await flaky.update({ ...(await flaky.get('+12125550182'))!, status: 'PAUSED' });
    expect(updated.version).toBe(2);
    expect(await flaky.get('+12125550182')).toMatchObject({ status: 'PAUSED', version: 2 });
    expect(errors).toEqual(['ProvisionedThroughputExceededException', 'ProvisionedThroughputExceededException']);
  });

  it('reserves a day\'s counter atomically up to its cap (concurrent senders cannot go over it)', async () => {
    const results = await Promise.all(Array.from({ length: 6 }, () => store.reserveDailyCount('2026-07-20', 'smsSent', 4)));
    expect(results.filter(Boolean)).toHaveLength(4);
    expect((await store.getDailyCounts('2026-07-20'))['smsSent']).toBe(4);
  });
});
