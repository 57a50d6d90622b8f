/**
 * The gateway's durable press queue: one JSON-lines file for all its boards. A press is written
 * and fsynced before the gateway counts it as taken, and only an ack from the hub removes it, so a
 * press made while the hub or the network is down, or just before a crash or power cut, is sent
 * again after the restart with its original pressId (the hub dedupes on it: delivered once).
 *
 * Lines are appended (`add`, `done`) and the file is compacted on open, so it stays small: it only
 * ever holds the presses not yet acked plus one `seq` line per device.
 */
import fs from "node:fs";
import path from "node:path";
import { type AlarmMessage, LIMITS } from "../protocol/index.ts";

type Line =
  | { op: "add"; deviceId: string; alarm: AlarmMessage }
  | { op: "done"; deviceId: string; pressId: string }
  | { op: "seq"; deviceId: string; seq: number };

export const PRESS_FILE = "presses.jsonl";

export class PressStore {
  readonly file: string;
  private fd: number | null = null;
  private readonly pending = new Map<string, Map<string, AlarmMessage>>();
  /** The next `seq` per device: it keeps counting across restarts, as the protocol asks. */
  private readonly nextSeqs = new Map<string, number>();

  constructor(dataDir: string) {
    this.file = path.join(dataDir, PRESS_FILE);
  }

  /** Loads what an earlier run left, rewrites the file with only that, and opens it for appending. */
  open(): void {
    if (this.fd !== null) return;
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    if (fs.existsSync(this.file)) this.replay(fs.readFileSync(this.file, "utf8"));
    const compacted = path.join(path.dirname(this.file), `${PRESS_FILE}.tmp`);
    const lines: Line[] = [];
    for (const [deviceId, seq] of this.nextSeqs) lines.push({ op: "seq", deviceId, seq });
    for (const [deviceId, presses] of this.pending) {
      for (const alarm of presses.values()) lines.push({ op: "add", deviceId, alarm });
    }
    const fd = fs.openSync(compacted, "w");
    fs.writeSync(fd, lines.map((line) => `${JSON.stringify(line)}\n`).join(""));
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fs.renameSync(compacted, this.file);
    this.fd = fs.openSync(this.file, "a");
    fsyncDir(path.dirname(this.file));
  }

  close(): void {
    if (this.fd === null) return;
    fs.closeSync(this.fd);
    this.fd = null;
  }

  /** The device's presses not yet acked, oldest first. */
  pendingFor(deviceId: string): AlarmMessage[] {
    return [...(this.pending.get(deviceId)?.values() ?? [])];
  }

  /** Takes the next press counter value for the device (persisted with the press that uses it). */
  takeSeq(deviceId: string): number {
    const seq = this.nextSeqs.get(deviceId) ?? 0;
    this.nextSeqs.set(deviceId, seq + 1);
    // The stored counter only grows; what goes on the wire wraps within the protocol's 32-bit range.
    return seq % (LIMITS.counterMax + 1);
  }

  /** Stores a press durably; when this returns the press survives a crash. */
  add(deviceId: string, alarm: AlarmMessage): void {
    this.append({ op: "add", deviceId, alarm });
    this.devicePresses(deviceId).set(alarm.pressId, alarm);
  }

  /** The hub acked the press: forget it. Returns false when it was not pending (a crossed duplicate ack). */
  remove(deviceId: string, pressId: string): boolean {
    const presses = this.pending.get(deviceId);
    if (!presses?.has(pressId)) return false;
    presses.delete(pressId);
    // Losing this line in a crash only means one harmless re-send that the hub acks as a duplicate.
    this.append({ op: "done", deviceId, pressId }, false);
    return true;
  }

  private append(line: Line, sync = true): void {
    if (this.fd === null) throw new Error(`press store ${this.file} is not open`);
    fs.writeSync(this.fd, `${JSON.stringify(line)}\n`);
    if (sync) fs.fsyncSync(this.fd);
  }

  private replay(text: string): void {
    for (const row of text.split("\n")) {
      // A torn last line (power cut mid-write) is skipped: its press had not been taken yet.
      const line = parseLine(row);
      if (!line) continue;
      if (line.op === "add") {
        this.devicePresses(line.deviceId).set(line.alarm.pressId, line.alarm);
        const next = Math.max(this.nextSeqs.get(line.deviceId) ?? 0, line.alarm.seq + 1);
        this.nextSeqs.set(line.deviceId, next);
      } else if (line.op === "done") {
        this.pending.get(line.deviceId)?.delete(line.pressId);
      } else {
        this.nextSeqs.set(line.deviceId, Math.max(this.nextSeqs.get(line.deviceId) ?? 0, line.seq));
      }
    }
  }

  private devicePresses(deviceId: string): Map<string, AlarmMessage> {
    let presses = this.pending.get(deviceId);
    if (!presses) {
      presses = new Map();
      this.pending.set(deviceId, presses);
    }
    return presses;
  }
}

function parseLine(row: string): Line | null {
  if (row.trim() === "") return null;
  try {
    const value = JSON.parse(row) as Partial<Line> | null;
    if (!value || typeof value.deviceId !== "string") return null;
    if (value.op === "add" && typeof value.alarm?.pressId === "string") return value as Line;
    if (value.op === "done" && typeof value.pressId === "string") return value as Line;
    if (value.op === "seq" && typeof value.seq === "number") return value as Line;
    return null;
  } catch {
    return null;
  }
}

/** Makes the rename of the compacted file itself durable (a no-op where directories cannot be fsynced). */
function fsyncDir(dir: string): void {
  try {
    const fd = fs.openSync(dir, "r");
    fs.fsyncSync(fd);
    fs.closeSync(fd);
  } catch {
    // Windows cannot open a directory; NTFS journals the rename itself.
  }
}
