/**
 * Pins the wall clock (Date only) at a chosen instant for tests that run the Lambda handlers' own composition root,
 * whose clock is the system clock: the calling window then does not depend on when the test runs (no US zone is
 * inside legal hours between 11:00 and 13:00 UTC). Time still advances from there; timers stay real.
 */
export function pinWallClock(iso: string): void {
  jest.useFakeTimers({
    now: Date.parse(iso),
    advanceTimers: true,
    doNotFake: ['hrtime', 'nextTick', 'performance', 'queueMicrotask', 'requestAnimationFrame', 'cancelAnimationFrame', 'requestIdleCallback', 'cancelIdleCallback', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'],
  });
}
