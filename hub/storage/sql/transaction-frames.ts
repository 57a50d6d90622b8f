/**
 * Which transaction the running code is in, for both drivers of the storage
 * port (sql-port.ts): an `AsyncLocalStorage` frame per transaction or
 * savepoint, so a statement made anywhere in the async context of a
 * transaction's work joins it, and one made elsewhere does not.
 *
 * Savepoints of one transaction form a stack in the database: two started side
 * by side (`Promise.all` inside a transaction) would release each other's. So
 * the savepoints opened directly inside one frame run one after the other, each
 * once the one before it settled; one opened inside a savepoint nests in it.
 *
 * On Node 20 an enabled `AsyncLocalStorage` makes every promise in the process
 * dearer (async hooks follow each one: an `await` costs about 2.5 times as
 * much, and issue 12's burst acked about 15 % later). So the storage is enabled
 * only while a transaction is open, and disabled again when none is: the
 * broker's and HTTP's promises outside transactions pay nothing.
 */
import { AsyncLocalStorage } from "node:async_hooks";

export interface Frame<C> {
  /** The transaction's connection or handle (PostgreSQL: the reserved connection or savepoint). */
  readonly handle: C;
  /** Shared by a transaction and all its savepoints: false once the transaction ended. */
  readonly root: Root;
  /** Savepoint nesting depth: 0 for the transaction itself. */
  readonly depth: number;
  /** The last savepoint opened directly inside this frame, settled or not. */
  tail: Promise<unknown>;
}

/** Runs what waited for a commit; one that throws does not keep the others from running. */
export function runAfterCommit(callbacks: readonly (() => void)[]): void {
  for (const callback of callbacks) {
    try {
      callback();
    } catch (error) {
      // The transaction is committed whatever a callback does; say so loudly rather than lose it.
      process.emitWarning(error instanceof Error ? error : new Error(String(error)), "AfterCommitFailed");
    }
  }
}

interface Root {
  open: boolean;
  /** What runs once the transaction committed (`afterCommit`), in the order it was asked for. */
  readonly afterCommit: (() => void)[];
}

export class TransactionFrames<C> {
  private readonly storage = new AsyncLocalStorage<Frame<C>>();
  /** Transactions open now; the storage is enabled only while there is one. */
  private open = 0;

  /** The open frame of the calling async context, if any. */
  current(): Frame<C> | undefined {
    if (this.open === 0) return undefined;
    const frame = this.storage.getStore();
    return frame?.root.open ? frame : undefined;
  }

  /**
   * Queues `callback` for once the calling context's transaction has committed; runs it at once outside
   * one. Work of a savepoint that is rolled back takes its callbacks with it, and a transaction rolled back
   * runs none.
   */
  afterCommit(callback: () => void): void {
    const frame = this.current();
    if (frame) frame.root.afterCommit.push(callback);
    else callback();
  }

  /**
   * Runs `work` as a new transaction's frame; the frame is closed when `work` settles. Resolves with its
   * result and the callbacks to run once the driver has committed.
   */
  async runTransaction<T>(handle: C, work: () => Promise<T>): Promise<{ value: T; afterCommit: (() => void)[] }> {
    const frame: Frame<C> = { handle, root: { open: true, afterCommit: [] }, depth: 0, tail: Promise.resolve() };
    this.open += 1;
    try {
      return { value: await this.storage.run(frame, work), afterCommit: frame.root.afterCommit };
    } finally {
      frame.root.open = false;
      this.open -= 1;
      // `run` enables it again for the next transaction.
      if (this.open === 0) this.storage.disable();
    }
  }

  /**
   * Runs `open(depth)` inside `parent`, after the savepoints opened before it in the same frame,
   * with a child frame as the context of what `open` runs.
   */
  runSavepoint<T>(
    parent: Frame<C>,
    open: (depth: number, enter: <R>(handle: C, work: () => Promise<R>) => Promise<R>) => Promise<T>,
  ): Promise<T> {
    const depth = parent.depth + 1;
    const enter = <R>(handle: C, work: () => Promise<R>): Promise<R> =>
      this.storage.run({ handle, root: parent.root, depth, tail: Promise.resolve() }, work);
    const opened = () => {
      const mark = parent.root.afterCommit.length;
      return open(depth, enter).catch((error: unknown) => {
        // Rolled back: what it queued for after the commit goes with it.
        parent.root.afterCommit.length = mark;
        throw error;
      });
    };
    const run = parent.tail.then(opened, opened);
    parent.tail = run.catch(() => undefined);
    return run;
  }
}
