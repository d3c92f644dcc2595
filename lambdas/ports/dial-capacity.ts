import type { CapacityKeys, CapacityLimit, LaneLimits } from '../domain/pacing';
import type { DialMessage } from './attempt-scheduler';

/** How much of the voice platform's capacity is in use: calls holding a slot, and the counts of the current periods. */
export interface CapacityUsage {
  readonly inFlight: number;
  readonly second: number;
  readonly hour: number;
  readonly day: number;
  readonly spendUsd: number;
}

/**
 * An attempt deferred for concurrency, waiting in the pacer's waiting room for a slot. `place` orders the room: the
 * priority class first, then the rank within it (sortable strings; see waiterPlace in domain/pacing).
 */
export interface Waiter {
  readonly place: string;
  readonly message: DialMessage;
}

/** The ledger after a release: the calls still in progress, and the last refusal for concurrency (null: none). */
export interface Released {
  readonly inFlight: number;
  readonly refusedAt: number | null;
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
   * count is below `limits` (expired leases do not count). Refused: which limits are full, and the usage seen; a refusal
   * for concurrency is noted (its time), so a release knows whether anyone may be waiting.
   */
  acquire(token: string, keys: CapacityKeys, limits: LaneLimits, leaseUntil: number, now: number): Promise<Acquired>;
  /**
   * Frees the slot `token` holds (nothing if none) and adds a finished call's price to `day`'s spend. Answers the calls
   * still holding a slot (leases not yet expired at `now`) and when a dial was last refused for concurrency.
   * `giveBack`: no call was placed under the slot (the admission's periods): its hourly and daily counts are given
   * back, once, and only while the token still holds its slot.
   */
  release(token: string, day: string, spendUsd: number, now: number, giveBack?: CapacityKeys): Promise<Released>;
  /** Puts an attempt in the waiting room at its place (one per lead: a lead's new attempt replaces its old one). */
  park(waiter: Waiter): Promise<void>;
  /** Takes an attempt out of the waiting room (it was admitted by its own message). */
  unpark(place: string): Promise<void>;
  /** The first `n` waiters, first places first (a look: another dialer may take them meanwhile). */
  waiters(n: number): Promise<Waiter[]>;
  /** Takes one waiter out of the room by an atomic delete: true for the one dialer that took it. */
  take(place: string): Promise<boolean>;
  /** How many attempts wait in the room. */
  waiting(): Promise<number>;
  usage(keys: CapacityKeys, now: number): Promise<CapacityUsage>;
  /** The next turn on a class's line: max(the line, now) + spacing, reserved atomically (deferred attempts' retry). */
  reserveTurn(line: string, now: number, spacingMs: number): Promise<number>;
  /**
   * Books a retry in `hour` (a UTC hour key) for an attempt refused by the hourly cap: one conditional ADD on the hour's
   * bookings, shared by every class, below `cap` (the class's share of the hourly cap, so lower classes leave the
   * reserve to higher ones). Answers the booking's number in the hour (1 = first), or null when the hour is booked up.
   */
  bookHour(hour: string, cap: number): Promise<number | null>;
  /** Drops expired leases and counters of past periods (the sweeper, every few minutes). */
  prune(keys: CapacityKeys, now: number): Promise<void>;
}
