/**
 * Bad bodies get a 400 `VALIDATION_FAILED` whose `errors` name each wrong field
 * and say why, whether the schema caught it or the registry's own checks did
 * (open rings, ambiguous hours, unknown grid ids, dates in the future).
 */
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildRegistryApp, caller, square } from "./support/registry-app.ts";
import { startTestHub, type TestHub } from "./support/test-hub.ts";

describe("registry validation", () => {
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

  it("refuses grid outlines that are not closed rings of [lng, lat], naming the position", async () => {
    const open = square(120, 30, 0.01);
    open.coordinates[0]?.pop();
    open.coordinates[0]?.push([120.005, 30.02]);
    const cases: [unknown, string, RegExp][] = [
      [open, "body.polygon.coordinates.0", /not closed/],
      [
        {
          type: "Polygon",
          coordinates: [
            [
              [120, 30, 5],
              [121, 30],
              [121, 31],
              [120, 30, 5],
            ],
          ],
        },
        "body.polygon.coordinates.0.0",
        /\[lng, lat\]/,
      ],
      [
        {
          type: "Polygon",
          coordinates: [
            [
              [120, 30],
              [121, 95],
              [121, 31],
              [120, 30],
            ],
          ],
        },
        "body.polygon.coordinates.0.1.1",
        /latitude/,
      ],
      [
        {
          type: "Polygon",
          coordinates: [
            [
              [120, 30],
              [121, 30],
              [120, 30],
            ],
          ],
        },
        "body.polygon.coordinates.0",
        /at least 4/,
      ],
      [{ type: "Point", coordinates: [120, 30] }, "body.polygon.type", /Polygon, MultiPolygon/],
      [
        {
          type: "MultiPolygon",
          coordinates: [
            [
              [
                [1, 1],
                [2, 2],
                [3, 3],
                [1, 1],
              ],
            ],
          ],
        },
        "body.polygon.coordinates.0.0",
        /no area/,
      ],
    ];
    for (const [polygon, field, message] of cases) {
      const response = await call("POST", "/api/registry/grids", admin, { code: "T-BAD", name: "bad", polygon });
      expect(response.statusCode, JSON.stringify(polygon)).toBe(400);
      expect(response.json().code).toBe("VALIDATION_FAILED");
      expect(response.json().errors).toContainEqual({ field, message: expect.stringMatching(message) });
    }
    expect(th.hub.db.prepare("SELECT COUNT(*) AS n FROM grids WHERE code = 'T-BAD'").get()).toEqual({ n: 0 });
  });

  it("names the field and the reason for each kind of bad body", async () => {
    const cases: [string, string, object, string, RegExp][] = [
      ["POST", "/api/registry/grids", { name: "x", polygon: square(1, 1, 1) }, "body.code", /is required/],
      [
        "POST",
        "/api/registry/grids",
        { code: "A", name: "x", polygon: square(1, 1, 1), colour: "red" },
        "body.colour",
        /not a known field/,
      ],
      [
        "POST",
        "/api/registry/grids",
        { code: "has space", name: "x", polygon: square(1, 1, 1) },
        "body.code",
        /letters, digits/,
      ],
      ["POST", "/api/registry/grids", { code: "A", name: "   ", polygon: square(1, 1, 1) }, "body.name", /blank/],
      ["POST", "/api/registry/households", { code: "H", address: "x", lat: 91, lng: 1 }, "body.lat", /<= 90/],
      [
        "POST",
        "/api/registry/households",
        { code: "H", address: "x", lat: "north", lng: 1 },
        "body.lat",
        /number or must be null/,
      ],
      ["POST", "/api/registry/households", { code: "H", address: "x", lat: 37.57 }, "body.lng", /both lat and lng/],
      ["POST", "/api/registry/workers", { code: "W", name: "x", phone: "13912345678" }, "body.phone", /E\.164/],
      [
        "POST",
        "/api/registry/workers",
        { code: "W", name: "x", phone: "+8613912345678", skills: ["First Aid"] },
        "body.skills.0",
        /lower-case/,
      ],
      [
        "POST",
        "/api/registry/workers",
        { code: "W", name: "x", phone: "+8613912345678", gridId: 999 },
        "body.gridId",
        /no grid with id 999/,
      ],
      [
        "POST",
        "/api/registry/workers",
        { code: "W", name: "x", phone: "+8613912345678", position: { lat: 100, lng: 1 } },
        "body.position.lat",
        /<= 90/,
      ],
      [
        "POST",
        "/api/registry/workers",
        { code: "W", name: "x", phone: "+8613912345678", shifts: [{ days: [0], open: "08:00", close: "17:00" }] },
        "body.shifts.0.days.0",
        />= 1/,
      ],
      [
        "POST",
        "/api/registry/workers",
        { code: "W", name: "x", phone: "+8613912345678", shifts: [{ days: [1], open: "24:00", close: "17:00" }] },
        "body.shifts.0.open",
        /00:00 to 23:59/,
      ],
      [
        "POST",
        "/api/registry/workers",
        { code: "W", name: "x", phone: "+8613912345678", shifts: [{ days: [1, 1], open: "08:00", close: "17:00" }] },
        "body.shifts.0.days",
        /duplicate/,
      ],
      [
        "POST",
        "/api/registry/clinics",
        {
          code: "C",
          name: "x",
          phone: "+8605461234567",
          address: "a",
          lat: 1,
          lng: 1,
          hours: [{ days: [1], open: "08:00", close: "08:00" }],
        },
        "body.hours.0.close",
        /close equals open/,
      ],
      ["POST", "/api/registry/gazetteer", { address: "a", lat: 1 }, "body.lng", /is required/],
      ["POST", "/api/registry/devices", { id: "bad/id" }, "body.id", /letters, digits/],
      [
        "POST",
        "/api/registry/households/1/residents",
        { name: "x", birthDate: "1950-02-30", sex: "F" },
        "body.birthDate",
        /YYYY-MM-DD/,
      ],
      [
        "POST",
        "/api/registry/households/1/residents",
        { name: "x", birthDate: "1950-01-01", sex: "female" },
        "body.sex",
        /one of: F, M, X/,
      ],
      [
        "POST",
        "/api/registry/households/1/residents",
        { name: "x", birthDate: "2999-01-01", sex: "F" },
        "body.birthDate",
        /future/,
      ],
      [
        "POST",
        "/api/registry/households/1/residents",
        {
          name: "x",
          birthDate: "1950-01-01",
          sex: "F",
          consent: { givenBy: "x", relation: "self", at: "yesterday", method: "written" },
        },
        "body.consent.at",
        /ISO 8601/,
      ],
      [
        "POST",
        "/api/registry/residents/1/relatives",
        { name: "x", relation: "son", phone: "+86139" },
        "body.phone",
        /E\.164/,
      ],
      [
        "POST",
        "/api/registry/residents/1/relatives",
        { name: "x", relation: "son", phone: "+8613912345678", language: "fr" },
        "body.language",
        /zh-CN, en/,
      ],
      ["GET", "/api/registry/households?limit=0", {}, "querystring.limit", />= 1/],
    ];
    for (const [method, url, payload, field, message] of cases) {
      const response = await call(method as "GET" | "POST", url, admin, method === "GET" ? undefined : payload);
      expect(response.statusCode, `${url} ${JSON.stringify(payload)}`).toBe(400);
      expect(response.json().code).toBe("VALIDATION_FAILED");
      expect(response.json().errors, `${url} ${JSON.stringify(payload)}`).toContainEqual({
        field,
        message: expect.stringMatching(message),
      });
    }
  });
});
