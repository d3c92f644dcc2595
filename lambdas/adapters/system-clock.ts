import type { Clock } from '../ports/clock';

/** The real clock, for composition roots only. */
export const systemClock: Clock = { now: () => Date.now() };

/** A clock that reads a fixed instant until moved: for tests and replays. */
export class ManualClock implements Clock {
  constructor(private instant: number) {}
  now(): number {
    return this.instant;
  }
  set(instant: number): void {
    this.instant = instant;
  }
  advance(ms: number): void {
    this.instant += ms;
  }
}
