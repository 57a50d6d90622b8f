/**
 * The process's standard metrics (prom-client's defaults: CPU, memory, heap, file descriptors, garbage
 * collection, the event loop's lag), in one registry per process rather than per hub. They describe the
 * process, which every hub in it shares (tests start several), and prom-client's collectors cannot be
 * stopped: each call of `collectDefaultMetrics` leaves a GC observer and an event-loop monitor running for
 * good, so making them once keeps a process that starts hub after hub from gathering them.
 *
 * The event loop's lag (`nodejs_eventloop_lag_*`) comes from Node's `monitorEventLoopDelay`, sampled every
 * 10 ms; its percentiles and maximum cover the time since the previous scrape (each scrape resets them).
 */
import { collectDefaultMetrics, Registry } from "prom-client";

let shared: Registry | null = null;

/** The process's registry, its collectors started on the first call. */
export function processRegistry(): Registry {
  if (shared === null) {
    shared = new Registry();
    collectDefaultMetrics({ register: shared });
  }
  return shared;
}
