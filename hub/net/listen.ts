/**
 * Starts a server listening and waits until it is: resolves once bound, rejects with the bind's error
 * (EADDRINUSE, EACCES for a port below 1024) instead of leaving it to an `error` event nobody awaits.
 */
import type net from "node:net";

export function listen(server: net.Server, options: net.ListenOptions): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options, () => {
      server.off("error", reject);
      resolve();
    });
  });
}
