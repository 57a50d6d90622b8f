/**
 * The busy-worker mirror (hub/dispatch/busy-workers.ts) answers exactly what
 * the tables say, for whatever this connection sees: after commits, inside an
 * open transaction (its own uncommitted changes included), after a rollback
 * (whole, or to a savepoint), and after another connection wrote. Checked
 * against the definition in SQL after every step of a long random run.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BusyWorkers } from "../hub/dispatch/busy-workers.ts";
import { createLogger } from "../hub/log.ts";
import { seedDemoDistrict } from "../hub/seed/demo-district.ts";
import { seededRandom } from "../hub/seed/prng.ts";
import { type Db, openDatabase } from "../hub/storage/database.ts";
import { SqliteSql } from "../hub/storage/sql/sqlite-sql.ts";

const STATUSES = ["unassigned", "offered", "accepted", "on_scene", "resolved", "cancelled"] as const;
const KINDS = ["sos", "sos", "service", "test"] as const;
const OFFER_ENDS = ["accepted", "declined", "timed_out", "withdrawn"] as const;

/** The definition of busy, straight from the tables: every (worker, alarm) pair holding a worker. */
function holdingPairs(db: Db): Set<string> {
  const rows = db
    .prepare(
      `SELECT worker_id, id AS alarm_id FROM alarms
         WHERE status IN ('offered', 'accepted', 'on_scene') AND kind <> 'service' AND worker_id IS NOT NULL
       UNION SELECT worker_id, alarm_id FROM dispatch_offers WHERE status = 'offered'`,
    )
    .all() as { worker_id: number; alarm_id: number }[];
  return new Set(rows.map((r) => `${r.worker_id}:${r.alarm_id}`));
}

describe("the busy-worker mirror", () => {
  let dir: string;
  let db: Db;
  let other: Database.Database;
  let mirror: BusyWorkers;
  let workers: number[];
  let devices: string[];

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "anxin-busy-"));
    db = openDatabase(path.join(dir, "anxin.db"), createLogger("silent"));
    await seedDemoDistrict(new SqliteSql(db), { households: 30, workers: 8, clinics: 1 });
    workers = (db.prepare("SELECT id FROM workers ORDER BY id").all() as { id: number }[]).map((w) => w.id);
    devices = (db.prepare("SELECT id FROM devices ORDER BY id").all() as { id: string }[]).map((d) => d.id);
    other = new Database(path.join(dir, "anxin.db"));
    other.pragma("busy_timeout = 5000");
    mirror = BusyWorkers.of(db);
  });
  afterAll(() => {
    mirror.stop();
    other.close();
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** For every worker and a few exclusions: busy exactly when a holding pair says so, and with an alarm that holds them. */
  function expectMirrorMatchesTables(): void {
    const pairs = holdingPairs(db);
    const alarms = (db.prepare("SELECT id FROM alarms").all() as { id: number }[]).map((a) => a.id);
    for (const except of [null, ...alarms.slice(-3)]) {
      const lookup = mirror.lookupNow(except);
      const all = mirror.allNow(except);
      for (const workerId of workers) {
        const expected = [...pairs].some((p) => p.startsWith(`${workerId}:`) && p !== `${workerId}:${except}`);
        const alarmId = lookup.get(workerId);
        expect(lookup.has(workerId), `worker ${workerId} except ${except}`).toBe(expected);
        expect(all.has(workerId)).toBe(expected);
        if (alarmId !== undefined) {
          expect(pairs.has(`${workerId}:${alarmId}`)).toBe(true);
          expect(alarmId).not.toBe(except);
        }
      }
    }
  }

  it("answers from the tables before it starts, and from memory after, the same", () => {
    expect(mirror.started).toBe(false);
    expectMirrorMatchesTables();
    mirror.start();
    expect(mirror.started).toBe(true);
    expectMirrorMatchesTables();
  });

  it("matches the tables through commits, rollbacks, savepoints and another connection's writes", async () => {
    const random = seededRandom(12);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
    const alarmIds = (): number[] => (db.prepare("SELECT id FROM alarms").all() as { id: number }[]).map((a) => a.id);
    const openOffers = (conn: Database.Database): { id: number }[] =>
      conn.prepare("SELECT id FROM dispatch_offers WHERE status = 'offered'").all() as { id: number }[];

    /** One random write through `conn`. */
    const step = (conn: Database.Database): void => {
      const roll = random();
      const ids = alarmIds();
      if (roll < 0.2 || ids.length === 0) {
        conn
          .prepare(
            "INSERT INTO alarms (device_id, kind, status, received_at, worker_id) VALUES (?, ?, ?, datetime('now'), ?)",
          )
          .run(pick(devices), pick(KINDS), pick(STATUSES), random() < 0.7 ? pick(workers) : null);
      } else if (roll < 0.4) {
        conn.prepare("UPDATE alarms SET status = ? WHERE id = ?").run(pick(STATUSES), pick(ids));
      } else if (roll < 0.5) {
        conn
          .prepare("UPDATE alarms SET worker_id = ? WHERE id = ?")
          .run(random() < 0.8 ? pick(workers) : null, pick(ids));
      } else if (roll < 0.55) {
        conn.prepare("UPDATE alarms SET kind = ? WHERE id = ?").run(pick(KINDS), pick(ids));
      } else if (roll < 0.75) {
        const alarmId = pick(ids);
        // One open offer per alarm (dispatch_offers_one_open): settle the open one first.
        conn
          .prepare("UPDATE dispatch_offers SET status = ? WHERE alarm_id = ? AND status = 'offered'")
          .run(pick(OFFER_ENDS), alarmId);
        conn
          .prepare(
            `INSERT INTO dispatch_offers (alarm_id, worker_id, rank, status, offered_at, expires_at, offered_by)
             VALUES (?, ?, 1, 'offered', datetime('now'), datetime('now', '+2 minutes'), 'system')`,
          )
          .run(alarmId, pick(workers));
      } else if (roll < 0.9) {
        const open = openOffers(conn);
        if (open.length > 0) {
          conn.prepare("UPDATE dispatch_offers SET status = ? WHERE id = ?").run(pick(OFFER_ENDS), pick(open).id);
        }
      } else {
        const open = openOffers(conn);
        if (open.length > 0)
          conn.prepare("UPDATE dispatch_offers SET worker_id = ? WHERE id = ?").run(pick(workers), pick(open).id);
      }
    };

    for (let round = 0; round < 300; round += 1) {
      const kind = random();
      if (kind < 0.4) {
        step(db);
      } else if (kind < 0.6) {
        db.transaction(() => {
          for (let i = 0; i < 4; i += 1) {
            step(db);
            expectMirrorMatchesTables();
          }
        })();
      } else if (kind < 0.75) {
        // Rolled back: memory must not keep any of it.
        expect(() =>
          db.transaction(() => {
            for (let i = 0; i < 3; i += 1) step(db);
            expectMirrorMatchesTables();
            throw new Error("roll back");
          })(),
        ).toThrow("roll back");
      } else if (kind < 0.9) {
        // A savepoint rolled back inside a transaction that commits.
        db.transaction(() => {
          step(db);
          try {
            db.transaction(() => {
              step(db);
              step(db);
              expectMirrorMatchesTables();
              throw new Error("to the savepoint");
            })();
          } catch {
            // expected
          }
          expectMirrorMatchesTables();
          step(db);
        })();
      } else {
        step(other);
      }
      expectMirrorMatchesTables();
      // Sometimes let the scheduled fold run, sometimes fold at once, sometimes neither: the answer must not depend on it.
      const when = random();
      if (when < 0.4) await new Promise((resolve) => setImmediate(resolve));
      else if (when < 0.6) mirror.sync();
    }
    // The run did make workers busy and free again.
    expect(holdingPairs(db).size).toBeGreaterThan(0);
  });

  it("asks the tables again once stopped", () => {
    mirror.stop();
    expect(mirror.started).toBe(false);
    expectMirrorMatchesTables();
    mirror.start();
    expectMirrorMatchesTables();
  });
});
