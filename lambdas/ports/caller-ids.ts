import type { CallerIdState } from '../domain/caller-id';

/** The caller-ID pool's state, per number, in the store (not in memory: every dialer sees the same cooldowns). */
export interface CallerIdStore {
  /** The states of these numbers (a number never used yet is absent). */
  states(numbers: readonly string[]): Promise<Map<string, CallerIdState>>;
  /** Applies `change` to the number's state atomically (optimistic: re-read and retried on a concurrent write). */
  update(number: string, change: (state: CallerIdState) => CallerIdState): Promise<CallerIdState>;
}
