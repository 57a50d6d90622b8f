// WebSocket to /api/realtime with reconnect. A console that silently stops
// receiving alarms is the worst failure this screen can have, so every close is
// surfaced (onDown) and retried with capped, jittered backoff; the caller
// reloads the full list on each (re)connect because pushes may have been missed.

const BASE_DELAY_MS = 500;
const MAX_DELAY_MS = 15_000;

// Device faults, test requests and the database's write state travel on the same
// socket; they are optional because a page that shows none of them can ignore them.
export function connectRealtime({
  onOpen,
  onHello,
  onAlarm,
  onDeviceFault,
  onDeviceTest,
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
      } else if (msg?.type === "alarm" && msg.alarm) {
        onAlarm(msg.alarm);
      } else if (msg?.type === "device_fault" && msg.fault) {
        onDeviceFault?.(msg.fault);
      } else if (msg?.type === "device_test" && msg.test) {
        onDeviceTest?.(msg.test);
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
