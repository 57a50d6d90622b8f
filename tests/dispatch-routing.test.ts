/**
 * Travel-time ranking through OSRM's table service, against a local HTTP
 * server that speaks OSRM's protocol: the client's request and parsing, its
 * coded failures, and on a real hub the re-ranking before the first offer and
 * the fall-back to great-circle distance (with a warning) when OSRM fails.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SimulatedButton } from "../firmware-sim/device.ts";
import { OsrmTableClient } from "../hub/dispatch/routing.ts";
import type { StoredRanking } from "../hub/dispatch/types.ts";
import { bruteForceRanking, busyWorkerIds, type OracleWorker } from "./support/dispatch-oracle.ts";
import { type FakeOsrm, type Point, startFakeOsrm } from "./support/fake-osrm.ts";
import { haversineMetres } from "./support/geo.ts";
import { startTestHub, type TestHub, waitFor } from "./support/test-hub.ts";

const slowRoads = (from: Point, to: Point) => {
  const metres = haversineMetres(from, to) * 1.4;
  return { durationS: 60 + metres / 8, distanceM: metres };
};

describe("OSRM table client", () => {
  let osrm: FakeOsrm;
  beforeAll(async () => {
    osrm = await startFakeOsrm(slowRoads);
  });
  afterAll(async () => {
    await osrm?.close();
  });
  const client = (timeoutMs = 1000, url = osrm.url) =>
    new OsrmTableClient({ url, profile: "driving", candidates: 10, timeoutMs });
  const home = { lat: 37.59, lng: 118.55 };
  const workers = [
    { lat: 37.6, lng: 118.56 },
    { lat: 37.58, lng: 118.53 },
  ];

  it("asks for every source to the one destination, with durations and distances", async () => {
    const travel = await client().toDestination(workers, home);
    const request = osrm.requests.at(-1);
    expect(request?.profile).toBe("driving");
    expect(request?.destinations).toEqual([home]);
    expect(request?.sources).toEqual(workers);
    expect(request?.annotations).toEqual(["duration", "distance"]);
    expect(travel).toHaveLength(2);
    travel.forEach((t, i) => {
      const expected = slowRoads(workers[i] ?? home, home);
      expect(t.durationS).toBeCloseTo(expected.durationS, 0);
      expect(t.distanceM).toBeCloseTo(expected.distanceM, 0);
    });
  });

  it("reads 'no route' as null", async () => {
    osrm.travel = (from) => (from.lat > 37.595 ? null : slowRoads(from, home));
    try {
      const travel = await client().toDestination(workers, home);
      expect(travel[0]).toEqual({ durationS: null, distanceM: null });
      expect(travel[1]?.durationS).toBeGreaterThan(0);
    } finally {
      osrm.travel = slowRoads;
    }
  });

  it("turns every kind of failure into ROUTING_FAILED", async () => {
    osrm.failNext(400);
    await expect(client().toDestination(workers, home)).rejects.toMatchObject({
      code: "ROUTING_FAILED",
      message: expect.stringContaining("NoTable"),
    });
    osrm.delayMs = 300;
    try {
      await expect(client(100).toDestination(workers, home)).rejects.toMatchObject({ code: "ROUTING_FAILED" });
    } finally {
      osrm.delayMs = 0;
    }
    await expect(client(1000, "http://127.0.0.1:9").toDestination(workers, home)).rejects.toMatchObject({
      code: "ROUTING_FAILED",
    });
    osrm.travel = () => ({ durationS: -5, distanceM: 1 });
    try {
      await expect(client().toDestination(workers, home)).rejects.toMatchObject({
        code: "ROUTING_FAILED",
        message: expect.stringContaining("does not match"),
      });
    } finally {
      osrm.travel = slowRoads;
    }
  });
});

describe("travel-time dispatch on a hub", () => {
  let osrm: FakeOsrm;
  let th: TestHub;
  const buttons: SimulatedButton[] = [];
  beforeAll(async () => {
    osrm = await startFakeOsrm(slowRoads);
    th = await startTestHub({ twilio: false, env: { ANXIN_ROUTING_URL: osrm.url, ANXIN_ROUTING_CANDIDATES: "6" } });
  });
  afterAll(async () => {
    for (const button of buttons) await button.stop();
    await th?.stop();
    await osrm?.close();
  });

  async function press(deviceIndex: number): Promise<number> {
    const credential = th.demoDevices[deviceIndex];
    if (!credential) throw new Error("no such demo device");
    const button = new SimulatedButton({
      mqttUrl: th.mqttUrl,
      deviceId: credential.deviceId,
      secret: credential.secret,
    });
    buttons.push(button);
    await button.start({ timeoutMs: 5000 });
    const ack = await button.press("sos");
    if (ack.alarmId === null) throw new Error("no alarm");
    return ack.alarmId;
  }

  function greatCircleOrder(deviceIndex: number) {
    const db = th.hub.db;
    const household = db
      .prepare("SELECT h.* FROM households h JOIN devices d ON d.household_id = h.id WHERE d.id = ?")
      .get(th.demoDevices[deviceIndex]?.deviceId) as { lat: number; lng: number; grid_id: number };
    const workers = db.prepare("SELECT * FROM workers").all() as (OracleWorker & { lat: number; lng: number })[];
    const order = bruteForceRanking(household, workers, busyWorkerIds(db, null), { size: 6, gridPreferenceM: 0 });
    return { household, order, workers };
  }

  const ranking = (alarmId: number) =>
    JSON.parse(
      (
        th.hub.db.prepare("SELECT dispatch_ranking FROM alarms WHERE id = ?").get(alarmId) as {
          dispatch_ranking: string;
        }
      ).dispatch_ranking,
    ) as StoredRanking;
  const openOffer = (alarmId: number) =>
    th.hub.db
      .prepare("SELECT worker_id, rank FROM dispatch_offers WHERE alarm_id = ? AND status = 'offered'")
      .get(alarmId) as { worker_id: number; rank: number } | undefined;

  it("offers the worker with the shortest travel time among the nearest by distance", async () => {
    const { order, workers } = greatCircleOrder(40);
    // The fourth nearest by straight line has a clear road: 90 s and 150 m by road; everyone else is slow.
    const fast = workers.find((w) => w.id === order[3]?.id);
    if (!fast) throw new Error("too few workers on duty");
    osrm.travel = (from, to) =>
      Math.abs(from.lat - fast.lat) < 1e-6 && Math.abs(from.lng - fast.lng) < 1e-6
        ? { durationS: 90, distanceM: 150 }
        : { durationS: 900, distanceM: 6000 + haversineMetres(from, to) };
    const alarmId = await press(40);
    const offer = await waitFor(() => openOffer(alarmId), 3000, "first offer after refinement");
    expect(offer).toEqual({ worker_id: fast.id, rank: 1 });
    const stored = ranking(alarmId);
    expect(stored).toMatchObject({ metric: "travel_time", refinement: "done", note: null });
    expect(stored.entries[0]).toMatchObject({ workerId: fast.id, travelTimeS: 90, reasonCode: "fastest_free" });
    // OSRM was asked about the nearest 6 free workers by distance (the configured candidate count).
    const request = osrm.requests.at(-1);
    expect(request?.sources).toHaveLength(6);
    const types = (
      th.hub.db.prepare("SELECT type FROM alarm_events WHERE alarm_id = ? ORDER BY id").all(alarmId) as {
        type: string;
      }[]
    ).map((e) => e.type);
    expect(types.filter((t) => t.startsWith("dispatch_") || t.startsWith("offer_"))).toEqual([
      "dispatch_ranked",
      "dispatch_refined",
      "offer_sent",
    ]);
  });

  it("falls back to great-circle distance, with a warning, when OSRM fails", async () => {
    osrm.travel = slowRoads;
    osrm.failNext(503);
    const deviceIndex = 60;
    const db = th.hub.db;
    const { household } = greatCircleOrder(deviceIndex);
    const workers = db.prepare("SELECT * FROM workers").all() as OracleWorker[];
    const expected = bruteForceRanking(household, workers, busyWorkerIds(db, null), { size: 5, gridPreferenceM: 1000 });
    const alarmId = await press(deviceIndex);
    const offer = await waitFor(() => openOffer(alarmId), 3000, "first offer after the fall-back");
    expect(offer.worker_id).toBe(expected[0]?.id);
    const stored = ranking(alarmId);
    expect(stored).toMatchObject({ metric: "great_circle", refinement: "failed" });
    expect(stored.note).toMatchObject({
      code: "routing_failed",
      params: { error: expect.stringMatching(/^OSRM table request failed: OSRM answered HTTP 503 NoTable/) },
    });
    expect(stored.entries.map((e) => e.workerId)).toEqual(expected.map((e) => e.id));
    const warning = await th.waitForLog((l) => l.code === "ROUTING_FAILED" && l.alarmId === alarmId);
    expect(warning.level).toBe(40);
  });
});
