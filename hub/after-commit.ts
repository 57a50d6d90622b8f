/**
 * What a transaction leaves for once it has committed: console pushes, device
 * feedback, waking the outbox sender, MQTT commands, a router asked. The code
 * that opens the transaction makes one, hands it down to everything that works
 * inside it, and runs it only once the transaction has committed; a
 * transaction that rolls back throws past it, so nothing collected runs.
 *
 * Two announcements nearly every part of the hub makes are kept as facts rather
 * than work, since only the code that runs them knows how they are announced
 * (a pipeline stage leaves the consoles to the publish stage): which alarms
 * changed (`alarm.changed`, each distinct change once, in order; with the
 * feedback option, the alarm's buttons are told its state again) and how many
 * messages were added to the outbox (the sender is woken once). The event bus
 * announces them (hub/events.ts `announce`).
 *
 * Everything else is work, run by `run` in the order it was added, each piece
 * awaited before the next and on its own: one that throws or rejects is
 * reported, and the rest still run.
 *
 * In the kernel, beside the coded errors: dispatch, the relatives' cascade,
 * device supervision, family updates and the alarm pipeline all use it, and
 * it knows nothing of storage (the storage port's own `afterCommit` is for
 * callbacks bound to the running transaction's async context, not passed down).
 */

/** One piece of after-commit work; a promise it returns is awaited before the next piece. */
export type AfterCommitWork = () => void | Promise<void>;

export interface AlarmChange {
  alarmId: number;
  change: string;
}

export class AfterCommit {
  /** Alarms that changed, in order, each distinct change once. */
  readonly changes: AlarmChange[] = [];
  /** Alarms whose buttons must be told their state again, read from the committed alarm. */
  readonly feedback = new Set<number>();
  /** Messages added to the outbox. */
  outboxAdded = 0;
  private readonly announced = new Set<string>();
  private readonly queued: AfterCommitWork[] = [];
  private readonly keys = new Set<string>();

  change(alarmId: number, change: string, options: { feedback?: boolean } = {}): void {
    const key = `${alarmId}:${change}`;
    if (!this.announced.has(key)) {
      this.announced.add(key);
      this.changes.push({ alarmId, change });
    }
    if (options.feedback) this.feedback.add(alarmId);
  }

  /** Queues `work`; with a `key`, work under a key already queued is not queued again. */
  add(work: AfterCommitWork, key?: string): void {
    if (key !== undefined) {
      if (this.keys.has(key)) return;
      this.keys.add(key);
    }
    this.queued.push(work);
  }

  /** Work queued and not run yet. */
  get pending(): number {
    return this.queued.length;
  }

  /**
   * Runs the queued work once, in order, each piece awaited before the next (work it queues runs
   * after it). One that throws or rejects goes to `failed`, and the rest still run.
   * Work that returns no promise runs at once, without waiting for a turn of the event loop.
   */
  async run(failed: (error: unknown) => void): Promise<void> {
    for (let work = this.queued.shift(); work; work = this.queued.shift()) {
      try {
        const result = work();
        if (result instanceof Promise) await result;
      } catch (error) {
        failed(error);
      }
    }
  }
}
