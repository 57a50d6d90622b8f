/**
 * Round trips for residents, relatives (an ordered list whose priorities stay
 * 1..n), workers, clinics and gazetteer entries; grids whose new outline moves
 * or strands households; and the OpenAPI description of the registry.
 */
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildRegistryApp, caller, square } from "./support/registry-app.ts";
import { ALL_STAGES_DONE } from "./support/stages-done.ts";
import { startTestHub, type TestHub } from "./support/test-hub.ts";

describe("registry records", () => {
  let th: TestHub;
  let app: FastifyInstance;
  let call: ReturnType<typeof caller>;
  let admin: string;

  beforeAll(async () => {
    th = await startTestHub({ twilio: false });
    app = await buildRegistryApp(th);
    call = caller(app);
    admin = await th.login();
  });
  afterAll(async () => {
    await app?.close();
    await th?.stop();
  });

  it("keeps a resident's relatives an ordered list with priorities 1..n", async () => {
    const household = await call("POST", "/api/registry/households", admin, {
      code: "R-H1",
      address: "垦利区亲属路1号",
      lat: 37.6,
      lng: 118.52,
    });
    const resident = await call("POST", `/api/registry/households/${household.json().id}/residents`, admin, {
      name: "周八",
      birthDate: "1941-07-08",
      sex: "M",
      phone: "+8605461234567",
      language: "zh-CN",
    });
    expect(resident.json()).toMatchObject({ name: "周八", relatives: [], consent: null, healthRedacted: true });
    const rid = resident.json().id;
    const add = async (name: string, extra: object = {}) =>
      (
        await call("POST", `/api/registry/residents/${rid}/relatives`, admin, {
          name,
          relation: "子女",
          phone: "+8613900000001",
          ...extra,
        })
      ).json();
    const a = await add("甲");
    const b = await add("乙", { language: "en" });
    const c = await add("丙", { priority: 1 });
    expect([a.priority, b.priority, c.priority]).toEqual([1, 2, 1]);
    const order = async () =>
      (await call("GET", `/api/registry/residents/${rid}/relatives`, admin))
        .json()
        .items.map((r: { name: string; priority: number }) => `${r.priority}${r.name}`);
    expect(await order()).toEqual(["1丙", "2甲", "3乙"]);

    const moved = await call("PATCH", `/api/registry/relatives/${c.id}`, admin, {
      priority: 3,
      phone: "+8613900000009",
    });
    expect(moved.json()).toMatchObject({ priority: 3, phone: "+8613900000009" });
    expect(await order()).toEqual(["1甲", "2乙", "3丙"]);
    const tooFar = await call("PATCH", `/api/registry/relatives/${c.id}`, admin, { priority: 4 });
    expect(tooFar.json().errors).toEqual([{ field: "body.priority", message: "must be between 1 and 3" }]);

    const reordered = await call("PUT", `/api/registry/residents/${rid}/relatives/order`, admin, {
      relativeIds: [b.id, c.id, a.id],
    });
    expect(reordered.json().items.map((r: { id: number; priority: number }) => [r.id, r.priority])).toEqual([
      [b.id, 1],
      [c.id, 2],
      [a.id, 3],
    ]);
    const incomplete = await call("PUT", `/api/registry/residents/${rid}/relatives/order`, admin, {
      relativeIds: [b.id, c.id],
    });
    expect(incomplete.json().errors).toEqual([
      { field: "body.relativeIds", message: `must list every relative; missing ${a.id}` },
    ]);
    const foreign = await call("PUT", `/api/registry/residents/${rid}/relatives/order`, admin, {
      relativeIds: [b.id, c.id, a.id, 1],
    });
    expect(foreign.json().errors[0].message).toMatch(/1 is not a relative of resident/);

    expect((await call("DELETE", `/api/registry/relatives/${c.id}`, admin)).statusCode).toBe(204);
    expect(await order()).toEqual(["1乙", "2甲"]);

    const renamed = await call("PATCH", `/api/registry/residents/${rid}`, admin, { name: "周老八", phone: null });
    expect(renamed.json()).toMatchObject({ name: "周老八", phone: null, relatives: [{ name: "乙" }, { name: "甲" }] });
    const found = await call("GET", `/api/registry/residents?q=${encodeURIComponent("周老八")}`, admin);
    expect(found.json()).toMatchObject({ total: 1, items: [{ id: rid, householdCode: "R-H1", hasConsent: false }] });

    th.hub.db
      .prepare(
        "INSERT INTO alarms (device_id, kind, status, received_at, resident_id, stages_done) VALUES ('KL-0001', 'sos', 'resolved', ?, ?, ?)",
      )
      .run(new Date().toISOString(), rid, ALL_STAGES_DONE);
    const kept = await call("DELETE", `/api/registry/residents/${rid}`, admin);
    expect([kept.statusCode, kept.json().code]).toEqual([409, "REGISTRY_IN_USE"]);
  });

  it("creates, changes and deletes a worker; dispatch's registry version moves", async () => {
    const version = () =>
      (th.hub.db.prepare("SELECT value FROM meta WHERE key = 'registry_version'").get() as { value: number }).value;
    const v0 = version();
    const created = await call("POST", "/api/registry/workers", admin, {
      code: "R-W1",
      name: "吴九",
      phone: "+8613700000099",
      gridId: 1,
      skills: ["first_aid", "elder_care"],
      shifts: [{ days: [5, 1, 2], open: "22:00", close: "06:00" }],
      onDuty: true,
      position: { lat: 37.58, lng: 118.53 },
    });
    expect(created.statusCode).toBe(201);
    const worker = created.json();
    expect(worker).toMatchObject({
      code: "R-W1",
      grid: { id: 1, code: "KL-G1" },
      skills: ["first_aid", "elder_care"],
      shifts: [{ days: [1, 2, 5], open: "22:00", close: "06:00" }],
      onDuty: true,
      position: { lat: 37.58, lng: 118.53, at: expect.any(String) },
    });
    expect(version()).toBeGreaterThan(v0);

    const placed = await call("PATCH", `/api/registry/workers/${worker.id}`, admin, {
      position: { lat: 37.581, lng: 118.531, at: "2026-01-05T09:30:00+08:00" },
    });
    expect(placed.json().position).toEqual({ lat: 37.581, lng: 118.531, at: "2026-01-05T01:30:00.000Z" });
    const off = await call("PATCH", `/api/registry/workers/${worker.id}`, admin, {
      onDuty: false,
      position: null,
      gridId: null,
    });
    expect(off.json()).toMatchObject({ onDuty: false, position: null, grid: null });
    const onDutyList = await call("GET", "/api/registry/workers?onDuty=true&q=R-W", admin);
    expect(onDutyList.json().total).toBe(0);
    const duplicate = await call("POST", "/api/registry/workers", admin, {
      code: "R-W1",
      name: "x",
      phone: "+8613700000001",
    });
    expect([duplicate.statusCode, duplicate.json().code]).toEqual([409, "REGISTRY_DUPLICATE"]);
    expect((await call("DELETE", `/api/registry/workers/${worker.id}`, admin)).statusCode).toBe(204);
    expect((await call("GET", `/api/registry/workers/${worker.id}`, admin)).statusCode).toBe(404);

    th.hub.db
      .prepare(
        "INSERT INTO alarms (device_id, kind, status, received_at, worker_id, stages_done) VALUES ('KL-0002', 'sos', 'resolved', ?, 2, ?)",
      )
      .run(new Date().toISOString(), ALL_STAGES_DONE);
    const sent = await call("DELETE", "/api/registry/workers/2", admin);
    expect(sent.json()).toMatchObject({ code: "REGISTRY_IN_USE", message: expect.stringMatching(/onDuty to false/) });
  });

  it("creates a clinic from a gazetteer address with hours past midnight and to 24:00", async () => {
    const entry = await call("POST", "/api/registry/gazetteer", admin, {
      address: "垦利区医院路8号",
      lat: 37.59,
      lng: 118.56,
    });
    const created = await call("POST", "/api/registry/clinics", admin, {
      code: "R-C1",
      name: "夜间诊所",
      phone: "+8605467000000",
      address: "垦利区 医院路 ８号",
      capabilities: ["24h", "emergency"],
      hours: [
        { days: [1, 2, 3, 4, 5], open: "20:00", close: "08:00" },
        { days: [6, 7], open: "00:00", close: "24:00" },
      ],
    });
    expect(created.statusCode).toBe(201);
    const clinic = created.json();
    expect(clinic).toMatchObject({
      address: "垦利区医院路8号",
      lat: 37.59,
      lng: 118.56,
      capabilities: ["24h", "emergency"],
    });
    expect(clinic.hours).toHaveLength(2);
    const moved = await call("PATCH", `/api/registry/clinics/${clinic.id}`, admin, {
      lat: 37.6,
      lng: 118.57,
      hours: [],
    });
    expect(moved.json()).toMatchObject({ lat: 37.6, lng: 118.57, hours: [] });
    const listed = await call("GET", `/api/registry/clinics?q=${encodeURIComponent("夜间")}`, admin);
    expect(listed.json()).toMatchObject({ total: 1, items: [{ code: "R-C1" }] });
    expect((await call("DELETE", `/api/registry/clinics/${clinic.id}`, admin)).statusCode).toBe(204);

    // Gazetteer entries change and go; households placed from them keep their coordinates.
    const changed = await call("PATCH", `/api/registry/gazetteer/${entry.json().id}`, admin, {
      lat: 37.591,
      source: "resurvey",
    });
    expect(changed.json()).toMatchObject({ lat: 37.591, lng: 118.56, source: "resurvey" });
    expect((await call("DELETE", `/api/registry/gazetteer/${entry.json().id}`, admin)).statusCode).toBe(204);
    expect((await call("GET", `/api/registry/gazetteer/${entry.json().id}`, admin)).json().code).toBe(
      "REGISTRY_NOT_FOUND",
    );
  });

  it("moves households a grid's new outline leaves to the grid that contains them, or refuses", async () => {
    const east = await call("POST", "/api/registry/grids", admin, {
      code: "R-EAST",
      name: "东",
      polygon: square(119, 37, 0.1),
    });
    const overlap = await call("POST", "/api/registry/grids", admin, {
      code: "R-OVER",
      name: "叠",
      polygon: square(119.05, 37, 0.1),
    });
    const household = await call("POST", "/api/registry/households", admin, {
      code: "R-H9",
      address: "东路9号",
      lat: 37.05,
      lng: 119.07,
    });
    expect(household.json().grid.code).toBe("R-EAST");
    const stranding = await call("PATCH", `/api/registry/grids/${east.json().id}`, admin, {
      polygon: square(119, 37, 0.01),
    });
    // Still inside R-OVER: the household moves there and the change is allowed.
    expect(stranding.statusCode).toBe(200);
    expect((await call("GET", `/api/registry/households/${household.json().id}`, admin)).json().grid.code).toBe(
      "R-OVER",
    );
    const audit = th.hub.db
      .prepare("SELECT detail FROM audit_log WHERE action = 'registry_updated' AND target = ?")
      .get(`grid:${east.json().id}`) as { detail: string };
    expect(JSON.parse(audit.detail)).toEqual({
      changes: { polygon: { changed: true } },
      householdsMoved: [{ code: "R-H9", grid: "R-OVER" }],
    });

    const refused = await call("PATCH", `/api/registry/grids/${overlap.json().id}`, admin, {
      polygon: square(119.5, 37, 0.1),
    });
    expect(refused.statusCode).toBe(422);
    expect(refused.json()).toMatchObject({ code: "HOUSEHOLD_OUTSIDE_GRIDS", message: expect.stringMatching(/R-H9/) });
    expect((await call("GET", `/api/registry/grids/${overlap.json().id}`, admin)).json().polygon).toEqual(
      square(119.05, 37, 0.1),
    );
    const inUse = await call("DELETE", `/api/registry/grids/${overlap.json().id}`, admin);
    expect(inUse.json()).toMatchObject({ code: "REGISTRY_IN_USE", message: expect.stringMatching(/1 households/) });
  });

  it("describes every registry route in the OpenAPI document", async () => {
    const paths = Object.keys((app.swagger() as { paths: Record<string, unknown> }).paths);
    expect(paths).toEqual(
      expect.arrayContaining([
        "/api/registry/households/{id}",
        "/api/registry/households/{id}/residents",
        "/api/registry/residents/{id}/relatives/order",
        "/api/registry/devices/{id}/rotate",
        "/api/registry/devices/{id}/revoke",
        "/api/registry/workers",
        "/api/registry/clinics/{id}",
        "/api/registry/gazetteer",
        "/api/registry/grids/{id}",
      ]),
    );
  });
});
