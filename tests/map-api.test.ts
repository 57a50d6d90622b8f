/**
 * `GET /api/map` against a real hub: who may read it, and that each layer is
 * exactly what the database holds (every grid with its outline, every clinic,
 * on-duty workers with a position and nobody else, open alarms' households),
 * with the worker the SOS was offered to marked busy on that alarm. Also: the
 * tile source comes from ANXIN_MAP_TILE_URL, the road centre lines are served
 * apart with the version the poll carries, and Leaflet is served by the hub.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SimulatedButton } from "../firmware-sim/device.ts";
import { loadConfig } from "../hub/config.ts";
import type { MapLayers, MapRoads } from "../protocol/console/index.ts";
import { createUser } from "./support/registry-app.ts";
import { startTestHub, type TestHub } from "./support/test-hub.ts";

const TILES = "http://127.0.0.1:9/{z}/{x}/{y}.png";
let hub: TestHub;
let admin: string;
let button: SimulatedButton | null = null;

beforeAll(async () => {
  hub = await startTestHub({ twilio: false, env: { ANXIN_MAP_TILE_URL: TILES } });
  admin = await hub.login();
}, 60_000);

afterAll(async () => {
  await button?.stop();
  await hub?.stop();
});

const get = (path: string, cookie: string | null) =>
  fetch(`${hub.httpUrl}${path}`, { headers: cookie ? { cookie } : {} });

async function layers(): Promise<MapLayers> {
  const response = await get("/api/map", admin);
  expect(response.status).toBe(200);
  expect(response.headers.get("cache-control")).toBe("no-store");
  return (await response.json()) as MapLayers;
}

describe("GET /api/map", () => {
  it("admits operators, supervisors and administrators, refuses workers and anonymous callers", async () => {
    const operator = await createUser(hub, "map-operator", "operator");
    const supervisor = await createUser(hub, "map-supervisor", "supervisor");
    const worker = await createUser(hub, "map-worker", "worker");
    for (const cookie of [admin, operator, supervisor]) expect((await get("/api/map", cookie)).status).toBe(200);
    const refused = await get("/api/map", worker);
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { code: string }).code).toBe("AUTH_FORBIDDEN");
    const anonymous = await get("/api/map", null);
    expect(anonymous.status).toBe(401);
    expect(((await anonymous.json()) as { code: string }).code).toBe("AUTH_REQUIRED");
  });

  it("returns the grids, clinics and on-duty workers the database holds, and the configured tiles", async () => {
    const db = hub.hub.db;
    // One on-duty worker loses their position and one goes off duty: neither may be drawn.
    const [noFix, offDuty] = db
      .prepare("SELECT id FROM workers WHERE on_duty = 1 AND lat IS NOT NULL ORDER BY id LIMIT 2")
      .all() as { id: number }[];
    if (!noFix || !offDuty) throw new Error("the demo district has fewer than two on-duty workers");
    db.prepare("UPDATE workers SET lat = NULL, lng = NULL WHERE id = ?").run(noFix.id);
    db.prepare("UPDATE workers SET on_duty = 0 WHERE id = ?").run(offDuty.id);

    const map = await layers();
    expect(map.tileUrl).toBe(TILES);
    const grids = db.prepare("SELECT id, code, polygon FROM grids ORDER BY id").all() as {
      id: number;
      code: string;
      polygon: string;
    }[];
    expect(map.grids.map((g) => g.id)).toEqual(grids.map((g) => g.id));
    for (const [i, g] of grids.entries()) expect(map.grids[i]?.geometry).toEqual(JSON.parse(g.polygon));

    const clinics = db.prepare("SELECT id, lat, lng FROM clinics ORDER BY id").all();
    expect(map.clinics.map(({ id, lat, lng }) => ({ id, lat, lng }))).toEqual(clinics);
    expect(map.clinics.every((c) => Array.isArray(c.capabilities))).toBe(true);

    const workers = db
      .prepare("SELECT id, lat, lng FROM workers WHERE on_duty = 1 AND lat IS NOT NULL ORDER BY id")
      .all() as { id: number }[];
    expect(workers.length).toBeGreaterThan(0);
    expect(map.workers.map(({ id, lat, lng }) => ({ id, lat, lng }))).toEqual(workers);
    const drawn = new Set(map.workers.map((w) => w.id));
    expect(drawn.has(noFix.id)).toBe(false);
    expect(drawn.has(offDuty.id)).toBe(false);
    expect(map.workers.every((w) => w.busyWithAlarmId === null)).toBe(true);
    expect(map.alarms).toEqual([]);
  });

  it("shows an open SOS's household and marks the worker it was offered to busy", async () => {
    const device = hub.demoDevices[0];
    if (!device) throw new Error("the test hub seeded no demo devices");
    button = new SimulatedButton({ mqttUrl: hub.mqttUrl, deviceId: device.deviceId, secret: device.secret });
    await button.start({ timeoutMs: 5000 });
    const ack = await button.press("sos");
    const alarmId = ack.alarmId;
    await hub.waitForPipeline(alarmId);
    const row = hub.hub.db
      .prepare(
        `SELECT a.worker_id, h.code, h.lat, h.lng, h.grid_id FROM alarms a
           JOIN households h ON h.id = a.household_id WHERE a.id = ?`,
      )
      .get(alarmId) as { worker_id: number; code: string; lat: number; lng: number; grid_id: number };

    const map = await layers();
    expect(map.alarms).toHaveLength(1);
    expect(map.alarms[0]).toMatchObject({
      id: alarmId,
      kind: "sos",
      acknowledged: false,
      householdCode: row.code,
      gridId: row.grid_id,
      lat: row.lat,
      lng: row.lng,
    });
    expect(row.worker_id).not.toBeNull();
    expect(map.workers.find((w) => w.id === row.worker_id)?.busyWithAlarmId).toBe(alarmId);
    expect(map.workers.filter((w) => w.busyWithAlarmId !== null)).toHaveLength(1);
    expect(map.focus).toBeNull();

    // With ?alarmId=, the alarm's own places: its household with the grid id, the chosen worker and clinic.
    const focused = await get(`/api/map?alarmId=${alarmId}`, admin);
    expect(focused.status).toBe(200);
    const { focus } = (await focused.json()) as MapLayers;
    const clinicId = (
      hub.hub.db.prepare("SELECT clinic_id FROM alarms WHERE id = ?").get(alarmId) as { clinic_id: number }
    ).clinic_id;
    expect(focus).toMatchObject({
      alarmId,
      household: { code: row.code, gridId: row.grid_id, lat: row.lat, lng: row.lng },
      worker: { id: row.worker_id },
      clinic: { id: clinicId },
    });
    const unknown = await get("/api/map?alarmId=999999", admin);
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { code: string }).code).toBe("ALARM_NOT_FOUND");
    expect((await get("/api/map?alarmId=abc", admin)).status).toBe(400);
  });

  it("serves the road centre lines with the version the poll carries, to staff only", async () => {
    const stored = hub.hub.db.prepare("SELECT id, code, name, geometry FROM roads ORDER BY id").all() as {
      id: number;
      code: string;
      name: string;
      geometry: string;
    }[];
    expect(stored.length).toBeGreaterThan(0); // the demo district's streets
    const response = await get("/api/map/roads", admin);
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const roads = (await response.json()) as MapRoads;
    expect(roads.truncated).toBe(false);
    expect(roads.roads).toEqual(stored.map((r) => ({ ...r, geometry: JSON.parse(r.geometry) })));
    // The 10-second poll carries only the version, and it is the same while the roads are.
    const map = await layers();
    expect(map.roadsVersion).toBe(roads.version);
    expect(JSON.stringify(map)).not.toContain(stored[0]?.name);

    const worker = await createUser(hub, "roads-worker", "worker");
    expect((await get("/api/map/roads", worker)).status).toBe(403);
    expect((await get("/api/map/roads", null)).status).toBe(401);

    // A road added moves the version the poll carries.
    hub.hub.db.prepare("INSERT INTO roads (code, name, geometry, points, updated_at) VALUES (?, ?, ?, 2, ?)").run(
      "T-1",
      "测试路",
      JSON.stringify({
        type: "LineString",
        coordinates: [
          [118.52, 37.58],
          [118.53, 37.58],
        ],
      }),
      new Date().toISOString(),
    );
    expect((await layers()).roadsVersion).not.toBe(roads.version);
  });

  it("serves Leaflet from the hub itself, so the map needs no CDN", async () => {
    const js = await get("/vendor/leaflet/leaflet-src.esm.js", null);
    expect(js.status).toBe(200);
    expect(js.headers.get("content-type")).toMatch(/javascript/);
    expect(await js.text()).toContain("export {");
    expect((await get("/vendor/leaflet/leaflet.css", null)).status).toBe(200);
  });
});

describe("ANXIN_MAP_TILE_URL", () => {
  it("is unset by default (plain background) and must be an http(s) URL", () => {
    expect(loadConfig({}).mapTileUrl).toBeNull();
    expect(loadConfig({ ANXIN_MAP_TILE_URL: "" }).mapTileUrl).toBeNull();
    expect(() => loadConfig({ ANXIN_MAP_TILE_URL: "tiles/{z}/{x}/{y}.png" })).toThrow(/ANXIN_MAP_TILE_URL/);
  });
});
