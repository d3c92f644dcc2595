import type { Crm, CrmLead } from '../ports/crm';

/**
 * A token bucket (as a virtual-scheduling / GCRA meter): at most `ratePerSecond` takes per second on average, at most
 * `burst` at once. Callers queue in order; time and sleep are injected so tests need no real waiting.
 */
export class TokenBucket {
  private readonly intervalMs: number;
  private readonly burstMs: number;
  /** The theoretical time the next take is due (ms). */
  private due = -Infinity;

  constructor(
    ratePerSecond: number,
    burst: number,
    private readonly now: () => number,
    private readonly sleep: (ms: number) => Promise<void>,
  ) {
    if (!(ratePerSecond > 0)) throw new RangeError(`ratePerSecond must be > 0, got ${ratePerSecond}`);
    this.intervalMs = 1000 / ratePerSecond;
    this.burstMs = Math.max(0, Math.floor(burst) - 1) * this.intervalMs;
  }

  /** Resolves when the caller may make its request. */
  async take(): Promise<void> {
    const t = this.now();
    const due = Math.max(this.due, t - this.burstMs);
    this.due = due + this.intervalMs;
    const wait = due - t;
    if (wait > 0) await this.sleep(wait);
  }
}

/** The Crm behind a token bucket: every lookup waits its turn (Convoso's rate limit is shared by the whole account). */
export class RateLimitedCrm implements Crm {
  constructor(
    private readonly crm: Crm,
    private readonly bucket: TokenBucket,
  ) {}

  async findByPhone(phone: string): Promise<CrmLead | null> {
    await this.bucket.take();
    return this.crm.findByPhone(phone);
  }
}
