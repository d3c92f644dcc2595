import fc from 'fast-check';
import { dialScheduleName, SCHEDULE_NAME, watchdogScheduleName } from '../../../lambdas/ports/attempt-scheduler';

describe('schedule names (EventBridge Scheduler: 1-64 of letters, digits, - _ .)', () => {
  it('a Bland call_id that fits is kept as it is (operators find the watchdog by it)', () => {
    expect(watchdogScheduleName('3f0c2a1e-9b7d-4e1f-8a2b-0c9d8e7f6a5b')).toBe('w-3f0c2a1e-9b7d-4e1f-8a2b-0c9d8e7f6a5b');
    expect(dialScheduleName('tok_1.2-3')).toBe('d-tok_1.2-3');
  });

  it('any id (other characters, any length) gives a valid name, the same every time, distinct from another id\'s', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', minLength: 1, maxLength: 300 }), fc.string({ unit: 'binary', minLength: 1, maxLength: 300 }), (a, b) => {
      const name = watchdogScheduleName(a);
      expect(name).toMatch(SCHEDULE_NAME);
      expect(name.startsWith('w-')).toBe(true);
      expect(watchdogScheduleName(a)).toBe(name);
      if (a !== b) expect(watchdogScheduleName(b)).not.toBe(name);
    }), { numRuns: 2_000 });
  });

  it('a 63-character id and one with a slash or a space are named by digest, keeping what they can', () => {
    const long = 'c'.repeat(63);
    expect(watchdogScheduleName(long)).toMatch(/^w-c{37}-[0-9a-f]{24}$/);
    expect(watchdogScheduleName('call/1 x')).toMatch(/^w-call_1_x-[0-9a-f]{24}$/);
    expect(watchdogScheduleName('call/1 x')).not.toBe(watchdogScheduleName('call_1_x'));
  });
});
