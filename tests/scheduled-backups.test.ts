/**
 * The hub's own backups (hub/backup/scheduled-backups.ts): a hub with
 * ANXIN_BACKUP_DIR takes one at start; each check takes one when the newest is
 * ANXIN_BACKUP_EVERY_H old (read from the directory, so a restart does not
 * reset it), keeps the newest ANXIN_BACKUP_KEEP and touches no other file; a
 * failed backup is logged as BACKUP_FAILED and taken at the next check; a
 * backup under way when the hub stops leaves nothing behind. Checks are run
 * directly, with a clock the test moves: no waiting on the interval.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LATEST_SCHEMA_VERSION } from "../hub/backup/restore-database.ts";
import { type BackupCheck, backupInChildProcess, ScheduledBackups } from "../hub/backup/scheduled-backups.ts";
import { loadConfig } from "../hub/config.ts";
import { createLogger } from "../hub/log.ts";
import { type LogLine, startTestHub, type TestHub, waitFor } from "./support/test-hub.ts";

const HOUR_MS = 3_600_000;

function capturedLogger(): { logger: ReturnType<typeof createLogger>; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString("utf8").split("\n")) if (line.trim()) lines.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  return { logger: createLogger("debug", sink), lines };
}

function written(check: BackupCheck | undefined): Extract<BackupCheck, { kind: "written" }> {
  if (check?.kind !== "written") throw new Error(`no backup written: ${JSON.stringify(check)}`);
  return check;
}

/** A pid no process has any more: a child that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", "process.exit(0)"]);
  return child.pid ?? 0;
}

describe("scheduled backups", () => {
  let th: TestHub;
  let scratch: string;

  beforeAll(async () => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), "anxin-scheduled-"));
    th = await startTestHub({ twilio: false, env: { ANXIN_BACKUP_DIR: path.join(scratch, "by-the-hub") } });
  });
  afterAll(async () => {
    await th?.stop();
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  });

  it("are taken by a hub with ANXIN_BACKUP_DIR at start, checked and logged", async () => {
    const line = await th.waitForLog((l) => l.msg === "scheduled backup written and checked", 60_000);
    const file = String(line.file);
    expect(path.dirname(file)).toBe(path.join(scratch, "by-the-hub"));
    expect(path.basename(file)).toMatch(/^anxin-\d{8}T\d{6}Z\.db$/);
    expect(line).toMatchObject({ schemaVersion: LATEST_SCHEMA_VERSION, bytes: fs.statSync(file).size });
    const copy = new Database(file, { readonly: true });
    expect(copy.pragma("integrity_check", { simple: true })).toBe("ok");
    expect(copy.prepare("SELECT count(*) AS n FROM households").get()).toEqual({ n: 240 });
    copy.close();
    expect(fs.readdirSync(path.dirname(file))).toEqual([path.basename(file)]);
  }, 90_000);

  it("are refused beside PostgreSQL, whose backups are pg_dump's", () => {
    expect(() =>
      loadConfig({ ANXIN_BACKUP_DIR: "/var/backups/anxin", ANXIN_DATABASE_URL: "postgres://a:b@db.example/anxin" }),
    ).toThrow(/ANXIN_BACKUP_DIR: .*pg_dump/);
  });

  it("take one when due, keep the newest ANXIN_BACKUP_KEEP, and leave other files alone", async () => {
    const dir = path.join(scratch, "rotated");
    fs.mkdirSync(dir);
    for (const name of ["anxin-20261101T000000Z.db", "anxin-20261102T000000Z.db", "notes.txt", "anxin.db"]) {
      fs.writeFileSync(path.join(dir, name), name);
    }
    const stale = `anxin-20261103T000000Z.db.partial-${deadPid()}`;
    fs.writeFileSync(path.join(dir, stale), "half a backup from before a crash");
    let now = new Date("2026-12-06T10:00:00Z");
    const { logger, lines } = capturedLogger();
    const job = new ScheduledBackups(
      { dataDir: th.dataDir, backupDir: dir, everyH: 24, keep: 2 },
      { logger, clock: () => now },
    );

    const first = written(await job.run());
    expect(path.basename(first.report.file)).toBe("anxin-20261206T100000Z.db");
    expect(first.removed.map((f) => path.basename(f))).toEqual(["anxin-20261101T000000Z.db"]);
    expect(fs.readdirSync(dir).sort()).toEqual([
      "anxin-20261102T000000Z.db",
      "anxin-20261206T100000Z.db",
      "anxin.db",
      "notes.txt",
    ]);
    expect(lines.find((l) => l.msg === "old scheduled backups removed")).toMatchObject({ kept: 2 });

    // Not due until the newest is 24 hours old, however often it is checked.
    expect(await job.run()).toMatchObject({ kind: "not_due" });
    now = new Date(now.getTime() + 23 * HOUR_MS);
    expect(await job.run()).toMatchObject({ kind: "not_due" });
    now = new Date(now.getTime() + HOUR_MS);
    const second = written(await job.run());
    expect(path.basename(second.report.file)).toBe("anxin-20261207T100000Z.db");
    expect(second.removed.map((f) => path.basename(f))).toEqual(["anxin-20261102T000000Z.db"]);
    expect(fs.readdirSync(dir).filter((n) => n.startsWith("anxin-"))).toEqual([
      "anxin-20261206T100000Z.db",
      "anxin-20261207T100000Z.db",
    ]);
    await job.stop();
  }, 120_000);

  it("log a failed backup as BACKUP_FAILED, keep the old ones, and take it at the next check", async () => {
    const dir = path.join(scratch, "failing");
    fs.mkdirSync(dir);
    for (const old of ["anxin-20261101T000000Z.db", "anxin-20261102T000000Z.db"]) {
      fs.writeFileSync(path.join(dir, old), "an old backup");
    }
    // A data dir whose database is not there (a disk not mounted yet): the backup's own process refuses.
    const dataDir = path.join(scratch, "disk-not-mounted");
    fs.mkdirSync(dataDir);
    const { logger, lines } = capturedLogger();
    const job = new ScheduledBackups(
      { dataDir, backupDir: dir, everyH: 24, keep: 1 },
      { logger, clock: () => new Date("2026-12-06T10:00:00Z") },
    );
    const failed = await job.run();
    expect(failed).toMatchObject({ kind: "failed" });
    const line = lines.find((l) => l.code === "BACKUP_FAILED");
    expect(line).toMatchObject({ level: 50, file: path.join(dir, "anxin-20261206T100000Z.db") });
    expect(String((line?.err as { message?: string } | undefined)?.message)).toContain(
      `no hub database at ${path.join(dataDir, "anxin.db")}`,
    );
    expect(fs.readdirSync(dir).sort()).toEqual(["anxin-20261101T000000Z.db", "anxin-20261102T000000Z.db"]);

    // The disk is back (here: the hub's first backup is its database).
    const [hubsBackup] = fs.readdirSync(path.join(scratch, "by-the-hub"));
    fs.copyFileSync(path.join(scratch, "by-the-hub", hubsBackup ?? ""), path.join(dataDir, "anxin.db"));
    const next = written(await job.run());
    expect(path.basename(next.report.file)).toBe("anxin-20261206T100000Z.db");
    expect(fs.readdirSync(dir)).toEqual(["anxin-20261206T100000Z.db"]);
    await job.stop();
  }, 120_000);

  it("stop a backup under way with the hub, leaving no file behind", async () => {
    const dir = path.join(scratch, "stopped");
    const { logger, lines } = capturedLogger();
    // The real child process, stopped as soon as it has been spawned: it cannot have written anything yet,
    // so the only right outcome is "stopped" (a stop that did nothing would let it finish: "written").
    let spawned: () => void = () => {};
    const running = new Promise<void>((resolve) => {
      spawned = resolve;
    });
    const job = new ScheduledBackups(
      { dataDir: th.dataDir, backupDir: dir, everyH: 24, keep: 3 },
      {
        logger,
        runBackup: (out, dataDir, signal) => {
          const backup = backupInChildProcess(out, dataDir, signal);
          spawned();
          return backup;
        },
      },
    );
    const check = job.run();
    await running;
    await job.stop();
    expect(await check).toEqual({ kind: "stopped" });
    expect(lines.some((line) => line.msg === "scheduled backup stopped with the hub; nothing was written")).toBe(true);
    expect(lines.some((line) => line.code === "BACKUP_FAILED")).toBe(false);
    expect(fs.readdirSync(dir)).toEqual([]);
  }, 60_000);
});
