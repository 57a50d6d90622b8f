/**
 * KPIs over a real hub: alarms and faults with known timestamps go into its
 * database (tests/support/kpi-fixtures.ts), and every figure the API returns is
 * checked against a value worked out by hand from that table. Also: the CSV
 * (BOM, header, rows), the date-range checks and who may read the figures.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KPI_CANCELLED_DAY, KPI_FROM, KPI_TO, type KpiSeed, seedKpiData } from "./support/kpi-fixtures.ts";
import { createUser } from "./support/registry-app.ts";
import { startTestHub, type TestHub } from "./support/test-hub.ts";

interface Stage {
  n: number;
  median: number | null;
  p90: number | null;
}
interface Figures {
  alarms: number;
  byKind: Record<string, number>;
  byOutcome: Record<string, number>;
  ackWithin60s: number | null;
  stages: Record<"ack" | "accept" | "onScene" | "resolve", Stage>;
  closureRate: number | null;
  followUpRate: number | null;
  falseAlarmRate: number | null;
  faults: Record<string, number>;
}
interface Report {
  from: string;
  to: string;
  timeZone: string;
  ackTarget: number;
  days: (Figures & { date: string })[];
  grids: (Figures & { gridId: number | null; code: string | null; name: string | null })[];
  totals: Figures;
}

let hub: TestHub;
let admin: string;
let seed: KpiSeed;

beforeAll(async () => {
  hub = await startTestHub({ twilio: false });
  admin = await hub.login();
  seed = seedKpiData(hub);
}, 60_000);

afterAll(async () => {
  await hub?.stop();
});

function get(url: string, cookie: string | null = admin): Promise<Response> {
  return fetch(`${hub.httpUrl}${url}`, { headers: cookie ? { cookie } : {} });
}

async function report(query = `from=${KPI_FROM}&to=${KPI_TO}`): Promise<Report> {
  const response = await get(`/api/kpi?${query}`);
  expect(response.status).toBe(200);
  return (await response.json()) as Report;
}

describe("GET /api/kpi", () => {
  it("computes the totals over the range, leaving out alarms just outside it", async () => {
    const r = await report();
    expect(r).toMatchObject({ from: KPI_FROM, to: KPI_TO, timeZone: "Asia/Shanghai", ackTarget: 0.975 });
    const t = r.totals;
    // A1–A8; A9 (23:59:59 the day before) and A10 (midnight after) are outside.
    expect(t.alarms).toBe(8);
    expect(t.byKind).toEqual({ sos: 5, service: 2, test: 1 });
    expect(t.byOutcome).toEqual({ real: 2, false_alarm: 3, test: 1, none: 2 });
    // 7 operational alarms (A4 is a test): A1, A2, A5, A7 (exactly 60 s), A8 in time; A3 at 75 s and A6 never.
    expect(t.ackWithin60s).toBeCloseTo(5 / 7, 10);
    // ack times 10, 20, 30, 45, 60, 75: median (30+45)/2, p90 at rank 4.5 → 60 + 0.5·15.
    expect(t.stages.ack).toEqual({ n: 6, median: 37.5, p90: 67.5 });
    expect(t.stages.accept).toEqual({ n: 2, median: 105, p90: 117 });
    expect(t.stages.onScene).toEqual({ n: 2, median: 450, p90: 570 });
    // resolve 100, 400, 1500, 2000 (A4's 5 s is a test): p90 at rank 2.7 → 1500 + 0.7·500.
    expect(t.stages.resolve).toEqual({ n: 4, median: 950, p90: 1850 });
    // Closed: A1, A3, A7 resolved, A2 followed up, A8 cancelled; a cancel is a closure.
    expect(t.closureRate).toBeCloseTo(5 / 7, 10);
    // A cancelled alarm gets no follow-up visit: A2 of A1, A2, A3, A7.
    expect(t.followUpRate).toBeCloseTo(1 / 4, 10);
    // A3 and A7 resolved as false alarms, and the cancelled A8.
    expect(t.falseAlarmRate).toBeCloseTo(3 / 5, 10);
    expect(t.faults).toEqual({ offline: 1, silent: 1, low_battery: 1, test_failed: 0 });
  });

  it("buckets by local day in the hub's time zone and keeps empty days", async () => {
    const r = await report();
    expect(r.days.map((d) => d.date)).toEqual(["2026-03-01", "2026-03-02", "2026-03-03"]);
    const [d1, d2, d3] = r.days;
    // A5 at 00:00:10 Shanghai is 16:00:10 UTC on 28 February: it counts on 1 March.
    expect(d1).toMatchObject({ alarms: 5, byKind: { sos: 3, service: 1, test: 1 } });
    expect(d1?.ackWithin60s).toBeCloseTo(3 / 4, 10);
    expect(d1?.closureRate).toBeCloseTo(3 / 4, 10);
    expect(d1?.stages.ack).toEqual({ n: 4, median: 37.5, p90: 66 });
    // The low-battery fault at 00:30 Shanghai (16:30 UTC on 1 March) belongs to 2 March.
    expect(d1?.faults).toEqual({ offline: 1, silent: 0, low_battery: 0, test_failed: 0 });
    expect(d2).toMatchObject({ alarms: 3, byKind: { sos: 2, service: 1, test: 0 } });
    expect(d2?.ackWithin60s).toBeCloseTo(2 / 3, 10);
    expect(d2?.closureRate).toBeCloseTo(2 / 3, 10);
    expect(d2?.falseAlarmRate).toBe(1);
    expect(d2?.faults.low_battery).toBe(1);
    expect(d3).toMatchObject({ alarms: 0, ackWithin60s: null, closureRate: null, followUpRate: null });
    expect(d3?.stages.ack).toEqual({ n: 0, median: null, p90: null });
    expect(d3?.faults.silent).toBe(1);
  });

  it("lists every grid, and alarms with no grid apart", async () => {
    const r = await report();
    const { g1, g2 } = seed.grids;
    expect(r.grids).toHaveLength(seed.gridCount + 1);
    const one = r.grids.find((g) => g.gridId === g1.id);
    const two = r.grids.find((g) => g.gridId === g2.id);
    const none = r.grids.find((g) => g.gridId === null);
    expect(one).toMatchObject({ code: g1.code, name: g1.name, alarms: 4, byKind: { sos: 3, service: 0, test: 1 } });
    expect(one?.ackWithin60s).toBeCloseTo(2 / 3, 10);
    expect(one?.closureRate).toBeCloseTo(2 / 3, 10);
    expect(one?.followUpRate).toBeCloseTo(1 / 2, 10);
    expect(one?.faults).toEqual({ offline: 1, silent: 0, low_battery: 1, test_failed: 0 });
    expect(two).toMatchObject({ alarms: 3, falseAlarmRate: 1 });
    expect(two?.ackWithin60s).toBeCloseTo(2 / 3, 10);
    expect(none).toMatchObject({ code: null, alarms: 1, ackWithin60s: 1, falseAlarmRate: 1 });
    const quiet = r.grids.filter((g) => g.gridId !== null && g.gridId !== g1.id && g.gridId !== g2.id);
    for (const g of quiet) expect(g).toMatchObject({ alarms: 0, ackWithin60s: null });
  });

  it("counts cancelled alarms as closed false alarms: a grid whose only alarms were cancelled is 100% closed", async () => {
    const { g3 } = seed.grids;
    const r = await report(`from=${KPI_CANCELLED_DAY}&to=${KPI_CANCELLED_DAY}&gridId=${g3.id}`);
    const t = r.totals;
    // A11 (the resident's cancel at 5 s) and A12 (an operator's cancel at 300 s): both closed, both false alarms.
    expect(t).toMatchObject({ alarms: 2, closureRate: 1, falseAlarmRate: 1, byOutcome: { false_alarm: 2, none: 0 } });
    // Neither gets a follow-up visit, so there is no rate to show.
    expect(t.followUpRate).toBeNull();
    // A11 was cancelled before it could be acknowledged and needed none; A12 was acknowledged at 40 s.
    expect(t.ackWithin60s).toBe(1);
    expect(t.stages.ack).toEqual({ n: 1, median: 40, p90: 40 });
  });

  it("narrows everything to one grid with gridId", async () => {
    const { g1 } = seed.grids;
    const r = await report(`from=${KPI_FROM}&to=${KPI_TO}&gridId=${g1.id}`);
    expect(r.grids.map((g) => g.gridId)).toEqual([g1.id]);
    expect(r.totals.alarms).toBe(4);
    expect(r.days.map((d) => d.alarms)).toEqual([3, 1, 0]);
    expect(r.totals.faults).toEqual({ offline: 1, silent: 0, low_battery: 1, test_failed: 0 });
  });
});

describe("GET /api/kpi.csv", () => {
  it("downloads UTF-8 CSV with a BOM, a header, day, grid and total rows", async () => {
    const response = await get(`/api/kpi.csv?from=${KPI_FROM}&to=${KPI_TO}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(response.headers.get("content-disposition")).toContain(`anxin-kpi-${KPI_FROM}-${KPI_TO}.csv`);
    const bytes = new Uint8Array(await response.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = new TextDecoder("utf-8", { ignoreBOM: true }).decode(bytes).slice(1).trimEnd().split("\r\n");
    const header = lines[0]?.split(",") ?? [];
    expect(header.slice(0, 6)).toEqual(["scope", "date", "grid_id", "grid_code", "grid_name", "alarms"]);
    expect(header).toContain("ack_within_60s_pct");
    expect(header).toContain("faults_low_battery");
    const rows = lines.slice(1).map((line) => Object.fromEntries(line.split(",").map((v, i) => [header[i], v])));
    expect(rows).toHaveLength(3 + seed.gridCount + 1 + 1);
    const day1 = rows.find((r) => r.scope === "day" && r.date === "2026-03-01");
    expect(day1).toMatchObject({ alarms: "5", sos: "3", ack_within_60s_pct: "75.0", ack_median_s: "37.5" });
    const total = rows.find((r) => r.scope === "total");
    expect(total).toMatchObject({
      date: `${KPI_FROM}/${KPI_TO}`,
      alarms: "8",
      ack_within_60s_pct: (Math.round((5 / 7) * 1000) / 10).toFixed(1),
      resolve_p90_s: "1850.0",
      closure_rate_pct: "71.4",
      false_alarm_rate_pct: "60.0",
      faults_offline: "1",
    });
    const g1 = rows.find((r) => r.scope === "grid" && r.grid_id === String(seed.grids.g1.id));
    // The grid's (Chinese) name survives the round trip as UTF-8.
    expect(g1).toMatchObject({ grid_name: seed.grids.g1.name, alarms: "4", follow_up_rate_pct: "50.0" });
    expect(rows.find((r) => r.scope === "day" && r.date === "2026-03-03")?.ack_within_60s_pct).toBe("");
  });
});

describe("range validation", () => {
  it.each([
    ["from after to", "from=2026-03-05&to=2026-03-01", "KPI_RANGE_INVALID", /after/],
    ["more than 366 days", "from=2025-01-01&to=2026-01-02", "KPI_RANGE_INVALID", /367 days/],
    ["no such date", "from=2026-02-30&to=2026-03-01", "KPI_RANGE_INVALID", /calendar date/],
    ["not a date", "from=March&to=2026-03-01", "VALIDATION_FAILED", /from/],
    ["missing to", "from=2026-03-01", "VALIDATION_FAILED", /to/],
  ])("refuses %s with 400 and a clear message", async (_name, query, code, message) => {
    for (const path of ["/api/kpi", "/api/kpi.csv"]) {
      const response = await get(`${path}?${query}`);
      expect(response.status).toBe(400);
      const body = (await response.json()) as { code: string; message: string };
      expect(body.code).toBe(code);
      expect(body.message).toMatch(message);
    }
  });

  it("accepts a whole leap year (366 days) and a single day", async () => {
    expect((await report("from=2024-01-01&to=2024-12-31")).days).toHaveLength(366);
    const one = await report("from=2026-03-02&to=2026-03-02");
    expect(one.days.map((d) => d.date)).toEqual(["2026-03-02"]);
    expect(one.totals.alarms).toBe(3);
  });
});

describe("who may read KPIs", () => {
  it("admits operators, supervisors and administrators, refuses workers and anonymous callers", async () => {
    const query = `from=${KPI_FROM}&to=${KPI_TO}`;
    const operator = await createUser(hub, "kpi-operator", "operator");
    const supervisor = await createUser(hub, "kpi-supervisor", "supervisor");
    const worker = await createUser(hub, "kpi-worker", "worker");
    for (const path of ["/api/kpi", "/api/kpi.csv"]) {
      for (const cookie of [admin, operator, supervisor])
        expect((await get(`${path}?${query}`, cookie)).status).toBe(200);
      const refused = await get(`${path}?${query}`, worker);
      expect(refused.status).toBe(403);
      expect(((await refused.json()) as { code: string }).code).toBe("AUTH_FORBIDDEN");
      expect((await get(`${path}?${query}`, null)).status).toBe(401);
    }
  });
});
