/**
 * Alarm publishes from a connection whose press waits at the intake gate
 * (intake-gate.ts). Aedes hands every publish of one socket read to the hook
 * at once, so whatever a device sends while its press waits would wait too,
 * each holding a parsed packet in the hub's heap: its re-sends of that press,
 * and any new press. Instead they are let through the hook at once and dropped
 * before the pipeline, unanswered. Nothing is lost: a device re-sends every
 * press until it is acked (docs/protocol.md), the waiting press's ack answers
 * its copies, and a new press is taken when it comes again. Memory then holds
 * at most one waiting publish per connection.
 *
 * Counted per connection, not per device: after a reconnect, a press is
 * handled in full even while one from the old connection still waits.
 */
export class PressCopies {
  /** Per connection: publishes let through, not yet dropped (gone with the connection). */
  private readonly letThrough = new WeakMap<object, { count: number }>();

  /** A publish goes through the hook now; `drop` takes it out before the pipeline. */
  letThroughCopy(connection: object): void {
    const entry = this.letThrough.get(connection);
    if (entry) entry.count += 1;
    else this.letThrough.set(connection, { count: 1 });
  }

  /** True (and counted off) when this publish is one of those let through. */
  drop(connection: object): boolean {
    const entry = this.letThrough.get(connection);
    if (!entry || entry.count === 0) return false;
    entry.count -= 1;
    return true;
  }
}
