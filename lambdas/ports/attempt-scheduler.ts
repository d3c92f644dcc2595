import { createHash } from 'node:crypto';
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

/** EventBridge Scheduler names: 1-64 characters of letters, digits, `-`, `_` and `.` (CreateSchedule, `Name`). */
export const SCHEDULE_NAME = /^[0-9A-Za-z_.-]{1,64}$/;

/**
 * A schedule name for `prefix` + an id that may come from outside (Bland's call_id): the id itself when the name is
 * valid, else its valid characters cut to fit and a digest of the whole id, so the name is valid, stable (cancel finds
 * it) and distinct per id.
 */
function scheduleName(prefix: string, id: string): string {
  const plain = `${prefix}${id}`;
  if (SCHEDULE_NAME.test(plain)) return plain;
  const digest = createHash('sha256').update(id).digest('hex').slice(0, 24);
  const readable = id.replace(/[^0-9A-Za-z_.-]/g, '_').slice(0, 64 - prefix.length - digest.length - 1);
  return `${prefix}${readable}~${digest}`.replace('~', readable ? '-' : '');
}

/** Schedule names are stable per attempt: `d-<token>` for dials, `w-<callId>` for watchdogs. */
export const dialScheduleName = (token: string) => scheduleName('d-', token);
export const watchdogScheduleName = (callId: string) => scheduleName('w-', callId);
