/**
 * deploy/anxin.service and deploy/anxin.env.example, as Debian's systemd will
 * read them: `systemd-analyze verify` finds no problem in the unit (shown
 * able to fail on a misspelt key); the unit runs the hub as its own user with
 * its environment file, hardened, restarted, stopped with SIGTERM; the example
 * environment names only settings the hub reads, and the config accepts it;
 * and the unit's command line, run as systemd would run it with that
 * environment, starts a hub that stops cleanly on SIGTERM.
 *
 * systemd-analyze comes with Debian's `systemd` package (.ci/run installs it).
 * Where it is missing, outside CI, that one check says so and the others run.
 */
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ENV_SETTINGS, loadConfig } from "../hub/config.ts";
import { repoRoot } from "./support/run-cli.ts";

const UNIT_FILE = path.join(repoRoot, "deploy/anxin.service");
const ENV_EXAMPLE = path.join(repoRoot, "deploy/anxin.env.example");

type Unit = Map<string, Map<string, string[]>>;

/** The unit's sections and their keys (a key may be given more than once: Environment=). */
function parseUnit(text: string): Unit {
  const unit: Unit = new Map();
  let section: Map<string, string[]> | null = null;
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      section = new Map();
      unit.set(header[1] ?? "", section);
      continue;
    }
    const at = line.indexOf("=");
    if (!section || at <= 0) throw new Error(`not a unit line: ${line}`);
    const key = line.slice(0, at).trim();
    section.set(key, [...(section.get(key) ?? []), line.slice(at + 1).trim()]);
  }
  return unit;
}

function value(unit: Unit, section: string, key: string): string | undefined {
  return unit.get(section)?.get(key)?.at(-1);
}

/** `KEY=value` lines of an environment file (comments and blanks skipped), as systemd's EnvironmentFile= reads them. */
function parseEnvFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const m = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (m?.[1]) env[m[1]] = m[2] ?? "";
  }
  return env;
}

const unitText = fs.readFileSync(UNIT_FILE, "utf8");
const unit = parseUnit(unitText);
const service = (key: string) => value(unit, "Service", key);
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

/** `systemd-analyze verify` of the unit text: its complaints about the unit, or null without systemd-analyze. */
function verifyUnit(text: string): string[] | null {
  const found = spawnSync("systemd-analyze", ["--version"]);
  if (found.error) return null;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "anxin-unit-"));
  dirs.push(dir);
  // systemd checks that ExecStart's program exists: where node is elsewhere, the copy names this machine's.
  const execStart = service("ExecStart") ?? "";
  const program = execStart.split(" ")[0] ?? "";
  const runnable = fs.existsSync(program)
    ? text
    : text.replace(`ExecStart=${program} `, `ExecStart=${process.execPath} `);
  const file = path.join(dir, "anxin.service");
  fs.writeFileSync(file, runnable);
  const run = spawnSync("systemd-analyze", ["verify", file], { encoding: "utf8" });
  const complaints = `${run.stdout}\n${run.stderr}`.split("\n").filter((line) => line.includes("anxin.service"));
  return run.status === 0 ? complaints : [...complaints, `exit status ${run.status}`];
}

describe("deploy/anxin.service", () => {
  it("passes systemd-analyze verify, which finds a misspelt key", () => {
    const complaints = verifyUnit(unitText);
    if (complaints === null) {
      expect(process.env.CI, "CI must have systemd-analyze (.ci/run installs systemd)").toBeFalsy();
      console.warn("systemd-analyze is not installed here: the unit was parsed and checked, not verified by systemd");
      return;
    }
    expect(complaints).toEqual([]);
    const misspelt = verifyUnit(unitText.replace("ProtectSystem=strict", "ProtectSytem=strict"));
    expect(misspelt?.join("\n")).toContain("ProtectSytem");
  });

  it("runs the hub as its own user, with its environment file, from its directory", () => {
    expect(service("User")).toBe("anxin");
    expect(service("Group")).toBe("anxin");
    expect(service("EnvironmentFile")).toBe("/etc/anxin/anxin.env");
    expect(service("WorkingDirectory")).toBe("/opt/anxin");
    // What `npm start` runs (tsx hub/main.ts), through node itself so that SIGTERM reaches the hub.
    const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8")) as {
      scripts: Record<string, string>;
    };
    expect(pkg.scripts.start).toBe("tsx hub/main.ts");
    expect(service("ExecStart")).toMatch(/^\/\S+\/node --import tsx hub\/main\.ts$/);
    // systemctl reload renews the TLS certificate: SIGHUP to that process (tests/tls-reload.e2e.test.ts).
    expect(service("ExecReload")).toBe("/bin/kill -HUP $MAINPID");
    expect(value(unit, "Install", "WantedBy")).toBe("multi-user.target");
  });

  it("is hardened, keeps the data dir writable, stops with SIGTERM and restarts", () => {
    for (const [key, expected] of [
      ["ProtectSystem", "strict"],
      ["ProtectHome", "yes"],
      ["PrivateTmp", "yes"],
      ["NoNewPrivileges", "yes"],
      ["PrivateDevices", "yes"],
      ["CapabilityBoundingSet", ""],
      ["UMask", "0077"],
      ["KillSignal", "SIGTERM"],
    ] as const) {
      expect(service(key), key).toBe(expected);
    }
    // V8 writes machine code and runs it: with this the hub would not start.
    expect(service("MemoryDenyWriteExecute")).not.toBe("yes");
    expect(["always", "on-failure"]).toContain(service("Restart"));
    expect(value(unit, "Unit", "StartLimitIntervalSec")).toBe("0");
    // The hub's own stop takes a few seconds at most (2 s for HTTP requests in flight, then commits and closes).
    expect(Number(service("TimeoutStopSec"))).toBeGreaterThanOrEqual(10);
    // ProtectSystem=strict leaves writable only the state directory and ReadWritePaths.
    const environment = unit.get("Service")?.get("Environment") ?? [];
    expect(environment).toContain(`ANXIN_DATA_DIR=/var/lib/${service("StateDirectory")}`);
    const backupDir = parseEnvFile(fs.readFileSync(ENV_EXAMPLE, "utf8")).ANXIN_BACKUP_DIR;
    expect(unit.get("Service")?.get("ReadWritePaths") ?? []).toContain(`-${backupDir}`);
  });
});

describe("deploy/anxin.env.example", () => {
  const text = fs.readFileSync(ENV_EXAMPLE, "utf8");

  it("names only settings the hub reads, and the config accepts it", () => {
    const known = new Set([
      ...ENV_SETTINGS.map((s) => s.env),
      "ANXIN_TWILIO_API_BASE",
      "TWILIO_ACCOUNT_SID",
      "TWILIO_AUTH_TOKEN",
      "TWILIO_FROM",
    ]);
    const named = [...text.matchAll(/^#?((?:ANXIN|TWILIO)_[A-Z0-9_]+)=/gm)].map((m) => m[1]);
    expect(named.length).toBeGreaterThan(5);
    expect(named.filter((name) => !known.has(name ?? ""))).toEqual([]);
    expect(() => loadConfig(parseEnvFile(text), "/opt/anxin")).not.toThrow();
  });

  it("with the unit's command line and environment, starts a hub that stops cleanly on SIGTERM", async () => {
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "anxin-service-"));
    dirs.push(scratch);
    const fromUnit = Object.fromEntries(
      (unit.get("Service")?.get("Environment") ?? []).map((pair) => pair.split("=", 2) as [string, string]),
    );
    const env: NodeJS.ProcessEnv = {
      ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("ANXIN_"))),
      ...fromUnit,
      // EnvironmentFile= overrides Environment=; then what this machine needs instead of /var/lib and fixed ports.
      ...parseEnvFile(text),
      ANXIN_DATA_DIR: path.join(scratch, "data"),
      ANXIN_BACKUP_DIR: path.join(scratch, "backups"),
      ANXIN_HTTP_PORT: "0",
      ANXIN_MQTT_PORT: "0",
      ANXIN_HTTP_HOST: "127.0.0.1",
      ANXIN_MQTT_HOST: "127.0.0.1",
    };
    const [, ...args] = (service("ExecStart") ?? "").split(" ");
    const hub = spawn(process.execPath, args, { cwd: repoRoot, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const exited = new Promise<number | null>((resolve) => hub.once("exit", (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => {
      const read = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('"msg":"Anxin hub started"')) resolve();
      };
      hub.stdout.on("data", read);
      hub.stderr.on("data", read);
      void exited.then((code) => reject(new Error(`the hub exited (${code}) before it started:\n${output}`)));
    });
    hub.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(output).toContain('"signal":"SIGTERM","msg":"stopping"');
    expect(output).toContain('"msg":"Anxin hub stopped"');
    // JSON lines for the journal, as the example asks.
    expect(output.includes("\u001b[")).toBe(false);
  }, 60_000);
});
