import { makeRepeatSummarizer } from '../../../bin/repeat-summarizer';

it('prints the first line, then one count per period for the repeats, and the rest when flushed', () => {
  const printed: string[] = [];
  let now = 0;
  const lines = makeRepeatSummarizer((l) => printed.push(l), 'writes parked', { everyMs: 30_000, now: () => now, hint: 'npx redial crm-replay' });
  lines('crm write-back c1 +1******0101: parked (no CRM lead has this number)');
  for (let i = 2; i <= 500; i++) {
    now += 100;
    lines(`crm write-back c${i}: parked`);
  }
  // 499 repeats over 49.9 s: one summary once 30 s had passed, the rest held.
  expect(printed).toEqual([
    'crm write-back c1 +1******0101: parked (no CRM lead has this number)  (repeats of this are summarized every 30 s)',
    'writes parked: 300 more in the last 30 s (npx redial crm-replay)',
  ]);
  lines.flush();
  expect(printed[2]).toBe('writes parked: 199 more in the last 20 s (npx redial crm-replay)');
  lines.flush();
  expect(printed).toHaveLength(3);
});
