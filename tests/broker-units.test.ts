/**
 * The broker's guards, piece by piece: MQTT framing across chunks, the address
 * an attacker pays for, the failure counter's waits, the file descriptor
 * arithmetic, and migration 16 (the monitor role) on a real SQLite database.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { FrameScanner } from "../hub/broker/frame-guard.ts";
import { LoginAudit } from "../hub/broker/login-audit.ts";
import { FailureCounter, THROTTLE_MAX_MS } from "../hub/broker/login-throttle.ts";
import { addressKey } from "../hub/net/address-key.ts";
import { connectionCaps, parseFdLimits } from "../hub/net/fd-limits.ts";
import { migrate } from "../hub/storage/database.ts";
import { MIGRATIONS } from "../hub/storage/migrations/index.ts";
import { SqliteSql } from "../hub/storage/sql/sqlite-sql.ts";
import { UserRepository } from "../hub/storage/user-repo.ts";
import { remainingLength } from "./support/hostile-clients.ts";

const packet = (type: number, body: number) =>
  Buffer.concat([Buffer.from([type << 4]), remainingLength(body), Buffer.alloc(body)]);

describe("FrameScanner", () => {
  it("follows packets across chunk boundaries, however they are cut", () => {
    const stream = Buffer.concat([packet(1, 30), packet(3, 4096), packet(12, 0), packet(3, 200)]);
    for (const cut of [1, 2, 3, 7, 64, 1000]) {
      const scanner = new FrameScanner(4096);
      for (let i = 0; i < stream.length; i += cut) expect(scanner.scan(stream.subarray(i, i + cut))).toBeNull();
    }
  });

  it("refuses a packet over the limit as soon as its length says so, even mid-length-field", () => {
    const scanner = new FrameScanner(4096);
    expect(scanner.scan(packet(3, 100))).toBeNull();
    // 268,435,455 = 0xFF 0xFF 0xFF 0x7F; the second length byte already puts it over 4096.
    expect(scanner.scan(Buffer.from([0x30, 0xff]))).toBeNull();
    expect(scanner.scan(Buffer.from([0xff]))).toMatchObject({ code: "MQTT_PACKET_TOO_LARGE", packetType: 3 });
  });

  it("refuses a length field of five bytes as malformed", () => {
    const scanner = new FrameScanner(Number.MAX_SAFE_INTEGER);
    expect(scanner.scan(Buffer.from([0x10, 0x80, 0x80, 0x80, 0x80, 0x01]))).toMatchObject({
      code: "MQTT_FRAME_MALFORMED",
    });
  });
});

describe("addressKey", () => {
  it("is the IPv4 address, also when IPv4-mapped, and the /64 of an IPv6 address", () => {
    expect(addressKey("10.1.2.3")).toBe("10.1.2.3");
    expect(addressKey("::ffff:10.1.2.3")).toBe("10.1.2.3");
    expect(addressKey("2001:db8:1:2:aaaa:bbbb:cccc:dddd")).toBe("2001:db8:1:2::/64");
    expect(addressKey("2001:db8:1:2::1")).toBe("2001:db8:1:2::/64");
    expect(addressKey("2001:DB8::1%eth0")).toBe("2001:db8:0:0::/64");
    expect(addressKey("::1")).toBe("0:0:0:0::/64");
    expect(addressKey("64:ff9b::10.1.2.3")).toBe("64:ff9b:0:0::/64");
    expect(addressKey(undefined)).toBe("unknown");
  });
});

describe("FailureCounter", () => {
  it("lets the free failures go, then doubles the wait from 1 s up to 15 minutes", () => {
    const counter = new FailureCounter({ freeFailures: 3 });
    const t0 = 1_000_000;
    counter.fail("k", t0);
    counter.fail("k", t0);
    expect(counter.waitMs("k", t0)).toBe(0);
    counter.fail("k", t0);
    expect(counter.waitMs("k", t0)).toBe(1000);
    counter.fail("k", t0);
    expect(counter.waitMs("k", t0)).toBe(2000);
    for (let i = 0; i < 20; i += 1) counter.fail("k", t0);
    expect(counter.waitMs("k", t0)).toBe(THROTTLE_MAX_MS);
    expect(counter.waitMs("other", t0)).toBe(0);
    // Quiet for 15 minutes: forgotten, the next failure is the first again.
    counter.fail("k", t0 + THROTTLE_MAX_MS + 1);
    expect(counter.waitMs("k", t0 + THROTTLE_MAX_MS + 1)).toBe(0);
  });

  it("keeps only the most recently failed keys", () => {
    const counter = new FailureCounter({ freeFailures: 1 });
    for (let i = 0; i < 10_050; i += 1) counter.fail(`k${i}`, 0);
    expect(counter.size).toBe(10_000);
    expect(counter.waitMs("k0", 0)).toBe(0);
    expect(counter.waitMs("k10049", 0)).toBe(1000);
  });
});

describe("file descriptor limits", () => {
  it("reads the soft and hard limit from /proc/self/limits", () => {
    const text =
      "Limit                     Soft Limit           Hard Limit           Units     \n" +
      "Max open files            1024                 4096                 files     \n";
    expect(parseFdLimits(text)).toEqual({ soft: 1024, hard: 4096 });
    expect(parseFdLimits("Max open files  unlimited unlimited files")).toEqual({
      soft: Number.POSITIVE_INFINITY,
      hard: Number.POSITIVE_INFINITY,
    });
    expect(parseFdLimits("nothing here")).toBeNull();
  });

  it("shares the descriptors: HTTP its cap (a quarter of a small limit at most), 128 for files, the broker the rest", () => {
    const configured = { mqtt: 20_000, http: 1024 };
    expect(connectionCaps(configured, { soft: 1024, hard: 1024 })).toEqual({ mqtt: 640, http: 256 });
    expect(connectionCaps(configured, { soft: 20_000, hard: 20_000 })).toEqual({ mqtt: 18_848, http: 1024 });
    expect(connectionCaps(configured, { soft: 65_536, hard: 65_536 })).toEqual({ mqtt: 20_000, http: 1024 });
    expect(connectionCaps({ mqtt: 500, http: 64 }, { soft: 65_536, hard: 65_536 })).toEqual({ mqtt: 500, http: 64 });
    // A tiny limit: half of it stays away from the broker.
    expect(connectionCaps(configured, { soft: 320, hard: 320 })).toEqual({ mqtt: 160, http: 80 });
    expect(connectionCaps(configured, null)).toEqual(configured);
  });
});

describe("migration 16: the monitor role", () => {
  it("keeps every account, id and session, and admits role monitor (and still nothing else)", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "anxin-m14-"));
    const db = new Database(path.join(dir, "m.db"));
    try {
      db.pragma("foreign_keys = ON");
      for (const migration of MIGRATIONS.filter((m) => m.version <= 13)) {
        if (migration.rebuildsTables) db.pragma("foreign_keys = OFF");
        db.exec(migration.sql);
        db.pragma("foreign_keys = ON");
      }
      db.pragma("user_version = 13");
      const at = "2026-01-01T00:00:00.000Z";
      const workerId = db
        .prepare(
          "INSERT INTO workers (code, name, phone, skills, shifts) VALUES ('W-1', 'W', '+8613700000000', '[]', '[]')",
        )
        .run().lastInsertRowid;
      const insert = db.prepare(
        `INSERT INTO users (id, username, password_hash, role, display_name, created_at, worker_id, contact,
           must_change_password, password_changed_at) VALUES (?, ?, 'h', ?, ?, ?, ?, ?, ?, ?)`,
      );
      insert.run(7, "admin", "admin", "Admin", at, null, "+8613900000000", 0, at);
      insert.run(9, "w1", "worker", "Worker", at, workerId, null, 1, null);
      db.prepare("INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ('t', 9, ?, ?)").run(
        at,
        at,
      );
      const before = db.prepare("SELECT * FROM users ORDER BY id").all();

      migrate(db, pino({ level: "silent" }));

      expect(db.pragma("user_version", { simple: true })).toBe(MIGRATIONS.at(-1)?.version);
      expect(db.prepare("SELECT * FROM users ORDER BY id").all()).toEqual(before);
      expect(db.prepare("SELECT user_id FROM sessions").all()).toEqual([{ user_id: 9 }]);
      expect(db.pragma("foreign_key_check")).toEqual([]);
      insert.run(10, "mon", "monitor", "Monitor", at, null, null, 0, at);
      expect(() => insert.run(11, "x", "bogus", "X", at, null, null, 0, at)).toThrow(/CHECK/);
      // Only a worker account is linked to a worker record, still.
      expect(() => insert.run(12, "y", "monitor", "Y", at, workerId, null, 0, at)).toThrow(/CHECK|UNIQUE/);
    } finally {
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("LoginAudit after the hub stopped", () => {
  it("a login refused once the database is closed is not written and throws nothing", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "anxin-audit-"));
    const db = new Database(path.join(dir, "a.db"));
    migrate(db, pino({ level: "silent" }));
    const audit = new LoginAudit({ users: new UserRepository(new SqliteSql(db)), logger: pino({ level: "silent" }) });
    const login = { address: "10.0.0.9", username: "nobody", target: null, reason: "wrong", throttled: false };
    audit.start();
    audit.failed(login, new Date());
    const rows = () => (db.prepare("SELECT COUNT(*) AS n FROM audit_log").get() as { n: number }).n;
    expect(rows()).toBe(1);
    await audit.stop();
    db.close();
    // argon2 runs on the thread pool: a check that began before the stop ends after the close.
    expect(() => audit.failed({ ...login, username: "late" }, new Date())).not.toThrow();
    expect(() => audit.loggedIn("admin", "10.0.0.9", "admin")).not.toThrow();
    const reopened = new Database(path.join(dir, "a.db"));
    try {
      expect((reopened.prepare("SELECT COUNT(*) AS n FROM audit_log").get() as { n: number }).n).toBe(1);
    } finally {
      reopened.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
