/**
 * Makes the operating system refuse this process's file writes, for real, the
 * way a full or failing disk refuses a hub's: the soft RLIMIT_FSIZE of the test
 * process is set to 0 with util-linux `prlimit`, so every write(2) to a regular
 * file fails with EFBIG (Node ignores SIGXFSZ) and SQLite reports
 * SQLITE_IOERR_WRITE on commit. No root, no mount, no mock.
 *
 * Only regular files are affected: sockets and pipes (HTTP, MQTT, Chromium's
 * DevTools pipe, vitest's IPC) go on working. Chromium started before the call
 * keeps its own limits. Tests must restore in a `finally` and write no file of
 * their own (screenshots included) until they have.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";

function run(args: string[]): string {
  const result = spawnSync("prlimit", args, { encoding: "utf8" });
  if (result.error) throw new Error(`prlimit is needed (util-linux): ${result.error.message}`);
  if (result.status !== 0) throw new Error(`prlimit ${args.join(" ")} failed: ${result.stderr}`);
  return result.stdout;
}

/** The current soft limit on file size, as prlimit writes it ("unlimited" or a number of bytes). */
function currentSoftLimit(): string {
  const line = fs
    .readFileSync("/proc/self/limits", "utf8")
    .split("\n")
    .find((l) => l.startsWith("Max file size"));
  const soft = line?.slice("Max file size".length).trim().split(/\s+/)[0];
  if (!soft) throw new Error("cannot read the file size limit from /proc/self/limits");
  return soft;
}

/** Refuses every file write of this process until the returned function is called. */
export function refuseFileWrites(): () => void {
  const previous = currentSoftLimit();
  run(["--pid", String(process.pid), "--fsize=0:"]);
  let restored = false;
  return () => {
    if (restored) return;
    restored = true;
    run(["--pid", String(process.pid), `--fsize=${previous}:`]);
  };
}
