/**
 * Accounts, sessions, the audit log and the registry (its services and the
 * hub's reads, device presence included) on each engine: a SQLite file in
 * `npm test` (tests/registry-storage.test.ts) and PostgreSQL in
 * `npm run test:postgres`. What differs between the dialects is what is
 * checked here: a new row's id (RETURNING id), NULL-safe comparison (IS
 * DISTINCT FROM), a unique violation turned into a coded 409 (SQLite's
 * constraint codes, PostgreSQL's 23505), a search that ignores case (LIKE,
 * ILIKE), the registry version kept by triggers, and presence's UPDATE with its
 * NULL-able parameters.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { EventBus } from "../../hub/events.ts";
import { createLogger } from "../../hub/log.ts";
import type { RegistryServices } from "../../hub/registry/registry-services.ts";
import { createRegistryServices } from "../../hub/registry/registry-services.ts";
import { PresenceBuffer } from "../../hub/storage/presence-buffer.ts";
import { RegistryRepository } from "../../hub/storage/registry-repo.ts";
import type { SqlDatabase } from "../../hub/storage/sql/sql-port.ts";
import { UserRepository } from "../../hub/storage/user-repo.ts";
import { square } from "./registry-app.ts";

const ADMIN = { username: "admin", role: "admin" as const };
const OPERATOR = { username: "op", role: "operator" as const };

async function codeOf(action: () => Promise<unknown>): Promise<string> {
  try {
    await action();
    return "none";
  } catch (error) {
    return String((error as { code?: unknown }).code ?? error);
  }
}

export function describeRegistryStorage(
  name: string,
  open: () => Promise<{ sql: SqlDatabase; close(): Promise<void> }>,
) {
  describe(`accounts and the registry on ${name}`, () => {
    let db: { sql: SqlDatabase; close(): Promise<void> };
    let users: UserRepository;
    let registry: RegistryServices;
    const auditActions = async () =>
      (
        await db.sql.all<{ action: string; target: string | null }>("SELECT action, target FROM audit_log ORDER BY id")
      ).map((row) => `${row.action} ${row.target ?? ""}`.trim());

    beforeEach(async () => {
      db = await open();
      users = new UserRepository(db.sql);
      registry = createRegistryServices({ sql: db.sql, users, bus: new EventBus(createLogger("silent")) });
    });
    afterEach(() => db?.close());

    it("creates accounts with their new ids, finds names whatever their case, counts admins NULL-safely, and ends sessions", async () => {
      const first = await users.create({ username: "Admin", passwordHash: "h1", role: "admin", displayName: "A" });
      const second = await users.create({ username: "op", passwordHash: "h2", role: "operator", displayName: "O" });
      expect(second).toBeGreaterThan(first);
      expect((await users.byUsernameAnyCase("ADMIN"))?.id).toBe(first);
      expect(await users.byUsername("admin")).toBeUndefined();
      expect(await users.countEnabledAdmins()).toBe(1);
      expect(await users.countEnabledAdmins(first)).toBe(0);
      expect(await users.countEnabledAdmins(second)).toBe(1);

      await users.update(second, { display_name: "Operator", contact: null });
      expect(await users.byId(second)).toMatchObject({ display_name: "Operator", contact: null });

      const later = new Date(Date.now() + 3600_000).toISOString();
      await users.createSession("mine", second, later);
      await users.createSession("other", second, later);
      await users.createSession("stale", second, "2000-01-01T00:00:00.000Z");
      expect((await users.sessionUser("mine", new Date().toISOString()))?.username).toBe("op");
      expect(await users.sessionUser("stale", new Date().toISOString())).toBeUndefined();
      expect(await users.deleteSessionsOf(second, "mine")).toBe(2);
      expect((await users.sessionUser("mine", new Date().toISOString()))?.id).toBe(second);
      expect(await users.deleteSessionsOf(second)).toBe(1);
      await users.setDisabled(first, true);
      expect(await users.countEnabledAdmins()).toBe(0);

      await users.audit("user:Admin", "login", null, { from: "test" });
      expect(await auditActions()).toEqual(["login"]);
    });

    it("keeps the registry through its services: placement from the gazetteer, coded refusals, search without case", async () => {
      const grid = await registry.grids.create({ code: "G-1", name: "East grid", polygon: square(118, 37, 1) }, ADMIN);
      await registry.gazetteer.create({ address: "1 Harbour Road", lat: 37.5, lng: 118.5 }, ADMIN);
      const household = await registry.households.create({ code: "KL-H001", address: "1 Harbour Road" }, ADMIN);
      expect(household).toMatchObject({ lat: 37.5, lng: 118.5, locationSource: "gazetteer", grid: { id: grid.id } });
      expect(
        await codeOf(() => registry.households.create({ code: "KL-H001", address: "1 Harbour Road" }, ADMIN)),
      ).toBe("REGISTRY_DUPLICATE");
      expect(await codeOf(() => registry.households.create({ code: "KL-H002", address: "nowhere" }, ADMIN))).toBe(
        "ADDRESS_NOT_IN_GAZETTEER",
      );
      // The refused insert took nothing with it, and the next one works (PostgreSQL: its transaction was rolled back).
      await registry.households.create({ code: "KL-H002", address: "2 Harbour Road", lat: 37.6, lng: 118.6 }, ADMIN);
      expect((await registry.households.list({ q: "kl-h00", limit: 10, offset: 0 })).total).toBe(2);
      expect((await registry.households.list({ q: "HARBOUR", limit: 10, offset: 0 })).items.map((h) => h.code)).toEqual(
        ["KL-H001", "KL-H002"],
      );
      // A typed % is a character, not a wildcard.
      expect((await registry.households.list({ q: "%", limit: 10, offset: 0 })).total).toBe(0);

      const resident = await registry.residents.create(
        household.id,
        {
          name: "Zhang Lan",
          birthDate: "1940-02-03",
          sex: "F",
          conditions: "diabetes",
          consent: { givenBy: "Zhang Lan", relation: "self", at: "2026-01-05", method: "written" },
        },
        ADMIN,
      );
      const sons = [];
      for (const name of ["Son", "Daughter", "Neighbour"]) {
        sons.push(
          await registry.relatives.create(resident.id, { name, relation: name, phone: "+8613800000000" }, ADMIN),
        );
      }
      const [a, b, c] = sons.map((relative) => relative.id) as [number, number, number];
      const reordered = await registry.relatives.reorder(resident.id, [c, a, b], ADMIN);
      expect(reordered.map((relative) => [relative.id, relative.priority])).toEqual([
        [c, 1],
        [a, 2],
        [b, 3],
      ]);
      // Health data as each role may see it; showing it is audited.
      expect((await registry.residents.get(resident.id, ADMIN)).conditions).toBeNull();
      expect((await registry.residents.get(resident.id, OPERATOR)).conditions).toBe("diabetes");

      const device = await registry.devices.provision({ id: "btn-1", householdId: household.id }, ADMIN);
      expect(device.device.household?.code).toBe("KL-H001");
      expect(await codeOf(() => registry.devices.provision({ id: "btn-1" }, ADMIN))).toBe("REGISTRY_DUPLICATE");
      await db.sql.run(
        "INSERT INTO alarms (device_id, kind, status, received_at) VALUES ('btn-1', 'sos', 'resolved', 't')",
      );
      expect(await codeOf(() => registry.devices.delete("btn-1", ADMIN))).toBe("REGISTRY_IN_USE");
      expect(await codeOf(() => registry.households.delete(household.id, ADMIN))).toBe("REGISTRY_IN_USE");
      await registry.devices.revoke("btn-1", ADMIN);
      expect((await registry.devices.get("btn-1")).status).toBe("revoked");

      const detail = await registry.households.detail(household.id, OPERATOR);
      expect(detail.residents.map((r) => r.relatives.length)).toEqual([3]);
      expect(detail.devices.map((d) => d.id)).toEqual(["btn-1"]);
      expect(await auditActions()).toContain(`health_data_viewed resident:${resident.id}`);
      expect(await auditActions()).toContain("device_revoked device:btn-1");
    });

    it("bumps the registry version on every change to workers and clinics, and reads the registry for the hub", async () => {
      const reads = new RegistryRepository(db.sql);
      const version = await reads.registryVersion();
      const grid = await registry.grids.create({ code: "G-1", name: "Grid", polygon: square(118, 37, 1) }, ADMIN);
      const worker = await registry.workers.create(
        { code: "W1", name: "Wang", phone: "+8613700000001", gridId: grid.id },
        ADMIN,
      );
      expect(await reads.registryVersion()).toBeGreaterThan(version);
      const afterInsert = await reads.registryVersion();
      await registry.workers.update(worker.id, { name: "Wang Wei" }, ADMIN);
      expect(await reads.registryVersion()).toBeGreaterThan(afterInsert);
      expect((await reads.allWorkers()).map((w) => w.name)).toEqual(["Wang Wei"]);
      expect(await reads.grid(grid.id)).toEqual({ id: grid.id, code: "G-1", name: "Grid" });
      expect(await reads.isEmpty()).toBe(false);
    });

    it("writes device presence behind: newer values only, battery only when not older than the row", async () => {
      const presence = new PresenceBuffer(db.sql, { flushMs: 3_600_000, maxPending: 1000 });
      const reads = new RegistryRepository(db.sql, presence);
      presence.start(createLogger("silent"));
      await db.sql.run(
        "INSERT INTO devices (id, secret_hash, status, created_at) VALUES ('btn-9', 'x', 'active', '2026-01-01T00:00:00.000Z')",
      );
      reads.setDeviceOnline("btn-9", true, "2026-03-01T08:00:01.000Z");
      reads.markDeviceSeen("btn-9", "2026-03-01T08:00:02.000Z", 77, "fw/2");
      expect(await presence.flush()).toBe(1);
      expect(await reads.findDevice("btn-9")).toMatchObject({
        online: 1,
        last_seen_at: "2026-03-01T08:00:02.000Z",
        battery: 77,
        firmware: "fw/2",
      });
      // A status alone (no battery, no firmware: NULL parameters) keeps what is stored.
      reads.setDeviceOnline("btn-9", false, "2026-03-01T08:00:01.500Z");
      expect(await presence.flush()).toBe(1);
      expect(await reads.findDevice("btn-9")).toMatchObject({
        online: 0,
        last_seen_at: "2026-03-01T08:00:02.000Z",
        battery: 77,
        firmware: "fw/2",
      });
      expect(await reads.deviceCredentials("btn-9")).toEqual({ status: "active", secret_hash: "x" });
      await presence.stop();
    });
  });
}
