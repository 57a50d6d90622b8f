/**
 * Long passes over due work (escalations, cascade steps) in chunks.
 *
 * Each item of such a pass is its own SQLite transaction, synchronous and
 * fsynced: thousands at once (a burst's deadlines all falling due together, a
 * restart after an outage) held the event loop for seconds, and no press was
 * stored or acked meanwhile (issue 12). Between chunks the event loop gets a
 * turn, so the MQTT intake interleaves with the pass.
 */

/** Items handled between two turns of the event loop. */
export const CHUNK_SIZE = 16;

/**
 * Runs `work` for each item, a chunk at a time. Stops early, between chunks,
 * once `proceed` says so (a watcher being stopped). Each item must re-check in
 * its own transaction that it is still due: the world may move between chunks.
 */
export async function forEachChunked<T>(
  items: readonly T[],
  work: (item: T) => void | Promise<void>,
  proceed: () => boolean = () => true,
): Promise<void> {
  for (let start = 0; start < items.length; start += CHUNK_SIZE) {
    if (start > 0) {
      await new Promise((resolve) => setImmediate(resolve));
      if (!proceed()) return;
    }
    for (const item of items.slice(start, start + CHUNK_SIZE)) await work(item);
  }
}
