// WebSocket to /api/realtime with reconnect. A console that silently stops
// receiving alarms is the worst failure this screen can have, so every close is
// surfaced (onDown) and retried with capped, jittered backoff; the caller
// reloads the full list on each (re)connect because pushes may have been missed.

const BASE_DELAY_MS = 500;
const MAX_DELAY_MS = 15_000;

// Alarms, device faults and test requests come in batches (`alarms`, `device_faults`,
// `device_tests`: whatever changed within the hub's push window, each once, in its
// latest state; hub/http/console-frames.ts), so a burst is a few frames, each
// handled (and rendered) once. Faults, tests and the database's write state are
// optional because a page that shows none of them can ignore them. A console that
// falls too far behind is closed by the hub (code 4002) and, like after any drop,
// reconnects and reloads.
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
  let ws = null;
  let attempt = 0;
  let timer = null;
  let stopped = false;

  function url() {
    const proto = location.protocol === "https:" ? "wss:" : "ws:";
    return `${proto}//${location.host}/api/realtime`;
  }

  function open() {
    if (stopped) return;
    ws = new WebSocket(url());
    // "open" (not "hello") marks the connection as live, so a server that skips
    // the greeting still gets the list reloaded; hello only carries the clock.
    ws.addEventListener("open", () => {
      attempt = 0;
      onOpen();
    });
    ws.addEventListener("message", (ev) => {
      let msg;
      try {
        msg = JSON.parse(ev.data);
      } catch {
        return; // A malformed frame must not kill the live feed.
      }
      if (msg?.type === "hello") {
        onHello(msg);
      } else if (msg?.type === "alarms" && Array.isArray(msg.alarms)) {
        onAlarms(msg.alarms);
      } else if (msg?.type === "device_faults" && Array.isArray(msg.faults)) {
        onDeviceFaults?.(msg.faults);
      } else if (msg?.type === "device_tests" && Array.isArray(msg.tests)) {
        onDeviceTests?.(msg.tests);
      } else if (msg?.type === "storage" && msg.storage) {
        onStorage?.(msg.storage);
      }
    });
    ws.addEventListener("close", () => {
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
