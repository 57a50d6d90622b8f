/**
 * Who is using a data directory: a hub while it runs, or `npm run restore`
 * while it swaps the database. Each takes the directory's lock first and
 * refuses to go on when another holds it, so a restore can never replace the
 * file under a running hub, and a hub can never start on a half-restored one.
 *
 * The lock is `hub.lock`, an empty SQLite file held in an IMMEDIATE
 * transaction (a POSIX record lock, through SQLite): the kernel drops it with
 * the process, however that ends (SIGKILL, a crash, a power cut). A pid file
 * would outlive a crash, and after a reboot its pid may belong to another
 * program: a hub that refused to start then would leave the residents without
 * alarms. SQLite also keeps two connections of one process apart, which plain
 * POSIX locks do not. (While it is held SQLite keeps a small `hub.lock-journal`
 * beside it; neither file holds anything.)
 *
 * Beside it, `hub.lock.json` says who holds it (pid, host, since), for the
 * refusal's message only: it is written after the lock is taken and is never
 * trusted to decide anything. Nothing in a process holding the lock may open
 * and close `hub.lock` itself (fs.readFile…): closing any descriptor of the
 * file drops that process's POSIX locks on it.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { AnxinError } from "../errors.ts";

export const LOCK_FILE = "hub.lock";
export const LOCK_HOLDER_FILE = "hub.lock.json";

/** What holds the lock, as `hub.lock.json` says. */
export interface LockHolder {
  /** `hub`: a running hub; `restore`: `npm run restore` replacing the database. */
  role: "hub" | "restore";
  pid: number;
  host: string;
  since: string;
}

export class DataDirLock {
  readonly dataDir: string;
  private readonly role: LockHolder["role"];
  private db: Database.Database | null = null;

  constructor(dataDir: string, role: LockHolder["role"]) {
    this.dataDir = dataDir;
    this.role = role;
  }

  /** Takes the lock, or throws `DATA_DIR_IN_USE` naming who holds it. Makes the directory when there is none. */
  acquire(): void {
    if (this.db) return;
    fs.mkdirSync(this.dataDir, { recursive: true });
    const db = new Database(path.join(this.dataDir, LOCK_FILE));
    try {
      // Never wait: whoever holds it holds it for as long as it runs.
      db.pragma("busy_timeout = 0");
      db.exec("BEGIN IMMEDIATE");
    } catch (error) {
      db.close();
      if ((error as { code?: unknown }).code !== "SQLITE_BUSY") throw error;
      throw new AnxinError("DATA_DIR_IN_USE", `${this.dataDir} is in use: ${describeHolder(this.dataDir)}`, {
        dataDir: this.dataDir,
      });
    }
    this.db = db;
    giveToDirectoryOwner(path.join(this.dataDir, LOCK_FILE), this.dataDir);
    const holder: LockHolder = {
      role: this.role,
      pid: process.pid,
      host: os.hostname(),
      since: new Date().toISOString(),
    };
    const holderFile = path.join(this.dataDir, LOCK_HOLDER_FILE);
    try {
      fs.writeFileSync(holderFile, `${JSON.stringify(holder)}\n`);
      giveToDirectoryOwner(holderFile, this.dataDir);
    } catch {
      // Only words for a refusal's message: the lock is held either way.
    }
  }

  /** Lets go (a second call does nothing). `hub.lock.json` is left: it is only read once the lock is found taken. */
  release(): void {
    const db = this.db;
    if (!db) return;
    this.db = null;
    db.close();
  }
}

/** Who holds the lock of `dataDir`, in words, from `hub.lock.json` (which may be missing or torn). */
export function describeHolder(dataDir: string): string {
  let holder: Partial<LockHolder> = {};
  try {
    holder = JSON.parse(fs.readFileSync(path.join(dataDir, LOCK_HOLDER_FILE), "utf8")) as Partial<LockHolder>;
  } catch {
    // Written just after the lock is taken: a holder that has only just started may not have written it yet.
  }
  const who = holder.role === "restore" ? "a restore (npm run restore)" : "a running hub";
  const where = [
    holder.pid === undefined ? null : `pid ${holder.pid}`,
    holder.host === undefined ? null : `on ${holder.host}`,
    holder.since === undefined ? null : `since ${holder.since}`,
  ].filter((part) => part !== null);
  return where.length > 0 ? `${who} holds it (${where.join(", ")})` : `${who} holds it`;
}

/**
 * Run as root (a restore from a root shell), a file made in the data directory gets the directory's
 * owner, so the hub's own user can still open and lock it.
 */
export function giveToDirectoryOwner(file: string, dir: string): void {
  if (process.getuid?.() !== 0) return;
  const { uid, gid } = fs.statSync(dir);
  fs.chownSync(file, uid, gid);
}
