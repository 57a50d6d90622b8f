/**
 * A console's live feed in a test: a logged-in WebSocket on /api/realtime that
 * keeps every frame the hub pushes, and the alarms, faults and test requests
 * of the batch frames flattened in the order they arrived
 * (hub/http/console-frames.ts).
 */

import WebSocket from "ws";
import type { AlarmSummary, ConsoleFrame, DeviceFault, DeviceTest } from "../../protocol/console/index.ts";

export interface ConsoleFeed {
  socket: WebSocket;
  /** Every frame after `hello`, as parsed. */
  frames: ConsoleFrame[];
  /** Every alarm summary pushed, in order (an alarm appears once per push that carried it). */
  alarms: AlarmSummary[];
  faults: DeviceFault[];
  tests: DeviceTest[];
  /** Set once the hub (or the test) closed the socket. */
  closed: { code: number; reason: string } | null;
  /** The latest pushed summary of each alarm. */
  latest(): Map<number, AlarmSummary>;
  close(): void;
}

/** Opens a feed with the session cookie (over `wss://`, trusting `ca`); resolves once the hub's `hello` arrived. */
export async function openConsoleFeed(wsUrl: string, cookie: string, ca?: Buffer): Promise<ConsoleFeed> {
  const socket = new WebSocket(wsUrl, { headers: { cookie }, ...(ca ? { ca } : {}) });
  const feed: ConsoleFeed = {
    socket,
    frames: [],
    alarms: [],
    faults: [],
    tests: [],
    closed: null,
    latest: () => new Map(feed.alarms.map((alarm) => [alarm.id, alarm])),
    close: () => socket.close(),
  };
  const hello = new Promise<void>((resolve, reject) => {
    socket.on("message", (data: Buffer) => {
      const frame = JSON.parse(data.toString("utf8")) as ConsoleFrame;
      if (frame.type === "hello") return resolve();
      feed.frames.push(frame);
      if (frame.type === "alarms") feed.alarms.push(...frame.alarms);
      if (frame.type === "device_faults") feed.faults.push(...frame.faults);
      if (frame.type === "device_tests") feed.tests.push(...frame.tests);
    });
    socket.once("error", reject);
    socket.once("unexpected-response", (_request, response) =>
      reject(new Error(`realtime refused: HTTP ${response.statusCode}`)),
    );
  });
  socket.on("close", (code, reason) => {
    feed.closed = { code, reason: reason.toString("utf8") };
  });
  await hello;
  return feed;
}
