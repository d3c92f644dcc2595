import fc from 'fast-check';
import { startLocalDynamo, type LocalDynamo } from '../../lambdas/adapters/local/dynalite';
import { DEFAULT_CONFIG } from '../../lambdas/config/config';
import { checkInvariants, startLoop, type Script } from '../support/loop-harness';
import { oracleAllowed } from '../support/legal-oracle';

/**
 * The loop's safety invariants as a property: random leads across zones, random outcomes and random faults (dropped
 * and duplicated webhooks, duplicated dial messages, Bland failures) over two simulated days. After every run: no
 * dial outside the calling window, no attempt token dialed twice, at most 8 dials per lead per local day, and every
 * ACTIVE lead has exactly one future attempt.
 */
let dynamo: LocalDynamo;
beforeAll(async () => {
  dynamo = await startLocalDynamo({ tableName: 'loop-property' });
});
afterAll(async () => dynamo.stop());

const LEADS: readonly [string, string][] = [
  ['(212) 555-0101', 'NY'], ['(305) 555-0102', 'FL'], ['(512) 555-0103', 'TX'], ['(213) 555-0104', 'CA'],
  ['(808) 555-0105', 'HI'], ['(907) 555-0106', 'AK'], ['(850) 555-0107', 'FL'], ['(401) 555-0108', 'RI'],
];
const OUTCOMES: Script['body'][] = [
  { status: 'no-answer', answered_by: 'no-answer' },
  { status: 'completed', answered_by: 'voicemail' },
  { status: 'busy' },
  { status: 'completed', answered_by: 'human', disposition_tag: 'NOT_INTERESTED' },
  { status: 'completed', answered_by: 'human', disposition_tag: 'SALE' },
  { status: 'completed', answered_by: 'human', disposition_tag: 'DO_NOT_CALL' },
  { status: 'failed', error_message: 'Call failed. The number you dialed is temporarily unavailable.' },
];

const runArb = fc.record({
  start: fc.integer({ min: Date.parse('2026-07-13T10:00:00Z'), max: Date.parse('2026-07-17T23:00:00Z') }),
  leads: fc.uniqueArray(fc.integer({ min: 0, max: LEADS.length - 1 }), { minLength: 1, maxLength: 4 }),
  outcomes: fc.array(fc.integer({ min: 0, max: OUTCOMES.length - 1 }), { minLength: 40, maxLength: 40 }),
  faults: fc.array(fc.constantFrom<Script['webhook'] | 'fail'>('normal', 'normal', 'normal', 'drop', 'duplicate', 'fail'), { minLength: 40, maxLength: 40 }),
  duplicateMessages: fc.boolean(),
});

describe('redial loop safety properties', () => {
  it('no dial outside the window, no token dialed twice, <= 8 a day, one future attempt per open lead', async () => {
    await fc.assert(
      fc.asyncProperty(runArb, async (run) => {
        const loop = await startLoop(dynamo, {
          now: run.start,
          script: (call) => {
            const fault = run.faults[call.n % run.faults.length];
            return { body: OUTCOMES[run.outcomes[call.n % run.outcomes.length]!]!, webhook: fault === 'fail' ? 'normal' : fault };
          },
        });
        const phones: string[] = [];
        for (const i of run.leads) {
          const [phone, state] = LEADS[i]!;
          phones.push((await loop.acceptLead({ phone, state })).phone);
        }
        let failures = 0;
        const end = run.start + 2 * 86_400_000;
        while (loop.clock.now() < end) {
          const step = Math.min(end, loop.clock.now() + 3 * 3_600_000);
          if (run.faults[failures % run.faults.length] === 'fail') loop.agent.failNext = 1;
          failures++;
          if (run.duplicateMessages) for (const s of loop.scheduler.list().slice(0, 1)) await loop.queue.send(s.message);
          await loop.runUntil(step);
        }
        const problems = await checkInvariants(loop, phones);
        for (const call of loop.agent.calls) {
          const lead = (await loop.store.get(call.request.phone))!;
          const earlier = loop.agent.calls.filter((c) => c.request.phone === call.request.phone && c.at < call.at).map((c) => c.at);
          if (!oracleAllowed({ zones: lead.zones, regions: lead.regions, callTimes: earlier }, call.at, DEFAULT_CONFIG.window)) {
            problems.push(`${call.callId} at ${new Date(call.at).toISOString()} is outside the window`);
          }
        }
        const perDay = new Map<string, number>();
        for (const call of loop.agent.calls) {
          const lead = (await loop.store.get(call.request.phone))!;
          const day = `${call.request.phone} ${new Intl.DateTimeFormat('en-CA', { timeZone: lead.primaryZone }).format(new Date(call.at))}`;
          perDay.set(day, (perDay.get(day) ?? 0) + 1);
        }
        for (const [day, n] of perDay) if (n > 8) problems.push(`${day}: ${n} dials`);
        if (problems.length > 0) throw new Error(problems.join('\n'));
      }),
      { numRuns: Number(process.env.LOOP_RUNS ?? 25) },
    );
  });
});
