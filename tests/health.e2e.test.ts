/**
 * An honest `/health` (issue 11, part 2): it says `ok` only while the database
 * can commit a write. The operating system really refuses the hub's file writes
 * here (tests/support/refuse-writes.ts), as a full or failing disk would, and
 * /health must answer 503 with the reason, log it once, and recover by itself.
 */

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { EventBus } from "../hub/events.ts";
import { createLogger } from "../hub/log.ts";
import { openDatabase } from "../hub/storage/database.ts";
import { SqliteSql } from "../hub/storage/sql/sqlite-sql.ts";
import { DatabaseWriteProbe } from "../hub/storage/write-probe.ts";
import type { WriteCheck } from "../protocol/console/index.ts";
import { refuseFileWrites } from "./support/refuse-writes.ts";
import { startTestHub, type TestHub } from "./support/test-hub.ts";

interface Health {
  status: string;
  database: boolean;
  reasons?: string[];
  databaseWrite?: { ok: boolean; code: string | null; checkedAt: string };
}

describe("/health checks that the database can commit a write", () => {
  let th: TestHub;
  beforeAll(async () => {
    th = await startTestHub({ twilio: false, env: { ANXIN_HEALTH_PROBE_S: "1" } });
  });
  afterAll(async () => {
    await th?.stop();
  });

  async function health(): Promise<{ code: number; body: Health }> {
    const response = await fetch(`${th.httpUrl}/health`);
    return { code: response.status, body: (await response.json()) as Health };
  }

  it("answers 503 with the reason while writes are refused, warns once in the log, and recovers", async () => {
    // Alone: no shared Redis, and this hub runs the background jobs.
    expect(await health()).toMatchObject({
      code: 200,
      body: { status: "ok", database: true, redis: null, jobs: { leading: true } },
    });

    const restore = refuseFileWrites();
    let refused: { code: number; body: Health };
    try {
      refused = await vi.waitFor(
        async () => {
          const h = await health();
          expect(h.code, "/health answers 503").toBe(503);
          return h;
        },
        { timeout: 10_000, interval: 50 },
      );
      // A second probe while still refused adds no second warning.
      const firstCheck = refused.body.databaseWrite?.checkedAt;
      await vi.waitFor(
        async () => {
          const later = await health();
          expect(later.code).toBe(503);
          expect(later.body.databaseWrite?.checkedAt).not.toBe(firstCheck);
        },
        { timeout: 10_000, interval: 50 },
      );
    } finally {
      restore();
    }
    expect(refused.body).toMatchObject({
      status: "degraded",
      database: false,
      databaseWrite: { ok: false, code: "SQLITE_IOERR_WRITE" },
    });
    expect(refused.body.reasons?.join(" ")).toMatch(/database refuses writes/);
    const warnings = th.logs.filter((l) => l.code === "DATABASE_WRITE_FAILED");
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.level).toBeGreaterThanOrEqual(50);

    await vi.waitFor(async () => expect((await health()).code).toBe(200), { timeout: 10_000, interval: 50 });
    await th.waitForLog((l) => l.msg === "database accepts writes again");
    expect(await health()).toMatchObject({ code: 200, body: { status: "ok", database: true, reasons: [] } });
  });
});

describe("the write probe", () => {
  const logger = createLogger("silent");
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "anxin-probe-"));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("commits at most once per interval, however often it is asked, also while a probe is under way", async () => {
    const db = openDatabase(path.join(dir, "cadence.db"), logger);
    let now = 0;
    const probe = new DatabaseWriteProbe(
      { sql: new SqliteSql(db), logger, bus: new EventBus(logger) },
      { intervalMs: 5000, now: () => now },
    );
    const probes = () =>
      (db.prepare("SELECT probes FROM health_probe").get() as { probes: number } | undefined)?.probes;
    // Fifty at once (a burst of /health requests) share one probe.
    const first = await Promise.all(Array.from({ length: 50 }, () => probe.check()));
    expect(first.every((check) => check.ok)).toBe(true);
    expect(probes()).toBe(1);
    for (let i = 0; i < 50; i++) expect((await probe.check()).ok).toBe(true);
    expect(probes()).toBe(1);
    now = 4999;
    await probe.check();
    expect(probes()).toBe(1);
    now = 5000;
    await probe.check();
    expect(probes()).toBe(2);
    db.close();
  });

  it("reports a database opened read-only as SQLITE_READONLY, and tells the bus once", async () => {
    const file = path.join(dir, "readonly.db");
    openDatabase(file, logger).close();
    const db = new Database(file, { readonly: true });
    const bus = new EventBus(logger);
    const told: WriteCheck[] = [];
    bus.on("storage.write", ({ check }) => {
      told.push(check);
    });
    let now = 0;
    const probe = new DatabaseWriteProbe({ sql: new SqliteSql(db), logger, bus }, { intervalMs: 1000, now: () => now });
    expect(await probe.check()).toMatchObject({ ok: false, code: "SQLITE_READONLY" });
    now = 1000;
    expect((await probe.check()).ok).toBe(false);
    expect(told).toHaveLength(1);
    db.close();
  });

  it("reports a database that does not answer as ETIMEDOUT after PROBE_DEADLINE_MS, not when it gives up", async () => {
    const db = openDatabase(path.join(dir, "held.db"), logger);
    const sql = new SqliteSql(db);
    let now = 0;
    const probe = new DatabaseWriteProbe(
      { sql, logger, bus: new EventBus(logger) },
      { intervalMs: 1000, now: () => now },
    );
    // Another context holds the only connection: the probe's write waits, as for a server that is away.
    let release = () => {};
    const held = sql.transaction(
      () =>
        new Promise<void>((resolve) => {
          release = resolve;
        }),
    );
    const check = await probe.check();
    expect(check).toMatchObject({ ok: false, code: "ETIMEDOUT" });
    release();
    await held;
    now = 1000;
    expect((await probe.check()).ok).toBe(true);
    db.close();
  });
});
