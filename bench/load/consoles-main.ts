/**
 * The operators' consoles of the load bench, in a child process of their own
 * (parsing every pushed frame must not slow the orchestrator or the buttons):
 * each logs in over HTTP as the dashboard does (POST /api/auth/login, from its
 * own loopback address) and opens the realtime WebSocket with the session
 * cookie. For every alarm it notes when each console first heard of it since
 * the last `phase`. A console that loses its socket (a hub restart) reconnects,
 * logging in again if its session is gone.
 */
import http from "node:http";
import WebSocket from "ws";
import { epochMs } from "./stats.ts";

export type ConsoleCommand =
  | { type: "start"; httpPort: number; username: string; password: string; count: number }
  | { type: "phase" }
  | { type: "report" }
  | { type: "exit" };

export interface ConsoleReport {
  type: "report";
  /** [alarmId, epoch ms when the last console first heard of it, how many consoles did]. */
  alarms: [number, number, number][];
  frames: number;
  bytes: number;
  reconnects: number;
  cpuMs: number;
}

export type ConsoleMessage = { type: "started"; error?: string } | ConsoleReport;

/** Alarm ids in a frame, whatever its shape: `{alarm: {id}}`, `{alarms: [{id}]}`, or batches of those. */
export function alarmIdsIn(frame: unknown, found: number[] = [], depth = 0): number[] {
  if (depth > 3 || frame === null || typeof frame !== "object") return found;
  if (Array.isArray(frame)) {
    for (const item of frame) alarmIdsIn(item, found, depth + 1);
    return found;
  }
  const record = frame as Record<string, unknown>;
  const alarm = record.alarm as { id?: unknown } | undefined;
  if (alarm && typeof alarm.id === "number") found.push(alarm.id);
  for (const key of ["alarms", "frames", "changes", "updates"]) {
    if (Array.isArray(record[key])) {
      for (const item of record[key] as unknown[]) {
        const id = (item as { id?: unknown } | null)?.id;
        if (typeof id === "number") found.push(id);
        else alarmIdsIn(item, found, depth + 1);
      }
    }
  }
  return found;
}

function login(port: number, localAddress: string, username: string, password: string): Promise<string> {
  const body = JSON.stringify({ username, password });
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: "127.0.0.1",
        port,
        localAddress,
        method: "POST",
        path: "/api/auth/login",
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
      },
      (response) => {
        response.resume();
        const cookie = (response.headers["set-cookie"] ?? [])[0]?.split(";")[0];
        if (response.statusCode === 200 && cookie) resolve(cookie);
        else reject(new Error(`console login answered ${response.statusCode}`));
      },
    );
    request.on("error", reject);
    request.end(body);
  });
}

class Console {
  readonly seen = new Map<number, number>();
  private cookie = "";
  private stopped = false;
  frames = 0;
  bytes = 0;
  reconnects = 0;

  constructor(
    private readonly port: number,
    private readonly localAddress: string,
    private readonly username: string,
    private readonly password: string,
  ) {}

  /**
   * One WebSocket at a time, and one reconnect loop. An earlier version left a
   * refused attempt's socket open and let every attempt's "close" start a loop
   * of its own: during a hub restart the loops multiplied, held ~20,000 HTTP
   * connections and used up the hub's descriptors (issue 12, P4 after SIGKILL).
   */
  async open(): Promise<void> {
    if (!this.cookie) this.cookie = await login(this.port, this.localAddress, this.username, this.password);
    await new Promise<void>((resolve, reject) => {
      const socket = new WebSocket(`ws://127.0.0.1:${this.port}/api/realtime`, {
        headers: { cookie: this.cookie },
        localAddress: this.localAddress,
      });
      let opened = false;
      socket.once("open", () => {
        opened = true;
        resolve();
      });
      socket.on("unexpected-response", (request, response) => {
        // The session is gone (a hub restart may end it): log in again.
        if (response.statusCode === 401) this.cookie = "";
        // With this listener, ws leaves the request to us: end it, or its connection stays open.
        request.destroy();
        reject(new Error(`realtime socket answered ${response.statusCode}`));
      });
      socket.once("error", (error) => {
        socket.terminate();
        reject(error);
      });
      socket.on("message", (data: Buffer) => this.onFrame(data));
      socket.once("close", () => {
        if (opened && !this.stopped) void this.reopen();
      });
    });
  }

  private async reopen(): Promise<void> {
    while (!this.stopped) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      try {
        await this.open();
        this.reconnects += 1;
        return;
      } catch {
        // the hub is not back yet
      }
    }
  }

  private onFrame(data: Buffer): void {
    const at = epochMs();
    this.frames += 1;
    this.bytes += data.length;
    let frame: unknown;
    try {
      frame = JSON.parse(data.toString("utf8"));
    } catch {
      return;
    }
    for (const id of alarmIdsIn(frame)) if (!this.seen.has(id)) this.seen.set(id, at);
  }

  stop(): void {
    this.stopped = true;
  }
}

let consoles: Console[] = [];

function report(): ConsoleReport {
  const all = new Map<number, [number, number]>();
  for (const c of consoles) {
    for (const [id, at] of c.seen) {
      const entry = all.get(id);
      if (!entry) all.set(id, [at, 1]);
      else all.set(id, [Math.max(entry[0], at), entry[1] + 1]);
    }
  }
  const cpu = process.cpuUsage();
  return {
    type: "report",
    alarms: [...all].map(([id, [at, count]]) => [id, at, count]),
    frames: consoles.reduce((n, c) => n + c.frames, 0),
    bytes: consoles.reduce((n, c) => n + c.bytes, 0),
    reconnects: consoles.reduce((n, c) => n + c.reconnects, 0),
    cpuMs: (cpu.user + cpu.system) / 1000,
  };
}

process.on("message", (command: ConsoleCommand) => {
  const send = (message: ConsoleMessage) => process.send?.(message);
  switch (command.type) {
    case "start":
      consoles = Array.from(
        { length: command.count },
        (_, i) => new Console(command.httpPort, `127.200.0.${i + 1}`, command.username, command.password),
      );
      Promise.all(consoles.map((c) => c.open())).then(
        () => send({ type: "started" }),
        (error: unknown) => send({ type: "started", error: String(error) }),
      );
      break;
    case "phase":
      for (const c of consoles) {
        c.seen.clear();
        c.frames = 0;
        c.bytes = 0;
      }
      break;
    case "report":
      send(report());
      break;
    case "exit":
      for (const c of consoles) c.stop();
      process.exit(0);
  }
});
process.on("disconnect", () => process.exit(0));
