/**
 * What the bounded decoder and the write probe cost (issue 11, part 2): one
 * ordinary alarm payload decoded (size check, strict UTF-8, JSON, duplicate-key
 * scan, schema), the worst payloads within the 4096-byte limit, and one probe
 * commit on a file database with the hub's pragmas (WAL, synchronous=FULL): the
 * event loop is held that long once per ANXIN_HEALTH_PROBE_S.
 * `npm run bench`, or alone: `npx tsx bench/decode-and-probe.ts`.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { EventBus } from "../hub/events.ts";
import { createLogger } from "../hub/log.ts";
import { openDatabase } from "../hub/storage/database.ts";
import { SqliteSql } from "../hub/storage/sql/sqlite-sql.ts";
import { DatabaseWriteProbe } from "../hub/storage/write-probe.ts";
import { decodeMessage, LIMITS } from "../protocol/index.ts";

export interface DecodeProbeFigures {
  /** Microseconds per decode. */
  decodeUs: { alarm: number; manyKeys: number; longString: number; oversized: number };
  /** Milliseconds per committed probe. */
  probeMs: { median: number; p99: number };
}

function microsPer(payload: string | Buffer, runs: number): number {
  for (let i = 0; i < 1000; i++) decodeMessage("alarm", payload); // warm-up for the JIT
  const start = performance.now();
  for (let i = 0; i < runs; i++) decodeMessage("alarm", payload);
  return Math.round(((performance.now() - start) * 1000 * 100) / runs) / 100;
}

export async function measureDecodeAndProbe(probes = 200): Promise<DecodeProbeFigures> {
  const alarm = JSON.stringify({
    pressId: "3f6c2a1e-8d4b-4c1a-9e7f-2b5d8a0c9e41",
    kind: "sos",
    deviceTime: "2026-11-23T08:00:00Z",
    seq: 12,
    battery: 87,
    attempt: 1,
  });
  // Just under the limit: as many distinct keys as fit, and one long string value.
  const keys: string[] = [];
  for (let i = 0; JSON.stringify(Object.fromEntries(keys.map((k) => [k, 0]))).length < LIMITS.payloadBytes - 16; i++) {
    keys.push(`k${i}`);
  }
  const manyKeys = JSON.stringify(Object.fromEntries(keys.map((k) => [k, 0])));
  const longString = JSON.stringify({ note: "x".repeat(LIMITS.payloadBytes - 20) });
  const oversized = Buffer.alloc(10 * 1024 * 1024, 0x20);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "anxin-bench-probe-"));
  const logger = createLogger("silent");
  const db = openDatabase(path.join(dir, "probe.db"), logger);
  let now = 0;
  const probe = new DatabaseWriteProbe(
    { sql: new SqliteSql(db), logger, bus: new EventBus(logger) },
    { intervalMs: 1, now: () => now },
  );
  const times: number[] = [];
  for (let i = 0; i < probes; i++) {
    now += 1;
    const start = performance.now();
    await probe.check();
    times.push(performance.now() - start);
  }
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
  times.sort((a, b) => a - b);
  const at = (p: number) =>
    Math.round((times[Math.min(times.length - 1, Math.ceil(p * times.length) - 1)] ?? 0) * 100) / 100;

  return {
    decodeUs: {
      alarm: microsPer(alarm, 20_000),
      manyKeys: microsPer(manyKeys, 2_000),
      longString: microsPer(longString, 2_000),
      oversized: microsPer(oversized, 2_000),
    },
    probeMs: { median: at(0.5), p99: at(0.99) },
  };
}

export function printDecodeProbeFigures(f: DecodeProbeFigures): void {
  console.log("\nbounded decode (µs per payload):");
  console.log(
    `  alarm ${f.decodeUs.alarm}   4 KB of keys ${f.decodeUs.manyKeys}   4 KB string ${f.decodeUs.longString}   10 MB refused unread ${f.decodeUs.oversized}`,
  );
  console.log("database write probe (one committed upsert, WAL, synchronous=FULL):");
  console.log(`  median ${f.probeMs.median} ms   p99 ${f.probeMs.p99} ms`);
}

if (import.meta.url === `file://${process.argv[1]}`) printDecodeProbeFigures(await measureDecodeAndProbe());
