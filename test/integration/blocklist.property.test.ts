import fc from 'fast-check';
import { startLocalDynamo, type LocalDynamo } from '../../lambdas/adapters/local/dynalite';
import type { BlockEntry, BlockKind } from '../../lambdas/domain/blocklist';
import { checkInvariants, startLoop, type Script } from '../support/loop-harness';

/**
 * The blocklist as a property: random leads, random blocklist changes (numbers, area codes, prefixes, added and
 * removed at random moments), random outcomes including permanent failures (listed automatically as BAD_NUMBER) and
 * leads arriving while blocked. Oracle: the blocklist as it stood at each call (its own timeline, kept here) blocked
 * none of the calls placed; no call after a number's BAD_NUMBER listing; the loop's invariants hold.
 */
let dynamo: LocalDynamo;
beforeAll(async () => {
  dynamo = await startLocalDynamo({ tableName: 'blocklist-property' });
});
afterAll(async () => dynamo.stop());

const LEADS: readonly [string, string][] = [
  ['(212) 555-0101', 'NY'], ['(212) 555-0202', 'NY'], ['(305) 555-0102', 'FL'], ['(512) 555-0103', 'TX'], ['(213) 555-0104', 'CA'], ['(213) 555-0205', 'CA'],
];
const TARGETS: readonly [BlockKind, string][] = [
  ['number', '+12125550101'], ['number', '+13055550102'], ['areaCode', '212'], ['areaCode', '213'], ['prefix', '+1512555'], ['prefix', '+12135550'],
];
const OUTCOMES: Script['body'][] = [
  { status: 'no-answer', answered_by: 'no-answer' },
  { status: 'completed', answered_by: 'voicemail' },
  { status: 'completed', answered_by: 'human', disposition_tag: 'NOT_INTERESTED', call_length: 1 },
  { status: 'failed', completed: false, error_message: 'The number you dialed is not in service' },
];

const runArb = fc.record({
  start: fc.integer({ min: Date.parse('2026-07-13T14:00:00Z'), max: Date.parse('2026-07-16T20:00:00Z') }),
  leads: fc.uniqueArray(fc.integer({ min: 0, max: LEADS.length - 1 }), { minLength: 1, maxLength: 4 }),
  late: fc.integer({ min: 0, max: LEADS.length - 1 }),
  outcomes: fc.array(fc.integer({ min: 0, max: OUTCOMES.length - 1 }), { minLength: 30, maxLength: 30 }),
  changes: fc.array(fc.record({ add: fc.boolean(), target: fc.integer({ min: 0, max: TARGETS.length - 1 }) }), { minLength: 6, maxLength: 6 }),
});

describe('blocklist safety property', () => {
  it('no call reaches a number blocked at that moment (operator entries or BAD_NUMBER listings), whatever the order of events', async () => {
    await fc.assert(
      fc.asyncProperty(runArb, async (run) => {
        // BAD_NUMBER does not end the lead here, so only the blocklist listing can stop its calls.
        const loop = await startLoop(dynamo, { now: run.start, config: { policy: { badNumberTerminal: false } }, script: (call) => ({ body: OUTCOMES[run.outcomes[call.n % run.outcomes.length]!]! }) });
        // The blocklist's timeline as the test applied it: [from, to) per entry.
        const timeline: { entry: BlockEntry; from: number; to: number }[] = [];
        const phones: string[] = [];
        for (const i of run.leads) phones.push((await loop.acceptLead({ phone: LEADS[i]![0], state: LEADS[i]![1] })).phone);
        const end = run.start + 36 * 3_600_000;
        for (const [step, change] of run.changes.entries()) {
          await loop.runUntil(run.start + (step + 1) * 5 * 3_600_000);
          const [kind, value] = TARGETS[change.target]!;
          const now = loop.clock.now();
          if (change.add) {
            const entry: BlockEntry = { kind, value, reason: 'test', source: 'operator', addedAt: now, addedBy: 'test' };
            await loop.blocklist.add(entry);
            if (!timeline.some((t) => t.entry.kind === kind && t.entry.value === value && t.to === Infinity)) timeline.push({ entry, from: now, to: Infinity });
          } else if (await loop.blocklist.remove(kind, value)) {
            for (const t of timeline) if (t.entry.kind === kind && t.entry.value === value && t.to === Infinity) t.to = now;
          }
          if (step === 2) {
            // A lead arriving now: if blocked, it is kept but paused.
            const answer = await loop.acceptLead({ phone: LEADS[run.late]![0], state: LEADS[run.late]![1] });
            if (!phones.includes(answer.phone)) phones.push(answer.phone);
          }
        }
        await loop.runUntil(end);

        const problems = await checkInvariants(loop, phones);
        const autoListed = (await loop.blocklist.list()).filter((e) => e.source === 'bad-number');
        for (const call of loop.agent.calls) {
          // Its own matching, not the code's: a number entry is the number, an area code its 3 digits, a prefix a prefix.
          const active = timeline.filter((t) => t.from <= call.at && call.at < t.to).map((t) => t.entry);
          const phone = call.request.phone;
          const blocked = active.find((e) => (e.kind === 'number' && e.value === phone) || (e.kind === 'areaCode' && phone.slice(2, 5) === e.value) || (e.kind === 'prefix' && phone.slice(0, e.value.length) === e.value));
          if (blocked) problems.push(`${call.callId} at ${new Date(call.at).toISOString()} reached ${call.request.phone}, blocked by ${blocked.kind} ${blocked.value}`);
          const listed = autoListed.find((e) => e.value === call.request.phone && e.addedAt < call.at);
          if (listed) problems.push(`${call.callId} reached ${call.request.phone} after its BAD_NUMBER listing`);
        }
        if (problems.length > 0) throw new Error(problems.join('\n'));
      }),
      { numRuns: Number(process.env.BLOCKLIST_RUNS ?? 15) },
    );
  });
});
