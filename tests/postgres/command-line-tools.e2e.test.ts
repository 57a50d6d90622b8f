/**
 * `npm run registry` and `npm run users` on PostgreSQL, as a county without a
 * SQLite hub uses them: real child processes with ANXIN_DATABASE_URL set. The
 * district goes into an empty database (the import makes the schema), exports
 * back byte for byte, accounts are made and disabled from the shell, and a hub
 * started on that database serves all of it: the account logs in, a button
 * provisioned by the import raises an alarm placed at its household, and the
 * disabled account is refused.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SimulatedButton } from "../../firmware-sim/device.ts";
import { tryLogin } from "../support/accounts-client.ts";
import { GAZETTEER_CSV, GRIDS_GEOJSON, HOUSEHOLDS_CSV, WORKERS_CSV } from "../support/registry-fixtures.ts";
import { runCli } from "../support/run-cli.ts";
import { startTestHub, type TestHub } from "../support/test-hub.ts";
import { type ScratchDatabase, scratchDatabase } from "./scratch-database.ts";

const ONE_TIME = /^([a-z2-9]{4}(?:-[a-z2-9]{4}){3})$/m;
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

describe("the command-line tools on PostgreSQL", () => {
  it("load a district into an empty database and manage accounts; a hub on that database serves both", async () => {
    const database: ScratchDatabase = await scratchDatabase("tools", { migrate: false });
    cleanups.push(() => database.drop());
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "anxin-tools-"));
    cleanups.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
    // No data directory at all: everything the tools touch is in PostgreSQL.
    const env = { ANXIN_DATABASE_URL: database.url, ANXIN_DATA_DIR: path.join(dir, "no-data-dir") };
    const registry = (args: string[]) => runCli("hub/registry/cli.ts", args, env);
    const users = (args: string[]) => runCli("hub/accounts/cli.ts", args, env);
    const file = (name: string, text: string) => {
      const target = path.join(dir, name);
      fs.writeFileSync(target, text);
      return target;
    };

    // Before any schema: accounts are refused (they would stop the first administrator being made),
    // and an export says where it looked without repeating the URL's password.
    const early = await users(["list"]);
    expect(early.code).toBe(2);
    expect(early.stderr).toMatch(/no hub schema in the PostgreSQL database anxin_tools_\S+ on \S+: start the hub once/);
    const earlyExport = await registry(["export", "households"]);
    expect(earlyExport.code).toBe(2);
    const password = new URL(database.url).password;
    if (password) expect(early.stderr + earlyExport.stderr).not.toContain(password);

    const gazetteer = await registry(["import", "gazetteer", file("gazetteer.csv", GAZETTEER_CSV)]);
    expect(gazetteer.code).toBe(0);
    expect(gazetteer.stderr).toMatch(/no hub database in PostgreSQL database anxin_tools_\S+ on \S+ yet: created it/);
    expect((await registry(["import", "grids", file("grids.json", GRIDS_GEOJSON)])).code).toBe(0);
    const credentialsFile = path.join(dir, "secrets.json");
    const households = await registry([
      "import",
      "households",
      file("households.csv", HOUSEHOLDS_CSV),
      "--credentials-out",
      credentialsFile,
    ]);
    expect(households.code).toBe(0);
    expect(households.stdout).toContain(`Secrets of 3 new devices are in ${credentialsFile}`);
    expect((await registry(["import", "workers", file("workers.csv", WORKERS_CSV)])).code).toBe(0);
    const refused = await registry(["import", "workers", file("bad.csv", WORKERS_CSV.replace("G2", "G9"))]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/UNKNOWN_GRID/);

    const out = path.join(dir, "out.csv");
    expect((await registry(["export", "households", "--out", out])).code).toBe(0);
    expect(fs.readFileSync(out, "utf8")).toBe(HOUSEHOLDS_CSV);
    const workersOut = await registry(["export", "workers"]);
    expect(workersOut.stdout).toBe(WORKERS_CSV);

    const added = await users(["add", "duty1", "--role", "operator", "--name", "值班员一", "--language", "en"]);
    expect(added.code).toBe(0);
    const oneTime = ONE_TIME.exec(added.stdout)?.[1];
    if (!oneTime) throw new Error(`no one-time password printed: ${added.stdout} ${added.stderr}`);
    const taken = await users(["add", "DUTY1", "--role", "operator", "--name", "again"]);
    expect(taken.code).toBe(1);
    const listed = await users(["list", "--json"]);
    expect(JSON.parse(listed.stdout)).toEqual([
      expect.objectContaining({ username: "duty1", role: "operator", mustChangePassword: true }),
    ]);

    // A hub on the same database: no demo district (the registry is not empty), and what the tools made works.
    const th: TestHub = await startTestHub({ env: { ANXIN_DATABASE_URL: database.url } });
    cleanups.push(() => th.stop());
    expect(th.demoDevices).toEqual([]);
    expect(typeof (await tryLogin(th, "duty1", oneTime))).toBe("string");

    const { devices } = JSON.parse(fs.readFileSync(credentialsFile, "utf8")) as {
      devices: { deviceId: string; secret: string; household: string }[];
    };
    const credential = devices.find((device) => device.household === "H001");
    if (!credential) throw new Error("no button provisioned for H001");
    const button = new SimulatedButton({
      mqttUrl: th.mqttUrl,
      deviceId: credential.deviceId,
      secret: credential.secret,
    });
    await button.start({ timeoutMs: 5000 });
    try {
      const ack = await button.press("sos");
      await th.waitForPipeline(ack.alarmId, 15_000);
      // Placed through the gazetteer the import loaded: 垦利区胜兴路12号 lies in grid G1.
      expect(
        await th.hub.sql.get(
          `SELECT h.code AS household, g.code AS grid FROM alarms a JOIN households h ON h.id = a.household_id
           JOIN grids g ON g.id = h.grid_id WHERE a.id = ?`,
          [ack.alarmId],
        ),
      ).toEqual({ household: "H001", grid: "G1" });
      // A call from the landline the import gave H001 joins the button's open SOS: one alarm, two presses.
      expect((await th.twilioWebhooks().inboundCall({ from: "+865462000101" })).status).toBe(200);
      expect(await th.hub.sql.get("SELECT press_count FROM alarms WHERE id = ?", [ack.alarmId])).toEqual({
        press_count: 2,
      });
    } finally {
      await button.stop();
    }

    // Disabled from the shell while the hub runs: the next login is refused.
    const disabled = await users(["disable", "duty1"]);
    expect(disabled).toMatchObject({ code: 0, stdout: "duty1: disabled\n" });
    expect(await tryLogin(th, "duty1", oneTime)).toBe(401);

    const actor = `cli:${os.userInfo().username}`;
    const audit = await th.hub.sql.all<{ actor: string; action: string; target: string | null }>(
      "SELECT actor, action, target FROM audit_log WHERE actor = ? ORDER BY id",
      [actor],
    );
    expect(audit.map((row) => `${row.action} ${row.target ?? ""}`)).toEqual([
      "registry_imported gazetteer",
      "registry_imported grids",
      "registry_imported households",
      "registry_imported workers",
      "registry_exported households",
      "registry_exported workers",
      expect.stringMatching(/^user_created /),
      expect.stringMatching(/^user_disabled /),
    ]);
  }, 120_000);
});
