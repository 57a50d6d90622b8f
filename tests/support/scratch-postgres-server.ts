/**
 * A PostgreSQL server of its own, for a test that stops and starts it (the
 * suites' shared server cannot be restarted under the other files): Debian's
 * `initdb` and `pg_ctl` in a temporary directory, trust authentication on
 * 127.0.0.1 only, a free port. As root the server runs as the `postgres` user
 * (it refuses root), as in .ci/postgres.sh.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort } from "./ports.ts";

export interface ScratchPostgresServer {
  /** A database `anxin` on it, owned by the superuser `anxin`. */
  url: string;
  /** Stops the server (fast shutdown: sessions are ended, nothing committed is lost). */
  stopServer(): void;
  startServer(): void;
  /** Stops it and removes its directory. */
  remove(): void;
}

export async function scratchPostgresServer(): Promise<ScratchPostgresServer> {
  const bin = postgresBin();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "anxin-pg-"));
  const root = process.getuid?.() === 0;
  if (root) fs.chownSync(dir, uidOf("postgres"), gidOf("postgres"));
  const asServer = (command: string) =>
    root
      ? execFileSync("su", ["postgres", "-s", "/bin/bash", "-c", command], { stdio: "pipe" })
      : execFileSync("bash", ["-c", command], { stdio: "pipe" });
  const port = await freePort();
  const data = path.join(dir, "data");
  asServer(`'${bin}/initdb' -D '${data}' -A trust -U anxin --no-instructions > '${dir}/initdb.log'`);
  const start = () =>
    asServer(
      `'${bin}/pg_ctl' -D '${data}' -w -l '${dir}/server.log' -o "-p ${port} -k '${dir}' -c listen_addresses=127.0.0.1" start > /dev/null`,
    );
  const stop = () => asServer(`'${bin}/pg_ctl' -D '${data}' -w -m fast stop > /dev/null`);
  start();
  execFileSync(`${bin}/createdb`, ["-h", "127.0.0.1", "-p", String(port), "-U", "anxin", "anxin"], { stdio: "pipe" });
  return {
    url: `postgres://anxin@127.0.0.1:${port}/anxin`,
    stopServer: stop,
    startServer: start,
    remove() {
      try {
        stop();
      } catch {
        // already stopped
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

function postgresBin(): string {
  const base = "/usr/lib/postgresql";
  const versions = fs.existsSync(base)
    ? fs
        .readdirSync(base)
        .filter((version) => fs.existsSync(path.join(base, version, "bin", "initdb")))
        .sort((a, b) => Number(a) - Number(b))
    : [];
  const latest = versions.at(-1);
  if (!latest) throw new Error("PostgreSQL's initdb not found: apt-get install postgresql");
  return path.join(base, latest, "bin");
}

function uidOf(user: string): number {
  return Number(execFileSync("id", ["-u", user]).toString().trim());
}

function gidOf(user: string): number {
  return Number(execFileSync("id", ["-g", user]).toString().trim());
}
