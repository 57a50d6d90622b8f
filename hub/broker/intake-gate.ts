/**
 * Bounds the presses the hub holds in memory at once, by not reading more from
 * the devices that send them.
 *
 * The broker hands each alarm publish to the pipeline and goes on reading; a
 * hub offered more presses than it can store (a mass event, far above its
 * intake rate) used to queue all of them, and the devices' retries of the ones
 * waiting, in memory: 2,000 presses/s for two minutes took RSS from 0.46 to
 * 1.9 GB, and the retries took most of the hub's time (issue 12). Past
 * `maxPending` presses in the pipeline, an alarm publish waits in Aedes'
 * `authorizePublish` hook until a press settles. Aedes reads nothing more from
 * that connection until the hook answers, so the press and whatever the device
 * sends after it stay in the device's socket (TCP pushes back), not in the
 * hub's heap; the device keeps its press and retries, as the protocol asks.
 * Waiting publishes go in the order they came.
 *
 * What a connection sent after its held publish is not all left in the
 * socket: Aedes parses everything one read returned (up to 64 KB) and hands
 * every publish in it to the hook at once. A button whose press waits keeps
 * re-sending it, so under a sustained overload each waiting press gathered
 * its copies here (issue 12: 2,000 new alarms/s held 74,000 publishes, RSS
 * +900 MB). So a waiting publish carries its connection, and while one waits
 * the broker lets that connection's further alarm publishes go on at once
 * without taking them (`holds`, device-intake.ts): at most one per connection waits.
 *
 * A press counts from the moment it is let in (`admit` calls `proceed`) until
 * the broker says it settled (`leave`); `proceed` must hand it on or leave.
 */

export interface IntakeGateStats {
  /** Presses in the pipeline now (received, not yet settled). */
  inPipeline: number;
  /** Alarm publishes waiting for room now. */
  waiting: number;
  /** Publishes that had to wait, since start. */
  heldTotal: number;
  /** The most that waited at one time. */
  mostWaiting: number;
  /** The most presses in the pipeline at one time. */
  mostInPipeline: number;
  /** Alarm publishes let on without being taken because their connection's press waits, since start. */
  copiesDropped: number;
}

interface Waiting {
  proceed: () => void;
  connection: object | null;
}

export class IntakeGate {
  private readonly maxPending: number;
  /** First come, first in: `waiting[head]` is next. Taken by moving `head` (shift() is O(n): tens of thousands wait in a mass event). */
  private waiting: Waiting[] = [];
  /** Connections with a publish waiting (one each: see `holds`). */
  private readonly holding = new Set<object>();
  private copiesDropped = 0;
  private head = 0;
  private pending = 0;
  private heldTotal = 0;
  private mostWaiting = 0;
  private mostInPipeline = 0;
  private open = true;

  constructor(options: { maxPending: number }) {
    this.maxPending = options.maxPending;
  }

  get stats(): IntakeGateStats {
    return {
      inPipeline: this.pending,
      waiting: this.queued,
      heldTotal: this.heldTotal,
      mostWaiting: this.mostWaiting,
      mostInPipeline: this.mostInPipeline,
      copiesDropped: this.copiesDropped,
    };
  }

  /** True when a publish of this connection waits: the caller lets the new one on without taking it, counted here. */
  holds(connection: object): boolean {
    if (!this.holding.has(connection)) return false;
    this.copiesDropped += 1;
    return true;
  }

  /**
   * Lets an alarm publish in now, or once there is room; first come, first in. From then on it counts
   * as in the pipeline until `leave`. `connection`: see `holds`.
   */
  admit(proceed: () => void, connection: object | null = null): void {
    if (!this.open || (this.room() > 0 && this.queued === 0)) {
      this.enter(proceed);
      return;
    }
    this.waiting.push({ proceed, connection });
    if (connection !== null) this.holding.add(connection);
    this.heldTotal += 1;
    this.mostWaiting = Math.max(this.mostWaiting, this.queued);
  }

  /** A press settled (acked, refused or failed): room for the next. */
  leave(): void {
    this.pending = Math.max(0, this.pending - 1);
    this.release();
  }

  /** Lets everything waiting through (the broker is closing its connections) and admits at once from now on. */
  stop(): void {
    this.open = false;
    const waiting = this.waiting.slice(this.head);
    this.waiting = [];
    this.head = 0;
    this.holding.clear();
    for (const { proceed } of waiting) this.enter(proceed);
  }

  private enter(proceed: () => void): void {
    this.pending += 1;
    this.mostInPipeline = Math.max(this.mostInPipeline, this.pending);
    proceed();
  }

  private get queued(): number {
    return this.waiting.length - this.head;
  }

  private next(): () => void {
    const { proceed, connection } = this.waiting[this.head] as Waiting;
    this.head += 1;
    if (connection !== null) this.holding.delete(connection);
    if (this.head === this.waiting.length) {
      this.waiting = [];
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.waiting.length) {
      this.waiting = this.waiting.slice(this.head);
      this.head = 0;
    }
    return proceed;
  }

  private room(): number {
    return this.maxPending - this.pending;
  }

  private release(): void {
    while (this.room() > 0 && this.queued > 0) this.enter(this.next());
  }
}
