import type { CapacityKeys, CapacityLimit, LaneLimits } from '../domain/pacing';

/** How much of the voice platform's capacity is in use: calls holding a slot, and the counts of the current periods. */
export interface CapacityUsage {
  readonly inFlight: number;
  readonly second: number;
  readonly hour: number;
  readonly day: number;
  readonly spendUsd: number;
}

export type Acquired = { readonly acquired: true; readonly usage: CapacityUsage } | { readonly acquired: false; readonly full: readonly CapacityLimit[]; readonly usage: CapacityUsage };

/**
 * The shared capacity ledger of every dialer instance (one DynamoDB item on AWS and locally): call slots held under
 * the attempt's token until released or past their lease, and the calls counted per second, hour and day, with the
 * day's spend. Every change is one atomic conditional write, so no two instances can both take the last slot.
 */
export interface CapacityStore {
  /**
   * Takes a slot for `token` until `leaseUntil` and counts one call in the keys' second, hour and day, only if every
   * count is below `limits` (expired leases do not count). Refused: which limits are full, and the usage seen.
   */
  acquire(token: string, keys: CapacityKeys, limits: LaneLimits, leaseUntil: number, now: number): Promise<Acquired>;
  /** Frees the slot `token` holds (nothing if none) and adds a finished call's price to `day`'s spend. */
  release(token: string, day: string, spendUsd: number): Promise<void>;
  usage(keys: CapacityKeys, now: number): Promise<CapacityUsage>;
  /** The next turn on a class's line: max(the line, now) + spacing, reserved atomically (deferred attempts' retry). */
  reserveTurn(line: string, now: number, spacingMs: number): Promise<number>;
  /** Drops expired leases and counters of past periods (the sweeper, every few minutes). */
  prune(keys: CapacityKeys, now: number): Promise<void>;
}
