/**
 * Service requests without the network: the state machine (every pair of
 * states), the repository on a real migrated SQLite file, and the order in
 * which workers are routed and offered to the operator.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { AnxinError } from "../hub/errors.ts";
import { createLogger } from "../hub/log.ts";
import {
  assertServiceTransition,
  isLegalServiceTransition,
  SERVICE_REQUEST_STATUSES,
  type ServiceRequestStatus,
} from "../hub/service/service-lifecycle.ts";
import { ServiceRequestRepository, type ServiceWorkerRow } from "../hub/service/service-repo.ts";
import { orderServiceCandidates } from "../hub/service/service-routing.ts";
import { AlarmRepository } from "../hub/storage/alarm-repo.ts";
import { type Db, openDatabase } from "../hub/storage/database.ts";

const LEGAL = new Set(["open→assigned", "open→cancelled", "assigned→assigned", "assigned→done", "assigned→cancelled"]);
const PAIRS = SERVICE_REQUEST_STATUSES.flatMap((from) =>
  SERVICE_REQUEST_STATUSES.map((to) => [from, to] as [ServiceRequestStatus, ServiceRequestStatus]),
);

describe("service request state machine", () => {
  it.each(PAIRS)("%s → %s is legal only if the table lists it", (from, to) => {
    const legal = LEGAL.has(`${from}→${to}`);
    expect(isLegalServiceTransition(from, to)).toBe(legal);
    if (legal) {
      expect(() => assertServiceTransition(from, to, 7)).not.toThrow();
      return;
    }
    let thrown: unknown;
    try {
      assertServiceTransition(from, to, 7);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(AnxinError);
    expect(thrown).toMatchObject({ code: "SERVICE_REQUEST_TRANSITION_ILLEGAL", httpStatus: 409 });
    expect((thrown as AnxinError).details).toEqual({ from, to, requestId: 7 });
  });
});

describe("service request repository", () => {
  let dir: string;
  let db: Db;

  function open(): { repo: ServiceRequestRepository; alarmId: () => number } {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "anxin-service-"));
    db = openDatabase(path.join(dir, "service.db"), createLogger("silent"));
    db.exec(`
      INSERT INTO grids (id, code, name, polygon) VALUES (1, 'G1', 'Grid one', '{}');
      INSERT INTO households (id, code, address, lat, lng, grid_id, created_at) VALUES (1, 'H1', 'addr', 37.5, 118.5, 1, 'now');
      INSERT INTO devices (id, household_id, secret_hash, created_at) VALUES ('D1', 1, 'x', 'now');
      INSERT INTO workers (id, code, name, phone, grid_id, on_duty) VALUES (3, 'W3', 'Wang', '+8613700000003', 1, 1);
      INSERT INTO workers (id, code, name, phone, grid_id, on_duty) VALUES (4, 'W4', 'Li', '+8613700000004', 1, 1);
    `);
    const alarms = new AlarmRepository(db);
    return {
      repo: new ServiceRequestRepository(db),
      alarmId: () => alarms.insertAlarm("D1", "service", new Date().toISOString()),
    };
  }

  afterEach(() => {
    db?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("moves through open → assigned → assigned → done, each move conditional on what the caller read", () => {
    const { repo, alarmId } = open();
    const alarm = alarmId();
    const id = repo.insert({ alarmId: alarm, householdId: 1, gridId: 1, createdAt: "t0" });
    const opened = repo.get(id);
    if (!opened) throw new Error("not stored");
    expect(opened).toMatchObject({ alarm_id: alarm, household_id: 1, grid_id: 1, status: "open", worker_id: null });
    expect(repo.forAlarm(alarm)?.id).toBe(id);

    expect(repo.transition(opened, "assigned", { worker_id: 3, assigned_at: "t1", assigned_by: "system" })).toBe(true);
    // The stale row (still `open`) loses: someone else moved the request first.
    expect(repo.transition(opened, "assigned", { worker_id: 4 })).toBe(false);
    const assigned = repo.get(id);
    if (!assigned) throw new Error("gone");
    expect(assigned).toMatchObject({ status: "assigned", worker_id: 3, assigned_by: "system" });

    // A re-assignment read with the old worker loses once the worker changed.
    expect(repo.transition(assigned, "assigned", { worker_id: 4, assigned_by: "user:op" })).toBe(true);
    expect(repo.transition(assigned, "assigned", { worker_id: 3 })).toBe(false);
    const reassigned = repo.get(id);
    if (!reassigned) throw new Error("gone");
    expect(repo.transition(reassigned, "done", { done_at: "t2", done_by: "user:W4", note: "fixed the lamp" })).toBe(
      true,
    );
    expect(repo.get(id)).toMatchObject({ status: "done", worker_id: 4, done_by: "user:W4", note: "fixed the lamp" });

    const done = repo.get(id);
    if (!done) throw new Error("gone");
    expect(() => repo.transition(done, "cancelled", {})).toThrow(/cannot become cancelled/);
    expect(repo.get(id)?.status).toBe("done");
  });

  it("keeps one request per alarm, and an assigned request must name its worker", () => {
    const { repo, alarmId } = open();
    const alarm = alarmId();
    repo.insert({ alarmId: alarm, householdId: 1, gridId: 1, createdAt: "t0" });
    expect(() => repo.insert({ alarmId: alarm, householdId: 1, gridId: 1, createdAt: "t1" })).toThrow(/UNIQUE/);
    expect(() => db.prepare("UPDATE service_requests SET status = 'assigned' WHERE alarm_id = ?").run(alarm)).toThrow(
      /CHECK/,
    );
    expect(() => db.prepare("UPDATE service_requests SET status = 'later' WHERE alarm_id = ?").run(alarm)).toThrow(
      /CHECK/,
    );
  });

  it("lists by status and by worker, newest first, with the household, grid and worker joined", () => {
    const { repo, alarmId } = open();
    const ids = [alarmId(), alarmId(), alarmId()].map((alarm) =>
      repo.insert({ alarmId: alarm, householdId: 1, gridId: 1, createdAt: "t0" }),
    );
    const [first, second] = ids.map((id) => repo.get(id));
    if (!first || !second) throw new Error("not stored");
    repo.transition(first, "assigned", { worker_id: 3 });
    repo.transition(second, "cancelled", { cancelled_by: "device:D1" });

    expect(repo.list({ statuses: [], limit: 10 }).map((r) => r.id)).toEqual([...ids].reverse());
    expect(repo.list({ statuses: ["open", "assigned"], limit: 10 }).map((r) => r.id)).toEqual([ids[2], ids[0]]);
    const mine = repo.list({ statuses: ["open", "assigned"], workerId: 3, limit: 10 });
    expect(mine.map((r) => r.id)).toEqual([ids[0]]);
    expect(mine[0]).toMatchObject({ address: "addr", grid_name: "Grid one", worker_code: "W3", worker_name: "Wang" });
    expect(repo.list({ statuses: [], workerId: 4, limit: 10 })).toEqual([]);
    expect(repo.list({ statuses: [], limit: 1 })).toHaveLength(1);
  });
});

describe("service routing order", () => {
  const at = { lat: 37.5, lng: 118.5 };
  const worker = (id: number, grid: number | null, onDuty: number, dLat: number | null): ServiceWorkerRow => ({
    id,
    code: `W${id}`,
    name: `w${id}`,
    phone: "+86",
    grid_id: grid,
    on_duty: onDuty,
    lat: dLat === null ? null : at.lat + dLat,
    lng: dLat === null ? null : at.lng,
  });

  it("puts the household's grid first, then on duty, then nearest, unknown positions last", () => {
    const workers = [
      worker(1, 2, 1, 0), // other grid, on duty, right there
      worker(2, 1, 0, 0), // own grid, off duty, right there
      worker(3, 1, 1, 0.02), // own grid, on duty, ~2.2 km
      worker(4, 1, 1, null), // own grid, on duty, position unknown
      worker(5, 1, 1, 0.01), // own grid, on duty, ~1.1 km
    ];
    const order = orderServiceCandidates(workers, 1, at);
    expect(order.map((c) => c.worker.id)).toEqual([5, 3, 4, 2, 1]);
    expect(order.map((c) => c.sameGrid)).toEqual([true, true, true, true, false]);
    expect(order[0]?.distanceM).toBeCloseTo(1112, -1);
    expect(order[2]?.distanceM).toBeNull();
    // A household in no grid: nobody is "same grid", duty and distance decide.
    expect(orderServiceCandidates(workers, null, at).map((c) => c.worker.id)).toEqual([1, 5, 3, 4, 2]);
  });
});
