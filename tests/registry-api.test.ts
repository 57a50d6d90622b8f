/**
 * The registry API end to end over a real hub's database: grids and households
 * created, read, changed and deleted; households placed through the gazetteer
 * and the grids, or refused; paging and search.
 */
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildRegistryApp, caller, square } from "./support/registry-app.ts";
import { ALL_STAGES_DONE } from "./support/stages-done.ts";
import { startTestHub, type TestHub } from "./support/test-hub.ts";

describe("registry API", () => {
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

  const audits = (action: string, target: string) =>
    th.hub.db
      .prepare("SELECT actor, detail FROM audit_log WHERE action = ? AND target = ? ORDER BY id")
      .all(action, target) as {
      actor: string;
      detail: string | null;
    }[];

  it("creates, lists, changes and deletes a grid, auditing each write", async () => {
    const created = await call("POST", "/api/registry/grids", admin, {
      code: "T-G1",
      name: "测试网格",
      leaderName: "王芳",
      leaderPhone: "+8613500000001",
      polygon: square(120, 30, 0.01),
    });
    expect(created.statusCode).toBe(201);
    const grid = created.json();
    expect(grid).toMatchObject({ code: "T-G1", leaderPhone: "+8613500000001", polygon: { type: "Polygon" } });

    const listed = await call("GET", "/api/registry/grids?q=T-G", admin);
    expect(listed.json()).toMatchObject({ total: 1, items: [{ id: grid.id, code: "T-G1" }] });
    const all = await call("GET", "/api/registry/grids", admin);
    expect(all.json().total).toBe(5);

    const changed = await call("PATCH", `/api/registry/grids/${grid.id}`, admin, {
      name: "改名网格",
      leaderPhone: null,
    });
    expect(changed.statusCode).toBe(200);
    expect(changed.json()).toMatchObject({ name: "改名网格", leaderPhone: null, leaderName: "王芳" });
    const [update] = audits("registry_updated", `grid:${grid.id}`);
    expect(JSON.parse(update?.detail ?? "{}")).toEqual({
      changes: { name: { from: "测试网格", to: "改名网格" }, leader_phone: { from: "+8613500000001", to: null } },
    });

    expect((await call("DELETE", `/api/registry/grids/${grid.id}`, admin)).statusCode).toBe(204);
    expect((await call("GET", `/api/registry/grids/${grid.id}`, admin)).json().code).toBe("REGISTRY_NOT_FOUND");
    expect(audits("registry_created", `grid:${grid.id}`)).toEqual([
      { actor: "user:admin", detail: JSON.stringify({ code: "T-G1", name: "测试网格" }) },
    ]);
    expect(audits("registry_deleted", `grid:${grid.id}`)).toHaveLength(1);
  });

  it("places an address-only household through a gazetteer entry, whatever the spelling", async () => {
    const entry = await call("POST", "/api/registry/gazetteer", admin, {
      address: "垦利区 测试路 １２号",
      lat: 37.575,
      lng: 118.52,
      source: "survey",
    });
    expect(entry.statusCode).toBe(201);
    expect(entry.json()).toMatchObject({ address: "垦利区测试路12号", lat: 37.575, lng: 118.52 });
    const duplicate = await call("POST", "/api/registry/gazetteer", admin, {
      address: "垦利区测试路12号",
      lat: 1,
      lng: 1,
    });
    expect([duplicate.statusCode, duplicate.json().code]).toEqual([409, "REGISTRY_DUPLICATE"]);

    const created = await call("POST", "/api/registry/households", admin, {
      code: "T-H1",
      address: "垦利区测试路１２号",
      keyHolder: "邻居李四",
      accessNotes: "钥匙在门垫下；狗很友好",
      landline: "+865462001234",
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({
      code: "T-H1",
      address: "垦利区测试路12号",
      lat: 37.575,
      lng: 118.52,
      locationSource: "gazetteer",
      grid: { code: "KL-G1" },
      accessNotes: "钥匙在门垫下；狗很友好",
      landline: "+865462001234",
    });
    // The landline places a call to the center (docs/voice.md): E.164 only, changed and cleared like any field.
    const path = `/api/registry/households/${created.json().id}`;
    const local = await call("PATCH", path, admin, { landline: "0546-2001234" });
    expect([local.statusCode, local.json().code]).toEqual([400, "VALIDATION_FAILED"]);
    expect((await call("PATCH", path, admin, { landline: null })).json()).toMatchObject({ landline: null });
    // The key holder's phone, for operators to call from an alarm: E.164 only, like the landline.
    const keyHolderLocal = await call("PATCH", path, admin, { keyHolderPhone: "139-0000" });
    expect([keyHolderLocal.statusCode, keyHolderLocal.json().code]).toEqual([400, "VALIDATION_FAILED"]);
    const keyHolderPhone = await call("PATCH", path, admin, { keyHolderPhone: "+8613900000777" });
    expect(keyHolderPhone.json()).toMatchObject({ keyHolder: "邻居李四", keyHolderPhone: "+8613900000777" });

    const unknown = await call("POST", "/api/registry/households", admin, { code: "T-H2", address: "垦利区无此路1号" });
    expect([unknown.statusCode, unknown.json().code]).toEqual([422, "ADDRESS_NOT_IN_GAZETTEER"]);
    expect(unknown.json().message).toMatch(/垦利区无此路1号/);
  });

  it("refuses a household outside every grid and stores nothing", async () => {
    const before = th.hub.db.prepare("SELECT COUNT(*) AS n FROM households").get();
    const response = await call("POST", "/api/registry/households", admin, {
      code: "T-FAR",
      address: "东营区远方路1号",
      lat: 37.45,
      lng: 118.49,
    });
    expect(response.statusCode).toBe(422);
    expect(response.json()).toMatchObject({
      code: "HOUSEHOLD_OUTSIDE_GRIDS",
      message: expect.stringMatching(/outside every grid/),
    });
    expect(th.hub.db.prepare("SELECT COUNT(*) AS n FROM households").get()).toEqual(before);
  });

  it("moves a household to the grid of its new coordinates, and keeps one with history", async () => {
    const created = await call("POST", "/api/registry/households", admin, {
      code: "T-H3",
      address: "垦利区移动路3号",
      lat: 37.57,
      lng: 118.52,
    });
    const id = created.json().id;
    expect(created.json().grid.code).toBe("KL-G1");
    const moved = await call("PATCH", `/api/registry/households/${id}`, admin, { lat: 37.6, lng: 118.58 });
    expect(moved.json()).toMatchObject({ lat: 37.6, lng: 118.58, locationSource: "given", grid: { code: "KL-G4" } });
    const outside = await call("PATCH", `/api/registry/households/${id}`, admin, { lat: 38.5, lng: 118.58 });
    expect(outside.json().code).toBe("HOUSEHOLD_OUTSIDE_GRIDS");
    expect((await call("GET", `/api/registry/households/${id}`, admin)).json().lat).toBe(37.6);

    // A household an alarm points at is history: refused with a coded 409.
    th.hub.db
      .prepare(
        "INSERT INTO alarms (device_id, kind, status, received_at, household_id, stages_done) VALUES ('KL-0001', 'sos', 'resolved', ?, ?, ?)",
      )
      .run(new Date().toISOString(), id, ALL_STAGES_DONE);
    const refused = await call("DELETE", `/api/registry/households/${id}`, admin);
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ code: "REGISTRY_IN_USE", message: expect.stringMatching(/1 alarms/) });

    const seeded = await call("DELETE", "/api/registry/households/1", admin);
    expect(seeded.json()).toMatchObject({ code: "REGISTRY_IN_USE", message: expect.stringMatching(/bound devices/) });

    const spare = await call("POST", "/api/registry/households", admin, {
      code: "T-H4",
      address: "x路4号",
      lat: 37.57,
      lng: 118.52,
    });
    const resident = await call("POST", `/api/registry/households/${spare.json().id}/residents`, admin, {
      name: "赵六",
      birthDate: "1940-05-01",
      sex: "M",
    });
    expect(resident.statusCode).toBe(201);
    expect((await call("DELETE", `/api/registry/households/${spare.json().id}`, admin)).statusCode).toBe(204);
    expect(th.hub.db.prepare("SELECT COUNT(*) AS n FROM residents WHERE id = ?").get(resident.json().id)).toEqual({
      n: 0,
    });
  });

  it("pages and searches households", async () => {
    const page = await call("GET", "/api/registry/households?limit=10&offset=5", admin);
    expect(page.json().items).toHaveLength(10);
    expect(page.json()).toMatchObject({ limit: 10, offset: 5 });
    expect(page.json().total).toBeGreaterThanOrEqual(240);
    expect(page.json().items[0].code).toBe("KL-H0006");
    const search = await call("GET", "/api/registry/households?q=KL-H000", admin);
    expect(search.json().total).toBe(9);
    const percent = await call("GET", `/api/registry/households?q=${encodeURIComponent("%")}`, admin);
    expect(percent.json().total).toBe(0);
  });
});
