/**
 * An in-process stand-in for an SQS queue: at-least-once, in send order among the messages that are ready. A message
 * sent with a delay becomes ready once the injected clock reaches it (SQS DelaySeconds). A message stays until its
 * handler succeeds; after `maxReceives` failed deliveries it moves to the dead-letter list (like an SQS redrive
 * policy).
 */
export class LocalQueue<T> {
  private pending: { message: T; receives: number; readyAt: number }[] = [];
  readonly deadLetters: T[] = [];

  constructor(
    private readonly maxReceives = 5,
    private readonly now: () => number = () => 0,
  ) {}

  async send(message: T, delayMs = 0): Promise<void> {
    this.pending.push({ message: JSON.parse(JSON.stringify(message)) as T, receives: 0, readyAt: this.now() + Math.max(0, delayMs) });
  }

  /** Messages not yet delivered successfully, delayed ones included. */
  get depth(): number {
    return this.pending.length;
  }

  /** Every message waiting, with the instant it becomes ready (tests, invariants). */
  list(): { message: T; readyAt: number }[] {
    return this.pending.map((p) => ({ message: p.message, readyAt: p.readyAt }));
  }

  /** The instant the next delayed message becomes ready, or null when none waits. */
  nextReadyAt(): number | null {
    let next: number | null = null;
    for (const p of this.pending) if (next === null || p.readyAt < next) next = p.readyAt;
    return next;
  }

  /**
   * Delivers every message ready now to the handler once, up to `concurrency` at a time (a pool of dialer instances);
   * failures go back to the queue or to the dead letters.
   */
  async drain(handler: (message: T) => Promise<void>, concurrency = 1): Promise<{ delivered: number; failed: number }> {
    const now = this.now();
    // One pass: the ready messages are taken, the delayed ones stay (linear in the queue's depth).
    const batch: typeof this.pending = [];
    const waiting: typeof this.pending = [];
    for (const p of this.pending) (p.readyAt <= now ? batch : waiting).push(p);
    this.pending = waiting;
    let delivered = 0;
    let failed = 0;
    let next = 0;
    const worker = async () => {
      while (next < batch.length) {
        const entry = batch[next++]!;
        entry.receives++;
        try {
          await handler(entry.message);
          delivered++;
        } catch {
          failed++;
          if (entry.receives >= this.maxReceives) this.deadLetters.push(entry.message);
          else this.pending.push(entry);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, batch.length)) }, worker));
    return { delivered, failed };
  }
}
