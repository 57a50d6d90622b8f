/**
 * The hub's own backups (`ANXIN_BACKUP_DIR`): every `ANXIN_BACKUP_EVERY_H`
 * hours a backup of its SQLite database into that directory, named by its UTC
 * time (`anxin-20261206T031500Z.db`), and the newest `ANXIN_BACKUP_KEEP` kept.
 *
 * Whether one is due is read from the directory at each check (every 10
 * minutes, or more often for a shorter interval), not from a timer: a hub
 * restarted every few hours still takes its daily backup, and one that was
 * down for a day takes it at start. A backup that fails is logged
 * (`BACKUP_FAILED`) and is due again at the next check; the old ones are
 * removed only after a new one was written and checked.
 *
 * Each backup is `npm run backup` in a process of its own (backup-cli.ts). The
 * copy itself steps through the file and yields between steps, but checking the
 * copy (integrity_check, row counts) is one synchronous SQLite call per check,
 * about 3 ms per MB: in the hub's process a 330 MB database would hold every
 * press for a second. In a process of its own it runs on the other core, and
 * the hub reads one line of JSON.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Clock } from "../clock.ts";
import { AnxinError, describeError } from "../errors.ts";
import { IntervalLoop } from "../interval-loop.ts";
import type { Logger } from "../log.ts";
import {
  isPartialBackup,
  listScheduledBackups,
  partialFileOf,
  removeIfThere,
  scheduledBackupName,
} from "./backup-files.ts";
import type { BackupReport } from "./take-backup.ts";

/** How often the directory is looked at to see whether a backup is due. */
const CHECK_EVERY_MS = 10 * 60_000;
const HOUR_MS = 3_600_000;

const BACKUP_CLI = fileURLToPath(new URL("./backup-cli.ts", import.meta.url));
const REPO_ROOT = path.resolve(path.dirname(BACKUP_CLI), "../..");

/** Takes one backup of the database in `dataDir` to `out`; `signal` stops it, leaving nothing at `out`. */
export type BackupRunner = (out: string, dataDir: string, signal: AbortSignal) => Promise<BackupReport>;

export interface ScheduledBackupSettings {
  dataDir: string;
  backupDir: string;
  everyH: number;
  keep: number;
}

/** What one check did. */
export type BackupCheck =
  | { kind: "not_due"; newest: string }
  | { kind: "written"; report: BackupReport; removed: string[] }
  | { kind: "failed"; error: string }
  | { kind: "stopped" };

export class ScheduledBackups {
  private readonly settings: ScheduledBackupSettings;
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly runBackup: BackupRunner;
  private readonly loop: IntervalLoop<BackupCheck>;
  /** Stops the backup under way when the hub stops. */
  private aborter: AbortController | null = null;

  constructor(settings: ScheduledBackupSettings, deps: { logger: Logger; clock?: Clock; runBackup?: BackupRunner }) {
    this.settings = settings;
    this.logger = deps.logger;
    this.clock = deps.clock ?? (() => new Date());
    this.runBackup = deps.runBackup ?? backupInChildProcess;
    this.loop = new IntervalLoop((proceed) => this.check(proceed), {
      intervalMs: Math.min(CHECK_EVERY_MS, Math.max(1000, Math.round(settings.everyH * HOUR_MS))),
      logger: deps.logger,
      failure: "scheduled backup check failed",
    });
  }

  /** A check now (a hub that was down past its interval backs up at once), then one every check interval. */
  start(): void {
    this.loop.start();
  }

  /** No more checks; a backup under way is stopped (its process ends, leaving no file). */
  async stop(): Promise<void> {
    this.aborter?.abort();
    await this.loop.stop();
  }

  /** One check now, or the one under way: takes a backup when one is due. Never rejects. */
  run(): Promise<BackupCheck | undefined> {
    return this.loop.run();
  }

  private async check(proceed: () => boolean): Promise<BackupCheck> {
    const { backupDir, everyH, keep, dataDir } = this.settings;
    const now = this.clock();
    const out = path.join(backupDir, scheduledBackupName(now));
    const aborter = new AbortController();
    this.aborter = aborter;
    try {
      // Only stamps up to now count: a backup named in the future (a clock set back) must not stop the next ones.
      // Inside the try: a directory that cannot be read is a failed backup (BACKUP_FAILED), like one not written.
      const newest = listScheduledBackups(backupDir).find((b) => b.at.getTime() <= now.getTime());
      if (newest && now.getTime() - newest.at.getTime() < everyH * HOUR_MS) {
        return { kind: "not_due", newest: newest.file };
      }
      fs.mkdirSync(backupDir, { recursive: true });
      removeDeadPartials(backupDir);
      const report = await this.runBackup(out, dataDir, aborter.signal);
      this.logger.info(
        {
          file: report.file,
          bytes: report.bytes,
          schemaVersion: report.schemaVersion,
          alarms: report.counts.alarms,
          snapshotAt: report.snapshotAt,
          ms: report.ms,
        },
        "scheduled backup written and checked",
      );
      const removed = this.rotate(out, keep);
      return { kind: "written", report, removed };
    } catch (error) {
      if (!proceed()) {
        this.logger.info({ file: out }, "scheduled backup stopped with the hub; nothing was written");
        return { kind: "stopped" };
      }
      this.logger.error(
        { err: error, code: "BACKUP_FAILED", file: out, backupDir },
        "scheduled backup failed; it is tried again at the next check",
      );
      return { kind: "failed", error: describeError(error) };
    } finally {
      this.aborter = null;
    }
  }

  /** Keeps the newest `keep` scheduled backups (never the one just written among those removed). */
  private rotate(written: string, keep: number): string[] {
    const removed: string[] = [];
    for (const old of listScheduledBackups(this.settings.backupDir).slice(keep)) {
      if (old.file === written) continue;
      try {
        fs.rmSync(old.file);
        removed.push(old.file);
      } catch (error) {
        this.logger.warn({ err: error, file: old.file }, "could not remove an old backup");
      }
    }
    if (removed.length > 0) this.logger.info({ removed, kept: keep }, "old scheduled backups removed");
    return removed;
  }
}

/** Removes partial files of backups whose process is gone (a crash or power cut during a backup). */
function removeDeadPartials(dir: string): void {
  for (const name of fs.readdirSync(dir)) {
    if (!isPartialBackup(name)) continue;
    const pid = Number(/\.partial-(\d+)/.exec(name)?.[1]);
    if (!processIsAlive(pid)) removeIfThere(path.join(dir, name));
  }
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: alive, but another user's.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The backup's niceness (0 is the hub's, 19 the lowest priority). */
const BACKUP_NICENESS = 10;

/** Most of a failed backup's stderr kept for its log line. */
const STDERR_KEPT = 4000;

/** Runs `npm run backup -- --out OUT --data-dir DIR --json` (as `node --import tsx`), and reads its report. */
export const backupInChildProcess: BackupRunner = (out, dataDir, signal) => {
  const env = { ...process.env };
  // The hub that schedules this backup is on SQLite (config.ts refuses ANXIN_BACKUP_DIR beside PostgreSQL).
  delete env.ANXIN_DATABASE_URL;
  const child = spawn(
    process.execPath,
    ["--import", "tsx", BACKUP_CLI, "--out", out, "--data-dir", dataDir, "--json"],
    { cwd: REPO_ROOT, env, stdio: ["ignore", "pipe", "pipe"] },
  );
  // Below the hub: on a small machine the copy and its checks must not slow the presses' acks (a backup
  // due at start meets the reconnect storm of a restart). Only lowered, so it needs no privilege.
  if (child.pid !== undefined) {
    try {
      os.setPriority(child.pid, BACKUP_NICENESS);
    } catch {
      // Not fatal: the backup runs at the hub's priority.
    }
  }
  // Stopped: SIGTERM, on which backup-cli.ts removes its partial file and exits; this waits for that exit.
  const stop = () => child.kill("SIGTERM");
  if (signal.aborted) stop();
  else signal.addEventListener("abort", stop, { once: true });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString("utf8");
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString("utf8")).slice(-STDERR_KEPT);
  });
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, exitSignal) => {
      signal.removeEventListener("abort", stop);
      // Its own cleanup, in case it could not (killed outright).
      if (child.pid !== undefined) removeIfThere(partialFileOf(out, child.pid));
      if (code === 0) {
        try {
          resolve(JSON.parse(stdout) as BackupReport);
        } catch {
          reject(new AnxinError("BACKUP_FAILED", `the backup printed no report: ${stdout.slice(0, 200)}`));
        }
        return;
      }
      const how = exitSignal ? `was ended by ${exitSignal}` : `exited with ${code}`;
      reject(new AnxinError("BACKUP_FAILED", `the backup ${how}: ${stderr.trim()}`, { exitCode: code }));
    });
  });
};
