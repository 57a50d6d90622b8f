/**
 * What the bench reads about its child processes from Linux's /proc: resident
 * memory, CPU time, the real hub process under `tsx`, and how to start a child
 * with a higher file-descriptor limit (20,000 buttons need more than the
 * usual soft limit).
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";

/** Resident set size in bytes, or NaN when the process is gone. */
export function rssBytes(pid: number): number {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return match ? Number(match[1]) * 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ, 100 on every Linux that matters). */
const TICKS_PER_SECOND = 100;

/** User + system CPU time consumed so far, in milliseconds; NaN when the process is gone. */
export function cpuMs(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name may hold spaces and parentheses: fields are counted after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return ((utime + stime) * 1000) / TICKS_PER_SECOND;
  } catch {
    return Number.NaN;
  }
}

function childrenOf(pid: number): number[] {
  try {
    return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function commandLine(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
  } catch {
    return "";
  }
}

/**
 * The deepest process under `pid` whose command line contains `marker`
 * (`tsx hub/main.ts` runs the hub in a child node process); `pid` itself when
 * none does.
 */
export function deepestProcess(pid: number, marker: string): number {
  let found = pid;
  const queue = [pid];
  while (queue.length > 0) {
    const next = queue.shift() as number;
    for (const child of childrenOf(next)) {
      if (commandLine(child).includes(marker)) found = child;
      queue.push(child);
    }
  }
  return found;
}

/** A CPU meter over a phase: CPU milliseconds per wall millisecond of a set of processes (1.0 = one core). */
export class CpuMeter {
  private readonly pids: () => number[];
  private startCpu = 0;
  private startWall = 0;

  constructor(pids: () => number[]) {
    this.pids = pids;
  }

  private startPids = "";

  /** NaN when one of the processes is gone (a crash): its CPU time went with it. */
  private total(): number {
    return this.pids().reduce((sum, pid) => sum + cpuMs(pid), 0);
  }

  start(): void {
    this.startCpu = this.total();
    this.startWall = Date.now();
    this.startPids = this.pids().join(",");
  }

  /** CPU milliseconds used since start(); NaN if the set of processes changed (a restart, a crash). */
  readMs(): number {
    return this.pids().join(",") === this.startPids ? this.total() - this.startCpu : Number.NaN;
  }

  /** Share of one core used since start(), e.g. 0.95. */
  read(): number {
    const wall = Date.now() - this.startWall;
    return wall > 0 ? this.readMs() / wall : Number.NaN;
  }
}

/** What the bench asks for; a container without CAP_SYS_RESOURCE gets its hard limit instead. */
export const FD_WANTED = 65536;

function ownLimits(): { soft: number; hard: number } {
  const limits = fs.readFileSync("/proc/self/limits", "utf8");
  const match = /^Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)/m.exec(limits);
  const value = (text: string | undefined) => (text === undefined || text === "unlimited" ? FD_WANTED : Number(text));
  return { soft: value(match?.[1]), hard: value(match?.[2]) };
}

let chosenLimit: number | undefined;

/**
 * The file-descriptor limit children get: FD_WANTED where `prlimit` may
 * raise the hard limit (root with CAP_SYS_RESOURCE), else our hard limit.
 */
export function childFdLimit(): number {
  if (chosenLimit !== undefined) return chosenLimit;
  const { hard } = ownLimits();
  chosenLimit = hard;
  if (os.platform() === "linux" && hard < FD_WANTED) {
    try {
      execFileSync("prlimit", [`--nofile=${FD_WANTED}:${FD_WANTED}`, "true"], { stdio: "ignore" });
      chosenLimit = FD_WANTED;
    } catch {
      chosenLimit = hard;
    }
  }
  return chosenLimit;
}

/** A command line that starts a child with childFdLimit() file descriptors (through `prlimit` when that changes anything). */
export function withFdLimit(command: string, args: string[]): { command: string; args: string[] } {
  const limit = childFdLimit();
  if (limit === ownLimits().soft) return { command, args };
  try {
    execFileSync("prlimit", ["--version"], { stdio: "ignore" });
  } catch {
    return { command, args };
  }
  return { command: "prlimit", args: [`--nofile=${limit}:${limit}`, command, ...args] };
}

/** The file-descriptor soft limit of a running process, NaN when unknown. */
export function fdSoftLimit(pid: number): number {
  try {
    const limits = fs.readFileSync(`/proc/${pid}/limits`, "utf8");
    const match = /^Max open files\s+(\d+)/m.exec(limits);
    return match ? Number(match[1]) : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/**
 * TCP connections the kernel dropped because a listener's accept queue was
 * full (TcpExt ListenOverflows, the whole machine): a server whose event loop
 * is busy lets SYNs pile up, and the dropped clients retry after 1, 3, 7 s…
 */
export function listenOverflows(): number {
  try {
    const lines = fs.readFileSync("/proc/net/netstat", "utf8").split("\n");
    for (let i = 0; i + 1 < lines.length; i += 2) {
      const names = (lines[i] ?? "").split(/\s+/);
      const values = (lines[i + 1] ?? "").split(/\s+/);
      const at = names.indexOf("ListenOverflows");
      if (names[0] === "TcpExt:" && at > 0) return Number(values[at]);
    }
  } catch {
    // not Linux
  }
  return Number.NaN;
}
