import { ManualClock } from '../../../lambdas/adapters/system-clock';
import { makeBackfillStatus } from '../../../lambdas/app/backfill';
import type { BackfillDate, BackfillRun, BackfillStore, PhoneCheck } from '../../../lambdas/ports/backfill';
import { ZERO_COUNTS } from '../../../lambdas/ports/backfill';
import { progressLine } from '../../../bin/backfill-cli';

/**
 * The ETA an operator reads is wall-clock time: the local runtime's simulated clock runs 60x, and an ETA measured on
 * it said "1h03m" for a run that took 66 s.
 */
const run: BackfillRun = {
  runId: 'r', kind: 'backfill', from: '2025-12-01', to: '2025-12-10', zone: 'America/New_York', dryRun: true,
  createdAt: 0, startedAt: 0, wallStartedAt: 1_000_000, maxConcurrency: 1, dates: 10,
};

function storeWith(dates: BackfillDate[], check: PhoneCheck | null): BackfillStore {
  const unused = () => Promise.reject(new Error('not used by status'));
  return {
    getRun: async () => run, getSummary: async () => null, getCheck: async () => check, listDates: async () => dates,
    createRun: unused, markRunStarted: unused, getDate: unused, recordDate: unused, failDate: unused, startCheck: unused,
    commitCheck: unused, finishCheck: unused, failCheck: unused, putSummary: unused,
  };
}

const fetched = (date: string, wallAt: number): BackfillDate => ({ date, status: 'done', calls: 10, unique: 5, invalid: 0, error: null, updatedAt: 60 * wallAt, wallAt });

it('while dates are fetched: the wall-clock time per date so far times the dates left', async () => {
  // 5 dates in 10 wall seconds (600 simulated seconds): 5 more take 10 wall seconds.
  const dates = ['01', '02', '03', '04', '05'].map((d, i) => fetched(`2025-12-${d}`, 1_000_000 + (i + 1) * 2_000));
  const status = (await makeBackfillStatus({ runs: storeWith(dates, null), clock: new ManualClock(600_000), wall: new ManualClock(1_010_000) })('r'))!;
  expect(status.etaMs).toBe(10_000);
  expect(progressLine(status)).toBe('day 5 of 10, ETA 10s');
});

it('while phones are checked: the wall-clock rate since the check (re)started times the phones left', async () => {
  const dates = Array.from({ length: 10 }, (_, i) => fetched(`2025-12-${String(i + 1).padStart(2, '0')}`, 1_000_000 + i));
  const check: PhoneCheck = { status: 'checking', total: 600, offset: 300, startOffset: 100, wallStartedAt: 2_000_000, error: null, updatedAt: 0, ...ZERO_COUNTS };
  // 200 phones in 20 wall seconds: 300 left take 30 s.
  const status = (await makeBackfillStatus({ runs: storeWith(dates, check), clock: new ManualClock(99_000_000), wall: new ManualClock(2_020_000) })('r'))!;
  expect(status.etaMs).toBe(30_000);
  expect(progressLine(status)).toBe('day 10 of 10, phones 300 of 600, ETA 30s');
});
