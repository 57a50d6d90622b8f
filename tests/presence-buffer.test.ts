/**
 * Issue 12: device presence is written behind (hub/storage/presence-buffer.ts).
 * Readers of one device see it at once, a flush writes a batch in one
 * transaction, nothing moves a device back in time, and a failed flush keeps
 * everything for the next. Real SQLite, the hub's own schema.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createLogger } from "../hub/log.ts";
import { type Db, openDatabase } from "../hub/storage/database.ts";
import { PresenceBuffer } from "../hub/storage/presence-buffer.ts";
import { RegistryRepository } from "../hub/storage/registry-repo.ts";
import { SqliteSql } from "../hub/storage/sql/sqlite-sql.ts";

const T1 = "2026-03-01T08:00:01.000Z";
const T2 = "2026-03-01T08:00:02.000Z";
const T3 = "2026-03-01T08:00:03.000Z";

/** A write behind lands within a few turns of the event loop; waits for it, failing after a second. */
async function waitUntil(done: () => boolean): Promise<void> {
  const until = Date.now() + 1000;
  while (!done()) {
    if (Date.now() > until) throw new Error("not written within a second");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe("PresenceBuffer", () => {
  let dir: string;
  let db: Db;
  let sql: SqliteSql;
  let presence: PresenceBuffer;
  let registry: RegistryRepository;
  const stored = (id: string) =>
    db.prepare("SELECT online, last_seen_at, battery, firmware FROM devices WHERE id = ?").get(id) as {
      online: number;
      last_seen_at: string | null;
      battery: number | null;
      firmware: string | null;
    };

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "anxin-presence-"));
    db = openDatabase(path.join(dir, "anxin.db"), createLogger("silent"));
    const insert = db.prepare(
      "INSERT INTO devices (id, secret_hash, status, created_at) VALUES (?, 'x', 'active', '2026-01-01T00:00:00.000Z')",
    );
    for (const id of ["A", "B", "C"]) insert.run(id);
    // A long interval: in these tests only an explicit flush (or the batch size) writes.
    sql = new SqliteSql(db);
    presence = new PresenceBuffer(sql, { flushMs: 3_600_000, maxPending: 1000 });
    registry = new RegistryRepository(sql, presence);
    presence.start(createLogger("silent"));
  });
  afterEach(async () => {
    await presence.stop();
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("shows a connect and a heartbeat to readers at once, and writes them to SQLite only when flushed", async () => {
    registry.setDeviceOnline("A", true, T1);
    registry.markDeviceSeen("A", T2, 77, "fw/2");
    expect(stored("A")).toEqual({ online: 0, last_seen_at: null, battery: null, firmware: null });
    expect(await registry.findDevice("A")).toMatchObject({ online: 1, last_seen_at: T2, battery: 77 });
    expect(presence.pendingCount).toBe(1);

    expect(await presence.flush()).toBe(1);
    expect(stored("A")).toEqual({ online: 1, last_seen_at: T2, battery: 77, firmware: "fw/2" });
    expect(presence.pendingCount).toBe(0);
    expect(await presence.flush()).toBe(0);
  });

  it("writes a batch of devices in one transaction: all of it or, when one row fails, none", async () => {
    registry.setDeviceOnline("A", true, T1);
    registry.setDeviceOnline("B", true, T1);
    registry.setDeviceOnline("C", true, T1);
    db.exec(
      "CREATE TRIGGER refuse_c BEFORE UPDATE ON devices WHEN NEW.id = 'C' BEGIN SELECT RAISE(ABORT, 'C refused (simulated)'); END",
    );
    await expect(presence.flush()).rejects.toThrow(/simulated/);
    expect([stored("A").online, stored("B").online, stored("C").online]).toEqual([0, 0, 0]);
    // Nothing was lost: still pending, still what readers see.
    expect(presence.pendingCount).toBe(3);
    expect((await registry.findDevice("A"))?.online).toBe(1);
    db.exec("DROP TRIGGER refuse_c");
    expect(await presence.flush()).toBe(3);
    expect([stored("A").online, stored("B").online, stored("C").online]).toEqual([1, 1, 1]);
  });

  it("never moves a device back in time, even past a writer that went straight to SQLite", async () => {
    registry.markDeviceSeen("A", T1, 50, null);
    // Another writer stored a newer reading meanwhile.
    db.prepare("UPDATE devices SET last_seen_at = ?, battery = 90 WHERE id = 'A'").run(T3);
    await presence.flush();
    expect(stored("A")).toMatchObject({ last_seen_at: T3, battery: 90 });

    // Out of order in memory too: the older reading does not replace the newer one.
    registry.markDeviceSeen("B", T2, 40, null);
    registry.markDeviceSeen("B", T1, 99, null);
    expect(await registry.findDevice("B")).toMatchObject({ last_seen_at: T2, battery: 40 });
    await presence.flush();
    expect(stored("B")).toMatchObject({ last_seen_at: T2, battery: 40 });
  });

  it("flushes by itself once a batch is full", async () => {
    await presence.stop();
    const small = new PresenceBuffer(sql, { flushMs: 3_600_000, maxPending: 2 });
    small.start(createLogger("silent"));
    small.setOnline("A", true, T1);
    expect(stored("A").online).toBe(0);
    small.setOnline("B", true, T1);
    await waitUntil(() => stored("B").online === 1);
    expect([stored("A").online, stored("B").online]).toEqual([1, 1]);
    await small.stop();
  });

  it("writes without waiting for a timer when not started (the CLI tools), and what is pending when stopped", async () => {
    await presence.stop();
    const idle = new PresenceBuffer(sql);
    idle.setOnline("C", true, T1);
    await waitUntil(() => stored("C").online === 1);

    const running = new PresenceBuffer(sql, { flushMs: 3_600_000, maxPending: 1000 });
    running.start(createLogger("silent"));
    running.setOnline("B", true, T2);
    await new Promise((resolve) => setImmediate(resolve));
    expect(stored("B").online).toBe(0);
    await running.stop();
    expect(stored("B")).toMatchObject({ online: 1, last_seen_at: T2 });
  });

  it("keeps what a flush was writing visible, and when it fails keeps it under what arrived meanwhile", async () => {
    registry.setDeviceOnline("A", true, T1);
    registry.markDeviceSeen("A", T1, 50, "fw/1");
    db.exec(
      "CREATE TRIGGER refuse_a BEFORE UPDATE ON devices WHEN NEW.id = 'A' BEGIN SELECT RAISE(ABORT, 'A refused (simulated)'); END",
    );
    // Another context holds the connection, so the flush has taken the pending values and waits to write them.
    let release = () => {};
    const held = sql.transaction(
      () =>
        new Promise<void>((resolve) => {
          release = resolve;
        }),
    );
    const flushing = presence.flush();
    await new Promise((resolve) => setImmediate(resolve));
    // Reads through the port wait for the connection too; what a read would lay over the stored row:
    const storedRow = { online: 0, last_seen_at: null, battery: null };
    expect(presence.overlay("A", storedRow)).toEqual({ online: 1, last_seen_at: T1, battery: 50 });
    // Newer news while it waits: the device went offline.
    registry.setDeviceOnline("A", false, T2);
    expect(presence.overlay("A", storedRow)).toEqual({ online: 0, last_seen_at: T2, battery: 50 });
    release();
    await held;
    await expect(flushing).rejects.toThrow(/simulated/);
    // Nothing stored, nothing lost, and the newer value won over the one that failed.
    expect(stored("A")).toEqual({ online: 0, last_seen_at: null, battery: null, firmware: null });
    expect(presence.pendingCount).toBe(1);
    db.exec("DROP TRIGGER refuse_a");
    expect(await presence.flush()).toBe(1);
    expect(stored("A")).toEqual({ online: 0, last_seen_at: T2, battery: 50, firmware: "fw/1" });
  });

  describe("online said by a device's connections (issue 13: hubs sharing a database)", () => {
    const online = (id: string) =>
      db.prepare("SELECT online, connection_epoch FROM devices WHERE id = ?").get(id) as {
        online: number;
        connection_epoch: number | null;
      };

    it("does not let an older connection's word, flushed later by another hub, overwrite a newer one's", async () => {
      // Hub 2 (another buffer on the same database) heard the device's new connection; hub 1 still holds
      // the Will of the old one and flushes it afterwards.
      const otherHub = new PresenceBuffer(sql, { flushMs: 3_600_000, maxPending: 1000 });
      otherHub.start(createLogger("silent"));
      otherHub.setOnline("A", true, T2, 200);
      presence.setOnline("A", false, T3, 100);
      await otherHub.flush();
      await presence.flush();
      await otherHub.stop();
      expect(online("A")).toEqual({ online: 1, connection_epoch: 200 });
      // The same connection's later word lands, and so does a newer connection's.
      presence.setOnline("A", false, T3, 200);
      await presence.flush();
      expect(online("A")).toEqual({ online: 0, connection_epoch: 200 });
      presence.setOnline("A", true, T3, 300);
      await presence.flush();
      expect(online("A")).toEqual({ online: 1, connection_epoch: 300 });
    });

    it("keeps the newer connection's word among what is pending, and lays it over reads by the same rule", async () => {
      presence.setOnline("B", true, T1, 200);
      presence.setOnline("B", false, T2, 100);
      expect(
        presence.overlay("B", { online: 0, last_seen_at: null, battery: null, connection_epoch: null }),
      ).toMatchObject({ online: 1, connection_epoch: 200 });
      // A row already said by a newer connection is not overlaid by an older one's pending word.
      expect(
        presence.overlay("B", { online: 0, last_seen_at: null, battery: null, connection_epoch: 500 }),
      ).toMatchObject({ online: 0, connection_epoch: 500 });
      await presence.flush();
      expect(online("B")).toEqual({ online: 1, connection_epoch: 200 });
    });

    it("applies a word whose connection is not known (the CLI, a hub alone before this column) as the latest", async () => {
      presence.setOnline("C", true, T1, 400);
      await presence.flush();
      registry.setDeviceOnline("C", false, T2);
      await presence.flush();
      expect(online("C")).toEqual({ online: 0, connection_epoch: 400 });
    });
  });
});
