import { startLocalDynamo, type LocalDynamo } from '../../lambdas/adapters/local/dynalite';
import { makeAdminRoute } from '../../lambdas/http/admin-routes';
import { afterCall, availableNumbers, emptyState, type CallerIdState } from '../../lambdas/domain/caller-id';
import { parseConfig } from '../../lambdas/config/config';
import { checkInvariants, NO_ANSWER, startLoop, type Script } from '../support/loop-harness';

/**
 * The caller-ID pool in the loop (dynalite, local scheduler and queue, scripted agent): local presence, the number a
 * lead picked up from, cooldowns kept in the store and shared by every dial, and the per-number report.
 */
let dynamo: LocalDynamo;
beforeAll(async () => {
  dynamo = await startLocalDynamo({ tableName: 'caller-id' });
});
afterAll(async () => dynamo.stop());

const at = (iso: string) => Date.parse(iso);
const POOL = { numbers: [{ number: '+12125550001' }, { number: '+13055550002' }, { number: '+15125550003' }] };
const HUMAN: Script = { body: { status: 'completed', answered_by: 'human', disposition_tag: 'NOT_INTERESTED', call_length: 1 } };

describe('caller-ID pool in the loop', () => {
  it('local presence first; the number a lead picked up from is kept for it; a number with 5 no-pickups in a row rests 5 minutes', async () => {
    // Ten New York leads at once, all unanswered but for the first call to the last lead.
    const loop = await startLoop(dynamo, {
      now: at('2026-07-15T15:00:00Z'),
      config: { callerIds: POOL },
      script: (call) => (call.request.phone === '+12125550110' && call.n < 10 ? HUMAN : NO_ANSWER),
    });
    const phones: string[] = [];
    for (let i = 101; i <= 110; i++) phones.push((await loop.acceptLead({ phone: `+1212555${String(i).padStart(4, '0')}`, state: 'NY' })).phone);
    await loop.runUntil(at('2026-07-15T19:00:00Z'));
    const calls = loop.agent.calls;
    expect(calls.every((c) => POOL.numbers.some((n) => n.number === c.request.from))).toBe(true);
    // The first wave goes out from the local (212) number: no outcome has come back yet.
    expect(calls.slice(0, 5).map((c) => c.request.from)).toEqual(Array(5).fill('+12125550001'));
    // Replay the outcomes in the order they were recorded (30 s after each dial): at every dial, the number chosen
    // was available by the pool's rules as they stood then (so the states reached the store and every dial read them).
    const cfg = parseConfig({ callerIds: POOL }).callerIds;
    const pickedUp = (c: (typeof calls)[number]) => c.request.phone === '+12125550110' && c.n < 10;
    const outcomes = calls.map((c) => ({ at: c.at + 30_000, call: c })).sort((a, b) => a.at - b.at);
    const states = new Map<string, CallerIdState>();
    let next = 0;
    let rested = 0;
    let lastPickupFrom: string | null = null;
    let keptForLead = 0;
    for (const c of calls) {
      while (next < outcomes.length && outcomes[next]!.at <= c.at) {
        const { call, at: when } = outcomes[next++]!;
        const from = call.request.from!;
        states.set(from, afterCall(cfg, states.get(from) ?? emptyState(from), { pickedUp: pickedUp(call), transferred: false }, when));
        if (pickedUp(call)) lastPickupFrom = from;
      }
      const available = availableNumbers(cfg, states, c.at);
      expect(available).toContain(c.request.from);
      if (c.request.phone === '+12125550110' && lastPickupFrom && available.includes(lastPickupFrom)) {
        expect(c.request.from).toBe(lastPickupFrom);
        keptForLead++;
      }
      if ((states.get('+12125550001')?.cooledUntil ?? 0) > c.at) rested++;
    }
    expect(rested).toBeGreaterThan(0); // the local number did rest during the run, and was skipped meanwhile
    expect(keptForLead).toBeGreaterThan(0);
    expect(calls.some((c) => c.request.from !== '+12125550001')).toBe(true);
    // The lead that picked up: its later calls go out from the number it picked up from, whenever that one is available.
    const firstPickup = calls.find(pickedUp)!;
    expect((await loop.store.get('+12125550110'))!.lastPickupFrom).toBe(calls.filter(pickedUp).at(-1)!.request.from);
    const later = calls.filter((c) => c.request.phone === '+12125550110' && c.at > firstPickup.at + 30_000);
    expect(later.length).toBeGreaterThan(0);
    expect(await checkInvariants(loop, phones)).toEqual([]);

    // The per-number report matches the calls placed from each number.
    const route = makeAdminRoute({ loop: loop.deps, apiKey: 'k'.repeat(16), who: 'test' });
    const res = await route({ method: 'GET', path: '/admin/reports/caller-ids', headers: { 'x-api-key': 'k'.repeat(16) }, body: '' });
    const rows = JSON.parse(res!.body).numbers as { number: string; dials: number; pickups: number }[];
    for (const { number } of POOL.numbers) {
      const from = calls.filter((c) => c.request.from === number);
      expect(rows.find((r) => r.number === number)).toMatchObject({ dials: from.length, pickups: from.filter(pickedUp).length });
    }
  });

  it('no pool configured: no `from` is sent (Bland\'s own numbers)', async () => {
    const loop = await startLoop(dynamo, { now: at('2026-07-15T15:00:00Z'), script: () => NO_ANSWER });
    await loop.acceptLead({ phone: '+12125550100', state: 'NY' });
    await loop.runUntil(at('2026-07-15T15:10:00Z'));
    expect(loop.agent.calls.length).toBeGreaterThan(0);
    expect(loop.agent.calls.every((c) => c.request.from === undefined)).toBe(true);
  });
});
