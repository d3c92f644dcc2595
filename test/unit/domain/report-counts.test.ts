import fc from 'fast-check';
import { reportRange } from '../../../lambdas/app/reports';
import { toHttpRequest } from '../../../lambdas/handlers/api-gateway';
import { newLead, type Lead } from '../../../lambdas/domain/lead';
import type { E164 } from '../../../lambdas/domain/phone';
import { OUTCOMES } from '../../../lambdas/domain/outcome';
import { latenessBucket, latenessPercentile, leadBuckets, leadCountsDelta, reportingDate, sumCounts } from '../../../lambdas/domain/report-counts';

const base = newLead({ phone: '+12125550100' as E164, location: { zones: ['America/New_York'], primaryZone: 'America/New_York', regions: ['NY'] }, now: 0, source: 't' });

describe('reporting days', () => {
  it('are calendar days of the reporting zone, across both DST changes', () => {
    expect(reportingDate('America/New_York', Date.parse('2026-07-16T03:59:00Z'))).toBe('2026-07-15'); // 23:59 EDT
    expect(reportingDate('America/New_York', Date.parse('2026-07-16T04:00:00Z'))).toBe('2026-07-16');
    expect(reportingDate('America/New_York', Date.parse('2026-03-09T03:59:00Z'))).toBe('2026-03-08'); // 23:59 EDT, the spring-forward day
    expect(reportingDate('America/New_York', Date.parse('2026-11-02T04:59:00Z'))).toBe('2026-11-01'); // 23:59 EST, the fall-back day
    expect(reportingDate('America/Los_Angeles', Date.parse('2026-07-16T06:30:00Z'))).toBe('2026-07-15');
  });
});

describe('the lateness histogram', () => {
  it('puts a dial in the first bucket whose bound it does not exceed; over an hour in the open bucket', () => {
    expect(latenessBucket(0)).toBe('late_le_1');
    expect(latenessBucket(1000)).toBe('late_le_1');
    expect(latenessBucket(1001)).toBe('late_le_5');
    expect(latenessBucket(299_000)).toBe('late_le_300');
    expect(latenessBucket(3_600_001)).toBe('late_gt_3600');
    expect(latenessBucket(-5)).toBe('late_le_1');
  });

  it('answers a percentile with the bucket the rank-th smallest dial is in (property, against sorting the raw values)', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 7_200_000 }), { minLength: 1, maxLength: 300 }), fc.constantFrom(0.5, 0.95, 0.99, 1), (lates, p) => {
      const counts = sumCounts(lates.map((ms) => ({ [latenessBucket(ms)]: 1 })));
      const sorted = [...lates].sort((a, b) => a - b);
      const truth = sorted[Math.ceil(p * sorted.length) - 1]!;
      const bucket = latenessBucket(truth);
      const answer = latenessPercentile(counts, p)!;
      expect(answer.atMostS === null ? 'late_gt_3600' : `late_le_${answer.atMostS}`).toBe(bucket);
    }));
    expect(latenessPercentile({}, 0.5)).toBeNull();
  });
});

describe('cohort buckets', () => {
  const arb: fc.Arbitrary<Lead> = fc.record({
    status: fc.constantFrom('ACTIVE', 'PAUSED', 'DONE') as fc.Arbitrary<Lead['status']>,
    outcome: fc.constantFrom(null, ...OUTCOMES),
    lastOutcome: fc.constantFrom(null, ...OUTCOMES),
    transfers: fc.option(fc.nat(3), { nil: undefined }),
  }).map((x) => ({ ...base, ...x }));

  it('a lead is in exactly one status, one last-outcome bucket, and (when DONE) one terminal bucket', () => {
    fc.assert(fc.property(arb, (lead) => {
      const b = leadBuckets(lead);
      expect(b.filter((k) => k.startsWith('status_'))).toHaveLength(1);
      expect(b.filter((k) => k.startsWith('last_'))).toHaveLength(1);
      expect(b.filter((k) => k.startsWith('terminal_'))).toHaveLength(lead.status === 'DONE' ? 1 : 0);
      expect(b.includes('transferredActive')).toBe(lead.status === 'ACTIVE' && (lead.transfers ?? 0) > 0);
    }));
  });

  it('applying the deltas of any sequence of changes leaves exactly the buckets of the final state (counters never drift)', () => {
    fc.assert(fc.property(fc.array(arb, { minLength: 1, maxLength: 12 }), (states) => {
      const counts = sumCounts(states.map((s, i) => leadCountsDelta(i === 0 ? null : states[i - 1]!, s)));
      const final = sumCounts([Object.fromEntries(leadBuckets(states.at(-1)!).map((k) => [k, 1]))]);
      expect(Object.fromEntries(Object.entries(counts).filter(([, n]) => n !== 0))).toEqual(final);
    }));
  });

  it('a change that moves no bucket writes nothing', () => {
    expect(leadCountsDelta(base, { ...base, attemptsTotal: 3, nextAttemptAt: 5 })).toEqual({});
    expect(leadCountsDelta(base, { ...base, status: 'DONE', outcome: 'SALE', lastOutcome: 'SALE' })).toEqual({
      status_ACTIVE: -1, status_DONE: 1, last_NONE: -1, last_SALE: 1, terminal_SALE: 1,
    });
  });
});

describe('report ranges', () => {
  it('refuses a range of centuries at once (counted, not enumerated), and names the field of a bad date', () => {
    expect(() => reportRange('1000-01-01', '9999-12-31')).toThrow('to: the range covers 3287182 days; at most 400');
    expect(() => reportRange('2026-01-01', '2027-02-05')).toThrow('at most 400');
    expect(reportRange('2026-01-01', '2027-02-04').dates).toHaveLength(400);
    expect(reportRange('2026-03-07', undefined)).toEqual({ from: '2026-03-07', to: '2026-03-07', dates: ['2026-03-07'] });
    expect(() => reportRange(undefined, '2026-01-01')).toThrow('from: required');
    expect(() => reportRange('2026-02-29', undefined)).toThrow('from: "2026-02-29" is not a date YYYY-MM-DD');
  });

  it('API Gateway joins a repeated query parameter with commas: the last value is kept, as locally', () => {
    const event = { requestContext: { http: { method: 'GET' } }, rawPath: '/admin/reports/range', headers: {}, queryStringParameters: { from: '2026-01-01,2026-01-02', to: '2026-01-03' } };
    expect(toHttpRequest(event as never).query).toEqual({ from: '2026-01-02', to: '2026-01-03' });
  });
});
