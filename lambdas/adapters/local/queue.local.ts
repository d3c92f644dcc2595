/**
 * An in-process stand-in for an SQS queue: FIFO in memory, at-least-once. A message stays until its handler
 * succeeds; after `maxReceives` failed deliveries it moves to the dead-letter list (like an SQS redrive policy).
 */
export class LocalQueue<T> {
  private readonly ready: { message: T; receives: number }[] = [];
  readonly deadLetters: T[] = [];

  constructor(private readonly maxReceives = 5) {}

  async send(message: T): Promise<void> {
    this.ready.push({ message: JSON.parse(JSON.stringify(message)) as T, receives: 0 });
  }

  get depth(): number {
    return this.ready.length;
  }

  /** Delivers every ready message to the handler once; failures go back to the queue or to the dead letters. */
  async drain(handler: (message: T) => Promise<void>): Promise<{ delivered: number; failed: number }> {
    const batch = this.ready.splice(0, this.ready.length);
    let delivered = 0;
    let failed = 0;
    for (const entry of batch) {
      entry.receives++;
      try {
        await handler(entry.message);
        delivered++;
      } catch {
        failed++;
        if (entry.receives >= this.maxReceives) this.deadLetters.push(entry.message);
        else this.ready.push(entry);
      }
    }
    return { delivered, failed };
  }
}
