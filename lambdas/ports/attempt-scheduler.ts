/** What the dial queue receives when an attempt is due (versioned contract). */
export interface DialMessage {
  readonly v: 1;
  readonly kind: 'dial' | 'watchdog' | 'sms';
  readonly phone: string;
  /** dial: the attempt's token; watchdog: the token of the dialed attempt; sms: the text step's token. */
  readonly scheduleToken: string;
  /** watchdog only: the call to check. */
  readonly callId?: string;
  /** sms only: the step of the lead's text sequence. */
  readonly step?: number;
  /**
   * dial only: `priority` for a fresh lead's first call or a callback at its promised time. It travels on the priority
   * dial queue, which no backlog of redials (the window-opening wave) can hold up. Absent: the standard queue.
   */
  readonly lane?: 'priority';
}

/**
 * One pending one-off schedule per attempt. `schedule` is idempotent by name; `cancel` of a missing schedule is fine.
 * AWS: EventBridge Scheduler `at()` schedules into the dial queue. Local: in-process timers persisted in the store.
 */
export interface AttemptScheduler {
  schedule(name: string, at: number, message: DialMessage): Promise<void>;
  cancel(name: string): Promise<void>;
}

/** Schedule names are stable per attempt: `d-<token>` for dials, `w-<callId>` for watchdogs. */
export const dialScheduleName = (token: string) => `d-${token}`;
export const watchdogScheduleName = (callId: string) => `w-${callId}`;
