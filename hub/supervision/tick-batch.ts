/**
 * Collects work that arrives within one turn of the event loop and hands it
 * over as one batch, so that it can be committed in one transaction.
 *
 * Why: when a fleet drops or comes back at once, every device's Last Will or
 * `online` status arrives within the same few milliseconds. One transaction per
 * device (each an fsync) made supervision most of the hub's CPU while 5,000
 * buttons reconnected (issue 12). Batched per tick, a wave of N statuses is a
 * handful of commits, applied in arrival order, and each caller's promise
 * settles when the commit that holds its item is done (or failed).
 */

interface Waiting<T> {
  item: T;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export class TickBatch<T> {
  private readonly apply: (items: readonly T[]) => Promise<void>;
  private waiting: Waiting<T>[] = [];
  private scheduled = false;

  constructor(apply: (items: readonly T[]) => Promise<void>) {
    this.apply = apply;
  }

  /** Queues `item` for the next batch; resolves once the batch that holds it is applied. */
  add(item: T): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      if (this.scheduled) return;
      this.scheduled = true;
      // After the I/O events of this turn: everything that arrived with them joins the batch.
      setImmediate(() => void this.run());
    });
  }

  private async run(): Promise<void> {
    const batch = this.waiting;
    this.waiting = [];
    this.scheduled = false;
    try {
      await this.apply(batch.map((waiting) => waiting.item));
      for (const waiting of batch) waiting.resolve();
    } catch (error) {
      for (const waiting of batch) waiting.reject(error);
    }
  }
}
