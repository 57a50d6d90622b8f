/**
 * `GET /api/alarms/:id/resident`, the console's resident card: operators and
 * supervisors get the resident's health data and every such answer leaves
 * exactly one audit row; an admin gets the key holder and access notes with the
 * health fields null and `healthRedacted`, and no audit row (nothing was shown).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nowIso } from "../hub/storage/database.ts";
import { createUser } from "./support/registry-app.ts";
import { startTestHub, type TestHub } from "./support/test-hub.ts";

interface ResidentDb {
  resident_id: number;
  household_id: number;
  device_id: string;
  name: string;
  conditions: string | null;
  medications: string | null;
  allergies: string | null;
  mobility: string | null;
  key_holder: string | null;
  access_notes: string | null;
}

let th: TestHub;
let operator = "";
let supervisor = "";
let admin = "";
let worker = "";
let located = 0;
let unlocated = 0;
let record: ResidentDb;

beforeAll(async () => {
  th = await startTestHub({ twilio: false });
  const db = th.hub.db;
  record = db
    .prepare(
      `SELECT r.id AS resident_id, h.id AS household_id, d.id AS device_id, r.name, r.conditions, r.medications,
              r.allergies, r.mobility, h.key_holder, h.access_notes
         FROM devices d JOIN households h ON h.id = d.household_id JOIN residents r ON r.household_id = h.id
        ORDER BY d.id, r.id LIMIT 1`,
    )
    .get() as ResidentDb;
  // Resolved alarms whose stages all ran: the endpoint does not care about status, no deadline
  // watcher touches them, and the pipeline's retry will not locate the second one behind the test's back.
  const insert = db.prepare(
    `INSERT INTO alarms (device_id, kind, status, outcome, received_at, household_id, resident_id, resolved_at, stages_done)
     VALUES (?, 'sos', 'resolved', 'false_alarm', ?, ?, ?, ?, '["locate","notify_relatives","dispatch","publish_dashboards"]')`,
  );
  const at = nowIso();
  located = Number(insert.run(record.device_id, at, record.household_id, record.resident_id, at).lastInsertRowid);
  unlocated = Number(insert.run(record.device_id, at, null, null, at).lastInsertRowid);
  operator = await createUser(th, "res-operator", "operator");
  supervisor = await createUser(th, "res-supervisor", "supervisor");
  worker = await createUser(th, "res-worker", "worker");
  admin = await th.login();
}, 30_000);

afterAll(async () => {
  await th?.stop();
});

const get = (url: string, cookie: string) => th.hub.app.inject({ method: "GET", url, headers: { cookie } });
const auditRows = () =>
  th.hub.db.prepare("SELECT actor, action, target, detail FROM audit_log ORDER BY id").all() as {
    actor: string;
    action: string;
    target: string;
    detail: string;
  }[];

describe("GET /api/alarms/:id/resident", () => {
  it("gives an operator the health data and the household's access, and audits each call once", async () => {
    // The demo district gives its residents health data; a null here would make the check below vacuous.
    expect(record.conditions).toBeTruthy();
    expect(record.key_holder).toBeTruthy();
    for (const call of [1, 2]) {
      const before = auditRows();
      const response = await get(`/api/alarms/${located}/resident`, operator);
      expect(response.statusCode).toBe(200);
      expect(response.json().resident).toEqual({
        alarmId: located,
        residentId: record.resident_id,
        name: record.name,
        conditions: record.conditions,
        medications: record.medications,
        allergies: record.allergies,
        mobility: record.mobility,
        healthRedacted: false,
        keyHolder: record.key_holder,
        accessNotes: record.access_notes,
      });
      const added = auditRows().slice(before.length);
      expect({ call, added: added.length }).toEqual({ call, added: 1 });
      const row = added[0];
      expect(row?.actor).toBe("user:res-operator");
      expect(row?.action).toBe("health_data_viewed");
      expect(row?.target).toBe(`resident:${record.resident_id}`);
      expect(JSON.parse(row?.detail ?? "{}")).toMatchObject({ alarmId: located, role: "operator" });
      // The audit trail names the view, never the health values themselves.
      expect(row?.detail).not.toContain(record.conditions ?? "");
    }
  });

  it("shows a supervisor the health data too, audited as theirs", async () => {
    const before = auditRows().length;
    const response = await get(`/api/alarms/${located}/resident`, supervisor);
    expect(response.statusCode).toBe(200);
    expect(response.json().resident).toMatchObject({ healthRedacted: false, medications: record.medications });
    const added = auditRows().slice(before);
    expect(added.map((r) => [r.actor, r.action])).toEqual([["user:res-supervisor", "health_data_viewed"]]);
  });

  it("redacts the health data for an admin and writes no audit row", async () => {
    const before = auditRows().length;
    const response = await get(`/api/alarms/${located}/resident`, admin);
    expect(response.statusCode).toBe(200);
    expect(response.json().resident).toEqual({
      alarmId: located,
      residentId: record.resident_id,
      name: record.name,
      conditions: null,
      medications: null,
      allergies: null,
      mobility: null,
      healthRedacted: true,
      keyHolder: record.key_holder,
      accessNotes: record.access_notes,
    });
    expect(auditRows().length).toBe(before);
  });

  it("refuses a community worker and an anonymous caller", async () => {
    expect((await get(`/api/alarms/${located}/resident`, worker)).statusCode).toBe(403);
    const anonymous = await th.hub.app.inject({ method: "GET", url: `/api/alarms/${located}/resident` });
    expect(anonymous.statusCode).toBe(401);
  });

  it("answers 404 for an unknown alarm and 409 for one not located yet, without auditing", async () => {
    const before = auditRows().length;
    const missing = await get("/api/alarms/999999/resident", operator);
    expect(missing.statusCode).toBe(404);
    expect(missing.json().code).toBe("ALARM_NOT_FOUND");
    const notYet = await get(`/api/alarms/${unlocated}/resident`, operator);
    expect(notYet.statusCode).toBe(409);
    expect(notYet.json().code).toBe("ALARM_NOT_LOCATED");
    expect(auditRows().length).toBe(before);
  });
});
