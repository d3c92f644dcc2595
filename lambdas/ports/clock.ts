/**
 * The only source of "now" in redial. Domain rules take instants as arguments; use cases receive a Clock;
 * only composition roots (handlers, CLI, local runtime) construct the system clock.
 */
export interface Clock {
  /** Current instant, epoch milliseconds. */
  now(): number;
}
