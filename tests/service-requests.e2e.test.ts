/**
 * Service requests end to end on a real hub: a simulated button presses
 * `service` over MQTT, the pipeline routes the request to the household's grid
 * worker (checked against the seeded rows, never assumed), the worker's SMS goes
 * through the real twilio SDK to the local stand-in, and workers and operators
 * act through the HTTP API with real logins.
 */

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SimulatedButton } from "../firmware-sim/device.ts";
import { BusyWorkers } from "../hub/dispatch/busy-workers.ts";
import type { ServiceRequestView } from "../protocol/console/index.ts";
import type { AlarmKind } from "../protocol/index.ts";
import { haversineMetres } from "./support/geo.ts";
import { startTestHub, type TestHub, waitFor } from "./support/test-hub.ts";

interface WorkerRow {
  id: number;
  code: string;
  name: string;
  phone: string;
  grid_id: number;
  on_duty: number;
  lat: number;
  lng: number;
}
interface RequestRow {
  id: number;
  status: string;
  worker_id: number | null;
  done_by: string | null;
  cancelled_by: string | null;
  note: string | null;
}
interface Reply {
  status: number;
  json: Record<string, unknown>;
}

describe("service requests end to end", () => {
  let th: TestHub;
  let admin: string;
  const buttons = new Map<number, SimulatedButton>();
  const cookies = new Map<string, string>();

  beforeAll(async () => {
    th = await startTestHub();
    admin = await th.login();
  });
  afterAll(async () => {
    for (const button of buttons.values()) await button.stop();
    await th?.stop();
  });

  const db = () => th.hub.db;
  const twilio = () => {
    if (!th.twilio) throw new Error("test hub without the Twilio stand-in");
    return th.twilio;
  };

  async function press(deviceIndex: number, kind: AlarmKind): Promise<number> {
    let button = buttons.get(deviceIndex);
    if (!button) {
      const credential = th.demoDevices[deviceIndex];
      if (!credential) throw new Error(`no demo device ${deviceIndex}`);
      button = new SimulatedButton({ mqttUrl: th.mqttUrl, deviceId: credential.deviceId, secret: credential.secret });
      buttons.set(deviceIndex, button);
      await button.start({ timeoutMs: 5000 });
    }
    const ack = await button.press(kind);
    if (ack.alarmId === null) throw new Error(`the hub acked a ${kind} press without an alarm`);
    await th.waitForPipeline(ack.alarmId);
    return ack.alarmId;
  }

  async function api(cookie: string, method: string, url: string, body?: unknown): Promise<Reply> {
    const response = await fetch(`${th.httpUrl}${url}`, {
      method,
      headers: { cookie, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  }

  async function workerCookie(workerId: number): Promise<string> {
    const code = worker(workerId).code;
    const known = cookies.get(code);
    if (known) return known;
    const cookie = await th.login(code, th.workerPassword(code));
    cookies.set(code, cookie);
    return cookie;
  }

  const worker = (id: number) => db().prepare("SELECT * FROM workers WHERE id = ?").get(id) as WorkerRow;
  const request = (alarmId: number) =>
    db().prepare("SELECT * FROM service_requests WHERE alarm_id = ?").get(alarmId) as RequestRow;
  const alarm = (alarmId: number) =>
    db().prepare("SELECT * FROM alarms WHERE id = ?").get(alarmId) as Record<string, string | number | null>;
  const events = (alarmId: number) =>
    (
      db().prepare("SELECT type, actor, detail FROM alarm_events WHERE alarm_id = ? ORDER BY id").all(alarmId) as {
        type: string;
        actor: string;
        detail: string | null;
      }[]
    ).map((e) => ({ ...e, detail: e.detail === null ? null : (JSON.parse(e.detail) as Record<string, unknown>) }));
  const eventTypes = (alarmId: number) => events(alarmId).map((e) => e.type);
  const outbox = (alarmId: number, purpose: string) =>
    db().prepare("SELECT recipient, body FROM outbox WHERE alarm_id = ? AND purpose = ?").all(alarmId, purpose) as {
      recipient: string;
      body: string;
    }[];

  /** The household behind a demo device, and its grid worker by the rule: on duty first, then nearest. */
  function expectedGridWorker(deviceIndex: number): { household: { grid_id: number }; worker: WorkerRow } {
    const deviceId = th.demoDevices[deviceIndex]?.deviceId;
    const household = db()
      .prepare("SELECT h.* FROM households h JOIN devices d ON d.household_id = h.id WHERE d.id = ?")
      .get(deviceId) as { grid_id: number; lat: number; lng: number };
    const inGrid = db().prepare("SELECT * FROM workers WHERE grid_id = ?").all(household.grid_id) as WorkerRow[];
    const best = inGrid.toSorted(
      (a, b) => b.on_duty - a.on_duty || haversineMetres(household, a) - haversineMetres(household, b),
    )[0];
    if (!best) throw new Error("the demo grid has no worker");
    return { household, worker: best };
  }

  it("routes a service press to the household's grid worker, texts them, and their Done resolves the alarm", async () => {
    const { worker: expected } = expectedGridWorker(3);
    const alarmId = await press(3, "service");

    const stored = request(alarmId);
    expect(stored).toMatchObject({ status: "assigned", worker_id: expected.id });
    expect(alarm(alarmId)).toMatchObject({ kind: "service", status: "offered", worker_id: expected.id });
    expect(eventTypes(alarmId)).toEqual(
      expect.arrayContaining(["dispatch_ranked", "service_request_opened", "service_request_assigned"]),
    );
    const assigned = events(alarmId).find((e) => e.type === "service_request_assigned");
    expect(assigned).toMatchObject({
      actor: "system",
      detail: {
        requestId: stored.id,
        worker: { id: expected.id },
        reason: { code: "service_grid_worker", params: { worker: expected.name, workerCode: expected.code } },
      },
    });
    // An errand must not make the grid's worker "busy" for an SOS ranking.
    expect(BusyWorkers.of(db()).allNow(null).has(expected.id)).toBe(false);

    // The SMS, through the real twilio SDK, in zh-CN (the default), with no health data.
    const sms = await waitFor(
      () => twilio().messages.find((m) => m.to === expected.phone && m.body.includes(`服务请求#${stored.id}`)),
      5000,
      "the grid worker's SMS",
    );
    const resident = db()
      .prepare(
        "SELECT r.conditions, r.medications FROM residents r JOIN alarms a ON a.resident_id = r.id WHERE a.id = ?",
      )
      .get(alarmId) as { conditions: string | null; medications: string | null };
    for (const health of [resident.conditions, resident.medications]) {
      if (health) expect(sms.body).not.toContain(health);
    }
    expect(sms.body).toContain(`/worker/#/service/${stored.id}`);

    // The console sees it on the alarm detail and in the operators' list.
    const detail = await api(admin, "GET", `/api/alarms/${alarmId}`);
    expect((detail.json.alarm as { serviceRequest: ServiceRequestView }).serviceRequest).toMatchObject({
      id: stored.id,
      status: "assigned",
      worker: { id: expected.id, code: expected.code },
    });
    const listed = await api(admin, "GET", "/api/service-requests?status=assigned");
    expect((listed.json.serviceRequests as ServiceRequestView[]).map((r) => r.id)).toContain(stored.id);

    // The worker's own list; another worker cannot finish it.
    const mine = await workerCookie(expected.id);
    const own = await api(mine, "GET", "/api/worker/service-requests");
    expect((own.json.serviceRequests as ServiceRequestView[]).map((r) => r.id)).toEqual([stored.id]);
    const other = (
      db().prepare("SELECT id FROM workers WHERE id <> ? ORDER BY id LIMIT 1").get(expected.id) as { id: number }
    ).id;
    const refused = await api(await workerCookie(other), "POST", `/api/worker/service-requests/${stored.id}/done`, {});
    expect(refused).toMatchObject({ status: 403, json: { code: "AUTH_FORBIDDEN" } });
    expect(request(alarmId).status).toBe("assigned");
    // Operators cannot use the SOS offer path on a service call.
    const byHand = await api(admin, "POST", `/api/alarms/${alarmId}/dispatch`, { workerId: other });
    expect(byHand).toMatchObject({ status: 409, json: { code: "DISPATCH_IMPOSSIBLE" } });

    const done = await api(mine, "POST", `/api/worker/service-requests/${stored.id}/done`, { note: "换了灯泡" });
    expect(done.status).toBe(200);
    expect(done.json.serviceRequest).toMatchObject({
      status: "done",
      doneBy: `user:${expected.code}`,
      note: "换了灯泡",
    });
    const workerUser = db().prepare("SELECT id FROM users WHERE worker_id = ?").get(expected.id) as { id: number };
    expect(alarm(alarmId)).toMatchObject({ status: "resolved", outcome: "real", resolved_by: workerUser.id });
    expect(eventTypes(alarmId).slice(-2)).toEqual(["service_request_done", "resolved"]);
    await waitFor(() => buttons.get(3)?.feedbackState === "closed", 3000, "the button's closed feedback");
    const audit = db()
      .prepare("SELECT actor FROM audit_log WHERE action = 'service_request_done' AND target = ?")
      .all(`service_request:${stored.id}`);
    expect(audit).toEqual([{ actor: `user:${expected.code}` }]);
    expect((await api(mine, "GET", "/api/worker/service-requests")).json.serviceRequests).toEqual([]);
    const again = await api(mine, "POST", `/api/worker/service-requests/${stored.id}/done`, {});
    expect(again).toMatchObject({ status: 409, json: { code: "SERVICE_REQUEST_TRANSITION_ILLEGAL" } });
  });

  it("leaves the request open when the grid has no worker; an operator assigns, then re-assigns it", async () => {
    const { household } = expectedGridWorker(7);
    const moved = db().prepare("SELECT id, grid_id FROM workers WHERE grid_id = ?").all(household.grid_id) as {
      id: number;
      grid_id: number;
    }[];
    const elsewhere = (db().prepare("SELECT id FROM grids WHERE id <> ?").get(household.grid_id) as { id: number }).id;
    db().prepare("UPDATE workers SET grid_id = ? WHERE grid_id = ?").run(elsewhere, household.grid_id);
    try {
      const alarmId = await press(7, "service");
      expect(request(alarmId)).toMatchObject({ status: "open", worker_id: null });
      expect(alarm(alarmId)).toMatchObject({ status: "unassigned", worker_id: null });
      const why = events(alarmId).find((e) => e.type === "service_request_not_routed");
      const noWorker = { code: "grid_without_worker", params: { gridId: household.grid_id } };
      expect(why?.detail?.reason).toEqual(noWorker);
      // The dispatch card says the same, from the alarm's stored reason.
      const open = await api(admin, "GET", `/api/alarms/${alarmId}`);
      expect(open.json).toMatchObject({ alarm: { dispatch: { reason: noWorker } } });
      expect(outbox(alarmId, "worker_service")).toEqual([]);

      const id = request(alarmId).id;
      const candidates = await api(admin, "GET", `/api/service-requests/${id}/candidates`);
      const [first, second] = candidates.json.workers as { id: number; sameGrid: boolean; onDuty: boolean }[];
      if (!first || !second) throw new Error("no candidates");
      expect(first).toMatchObject({ sameGrid: false, onDuty: true });

      const assigned = await api(admin, "POST", `/api/service-requests/${id}/assign`, { workerId: first.id });
      expect(assigned.json.serviceRequest).toMatchObject({ status: "assigned", assignedBy: "user:admin" });
      expect(alarm(alarmId)).toMatchObject({ status: "offered", worker_id: first.id });
      expect(outbox(alarmId, "worker_service").map((m) => m.recipient)).toEqual([worker(first.id).phone]);

      const reassigned = await api(admin, "POST", `/api/service-requests/${id}/assign`, { workerId: second.id });
      expect(reassigned.json.serviceRequest).toMatchObject({ status: "assigned", worker: { id: second.id } });
      expect(alarm(alarmId)).toMatchObject({ status: "offered", worker_id: second.id });
      expect(outbox(alarmId, "worker_stand_down").map((m) => m.recipient)).toEqual([worker(first.id).phone]);
      const last = events(alarmId).findLast((e) => e.type === "service_request_assigned");
      expect(last).toMatchObject({
        actor: "user:admin",
        detail: {
          worker: { id: second.id },
          previousWorker: { id: first.id },
          reason: { code: "service_assigned_by_operator", params: { operator: "admin", sameGrid: 0 } },
        },
      });
      const unknown = await api(admin, "POST", `/api/service-requests/${id}/assign`, { workerId: 99_999 });
      expect(unknown).toMatchObject({ status: 404, json: { code: "WORKER_NOT_FOUND" } });

      // The operator marks it done from the console: the alarm is resolved.
      const done = await api(admin, "POST", `/api/service-requests/${id}/done`, {});
      expect(done.json.serviceRequest).toMatchObject({ status: "done", doneBy: "user:admin", note: null });
      expect(alarm(alarmId)).toMatchObject({ status: "resolved", outcome: "real" });
      const late = await api(admin, "POST", `/api/service-requests/${id}/assign`, { workerId: first.id });
      expect(late).toMatchObject({ status: 409, json: { code: "SERVICE_REQUEST_TRANSITION_ILLEGAL" } });
    } finally {
      const restore = db().prepare("UPDATE workers SET grid_id = ? WHERE id = ?");
      for (const w of moved) restore.run(w.grid_id, w.id);
    }
  });

  it("cancelling the alarm cancels the request: the resident's cancel press and the operator's cancel", async () => {
    const onDevice = await press(11, "service");
    const routedTo = request(onDevice).worker_id;
    if (routedTo === null) throw new Error("not routed");
    await press(11, "cancel");
    expect(alarm(onDevice).status).toBe("cancelled");
    expect(request(onDevice)).toMatchObject({
      status: "cancelled",
      cancelled_by: `device:${th.demoDevices[11]?.deviceId}`,
    });
    expect(eventTypes(onDevice)).toContain("service_request_cancelled");
    expect(outbox(onDevice, "worker_stand_down").map((m) => m.recipient)).toEqual([worker(routedTo).phone]);

    const byOperator = await press(12, "service");
    const cancelled = await api(admin, "POST", `/api/alarms/${byOperator}/cancel`, { reason: "按错了" });
    expect(cancelled.status).toBe(200);
    expect(request(byOperator)).toMatchObject({ status: "cancelled", cancelled_by: "user:admin" });
    const gone = await api(admin, "POST", `/api/service-requests/${request(byOperator).id}/done`, {});
    expect(gone).toMatchObject({ status: 409, json: { code: "SERVICE_REQUEST_TRANSITION_ILLEGAL" } });

    // An operator's plain resolve of an assigned request counts as done.
    const resolvedPlainly = await press(13, "service");
    const resolved = await api(admin, "POST", `/api/alarms/${resolvedPlainly}/resolve`, { outcome: "real" });
    expect(resolved.status).toBe(200);
    // The request's note is for people's words; why it closed is on the timeline, coded.
    expect(request(resolvedPlainly)).toMatchObject({ status: "done", done_by: "user:admin", note: null });
    expect(events(resolvedPlainly).find((e) => e.type === "service_request_done")?.detail).toMatchObject({
      reason: { code: "alarm_closed", params: { status: "resolved" } },
    });
    const missing = await api(admin, "GET", "/api/service-requests/99999");
    expect(missing).toMatchObject({ status: 404, json: { code: "SERVICE_REQUEST_NOT_FOUND" } });
  });
});
