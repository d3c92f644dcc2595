import fc from 'fast-check';
import { TokenBucket } from '../../../lambdas/adapters/rate-limit';

/** A virtual clock: sleep advances it, so the bucket's schedule is observed exactly. */
function harness(rate: number, burst: number) {
  let now = 0;
  const bucket = new TokenBucket(rate, burst, () => now, async (ms) => {
    now += ms;
  });
  return { bucket, at: () => now, set: (t: number) => (now = t) };
}

describe('TokenBucket', () => {
  it('spaces takes at 1/rate once the burst is spent', async () => {
    const { bucket, at } = harness(10, 1);
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      await bucket.take();
      times.push(at());
    }
    expect(times).toEqual([0, 100, 200, 300, 400]);
  });

  it('lets a burst through at once, then meters', async () => {
    const { bucket, at } = harness(4, 3);
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      await bucket.take();
      times.push(at());
    }
    expect(times).toEqual([0, 0, 0, 250, 500]);
  });

  it('never allows more than burst + rate × window takes in any window (property)', async () => {
    await fc.assert(fc.asyncProperty(
      fc.integer({ min: 1, max: 200 }), fc.integer({ min: 1, max: 5 }), fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 1, maxLength: 60 }),
      async (rate, burst, gaps) => {
        const { bucket, at, set } = harness(rate, burst);
        const times: number[] = [];
        for (const gap of gaps) {
          set(at() + gap);
          await bucket.take();
          times.push(at());
        }
        for (let i = 0; i < times.length; i++) {
          const inSecond = times.filter((t) => t >= times[i]! && t < times[i]! + 1000).length;
          expect(inSecond).toBeLessThanOrEqual(burst + rate);
        }
      },
    ), { numRuns: 200 });
  });

  it('refuses a rate that is not positive', () => {
    expect(() => harness(0, 1)).toThrow('ratePerSecond must be > 0');
  });
});
