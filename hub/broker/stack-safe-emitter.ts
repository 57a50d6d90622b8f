/**
 * Aedes' message bus (mqemitter) with its one recursion cut.
 *
 * mqemitter lets `concurrency` messages (Aedes: 100) be delivered at once and
 * queues the rest; when a delivery finishes, the next queued message is
 * started from inside that finish, synchronously. A queued message that
 * finishes at once (a device's publish nobody subscribes to, such as a press)
 * starts the next from inside its own finish, and so on: a queue of thousands,
 * which forms as soon as 100 deliveries wait for slow sockets while presses
 * pour in, unwinds as one call chain and overflows the stack. The hub then
 * dies with "Maximum call stack size exceeded" (seen under the load bench's
 * 2,000 presses/s; aedes#193, mqemitter#204, unresolved upstream).
 *
 * Here a start nested more than MAX_NESTED deep is moved to the next turn of
 * the event loop (`setImmediate`), as the mqemitter maintainer suggested:
 * the usual path stays synchronous and as fast, and no chain grows without
 * bound. Deferred starts run in the order they were deferred; a message
 * emitted meanwhile may overtake them, and none is lost (the hub orders a
 * device's presses by their press ids and sequence numbers, not by arrival).
 */
import mqemitter from "mqemitter";

/** Nested starts allowed in one call chain; each costs about ten stack frames. */
const MAX_NESTED = 64;

type Message = mqemitter.Message;
type Done = (error?: Error) => void;

/** The private start that mqemitter's emit and release both call. */
interface Internals {
  _do(message: Message, callback: Done): unknown;
}

export function createStackSafeEmitter(options: { concurrency: number }): mqemitter.MQEmitter {
  const emitter = mqemitter({ concurrency: options.concurrency, matchEmptyLevels: true });
  const internals = emitter as unknown as Internals;
  const start = internals._do.bind(emitter);
  let nested = 0;
  internals._do = (message, callback) => {
    if (nested >= MAX_NESTED) {
      setImmediate(() => internals._do(message, callback));
      return emitter;
    }
    nested += 1;
    try {
      return start(message, callback);
    } finally {
      nested -= 1;
    }
  };
  return emitter;
}
