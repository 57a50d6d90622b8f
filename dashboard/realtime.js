// @ts-check
// WebSocket to /api/realtime with reconnect. A console that silently stops
// receiving alarms is the worst failure this screen can have, so every close is
// surfaced (onDown) and retried with capped, jittered backoff; the caller
// reloads the full list on each (re)connect because pushes may have been missed.

/** @import { AlarmSummary, ConsoleFrame, DeviceFault, DeviceTest, WriteCheck } from "../protocol/console/index.ts" */

const BASE_DELAY_MS = 500;
const MAX_DELAY_MS = 15_000;

/** @typedef {Extract<ConsoleFrame, { type: "hello" }>} HelloFrame */
/**
 * @typedef {{
 *   onOpen: () => void,
 *   onHello: (frame: HelloFrame) => void,
 *   onAlarms: (alarms: AlarmSummary[]) => void,
 *   onDeviceFaults?: (faults: DeviceFault[]) => void,
 *   onDeviceTests?: (tests: DeviceTest[]) => void,
 *   onStorage?: (check: WriteCheck) => void,
 *   onDown: () => void,
 *   beforeRetry?: () => Promise<boolean>,
 * }} RealtimeHandlers
 */

/** JSON.parse, saying what it gives: anything at all, to be narrowed. @type {(text: string) => unknown} */
const parseJson = JSON.parse;

/**
 * The frame a message carries, or null for a malformed one or one of a type the console
 * does not know. The hub serialises every frame against the contract (ConsoleFrameSchema);
 * what a handler relies on at once (the type, the list it walks) is checked here.
 * @param {unknown} data
 * @returns {ConsoleFrame | null}
 */
function parseFrame(data) {
  /** @type {unknown} */
  let msg;
  try {
    msg = parseJson(String(data));
  } catch {
    return null;
  }
  if (typeof msg !== "object" || msg === null) return null;
  /** @type {{ type?: unknown, alarms?: unknown, faults?: unknown, tests?: unknown, storage?: unknown }} */
  const fields = msg;
  const known =
    fields.type === "hello" ||
    (fields.type === "alarms" && Array.isArray(fields.alarms)) ||
    (fields.type === "device_faults" && Array.isArray(fields.faults)) ||
    (fields.type === "device_tests" && Array.isArray(fields.tests)) ||
    (fields.type === "storage" && Boolean(fields.storage));
  return known ? /** @type {ConsoleFrame} */ (msg) : null;
}

// Alarms, device faults and test requests come in batches (`alarms`, `device_faults`,
// `device_tests`: whatever changed within the hub's push window, each once, in its
// latest state; hub/http/console-frames.ts), so a burst is a few frames, each
// handled (and rendered) once. Faults, tests and the database's write state are
// optional because a page that shows none of them can ignore them. A console that
// falls too far behind is closed by the hub (code 4002) and, like after any drop,
// reconnects and reloads.
/** @param {RealtimeHandlers} handlers */
export function connectRealtime({
  onOpen,
  onHello,
  onAlarms,
  onDeviceFaults,
  onDeviceTests,
  onStorage,
  onDown,
  beforeRetry,
}) {
  /** @type {WebSocket | null} */
  let ws = null;
  let attempt = 0;
  /** @type {number | null} */
  let timer = null;
  let stopped = false;

  function url() {
    const proto = location.protocol === "https:" ? "wss:" : "ws:";
    return `${proto}//${location.host}/api/realtime`;
  }

  function open() {
    if (stopped) return;
    const socket = new WebSocket(url());
    ws = socket;
    // "open" (not "hello") marks the connection as live, so a server that skips
    // the greeting still gets the list reloaded; hello only carries the clock.
    socket.addEventListener("open", () => {
      attempt = 0;
      onOpen();
    });
    socket.addEventListener("message", (/** @type {MessageEvent<unknown>} */ ev) => {
      // A malformed frame must not kill the live feed: it is skipped, like one of an unknown type.
      const msg = parseFrame(ev.data);
      if (msg?.type === "hello") {
        onHello(msg);
      } else if (msg?.type === "alarms") {
        onAlarms(msg.alarms);
      } else if (msg?.type === "device_faults") {
        onDeviceFaults?.(msg.faults);
      } else if (msg?.type === "device_tests") {
        onDeviceTests?.(msg.tests);
      } else if (msg?.type === "storage") {
        onStorage?.(msg.storage);
      }
    });
    socket.addEventListener("close", () => {
      ws = null;
      if (stopped) return;
      onDown();
      schedule();
    });
    // "error" is always followed by "close", which does the work.
  }

  function schedule() {
    const delay = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** attempt) * (0.75 + Math.random() * 0.5);
    attempt += 1;
    timer = setTimeout(async () => {
      timer = null;
      // Lets the app notice an expired session (and stop us) instead of retrying forever.
      if (beforeRetry && (await beforeRetry()) === false) return;
      open();
    }, delay);
  }

  open();

  return {
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      if (ws) ws.close();
      ws = null;
    },
    /** For tests and diagnostics: force a drop as if the network blinked. */
    drop() {
      ws?.close();
    },
  };
}
