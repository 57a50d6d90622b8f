/**
 * A Redis server of its own for one test file: Debian's `redis-server` on a
 * free loopback port, nothing saved to disk, killed afterwards. One per file,
 * because Redis's pub/sub channels are not separated by database number: two
 * files' hubs on one server would close each other's devices (Aedes announces
 * every login on `$SYS/<broker>/new/clients`, and the demo districts share ids).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { accepts, freePort } from "./ports.ts";

export interface ScratchRedis {
  url: string;
  port: number;
  /** Stops the server (SIGTERM) and waits for it. */
  stop(): Promise<void>;
  /** Starts it again on the same port, empty (a test that took Redis away brings it back). */
  restart(): Promise<void>;
}

export async function scratchRedis(): Promise<ScratchRedis> {
  for (let attempt = 0; ; attempt += 1) {
    const port = await freePort();
    let child = serverOn(port);
    if (await listening(child, port)) {
      return {
        url: `redis://127.0.0.1:${port}`,
        port,
        stop: () => stopped(child),
        async restart() {
          await stopped(child);
          child = serverOn(port);
          if (!(await listening(child, port))) throw new Error(`redis-server did not start again on port ${port}`);
        },
      };
    }
    // Another process took the port between our look and the server's bind: try another.
    if (attempt >= 3) throw new Error("redis-server did not start (is Debian's redis-server installed?)");
  }
}

function serverOn(port: number): ChildProcess {
  return spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--loglevel", "warning"],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
}

/** True once the server accepts connections; false if it exited first. */
async function listening(child: ChildProcess, port: number): Promise<boolean> {
  let exited = false;
  child.once("exit", () => {
    exited = true;
  });
  child.once("error", () => {
    exited = true;
  });
  const deadline = Date.now() + 10_000;
  while (!exited && Date.now() < deadline) {
    if (await accepts(port)) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  if (!exited) child.kill("SIGKILL");
  return false;
}

function stopped(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}
