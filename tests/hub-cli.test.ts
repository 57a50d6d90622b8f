/**
 * The first minute at the terminal: `npm start -- --help` explains and exits
 * without creating anything or printing a password, and the hub's log is
 * readable in a terminal (a real pseudo-terminal, from util-linux's `script`)
 * while it stays JSON lines when piped.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ENV_SETTINGS } from "../hub/config.ts";
import { prettyLogsFor } from "../hub/log.ts";
import { repoRoot, runCli } from "./support/run-cli.ts";

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "anxin-start-"));
  dirs.push(dir);
  return dir;
}

/** Starts the hub on ephemeral ports and resolves with its output once it says it started; then stops it. */
function startUntilStarted(command: string, args: string[], env: Record<string, string>): Promise<string> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  delete childEnv.CI;
  const child = spawn(command, args, { cwd: repoRoot, env: childEnv, stdio: ["pipe", "pipe", "pipe"], detached: true });
  let output = "";
  return new Promise((resolve, reject) => {
    // Generous: on a busy machine tsx compiles the whole hub first; this is no speed check.
    const timer = setTimeout(() => finish(new Error(`the hub did not start; output so far:\n${output}`)), 90_000);
    const finish = (error: Error | null) => {
      clearTimeout(timer);
      try {
        if (child.pid) process.kill(-child.pid, "SIGTERM");
      } catch {
        // already gone
      }
      child.once("close", () => (error ? reject(error) : resolve(output)));
    };
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("Anxin hub started")) finish(null);
    };
    child.stdout.on("data", read);
    child.stderr.on("data", read);
  });
}

describe("npm start", () => {
  it("--help prints the usage and every setting, then exits having created nothing and shown no password", async () => {
    const dataDir = path.join(tempDir(), "data");
    const run = await runCli("hub/main.ts", ["--help"], {
      ANXIN_DATA_DIR: dataDir,
      ANXIN_ADMIN_PASSWORD: "never-print-this-one",
      ANXIN_HTTP_PORT: "9123",
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Usage: npm start");
    for (const setting of ENV_SETTINGS) expect(run.stdout).toContain(setting.env);
    expect(run.stdout).toMatch(/ANXIN_HTTP_PORT\s+8080\s+.*\[set: 9123\]/);
    expect(run.stdout).toMatch(/ANXIN_ADMIN_PASSWORD\s.*\[set\]/);
    expect(run.stdout).not.toContain("never-print-this-one");
    expect(run.stdout).not.toMatch(/password: /);
    expect(fs.existsSync(dataDir)).toBe(false);
  });

  it("refuses an argument it does not know, pointing at --help", async () => {
    const dataDir = path.join(tempDir(), "data");
    const run = await runCli("hub/main.ts", ["--port", "9000"], { ANXIN_DATA_DIR: dataDir });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("npm start -- --help");
    expect(fs.existsSync(dataDir)).toBe(false);
  });

  it("logs readable lines in a terminal and JSON lines into a pipe", async () => {
    const env = {
      ANXIN_HTTP_PORT: "0",
      ANXIN_MQTT_PORT: "0",
      ANXIN_HTTP_HOST: "127.0.0.1",
      ANXIN_MQTT_HOST: "127.0.0.1",
    };
    const node = `${process.execPath} --import tsx hub/main.ts`;
    const inTerminal = await startUntilStarted("script", ["-qfec", node, "/dev/null"], {
      ...env,
      ANXIN_DATA_DIR: tempDir(),
    });
    const started = inTerminal.split(/\r?\n/).find((l) => l.includes("Anxin hub started")) ?? "";
    expect(started.trimStart().startsWith("{")).toBe(false);
    expect(started).toContain("INFO");

    const piped = await startUntilStarted(process.execPath, ["--import", "tsx", "hub/main.ts"], {
      ...env,
      ANXIN_DATA_DIR: tempDir(),
    });
    const line = piped.split("\n").find((l) => l.includes("Anxin hub started")) ?? "";
    expect(JSON.parse(line)).toMatchObject({ level: 30, msg: "Anxin hub started", service: "anxin-hub" });
  }, 200_000);

  it("chooses the format: pretty only for a terminal outside CI, unless told", () => {
    expect(prettyLogsFor("auto", { isTTY: true }, {})).toBe(true);
    expect(prettyLogsFor("auto", { isTTY: true }, { CI: "true" })).toBe(false);
    expect(prettyLogsFor("auto", { isTTY: false }, {})).toBe(false);
    expect(prettyLogsFor("auto", {}, {})).toBe(false);
    expect(prettyLogsFor("json", { isTTY: true }, {})).toBe(false);
    expect(prettyLogsFor("pretty", { isTTY: false }, { CI: "1" })).toBe(true);
  });
});
