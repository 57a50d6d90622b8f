import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ageOn } from "../hub/alarms/alarm-views.ts";
import { createLogger } from "../hub/log.ts";
import { checkRoadLine } from "../hub/registry/road-lines.ts";
import { type DemoDeviceCredential, seedDemoDistrict } from "../hub/seed/demo-district.ts";
import { STREETS } from "../hub/seed/demo-names.ts";
import { openDatabase } from "../hub/storage/database.ts";
import { RegistryRepository } from "../hub/storage/registry-repo.ts";
import { SqliteSql } from "../hub/storage/sql/sqlite-sql.ts";
import { startTestHub } from "./support/test-hub.ts";

/** Ray casting over a GeoJSON ring, independent of the hub's code. */
function inRing(lng: number, lat: number, ring: number[][]): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi = 0, yi = 0] = ring[i] ?? [];
    const [xj = 0, yj = 0] = ring[j] ?? [];
    if (yi > lat !== yj > lat && lng < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

describe("seeded demo district", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "anxin-seed-"));
  const db = openDatabase(path.join(dir, "seed.db"), createLogger("silent"));
  let credentials: DemoDeviceCredential[] = [];
  beforeAll(async () => {
    credentials = await seedDemoDistrict(new SqliteSql(db));
  });
  afterAll(() => {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const all = <T>(sql: string) => db.prepare(sql).all() as T[];

  it("is a district of the size the issue asks for, around Kenli", () => {
    const households = all<{ lat: number; lng: number }>("SELECT lat, lng FROM households");
    expect(households.length).toBeGreaterThanOrEqual(200);
    for (const h of households) {
      expect(Math.abs(h.lat - 37.59)).toBeLessThan(0.1);
      expect(Math.abs(h.lng - 118.55)).toBeLessThan(0.1);
    }
    const workers = all<{ on_duty: number }>("SELECT on_duty FROM workers");
    expect(workers.length).toBeGreaterThanOrEqual(20);
    expect(workers.filter((w) => w.on_duty === 1).length / workers.length).toBeGreaterThan(0.5);
    expect(all("SELECT id FROM clinics").length).toBeGreaterThanOrEqual(5);
    expect(all("SELECT id FROM grids").length).toBeGreaterThanOrEqual(2);
  });

  it("has residents aged 75–95 with 1–3 ordered relatives each", () => {
    const now = new Date();
    for (const r of all<{ birth_date: string }>("SELECT birth_date FROM residents")) {
      const age = ageOn(r.birth_date, now);
      expect(age).toBeGreaterThanOrEqual(75);
      expect(age).toBeLessThanOrEqual(95);
    }
    const counts = all<{ n: number; maxp: number }>(
      "SELECT COUNT(r.id) AS n, MAX(r.priority) AS maxp FROM residents s LEFT JOIN relatives r ON r.resident_id = s.id GROUP BY s.id",
    );
    for (const c of counts) {
      expect(c.n).toBeGreaterThanOrEqual(1);
      expect(c.n).toBeLessThanOrEqual(3);
      expect(c.maxp).toBe(c.n);
    }
    for (const r of all<{ phone: string }>("SELECT phone FROM relatives")) expect(r.phone).toMatch(/^\+[1-9]\d{1,14}$/);
  });

  it("places every household inside its own grid polygon", () => {
    const rows = all<{ lat: number; lng: number; polygon: string }>(
      "SELECT h.lat, h.lng, g.polygon FROM households h JOIN grids g ON g.id = h.grid_id",
    );
    expect(rows.length).toBe(credentials.length);
    for (const row of rows) {
      const ring = (JSON.parse(row.polygon) as { coordinates: number[][][] }).coordinates[0] ?? [];
      expect(inRing(row.lng, row.lat, ring)).toBe(true);
    }
  });

  it("lays the streets its addresses name over its grids, as road lines the map draws", () => {
    const roads = all<{ name: string; geometry: string; points: number }>("SELECT name, geometry, points FROM roads");
    expect(roads.map((r) => r.name).sort()).toEqual([...STREETS].sort());
    const rings = all<{ polygon: string }>("SELECT polygon FROM grids").map(
      (g) => (JSON.parse(g.polygon) as { coordinates: number[][][] }).coordinates[0] ?? [],
    );
    const corners = rings.flat();
    const [west, east] = [Math.min(...corners.map((c) => c[0] ?? 0)), Math.max(...corners.map((c) => c[0] ?? 0))];
    const [south, north] = [Math.min(...corners.map((c) => c[1] ?? 0)), Math.max(...corners.map((c) => c[1] ?? 0))];
    for (const road of roads) {
      // What an import of the same line would accept, and stored as the import stores it.
      const checked = checkRoadLine(JSON.parse(road.geometry));
      expect(checked.ok && checked.points, road.name).toBe(road.points);
      const line = (JSON.parse(road.geometry) as { coordinates: number[][] }).coordinates;
      // Across the district (its middle inside the grids' box), at most a few hundred metres past its edge.
      const [west0 = 0, south0 = 0] = line[0] ?? [];
      const [east0 = 0, north0 = 0] = line[line.length - 1] ?? [];
      const [midLng, midLat] = [(west0 + east0) / 2, (south0 + north0) / 2];
      expect(midLng > west && midLng < east && midLat > south && midLat < north, road.name).toBe(true);
      expect(Math.hypot(east0 - west0, north0 - south0), road.name).toBeGreaterThan(0.05);
      for (const [lng = 0, lat = 0] of line) {
        expect(lng).toBeGreaterThan(west - 0.006);
        expect(lng).toBeLessThan(east + 0.006);
        expect(lat).toBeGreaterThan(south - 0.006);
        expect(lat).toBeLessThan(north + 0.006);
      }
    }
    // Every household's address is on one of these streets.
    const addresses = all<{ address: string }>("SELECT address FROM households");
    expect(addresses.filter((h) => !roads.some((r) => h.address.includes(r.name)))).toEqual([]);
  });

  it("counts roads as registered: a registry holding only roads gets no demo district", async () => {
    const own = fs.mkdtempSync(path.join(os.tmpdir(), "anxin-own-roads-"));
    const prepared = openDatabase(path.join(own, "anxin.db"), createLogger("silent"));
    try {
      const registry = new RegistryRepository(new SqliteSql(prepared));
      expect(await registry.isEmpty()).toBe(true);
      prepared
        .prepare("INSERT INTO roads (code, name, geometry, points, updated_at) VALUES ('R1', '路', '{}', 2, 'now')")
        .run();
      expect(await registry.isEmpty()).toBe(false);
    } finally {
      prepared.close();
      fs.rmSync(own, { recursive: true, force: true });
    }
  });

  it("gives one device per household and keeps only hashes of the secrets", () => {
    const devices = all<{ id: string; household_id: number; secret_hash: string }>("SELECT * FROM devices");
    expect(new Set(devices.map((d) => d.household_id)).size).toBe(devices.length);
    expect(devices.length).toBe(credentials.length);
    const byId = new Map(devices.map((d) => [d.id, d]));
    for (const c of credentials.slice(0, 20)) {
      expect(byId.get(c.deviceId)?.secret_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(byId.get(c.deviceId)?.secret_hash).not.toContain(c.secret);
    }
    expect(new Set(credentials.map((c) => c.secret)).size).toBe(credentials.length);
  });

  it("is not seeded into a registry that has begun importing its own district", async () => {
    const own = fs.mkdtempSync(path.join(os.tmpdir(), "anxin-own-"));
    const prepared = openDatabase(path.join(own, "anxin.db"), createLogger("silent"));
    prepared.prepare("INSERT INTO grids (code, name, polygon) VALUES ('G-OWN', 'Own grid', ?)").run(
      JSON.stringify({
        type: "Polygon",
        coordinates: [
          [
            [0, 0],
            [1, 0],
            [1, 1],
            [0, 0],
          ],
        ],
      }),
    );
    prepared.close();
    const th = await startTestHub({ dataDir: own, twilio: false });
    try {
      const count = (sql: string) => (th.hub.db.prepare(sql).get() as { n: number }).n;
      expect(count("SELECT COUNT(*) AS n FROM households")).toBe(0);
      expect(count("SELECT COUNT(*) AS n FROM grids")).toBe(1);
      expect(th.demoDevices).toEqual([]);
    } finally {
      await th.stop();
      fs.rmSync(own, { recursive: true, force: true });
    }
  });
});
