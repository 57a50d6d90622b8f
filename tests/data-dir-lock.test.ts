/**
 * One user of a SQLite data directory at a time (hub/storage/data-dir-lock.ts):
 * a second hub on a running hub's directory refuses to start, saying who holds
 * it; a restore holding it keeps a hub from starting; a hub's stop lets it go;
 * and a holder killed outright (SIGKILL, as a crash or a power cut) leaves no
 * stale lock behind.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../hub/config.ts";
import { isAnxinError } from "../hub/errors.ts";
import { Hub } from "../hub/hub.ts";
import { createLogger } from "../hub/log.ts";
import { DataDirLock } from "../hub/storage/data-dir-lock.ts";
import { repoRoot } from "./support/run-cli.ts";
import { startTestHub, type TestHub } from "./support/test-hub.ts";

/** A hub on `dataDir` with the test hub's loopback settings; not started. */
function hubOn(dataDir: string): Hub {
  const config = loadConfig({
    ANXIN_DATA_DIR: dataDir,
    ANXIN_HTTP_PORT: "0",
    ANXIN_HTTP_HOST: "127.0.0.1",
    ANXIN_MQTT_PORT: "0",
    ANXIN_MQTT_HOST: "127.0.0.1",
    ANXIN_ADMIN_PASSWORD: "test-admin-password",
    ANXIN_TEST_ALARM_INTERVAL_H: "0",
  });
  return new Hub(config, { logger: createLogger("silent") });
}

async function refusal(start: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await start;
  } catch (error) {
    if (isAnxinError(error)) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error("the hub started");
}

describe("the data directory's lock", () => {
  let th: TestHub;
  let scratch: string;

  beforeAll(async () => {
    th = await startTestHub({ twilio: false });
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), "anxin-lock-"));
  });
  afterAll(async () => {
    await th?.stop();
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  });

  it("keeps a second hub off a running hub's data dir, naming the one that runs", async () => {
    const second = hubOn(th.dataDir);
    const refused = await refusal(second.start());
    expect(refused.code).toBe("DATA_DIR_IN_USE");
    expect(refused.message).toContain(`${th.dataDir} is in use: a running hub holds it (pid ${process.pid}`);
    // The first hub is not disturbed.
    expect((await fetch(`${th.httpUrl}/health`)).status).toBe(200);
  });

  it("is let go when the hub stops, and keeps a hub from starting while a restore holds it", async () => {
    const dir = path.join(scratch, "stopped");
    const hub = hubOn(dir);
    await hub.start();
    const whileRunning = new DataDirLock(dir, "restore");
    expect(() => whileRunning.acquire()).toThrow(/a running hub holds it/);
    await hub.stop();

    const restoring = new DataDirLock(dir, "restore");
    restoring.acquire();
    try {
      const refused = await refusal(hubOn(dir).start());
      expect(refused.code).toBe("DATA_DIR_IN_USE");
      expect(refused.message).toContain("a restore (npm run restore) holds it");
    } finally {
      restoring.release();
    }
    const again = hubOn(dir);
    await again.start();
    await again.stop();
  }, 60_000);

  it("goes with a holder killed outright: never stale", async () => {
    const dir = path.join(scratch, "killed");
    const holder = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        "--input-type=module",
        "-e",
        `import { DataDirLock } from "./hub/storage/data-dir-lock.ts";
         new DataDirLock(${JSON.stringify(dir)}, "hub").acquire();
         process.stdout.write("held\\n");
         setInterval(() => {}, 1000);`,
      ],
      { cwd: repoRoot, stdio: ["ignore", "pipe", "inherit"] },
    );
    const exited = new Promise((resolve) => holder.once("exit", resolve));
    try {
      await new Promise<void>((resolve, reject) => {
        holder.stdout.on("data", (chunk: Buffer) => chunk.toString().includes("held") && resolve());
        holder.once("exit", (code) => reject(new Error(`the holder exited (${code}) before it held the lock`)));
      });
      const meanwhile = new DataDirLock(dir, "restore");
      expect(() => meanwhile.acquire()).toThrow(`a running hub holds it (pid ${holder.pid}`);
    } finally {
      holder.kill("SIGKILL");
      await exited;
    }
    const after = new DataDirLock(dir, "restore");
    after.acquire();
    after.release();
  }, 60_000);
});
