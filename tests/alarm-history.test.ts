/**
 * `/api/alarms/history` and its CSV against a real hub over HTTP, with alarms
 * of known values seeded in SQLite: each filter narrows to exactly the alarms
 * it should, paging keeps the total, the free text finds a resident by Chinese
 * name, the CSV says what the JSON says, roles and bad queries are refused with
 * coded errors, and every export is audited.
 */
import cookie from "@fastify/cookie";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import Fastify from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AlarmHistory } from "../hub/alarms/history-query.ts";
import { SessionService } from "../hub/auth/session-service.ts";
import { errorHandler } from "../hub/http/app.ts";
import { historyRoutes } from "../hub/http/routes/history-routes.ts";
import { UserRepository } from "../hub/storage/user-repo.ts";
import { HISTORY_FROM, HISTORY_TO, type HistorySeed, RESIDENT_B, seedHistory } from "./support/history-fixtures.ts";
import { createUser } from "./support/registry-app.ts";
import { startTestHub, type TestHub } from "./support/test-hub.ts";

interface Row {
  id: number;
  kind: string;
  status: string;
  outcome: string | null;
  receivedAt: string;
  residentName: string | null;
  householdCode: string | null;
  householdAddress: string | null;
  gridId: number | null;
  gridName: string | null;
  workerName: string | null;
  ackS: number | null;
  arrivalS: number | null;
  resolutionS: number | null;
}
interface Page {
  total: number;
  limit: number;
  offset: number;
  timeZone: string;
  alarms: Row[];
}

let th: TestHub;
let seed: HistorySeed;
let admin: string;
let operator: string;
let supervisor: string;
let worker: string;

beforeAll(async () => {
  th = await startTestHub({ twilio: false });
  seed = seedHistory(th);
  admin = await th.login();
  operator = await createUser(th, "hist-operator", "operator");
  supervisor = await createUser(th, "hist-supervisor", "supervisor");
  worker = await createUser(th, "hist-worker", "worker");
}, 60_000);

afterAll(async () => {
  await th?.stop();
});

async function get(path: string, session: string | null = operator) {
  return fetch(`${th.httpUrl}${path}`, { headers: session ? { cookie: session } : {} });
}

async function page(query: string, session = operator): Promise<Page> {
  const response = await get(`/api/alarms/history?from=${HISTORY_FROM}&to=${HISTORY_TO}${query}`, session);
  expect(response.status).toBe(200);
  return (await response.json()) as Page;
}

const names = (p: Page) => p.alarms.map((a) => Object.entries(seed.ids).find(([, id]) => id === a.id)?.[0]);

describe("alarm history API", () => {
  it("lists the range's alarms, open and closed, newest first, with every field", async () => {
    const all = await page("");
    expect(all.total).toBe(5);
    expect(all.timeZone).toBe("Asia/Shanghai");
    expect(names(all)).toEqual(["H5", "H4", "H3", "H2", "H1"]);
    const h1 = all.alarms.find((a) => a.id === seed.ids.H1);
    const p1 = seed.places.p1;
    expect(h1).toMatchObject({
      kind: "sos",
      status: "resolved",
      outcome: "real",
      receivedAt: "2025-06-01T01:00:00.000Z",
      residentName: p1.residentName,
      householdCode: p1.householdCode,
      householdAddress: p1.address,
      gridId: p1.gridId,
      gridName: p1.gridName,
      workerName: seed.workerName,
      ackS: 30,
      arrivalS: 600,
      resolutionS: 1800,
    });
    // Steps that never happened are null, not zero; a cancel counts as the end.
    const h5 = all.alarms.find((a) => a.id === seed.ids.H5);
    expect(h5).toMatchObject({ ackS: null, arrivalS: null, resolutionS: 4, workerName: null });
  });

  it("narrows by each filter to exactly the matching alarms", async () => {
    expect(names(await page("&kind=sos"))).toEqual(["H5", "H4", "H1"]);
    expect(names(await page("&kind=service"))).toEqual(["H2"]);
    expect(names(await page("&outcome=real"))).toEqual(["H1"]);
    expect(names(await page("&outcome=none"))).toEqual(["H5", "H4"]);
    expect(names(await page(`&gridId=${seed.places.p1.gridId}`))).toEqual(["H5", "H3", "H1"]);
    expect(names(await page("&status=open"))).toEqual(["H4"]);
    expect(names(await page("&status=closed"))).toEqual(["H5", "H3", "H2", "H1"]);
    expect(names(await page("&status=cancelled"))).toEqual(["H5"]);
    expect(names(await page(`&kind=sos&gridId=${seed.places.p2.gridId}`))).toEqual(["H4"]);
    // H5 is 16:00:05 UTC on 2 June, which is 3 June in Shanghai.
    const third = await get("/api/alarms/history?from=2025-06-03&to=2025-06-03");
    expect(names((await third.json()) as Page)).toEqual(["H5"]);
    // One-sided ranges reach the alarms just outside [from, to].
    const since = (await (await get("/api/alarms/history?from=2025-06-03&q=历史")).json()) as Page;
    expect(names(since)).toEqual(["H7", "H5"]);
  });

  it("finds by resident name in Chinese, household code, device id and alarm id", async () => {
    expect(names(await page(`&q=${encodeURIComponent(RESIDENT_B)}`))).toEqual(["H4", "H2"]);
    expect(names(await page(`&q=${encodeURIComponent("乙测")}`))).toEqual(["H4", "H2"]);
    expect(names(await page(`&q=${encodeURIComponent(seed.places.p1.householdCode)}`))).toEqual(["H5", "H3", "H1"]);
    expect(names(await page(`&q=${encodeURIComponent(seed.places.p2.deviceId)}`))).toEqual(["H4", "H2"]);
    expect(names(await page(`&q=${encodeURIComponent(`#${seed.ids.H3}`)}`))).toEqual(["H3"]);
    // A typed % is a character, not a wildcard.
    expect((await page("&q=%25")).total).toBe(0);
  });

  it("pages with a stable total", async () => {
    const first = await page("&limit=2&offset=0");
    expect(first).toMatchObject({ total: 5, limit: 2, offset: 0 });
    expect(names(first)).toEqual(["H5", "H4"]);
    expect(names(await page("&limit=2&offset=2"))).toEqual(["H3", "H2"]);
    const last = await page("&limit=2&offset=4");
    expect(last.total).toBe(5);
    expect(names(last)).toEqual(["H1"]);
  });

  it("exports the same rows as CSV with a BOM, local times, and a header in the asked language", async () => {
    const json = await page("&kind=sos");
    const response = await get(`/api/alarms/history.csv?from=${HISTORY_FROM}&to=${HISTORY_TO}&kind=sos`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/csv/);
    expect(response.headers.get("content-disposition")).toContain(`anxin-alarms-${HISTORY_FROM}-${HISTORY_TO}.csv`);
    const bytes = Buffer.from(await response.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes.toString("utf8").slice(1).trimEnd().split("\r\n");
    expect(lines[0]).toBe(
      "alarm_id,kind,status,outcome,received_at,acknowledged_at,on_scene_at,resolved_at,cancelled_at,resident," +
        "household_code,address,grid_code,grid_name,worker,device_id,ack_s,arrival_s,resolution_s",
    );
    expect(lines.slice(1).map((l) => Number(l.split(",")[0]))).toEqual(json.alarms.map((a) => a.id));
    const h1 = lines.find((l) => l.startsWith(`${seed.ids.H1},`));
    // 01:00 UTC is 09:00 in Shanghai; the ack 30 s later.
    expect(h1).toContain(",sos,resolved,real,2025-06-01 09:00:00,2025-06-01 09:00:30,2025-06-01 09:10:00,");
    expect(h1).toContain(`,${seed.places.p1.residentName},${seed.places.p1.householdCode},`);
    expect(h1?.endsWith(",30,600,1800")).toBe(true);

    const zh = await get(`/api/alarms/history.csv?from=${HISTORY_FROM}&to=${HISTORY_TO}&lang=zh-CN`);
    const zhLines = (await zh.text())
      .replace(/^\uFEFF/, "")
      .trimEnd()
      .split("\r\n");
    expect(zhLines[0]?.startsWith("警情编号,类型,状态,处理结果,接警时间")).toBe(true);
    expect(zhLines).toHaveLength(6);
  });

  it("audits every export with who, which filters and how many rows", async () => {
    await get(`/api/alarms/history.csv?from=${HISTORY_FROM}&to=${HISTORY_TO}&outcome=real`, supervisor);
    const row = th.hub.db
      .prepare("SELECT actor, detail FROM audit_log WHERE action = 'alarm_history_exported' ORDER BY id DESC LIMIT 1")
      .get() as { actor: string; detail: string };
    expect(row.actor).toBe("user:hist-supervisor");
    expect(JSON.parse(row.detail)).toEqual({
      filters: { from: HISTORY_FROM, to: HISTORY_TO, outcome: "real" },
      rows: 1,
    });
  });

  it("is for operators, supervisors and admins only", async () => {
    expect((await get("/api/alarms/history", null)).status).toBe(401);
    const refused = await get("/api/alarms/history", worker);
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { code: string }).code).toBe("AUTH_FORBIDDEN");
    expect((await get("/api/alarms/history.csv", worker)).status).toBe(403);
    for (const session of [operator, supervisor, admin]) {
      expect((await get(`/api/alarms/history?from=${HISTORY_FROM}&to=${HISTORY_TO}`, session)).status).toBe(200);
    }
  });

  it("refuses bad queries with coded errors, and leaves /api/alarms/:id alone", async () => {
    const cases: [string, string, RegExp][] = [
      ["kind=bogus", "VALIDATION_FAILED", /kind/],
      ["limit=0", "VALIDATION_FAILED", /limit/],
      ["gridId=abc", "VALIDATION_FAILED", /gridId/],
      ["from=2025-02-30", "DATE_RANGE_INVALID", /calendar date/],
      ["from=2025-06-03&to=2025-06-01", "DATE_RANGE_INVALID", /after/],
      ["from=yesterday", "VALIDATION_FAILED", /from/],
    ];
    for (const [query, code, message] of cases) {
      const response = await get(`/api/alarms/history?${query}`);
      expect(response.status, query).toBe(400);
      const body = (await response.json()) as { code: string; message: string };
      expect(body.code, query).toBe(code);
      expect(body.message, query).toMatch(message);
    }
    const csv = await get("/api/alarms/history.csv?lang=fr");
    expect(csv.status).toBe(400);
    // The static route wins over /:id, and /:id still answers for a real alarm.
    const one = await get(`/api/alarms/${seed.ids.H1}`);
    expect(one.status).toBe(200);
    expect(((await one.json()) as { alarm: { id: number } }).alarm.id).toBe(seed.ids.H1);
  });

  it("refuses an export above the row cap with EXPORT_TOO_LARGE", async () => {
    // The hub's cap is 50,000 rows; the same plugin with a cap of 2 shows the refusal without seeding that many.
    const users = new UserRepository(th.hub.sql);
    const sessions = new SessionService({ users }, { ttlHours: 1 });
    const app = Fastify().withTypeProvider<TypeBoxTypeProvider>();
    app.decorateRequest("user", null);
    app.setErrorHandler(errorHandler);
    await app.register(cookie);
    await app.register(historyRoutes, {
      prefix: "/api/alarms",
      sessions,
      users,
      history: new AlarmHistory(th.hub.sql, "Asia/Shanghai"),
      csvMaxRows: 2,
    });
    const url = `/api/alarms/history.csv?from=${HISTORY_FROM}&to=${HISTORY_TO}`;
    const tooMany = await app.inject({ method: "GET", url, headers: { cookie: operator } });
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.json()).toMatchObject({ code: "EXPORT_TOO_LARGE" });
    expect(tooMany.json().message).toMatch(/match 5 alarms; one export holds at most 2/);
    const fits = await app.inject({
      method: "GET",
      url: `${url}&kind=sos&gridId=${seed.places.p2.gridId}`,
      headers: { cookie: operator },
    });
    expect(fits.statusCode).toBe(200);
    await app.close();
  });
});
