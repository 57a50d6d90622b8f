/**
 * Who may do what in the registry: admin writes; operators and supervisors
 * read; community workers and anonymous callers get nothing. Residents' health
 * data reaches only the command center, and each showing is audited.
 */
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildRegistryApp, caller, createUser } from "./support/registry-app.ts";
import { startTestHub, type TestHub } from "./support/test-hub.ts";

describe("registry access", () => {
  let th: TestHub;
  let app: FastifyInstance;
  let call: ReturnType<typeof caller>;
  const cookies: Record<"admin" | "operator" | "supervisor" | "worker", string> = {
    admin: "",
    operator: "",
    supervisor: "",
    worker: "",
  };

  beforeAll(async () => {
    th = await startTestHub({ twilio: false });
    app = await buildRegistryApp(th);
    call = caller(app);
    cookies.admin = await th.login();
    cookies.operator = await createUser(th, "op1", "operator");
    cookies.supervisor = await createUser(th, "sup1", "supervisor");
    cookies.worker = await createUser(th, "wk1", "worker");
  });
  afterAll(async () => {
    await app?.close();
    await th?.stop();
  });

  const reads = [
    "/api/registry/grids",
    "/api/registry/grids/1",
    "/api/registry/gazetteer",
    "/api/registry/households",
    "/api/registry/households/1",
    "/api/registry/residents",
    "/api/registry/residents/1",
    "/api/registry/residents/1/relatives",
    "/api/registry/relatives/1",
    "/api/registry/devices",
    "/api/registry/devices/KL-0001",
    "/api/registry/workers",
    "/api/registry/workers/1",
    "/api/registry/clinics",
    "/api/registry/clinics/1",
  ];
  const writes: ["POST" | "PATCH" | "PUT" | "DELETE", string][] = [
    ["POST", "/api/registry/grids"],
    ["PATCH", "/api/registry/grids/1"],
    ["DELETE", "/api/registry/grids/1"],
    ["POST", "/api/registry/gazetteer"],
    ["POST", "/api/registry/households"],
    ["PATCH", "/api/registry/households/1"],
    ["DELETE", "/api/registry/households/1"],
    ["POST", "/api/registry/households/1/residents"],
    ["PATCH", "/api/registry/residents/1"],
    ["DELETE", "/api/registry/residents/1"],
    ["POST", "/api/registry/residents/1/relatives"],
    ["PUT", "/api/registry/residents/1/relatives/order"],
    ["PATCH", "/api/registry/relatives/1"],
    ["DELETE", "/api/registry/relatives/1"],
    ["POST", "/api/registry/devices"],
    ["PATCH", "/api/registry/devices/KL-0001"],
    ["POST", "/api/registry/devices/KL-0001/rotate"],
    ["POST", "/api/registry/devices/KL-0001/revoke"],
    ["DELETE", "/api/registry/devices/KL-0001"],
    ["POST", "/api/registry/workers"],
    ["PATCH", "/api/registry/workers/1"],
    ["DELETE", "/api/registry/workers/1"],
    ["POST", "/api/registry/clinics"],
    ["PATCH", "/api/registry/clinics/1"],
    ["DELETE", "/api/registry/clinics/1"],
  ];
  const statusOf = async (method: "GET" | "POST" | "PATCH" | "PUT" | "DELETE", url: string, cookie: string | null) => {
    // Bodies are deliberately invalid: a refusal must come before validation, so it can never leak a 400.
    const response = await call(method, url, cookie, method === "GET" || method === "DELETE" ? undefined : {});
    return { url: `${method} ${url}`, status: response.statusCode, code: response.json().code };
  };

  it("answers 401 to anonymous callers and 403 to community workers, on every route", async () => {
    for (const [method, url] of [...reads.map((url) => ["GET", url] as const), ...writes]) {
      expect(await statusOf(method, url, null)).toEqual({
        url: `${method} ${url}`,
        status: 401,
        code: "AUTH_REQUIRED",
      });
      expect(await statusOf(method, url, cookies.worker)).toEqual({
        url: `${method} ${url}`,
        status: 403,
        code: "AUTH_FORBIDDEN",
      });
    }
  });

  it("lets operators and supervisors read but not write", async () => {
    for (const role of ["operator", "supervisor"] as const) {
      for (const url of reads) {
        expect((await statusOf("GET", url, cookies[role])).status, `${role} GET ${url}`).toBe(200);
      }
      for (const [method, url] of writes) {
        expect(await statusOf(method, url, cookies[role])).toEqual({
          url: `${method} ${url}`,
          status: 403,
          code: "AUTH_FORBIDDEN",
        });
      }
    }
    // Nothing was changed by the refused writes.
    expect((await call("GET", "/api/registry/devices/KL-0001", cookies.admin)).json().status).toBe("active");
    expect(
      th.hub.db
        .prepare("SELECT COUNT(*) AS n FROM audit_log WHERE action LIKE 'registry_%' OR action LIKE 'device_%'")
        .get(),
    ).toEqual({ n: 0 });
  });

  it("lets admin write health data with consent but shows it to admin redacted", async () => {
    const withoutConsent = await call("POST", "/api/registry/households/2/residents", cookies.admin, {
      name: "孙七",
      birthDate: "1938-03-04",
      sex: "F",
      medications: "华法林",
    });
    expect(withoutConsent.statusCode).toBe(422);
    expect(withoutConsent.json()).toMatchObject({
      code: "HEALTH_CONSENT_REQUIRED",
      message: expect.stringMatching(/medications/),
    });

    const created = await call("POST", "/api/registry/households/2/residents", cookies.admin, {
      name: "孙七",
      birthDate: "1938-03-04",
      sex: "F",
      conditions: "房颤",
      medications: "华法林",
      allergies: "磺胺",
      mobility: "需助行器",
      consent: {
        givenBy: "孙七",
        relation: "self",
        at: "2026-01-05T09:30:00+08:00",
        method: "written",
        note: "签字表存档",
      },
    });
    expect(created.statusCode).toBe(201);
    const resident = created.json();
    expect(resident).toMatchObject({
      conditions: null,
      medications: null,
      allergies: null,
      mobility: null,
      healthRedacted: true,
      consent: { givenBy: "孙七", method: "written", recordedBy: "admin" },
    });
    const stored = th.hub.db.prepare("SELECT medications FROM residents WHERE id = ?").get(resident.id);
    expect(stored).toEqual({ medications: "华法林" });
    // The write is audited, naming the health fields but never copying their values.
    const audit = th.hub.db
      .prepare("SELECT detail FROM audit_log WHERE action = 'registry_created' AND target = ?")
      .get(`resident:${resident.id}`) as { detail: string };
    expect(JSON.parse(audit.detail)).toMatchObject({
      healthFields: ["conditions", "medications", "allergies", "mobility"],
    });
    expect(audit.detail).not.toContain("华法林");

    const healthViews = () =>
      th.hub.db.prepare("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'health_data_viewed'").get();
    const viewsBefore = healthViews();
    const adminView = await call("GET", `/api/registry/residents/${resident.id}`, cookies.admin);
    expect(adminView.json()).toMatchObject({ medications: null, healthRedacted: true });
    const adminHousehold = await call("GET", "/api/registry/households/2", cookies.admin);
    expect(adminHousehold.json().residents.every((r: { healthRedacted: boolean }) => r.healthRedacted)).toBe(true);
    expect(healthViews()).toEqual(viewsBefore);

    const changed = await call("PATCH", `/api/registry/residents/${resident.id}`, cookies.admin, {
      medications: "利伐沙班",
    });
    expect(changed.statusCode).toBe(200);
    const update = th.hub.db
      .prepare("SELECT detail FROM audit_log WHERE action = 'registry_updated' AND target = ?")
      .get(`resident:${resident.id}`) as { detail: string };
    expect(JSON.parse(update.detail)).toEqual({ changes: { medications: { changed: true } } });

    const withdrawn = await call("PATCH", `/api/registry/residents/${resident.id}`, cookies.admin, { consent: null });
    expect(withdrawn.json().code).toBe("HEALTH_CONSENT_REQUIRED");
    const cleared = await call("PATCH", `/api/registry/residents/${resident.id}`, cookies.admin, {
      consent: null,
      conditions: null,
      medications: null,
      allergies: null,
      mobility: null,
    });
    expect(cleared.json()).toMatchObject({ consent: null });
    expect(th.hub.db.prepare("SELECT medications, consent FROM residents WHERE id = ?").get(resident.id)).toEqual({
      medications: null,
      consent: null,
    });
  });

  it("shows health data to the command center and audits every response that carries it", async () => {
    const viewed = () =>
      th.hub.db
        .prepare("SELECT actor, target FROM audit_log WHERE action = 'health_data_viewed' ORDER BY id")
        .all() as { actor: string; target: string }[];
    const before = viewed().length;
    const seeded = th.hub.db.prepare("SELECT medications FROM residents WHERE id = 1").get() as { medications: string };

    const operatorView = await call("GET", "/api/registry/residents/1", cookies.operator);
    expect(operatorView.json()).toMatchObject({ medications: seeded.medications, healthRedacted: false });
    expect(operatorView.headers["cache-control"]).toBe("no-store");
    await call("GET", "/api/registry/residents/1", cookies.operator);
    await call("GET", "/api/registry/residents/1", cookies.supervisor);
    expect(viewed().slice(before)).toEqual([
      { actor: "user:op1", target: "resident:1" },
      { actor: "user:op1", target: "resident:1" },
      { actor: "user:sup1", target: "resident:1" },
    ]);

    const household = await call("GET", "/api/registry/households/2", cookies.operator);
    const residentIds = household.json().residents.map((r: { id: number }) => r.id) as number[];
    expect(residentIds.length).toBeGreaterThanOrEqual(2);
    expect(household.json().residents.every((r: { healthRedacted: boolean }) => !r.healthRedacted)).toBe(true);
    expect(viewed().slice(before + 3)).toEqual(
      residentIds.map((id) => ({ actor: "user:op1", target: `resident:${id}` })),
    );

    // Lists carry no health data, so reading one writes no health audit row.
    const list = await call("GET", "/api/registry/residents?householdId=2", cookies.operator);
    expect(list.json().items[0]).not.toHaveProperty("medications");
    expect(viewed()).toHaveLength(before + 3 + residentIds.length);
  });
});
