import type { ManualClock } from '../../lambdas/adapters/system-clock';
import type { LocalRuntime } from '../../bin/local-runtime';

/** One pass of the local runtime's loop, the Bland simulator's webhooks landed, and one more pass for their effects. */
export async function settleLoop(rt: LocalRuntime): Promise<void> {
  await rt.loopOnce();
  await rt.bland.settle();
  await rt.loopOnce();
}

/**
 * Drives the runtime on a manual clock: from one scheduled event to the next (settling at each) up to `until`, then
 * sets the clock to `until` and settles once more. The simulator answers at once (talkMs 0), so every instant is exact.
 */
export async function runUntil(rt: LocalRuntime, clock: ManualClock, until: number, maxEvents = 2000): Promise<void> {
  for (let guard = 0; guard < maxEvents; guard++) {
    await settleLoop(rt);
    const next = rt.nextAt();
    if (next === null || next > until) break;
    clock.set(Math.max(clock.now(), next));
  }
  clock.set(Math.max(clock.now(), until));
  await settleLoop(rt);
}

/**
 * The store with one method made to throw while `failing()` says so (a crash or an outage at that step); every
 * other call goes to the real store. For LocalRuntimeOptions.wrapPorts.store.
 */
export function failingStore(method: string, failing: () => boolean, message: string) {
  return (store: LocalRuntime['store']): LocalRuntime['store'] => new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (prop === method && failing()) return async () => { throw new Error(message); };
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
