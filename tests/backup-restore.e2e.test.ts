/**
 * Backup and restore with real parts: a hub on SQLite taking a steady stream
 * of presses from simulated buttons, `npm run backup` run as a process while
 * the presses keep coming, `npm run restore` of that backup into a fresh data
 * directory, and a new hub started there. Every alarm acked before the backup
 * began must be in the new hub, and a button must be able to press on it.
 * Then what restore refuses (a running hub, a file that is not a backup, a
 * newer schema) and what backup refuses, each changing nothing.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SimulatedButton } from "../firmware-sim/device.ts";
import { LATEST_SCHEMA_VERSION } from "../hub/backup/restore-database.ts";
import type { BackupReport } from "../hub/backup/take-backup.ts";
import { runCli } from "./support/run-cli.ts";
import { startTestHub, type TestHub, waitFor } from "./support/test-hub.ts";

/** The tools as an operator runs them, never on an engine or a data dir from the test's own environment. */
const CLEAN_ENV = { ANXIN_DATA_DIR: "", ANXIN_DATABASE_URL: "" };
const backup = (args: string[], env: Record<string, string> = {}) =>
  runCli("hub/backup/backup-cli.ts", args, { ...CLEAN_ENV, ...env });
const restore = (args: string[], env: Record<string, string> = {}) =>
  runCli("hub/backup/restore-cli.ts", args, { ...CLEAN_ENV, ...env });

interface Acked {
  deviceId: string;
  pressId: string;
  alarmId: number;
  /** When the button had the ack (this machine's clock, as the backup's snapshot time is). */
  at: number;
}

const sha256 = (file: string) => createHash("sha256").update(fs.readFileSync(file)).digest("hex");

describe("backup during a burst of presses, restore into a fresh data dir, a hub on it", () => {
  let th: TestHub;
  let scratch: string;
  let backupFile: string;
  let restoredDir: string;

  beforeAll(async () => {
    th = await startTestHub({ twilio: false });
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), "anxin-backup-"));
    backupFile = path.join(scratch, "during-burst.db");
    restoredDir = path.join(scratch, "restored");
  });
  afterAll(async () => {
    await th?.stop();
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  });

  it("has every alarm acked before the backup began, and the restored hub takes presses", async () => {
    const credentials = th.demoDevices.slice(0, 20);
    const buttons = credentials.map(
      (c) => new SimulatedButton({ mqttUrl: th.mqttUrl, deviceId: c.deviceId, secret: c.secret, retryInitialMs: 500 }),
    );
    await Promise.all(buttons.map((b) => b.start({ timeoutMs: 10_000 })));
    const acked: Acked[] = [];
    let pressing = true;
    // Each button presses again as soon as its last press is acked: an SOS first, then test presses (each its own alarm).
    const loops = buttons.map(async (button, i) => {
      const deviceId = credentials[i]?.deviceId ?? "";
      for (let n = 0; pressing; n++) {
        const ack = await button.press(n === 0 ? "sos" : "test");
        if (ack.alarmId !== null) acked.push({ deviceId, pressId: ack.pressId, alarmId: ack.alarmId, at: Date.now() });
      }
    });
    try {
      await waitFor(() => acked.length >= 100, 30_000, "100 presses acked before the backup");
      const ackedBefore = [...acked];
      const run = backup(["--out", backupFile, "--data-dir", th.dataDir]);
      // The backup's process exists from here on: presses keep being acked while it runs.
      const ackedWhenStarted = acked.length;
      const taken = await run;
      const ackedDuring = acked.length - ackedWhenStarted;
      pressing = false;
      await Promise.all(loops);

      expect(taken.code, taken.stderr).toBe(0);
      expect(ackedDuring, "presses acked while the backup ran").toBeGreaterThan(0);
      expect(taken.stdout).toContain(`backup written: ${backupFile}`);
      expect(taken.stdout).toContain(`schema version ${LATEST_SCHEMA_VERSION}, integrity ok`);
      expect(taken.stdout).toMatch(/^ {2}alarms +\d+$/m);
      expect(taken.stdout).toMatch(/^ {2}households +240$/m);
      // A whole, self-contained file, and nothing else left beside it.
      expect(fs.readdirSync(scratch).sort()).toEqual(["during-burst.db"]);
      expect(fs.statSync(backupFile).mode & 0o777).toBe(0o600);
      const copy = new Database(backupFile, { readonly: true });
      const printedAlarms = Number(/^ {2}alarms +([\d,]+)$/m.exec(taken.stdout)?.[1]?.replace(/,/g, ""));
      expect((copy.prepare("SELECT count(*) AS n FROM alarms").get() as { n: number }).n).toBe(printedAlarms);
      expect(copy.pragma("journal_mode", { simple: true })).toBe("delete");
      copy.close();

      const restored = await restore([backupFile, "--data-dir", restoredDir]);
      expect(restored.code, restored.stderr).toBe(0);
      expect(restored.stdout).toContain(`restored ${backupFile}`);
      expect(restored.stdout).toContain(`into ${path.join(restoredDir, "anxin.db")}: integrity ok`);
      expect(restored.stdout).toContain("nothing was set aside");
      expect(sha256(path.join(restoredDir, "anxin.db"))).toBe(sha256(backupFile));

      // The report's snapshot time: every alarm acked before it (stored before its ack) must be in the copy,
      // those acked while the backup process was starting included, not only those before it was spawned.
      const snapshotAt = Date.parse(/as it was at (\S+): every alarm/.exec(taken.stdout)?.[1] ?? "");
      expect(Number.isFinite(snapshotAt), taken.stdout).toBe(true);
      const beforeSnapshot = acked.filter((a) => a.at < snapshotAt);
      expect(beforeSnapshot.length).toBeGreaterThan(ackedBefore.length);

      const second = await startTestHub({ dataDir: restoredDir, twilio: false });
      try {
        const db = second.hub.db;
        const missing = beforeSnapshot.filter(
          (a) =>
            db
              .prepare("SELECT 1 FROM presses WHERE device_id = ? AND press_id = ? AND alarm_id = ?")
              .get(a.deviceId, a.pressId, a.alarmId) === undefined,
        );
        expect(missing, "alarms acked before the backup began, missing after the restore").toEqual([]);
        expect(ackedBefore.length).toBeGreaterThanOrEqual(100);
        // The restored registry still knows the buttons and their secrets.
        const credential = credentials[0];
        if (!credential) throw new Error("no demo device");
        const button = new SimulatedButton({
          mqttUrl: second.mqttUrl,
          deviceId: credential.deviceId,
          secret: credential.secret,
        });
        await button.start({ timeoutMs: 10_000 });
        const ack = await button.press("test");
        await button.stop();
        expect(ack.duplicate).toBe(false);
        expect(db.prepare("SELECT 1 FROM alarms WHERE id = ?").get(ack.alarmId)).toBeDefined();
      } finally {
        await second.stop();
      }
    } finally {
      pressing = false;
      await Promise.allSettled(loops);
      await Promise.all(buttons.map((b) => b.stop()));
    }
  }, 120_000);

  it("refuses to restore while a hub runs on the data dir, and changes nothing", async () => {
    const before = fs.readdirSync(th.dataDir).sort();
    const refused = await restore([backupFile, "--data-dir", th.dataDir]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("DATA_DIR_IN_USE");
    expect(refused.stderr).toContain(`a running hub holds it (pid ${process.pid}`);
    expect(refused.stderr).toContain("Nothing was changed.");
    expect(fs.readdirSync(th.dataDir).sort()).toEqual(before);
    // The hub goes on storing presses.
    expect(th.hub.db.prepare("SELECT count(*) AS n FROM alarms").get()).toBeDefined();
  }, 60_000);

  it("refuses a file that is not a SQLite database, one that is not Anxin's, and a damaged one", async () => {
    const target = path.join(scratch, "untouched");
    const notSqlite = path.join(scratch, "notes.db");
    fs.writeFileSync(notSqlite, "these are not the rows you are looking for\n");
    const foreign = path.join(scratch, "foreign.db");
    const other = new Database(foreign);
    other.exec("CREATE TABLE recipes (name TEXT)");
    other.close();
    const damaged = path.join(scratch, "damaged.db");
    const whole = fs.readFileSync(backupFile);
    // The first pages (the schema) kept, the rest of the tables cut off.
    fs.writeFileSync(damaged, whole.subarray(0, Math.floor(whole.length / 2)));

    // One data dir each: at once into one dir, all but one would be refused for its lock (DATA_DIR_IN_USE).
    const targets = ["a", "b", "c"].map((name) => path.join(target, name));
    const [a, b, c] = await Promise.all([
      restore([notSqlite, "--data-dir", targets[0] ?? ""]),
      restore([foreign, "--data-dir", targets[1] ?? ""]),
      restore([damaged, "--data-dir", targets[2] ?? ""]),
    ]);
    for (const run of [a, b, c]) {
      expect(run.code, run.stderr).toBe(1);
      expect(run.stderr).toContain("BACKUP_INVALID");
      expect(run.stderr).toContain("Nothing was changed.");
    }
    expect(a.stderr).toContain(`${notSqlite} is not a SQLite database`);
    expect(b.stderr).toContain("not Anxin's");
    expect(c.stderr).toMatch(/is damaged|cannot be read/);
    for (const dir of targets) {
      const left = fs.existsSync(dir) ? fs.readdirSync(dir) : [];
      expect(left.filter((name) => name.startsWith("anxin.db"))).toEqual([]);
    }
  }, 60_000);

  it("refuses a backup from a newer Anxin: restore it with a newer Anxin", async () => {
    const newer = path.join(scratch, "from-the-future.db");
    fs.copyFileSync(backupFile, newer);
    const db = new Database(newer);
    db.pragma(`user_version = ${LATEST_SCHEMA_VERSION + 1}`);
    db.close();
    const target = path.join(scratch, "untouched-too");
    const refused = await restore([newer, "--data-dir", target]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`schema version ${LATEST_SCHEMA_VERSION + 1}`);
    expect(refused.stderr).toContain("restore it with a newer Anxin");
    expect(fs.readdirSync(target).filter((name) => name.startsWith("anxin.db"))).toEqual([]);
  }, 60_000);

  it("keeps the database it replaces aside, and its printed undo puts it back", async () => {
    // The restored data dir from the first test, with the database the second hub ran on (and its -wal, if any).
    const database = path.join(restoredDir, "anxin.db");
    const ranOn = sha256(database);
    const again = await restore([backupFile, "--data-dir", restoredDir]);
    expect(again.code, again.stderr).toBe(0);
    const moves = [...again.stdout.matchAll(/^ {2}(\S+) -> (\S+)$/gm)].map((m) => ({ from: m[1], to: m[2] }));
    expect(moves[0]?.from).toBe(database);
    expect(moves[0]?.to).toMatch(/anxin\.db\.before-restore-\d{8}T\d{6}Z$/);
    for (const move of moves) expect(fs.existsSync(move.to ?? "")).toBe(true);
    expect(sha256(moves[0]?.to ?? "")).toBe(ranOn);
    expect(sha256(database)).toBe(sha256(backupFile));

    const undo = [...again.stdout.matchAll(/^ {2}mv (\S+) (\S+)$/gm)];
    expect(undo.length).toBe(moves.length);
    for (const [, from, to] of undo) fs.renameSync(from ?? "", to ?? "");
    expect(sha256(database)).toBe(ranOn);
  }, 60_000);

  it("backup refuses to replace a file, and both tools send a PostgreSQL hub to docs/operations.md", async () => {
    const existing = path.join(scratch, "existing.db");
    fs.writeFileSync(existing, "keep me");
    const pg = { ANXIN_DATABASE_URL: "postgres://anxin:secret@db.example:5432/anxin" };
    const [taken, toPostgres, fromPostgres, noOut] = await Promise.all([
      backup(["--out", existing, "--data-dir", th.dataDir]),
      backup(["--out", path.join(scratch, "pg.db")], pg),
      restore([backupFile], pg),
      backup(["--data-dir", th.dataDir]),
    ]);
    expect(taken.code).toBe(2);
    expect(taken.stderr).toContain(`${existing} already exists`);
    expect(fs.readFileSync(existing, "utf8")).toBe("keep me");
    expect(toPostgres.code).toBe(2);
    expect(toPostgres.stderr).toContain("pg_dump");
    expect(toPostgres.stderr).toContain("docs/operations.md");
    expect(toPostgres.stderr).not.toContain("secret");
    expect(fs.existsSync(path.join(scratch, "pg.db"))).toBe(false);
    expect(fromPostgres.code).toBe(1);
    expect(fromPostgres.stderr).toContain("pg_restore");
    expect(noOut.code).toBe(2);
    expect(noOut.stderr).toContain("--out FILE is required");
  }, 60_000);

  it("prints the report as JSON for the hub's scheduled backups", async () => {
    const out = path.join(scratch, "as-json.db");
    const run = await backup(["--out", out, "--data-dir", th.dataDir, "--json"]);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as BackupReport;
    expect(report).toMatchObject({ file: out, schemaVersion: LATEST_SCHEMA_VERSION });
    expect(report.counts.households).toBe(240);
    expect(report.bytes).toBe(fs.statSync(out).size);
  }, 60_000);
});
