/**
 * `/api/audit` and `/api/audit.csv` against a real hub over HTTP: operators and
 * workers are refused; a supervisor sees, newest first, the rows of the actions
 * this test performed (an operator's login, a health-data view, a logout, an
 * administrator's registry write), the filters narrow them, the CSV matches the
 * JSON, and looking at or exporting the log is itself audited.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SimulatedButton } from "../firmware-sim/device.ts";
import { localDay } from "../hub/kpi/local-day.ts";
import { createUser } from "./support/registry-app.ts";
import { startTestHub, type TestHub } from "./support/test-hub.ts";

interface Entry {
  id: number;
  at: string;
  actor: string;
  action: string;
  target: string | null;
  detail: unknown;
}
interface AuditPage {
  total: number;
  limit: number;
  offset: number;
  actions: string[];
  entries: Entry[];
}

let th: TestHub;
let admin: string;
let supervisor: string;
let operator: string;
let residentId: number;
let gazetteerId: number;
const today = () => localDay(new Date(), "Asia/Shanghai");

async function call(method: string, path: string, session: string | null, body?: object) {
  return fetch(`${th.httpUrl}${path}`, {
    method,
    headers: { ...(session ? { cookie: session } : {}), ...(body ? { "content-type": "application/json" } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
}

async function audit(query: string, session = supervisor): Promise<AuditPage> {
  const response = await call("GET", `/api/audit?${query}`, session);
  expect(response.status).toBe(200);
  return (await response.json()) as AuditPage;
}

beforeAll(async () => {
  th = await startTestHub({ twilio: false });
  admin = await th.login();
  supervisor = await createUser(th, "audit-super", "supervisor");
  // The operator's actions: log in (in createUser), view a resident's health data, log out.
  operator = await createUser(th, "audit-op", "operator");
  residentId = (th.hub.db.prepare("SELECT MIN(id) AS id FROM residents").get() as { id: number }).id;
  expect((await call("GET", `/api/registry/residents/${residentId}`, operator)).status).toBe(200);
  expect((await call("POST", "/api/auth/logout", operator)).status).toBeLessThan(300);
  // The administrator's registry write.
  const created = await call("POST", "/api/registry/gazetteer", admin, {
    address: "垦利区审计测试路1号",
    lat: 37.59,
    lng: 118.55,
  });
  expect(created.status).toBe(201);
  gazetteerId = ((await created.json()) as { id: number }).id;
}, 60_000);

afterAll(async () => {
  await th?.stop();
});

describe("audit log API", () => {
  it("refuses operators and workers, and anonymous callers", async () => {
    const op = await createUser(th, "audit-op2", "operator");
    const refused = await call("GET", "/api/audit", op);
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { code: string }).code).toBe("AUTH_FORBIDDEN");
    expect((await call("GET", "/api/audit.csv", op)).status).toBe(403);
    const worker = await createUser(th, "audit-worker", "worker");
    expect((await call("GET", "/api/audit", worker)).status).toBe(403);
    expect((await call("GET", "/api/audit", null)).status).toBe(401);
    expect((await call("GET", "/api/audit", admin)).status).toBe(200);
  });

  it("shows a supervisor the operator's actions, newest first", async () => {
    const mine = await audit("actor=audit-op&limit=50");
    // audit-op2 also matches the substring; keep this operator's own rows.
    const rows = mine.entries.filter((e) => e.actor === "user:audit-op");
    expect(rows.map((e) => e.action)).toEqual(["logout", "health_data_viewed", "login"]);
    expect(rows[1]?.target).toBe(`resident:${residentId}`);
    expect(rows[1]?.detail).toMatchObject({ role: "operator" });
    const ids = mine.entries.map((e) => e.id);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));

    const write = await audit("action=registry_created&actor=user:admin");
    expect(write.entries.map((e) => e.target)).toContain(`gazetteer:${gazetteerId}`);
    expect(write.entries.every((e) => e.action === "registry_created")).toBe(true);
    expect(write.actions).toEqual(
      expect.arrayContaining(["login", "logout", "health_data_viewed", "registry_created"]),
    );
  });

  it("holds every person's action on an alarm (copied from its timeline by a trigger), but no device's", async () => {
    const credential = th.demoDevices[40];
    if (!credential) throw new Error("no demo device");
    const button = new SimulatedButton({
      mqttUrl: th.mqttUrl,
      deviceId: credential.deviceId,
      secret: credential.secret,
    });
    await button.start({ timeoutMs: 5000 });
    const { alarmId } = await button.press("sos");
    await button.stop();
    if (alarmId === null) throw new Error("no alarm");
    await th.waitForPipeline(alarmId);
    const acting = await createUser(th, "audit-duty", "operator");
    expect((await call("POST", `/api/alarms/${alarmId}/acknowledge`, acting)).status).toBe(200);
    const resolved = await call("POST", `/api/alarms/${alarmId}/resolve`, acting, { outcome: "false_alarm" });
    expect(resolved.status).toBe(200);

    const rows = (await audit("actor=user:audit-duty&limit=50")).entries.filter((e) => e.target === `alarm:${alarmId}`);
    // The resolve's own consequences (offer withdrawn, relatives' cascade stopped) are the operator's doing too.
    expect(rows.map((e) => e.action)).toEqual(expect.arrayContaining(["alarm_acknowledged", "alarm_resolved"]));
    const timeline = th.hub.db
      .prepare("SELECT type FROM alarm_events WHERE alarm_id = ? AND actor = 'user:audit-duty' ORDER BY id")
      .all(alarmId) as { type: string }[];
    expect(rows.map((e) => e.action).sort()).toEqual(timeline.map((e) => `alarm_${e.type}`).sort());
    expect(rows.find((e) => e.action === "alarm_resolved")?.detail).toMatchObject({ outcome: "false_alarm" });
    // The press itself is the device's, not a person's: on the timeline only.
    const all = await audit("limit=500");
    expect(all.entries.filter((e) => e.target === `alarm:${alarmId}` && !e.actor.startsWith("user:"))).toEqual([]);
  });

  it("filters by local day and pages with a total", async () => {
    const day = today();
    const logins = await audit(`from=${day}&to=${day}&action=login&limit=2`);
    // admin, audit-super, audit-op, audit-op2, audit-worker logged in above.
    expect(logins.total).toBeGreaterThanOrEqual(5);
    expect(logins.entries).toHaveLength(2);
    const second = await audit(`from=${day}&to=${day}&action=login&limit=2&offset=2`);
    expect(second.total).toBe(logins.total);
    expect(second.entries[0]?.id).toBeLessThan(logins.entries[1]?.id ?? 0);
    expect((await audit("from=2001-01-01&to=2001-01-31")).total).toBe(0);
    // A range backwards, and a day that is not on the calendar (the page and its CSV alike).
    for (const query of ["from=2025-06-03&to=2025-06-01", "to=2026-02-30"]) {
      for (const path of ["/api/audit", "/api/audit.csv"]) {
        const bad = await call("GET", `${path}?${query}`, supervisor);
        expect(bad.status, `${path}?${query}`).toBe(400);
        expect(((await bad.json()) as { code: string }).code, `${path}?${query}`).toBe("DATE_RANGE_INVALID");
      }
    }
    expect((await call("GET", "/api/audit?action=DROP%20TABLE", supervisor)).status).toBe(400);
  });

  it("audits looking at the log, and exports it as CSV with the same rows", async () => {
    await audit("action=logout");
    const viewed = await audit("action=audit_log_viewed&actor=audit-super&limit=1");
    expect(viewed.entries[0]?.detail).toEqual({ filters: { action: "logout" }, offset: 0 });

    const json = await audit("actor=user:audit-op&action=health_data_viewed");
    const response = await call("GET", "/api/audit.csv?actor=user:audit-op&action=health_data_viewed", supervisor);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/csv/);
    const bytes = Buffer.from(await response.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes.toString("utf8").slice(1).trimEnd().split("\r\n");
    expect(lines[0]).toBe("id,at,actor,action,target,detail");
    expect(lines.slice(1).map((l) => Number(l.split(",")[0]))).toEqual(json.entries.map((e) => e.id));
    expect(lines[1]).toMatch(/^\d+,\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},user:audit-op,health_data_viewed,resident:/);

    const zh = await call("GET", "/api/audit.csv?action=login&lang=zh-CN", admin);
    expect((await zh.text()).replace(/^\uFEFF/, "").split("\r\n")[0]).toBe("编号,时间,操作人,操作,对象,详情");
    const exported = await audit("action=audit_log_exported&limit=5");
    expect(exported.entries.map((e) => e.actor)).toEqual(["user:admin", "user:audit-super"]);
    expect(exported.entries[1]?.detail).toEqual({
      filters: { actor: "user:audit-op", action: "health_data_viewed" },
      rows: 1,
    });
  });
});
