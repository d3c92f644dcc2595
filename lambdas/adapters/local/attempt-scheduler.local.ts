import type { AttemptScheduler, DialMessage } from '../../ports/attempt-scheduler';
import type { Clock } from '../../ports/clock';
import { MIN_LEAD_MS } from '../aws/attempt-scheduler.eventbridge';

/** Where the local scheduler keeps its pending schedules, so that a restart resumes them. */
export interface ScheduleStore {
  putSchedule(name: string, at: number, message: DialMessage): Promise<void>;
  deleteSchedule(name: string): Promise<void>;
  listSchedules(): Promise<{ name: string; at: number; message: DialMessage }[]>;
}

/**
 * The local stand-in for EventBridge Scheduler: the same contract (one schedule per name, past times moved to
 * now + 1 minute, cancel of a missing schedule is fine), persisted in the store, fired by `tick()` against the
 * injected clock (the runtime ticks it; tests call it), delivering at least once.
 */
export class LocalAttemptScheduler implements AttemptScheduler {
  private readonly pending = new Map<string, { at: number; message: DialMessage }>();

  constructor(
    private readonly store: ScheduleStore,
    private readonly deliver: (message: DialMessage) => Promise<void>,
    private readonly clock: Clock,
  ) {}

  /** Loads the schedules persisted before a restart. */
  async resume(): Promise<number> {
    for (const s of await this.store.listSchedules()) this.pending.set(s.name, { at: s.at, message: s.message });
    return this.pending.size;
  }

  async schedule(name: string, at: number, message: DialMessage): Promise<void> {
    const when = Math.max(at, this.clock.now() + MIN_LEAD_MS);
    await this.store.putSchedule(name, when, message);
    this.pending.set(name, { at: when, message });
  }

  async cancel(name: string): Promise<void> {
    await this.store.deleteSchedule(name);
    this.pending.delete(name);
  }

  /** Pending schedules, soonest first (for tests and operators). */
  list(): { name: string; at: number; message: DialMessage }[] {
    return [...this.pending.entries()].map(([name, s]) => ({ name, ...s })).sort((a, b) => a.at - b.at);
  }

  /** The next time a schedule fires, or null. */
  nextAt(): number | null {
    let next: number | null = null;
    for (const s of this.pending.values()) if (next === null || s.at < next) next = s.at;
    return next;
  }

  /** Fires every schedule due by now; a schedule is removed only after its message was delivered. */
  async tick(): Promise<number> {
    const now = this.clock.now();
    let fired = 0;
    // Only the due ones are sorted (every tick looks at every schedule once: linear in the pending count).
    const due: { name: string; at: number; message: DialMessage }[] = [];
    for (const [name, s] of this.pending) if (s.at <= now) due.push({ name, ...s });
    due.sort((a, b) => a.at - b.at);
    for (const s of due) {
      await this.deliver(s.message);
      // Deleted after delivery (at-least-once), unless it was re-scheduled meanwhile.
      if (this.pending.get(s.name)?.at === s.at) {
        this.pending.delete(s.name);
        await this.store.deleteSchedule(s.name);
      }
      fired++;
    }
    return fired;
  }
}
