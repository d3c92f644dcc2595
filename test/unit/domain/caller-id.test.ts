import fc from 'fast-check';
import { afterCall, availableNumbers, callerIdReport, chooseCallerId, emptyState, type CallerIdConfig, type CallerIdState } from '../../../lambdas/domain/caller-id';
import { seededRandom } from '../../../sim/random';

const NOW = Date.parse('2026-07-15T15:00:00Z');
const POOL = ['+12125550001', '+12125550002', '+13055550003', '+15125550004', '+12135550005', '+18085550006'];
const config = (n: number, minAvailable = 2): CallerIdConfig => ({
  numbers: POOL.slice(0, n).map((number) => ({ number, weight: 1 })), coolAfter: 5, cooldownMinutes: 5, longCoolAfter: 10, longCooldownMinutes: 30, minAvailable,
});

const stateArb = (number: string): fc.Arbitrary<CallerIdState> => fc.record({
  cooled: fc.boolean(),
  until: fc.integer({ min: 1, max: 3_600_000 }),
  dials: fc.nat(50),
  pickups: fc.nat(50),
}).map(({ cooled, until, dials, pickups }) => ({
  number, consecutiveNonPickups: cooled ? 5 : 0, cooledUntil: cooled ? NOW + until : 0,
  hours: { '2026-07-15T14': { dials: dials + pickups, pickups, transfers: 0 } },
}));

const scenarioArb = fc.integer({ min: 1, max: POOL.length }).chain((n) => fc.record({
  n: fc.constant(n),
  minAvailable: fc.integer({ min: 1, max: 4 }),
  states: fc.tuple(...POOL.slice(0, n).map(stateArb)),
  lead: fc.constantFrom('+12125559999', '+13055559999', '+14045559999'),
  lastPickupFrom: fc.option(fc.constantFrom(...POOL), { nil: null }),
  seed: fc.nat(),
}));

describe('caller-ID choice (properties)', () => {
  it('never a resting number while enough others are available, never fewer available than the floor, always a pool number', () => {
    fc.assert(fc.property(scenarioArb, (s) => {
      const cfg = config(s.n, s.minAvailable);
      const states = new Map(s.states.map((st) => [st.number, st]));
      const warm = s.states.filter((st) => st.cooledUntil <= NOW).length;
      const floor = Math.min(s.minAvailable, s.n);
      const available = availableNumbers(cfg, states, NOW);
      expect(available.length).toBe(Math.max(warm, floor));
      const choice = chooseCallerId(cfg, states, { phone: s.lead, lastPickupFrom: s.lastPickupFrom }, NOW, seededRandom(s.seed))!;
      expect(cfg.numbers.map((c) => c.number)).toContain(choice.number);
      const resting = states.get(choice.number)!.cooledUntil > NOW;
      if (resting) expect(warm).toBeLessThan(floor);
      expect(available).toContain(choice.number);
    }));
  });

  it('prefers the number the lead last picked up from, then one with the lead\'s area code', () => {
    fc.assert(fc.property(scenarioArb, (s) => {
      const cfg = config(s.n, s.minAvailable);
      const states = new Map(s.states.map((st) => [st.number, st]));
      const available = availableNumbers(cfg, states, NOW);
      const choice = chooseCallerId(cfg, states, { phone: s.lead, lastPickupFrom: s.lastPickupFrom }, NOW, seededRandom(s.seed))!;
      if (s.lastPickupFrom && available.includes(s.lastPickupFrom)) expect(choice).toEqual({ number: s.lastPickupFrom, why: 'last-pickup' });
      else if (available.some((n) => n.slice(2, 5) === s.lead.slice(2, 5))) expect(choice.number.slice(2, 5)).toBe(s.lead.slice(2, 5));
      else expect(choice.why).toBe('pickup-rate');
    }));
  });

  it('weights by the 48-hour pickup rate: a 50% number is chosen about five times as often as a 10% one', () => {
    const cfg: CallerIdConfig = { ...config(0), numbers: [{ number: '+13055550003', weight: 1 }, { number: '+15125550004', weight: 1 }] };
    const states = new Map([
      ['+13055550003', { ...emptyState('+13055550003'), hours: { '2026-07-15T14': { dials: 198, pickups: 99, transfers: 0 } } }],
      ['+15125550004', { ...emptyState('+15125550004'), hours: { '2026-07-15T14': { dials: 198, pickups: 19, transfers: 0 } } }],
    ]);
    const random = seededRandom(11);
    let good = 0;
    for (let i = 0; i < 6000; i++) if (chooseCallerId(cfg, states, { phone: '+14045550000' }, NOW, random)!.number === '+13055550003') good++;
    // Expected share 0.5 / (0.5 + 0.1) = 5/6 = 5000 of 6000.
    expect(good).toBeGreaterThan(4850);
    expect(good).toBeLessThan(5150);
  });

  it('an empty pool chooses nothing (calls go out from the agent\'s default)', () => {
    expect(chooseCallerId(config(0), new Map(), { phone: '+12125550000' }, NOW, Math.random)).toBeNull();
  });
});

describe('caller-ID state after a call', () => {
  const cfg = config(2);
  const run = (pickups: boolean[], start = NOW) => pickups.reduce((s, p, i) => afterCall(cfg, s, { pickedUp: p, transferred: false }, start + i * 60_000), emptyState('+12125550001'));

  it('5 non-pickups in a row rest the number 5 minutes, 10 rest it 30; a pickup ends the streak', () => {
    const five = run([false, false, false, false, false]);
    expect(five.consecutiveNonPickups).toBe(5);
    expect(five.cooledUntil).toBe(NOW + 4 * 60_000 + 5 * 60_000);
    const ten = run(Array(10).fill(false));
    expect(ten.cooledUntil).toBe(NOW + 9 * 60_000 + 30 * 60_000);
    expect(run([false, false, false, false, true]).consecutiveNonPickups).toBe(0);
    expect(run([false, false, false, false, true]).cooledUntil).toBe(0);
  });

  it('keeps 48 hours of tallies and reports them per number', () => {
    let s = emptyState('+12125550001');
    s = afterCall(cfg, s, { pickedUp: true, transferred: true }, NOW - 50 * 3_600_000);
    s = afterCall(cfg, s, { pickedUp: true, transferred: false }, NOW - 3_600_000);
    s = afterCall(cfg, s, { pickedUp: false, transferred: false }, NOW);
    expect(Object.keys(s.hours).sort()).toEqual(['2026-07-15T14', '2026-07-15T15']);
    expect(callerIdReport(cfg, new Map([[s.number, s]]), NOW)).toEqual([
      { number: '+12125550001', dials: 2, pickups: 1, transfers: 0, pickupRate: 0.5, consecutiveNonPickups: 1, coolingUntil: null },
      { number: '+12125550002', dials: 0, pickups: 0, transfers: 0, pickupRate: null, consecutiveNonPickups: 0, coolingUntil: null },
    ]);
  });
});
