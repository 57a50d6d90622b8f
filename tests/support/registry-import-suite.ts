/**
 * Bulk import and export on each engine (SQLite in tests/registry-import.test.ts,
 * PostgreSQL in tests/postgres/registry-import.test.ts): good files of every
 * kind go in and come back out unchanged, addresses resolve through the
 * gazetteer, grids come from point in polygon, and the modes write exactly what
 * they promise. What differs between the engines is checked here too: text
 * order (an export sorts by code point, not by the database's collation), new
 * residents' ids (RETURNING id), the registry_version triggers.
 */
import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { hashDeviceSecret } from "../../hub/accounts/device-secret.ts";
import { exportRegistry } from "../../hub/registry/export/run-export.ts";
import type { SqlDatabase } from "../../hub/storage/sql/sql-port.ts";
import {
  CLINICS_CSV,
  districtPerTest,
  GAZETTEER_CSV,
  GRIDS_GEOJSON,
  HOUSEHOLDS_CSV,
  importText,
  type OpenRegistryDatabase,
  tableCounts,
  WORKERS_CSV,
} from "./registry-fixtures.ts";

const exported = async (
  sql: SqlDatabase,
  kind: Parameters<typeof exportRegistry>[1]["kind"],
  format: "csv" | "json" = "csv",
) => (await exportRegistry(sql, { kind, format, actor: "test" })).text;

export function describeRegistryImport(name: string, open: OpenRegistryDatabase): void {
  describe(`registry import and export on ${name}`, () => {
    const district = districtPerTest(open);

    describe("bulk import of good files", async () => {
      it("imports each kind from CSV and exports exactly the same file back", async () => {
        const { sql, dir } = await district();
        for (const [kind, text] of [
          ["households", HOUSEHOLDS_CSV],
          ["workers", WORKERS_CSV],
          ["clinics", CLINICS_CSV],
        ] as const) {
          const report = await importText(sql, dir, { kind, text });
          expect(report, kind).toMatchObject({ rejected: 0, written: true });
          expect(await exported(sql, kind), kind).toBe(text);
        }
        expect(await exported(sql, "gazetteer")).toBe(GAZETTEER_CSV);
        expect(JSON.parse(await exported(sql, "grids", "json"))).toEqual(JSON.parse(GRIDS_GEOJSON));
        // The key holder's phone and the landline are stored where the console and a call look for them.
        expect(await sql.get("SELECT key_holder_phone, landline FROM households WHERE code = 'H001'")).toEqual({
          key_holder_phone: "+8613900000777",
          landline: "+865462000101",
        });
        expect(await tableCounts(sql)).toMatchObject({
          households: 3,
          residents: 4,
          relatives: 4,
          devices: 3,
          workers: 3,
          clinics: 2,
        });
      });

      it("places households: given points and gazetteer addresses, grid by point in polygon", async () => {
        const { sql, dir } = await district();
        await importText(sql, dir, { kind: "households", text: HOUSEHOLDS_CSV });
        const rows = await sql.all(
          "SELECT h.code, h.lat, h.lng, h.location_source, g.code AS grid FROM households h JOIN grids g ON g.id = h.grid_id ORDER BY h.code",
        );
        expect(rows).toEqual([
          // The gazetteer entry for 垦利区胜兴路12号 is at (37.58, 118.52), inside G1.
          { code: "H001", lat: 37.58, lng: 118.52, location_source: "gazetteer", grid: "G1" },
          { code: "H002", lat: 37.56, lng: 118.57, location_source: "given", grid: "G2" },
          { code: "H003", lat: 37.551, lng: 118.501, location_source: "given", grid: "G1" },
        ]);
        // The couple: the first line is the primary resident; relatives keep the file's order.
        const residents = await sql.all(
          "SELECT name FROM residents r JOIN households h ON h.id = r.household_id WHERE h.code = 'H002' ORDER BY r.id",
        );
        expect(residents).toEqual([{ name: "李建国" }, { name: "王玉兰" }]);
        const relatives = await sql.all(
          "SELECT priority, name, language FROM relatives ORDER BY resident_id, priority",
        );
        expect(relatives.slice(0, 2)).toEqual([
          { priority: 1, name: "张伟", language: "zh-CN" },
          { priority: 2, name: "张静", language: "en" },
        ]);
      });

      it("round-trips JSON: import, export, import again changes nothing", async () => {
        const { sql, dir } = await district();
        for (const kind of ["households", "workers", "clinics", "gazetteer"] as const) {
          const text =
            kind === "gazetteer"
              ? GAZETTEER_CSV
              : { households: HOUSEHOLDS_CSV, workers: WORKERS_CSV, clinics: CLINICS_CSV }[kind];
          await importText(sql, dir, { kind, text });
          const json = await exported(sql, kind, "json");
          const again = await importText(sql, dir, { kind, text: json, format: "json" });
          expect(again, kind).toMatchObject({ rejected: 0, created: 0, written: true });
          expect(await exported(sql, kind, "json"), kind).toBe(json);
          expect(await exported(sql, kind, "csv"), kind).toBe(text);
        }
        const grids = await exported(sql, "grids", "json");
        expect(await importText(sql, dir, { kind: "grids", text: grids })).toMatchObject({ created: 0, updated: 2 });
        expect(await exported(sql, "grids", "json")).toBe(grids);
      });

      it("upserts by code: residents keep their ids, relatives are replaced, nothing is duplicated", async () => {
        const { sql, dir } = await district();
        await importText(sql, dir, { kind: "households", text: HOUSEHOLDS_CSV });
        const before = await sql.all<{ id: number; name: string }>("SELECT id, name FROM residents ORDER BY id");
        const edited = HOUSEHOLDS_CSV.replace("张秀英,1941-03-05", "张秀英,1941-03-06").replace(
          "+8613900000002,en",
          "+8613900000009,en",
        );
        const report = await importText(sql, dir, { kind: "households", text: edited });
        expect(report).toMatchObject({ created: 0, updated: 3, devicesCreated: 0 });
        expect(await sql.all("SELECT id, name FROM residents ORDER BY id")).toEqual(before);
        expect(await sql.get("SELECT birth_date FROM residents WHERE name = '张秀英'")).toEqual({
          birth_date: "1941-03-06",
        });
        expect(await sql.all("SELECT phone FROM relatives WHERE name = '张静'")).toEqual([{ phone: "+8613900000009" }]);
        expect(await tableCounts(sql)).toMatchObject({ households: 3, residents: 4, relatives: 4, devices: 3 });
      });

      it("provisions new buttons: secrets go to the credentials file, only their hashes to the database", async () => {
        const { sql, dir } = await district();
        const report = await importText(sql, dir, { kind: "households", text: HOUSEHOLDS_CSV });
        expect(report.devicesCreated).toBe(3);
        expect(report.credentialsFile).not.toBeNull();
        const file = report.credentialsFile ?? "";
        expect(fs.statSync(file).mode & 0o777).toBe(0o600);
        expect(fs.existsSync(`${file}.pending`)).toBe(false);
        const { devices } = JSON.parse(fs.readFileSync(file, "utf8")) as {
          devices: { deviceId: string; secret: string }[];
        };
        expect(devices.map((d) => d.deviceId).sort()).toEqual(["KL-9001", "KL-9003", "KL-9004"]);
        for (const device of devices) {
          const stored = await sql.get("SELECT secret_hash, status FROM devices WHERE id = ?", [device.deviceId]);
          expect(stored).toEqual({ secret_hash: hashDeviceSecret(device.secret), status: "active" });
          expect(JSON.stringify(await sql.all("SELECT * FROM devices"))).not.toContain(device.secret);
        }
      });

      it("writes one audit row per import and per export, with the counts", async () => {
        const { sql, dir } = await district();
        await importText(sql, dir, { kind: "households", text: HOUSEHOLDS_CSV });
        await exported(sql, "households");
        const audit = await sql.all<{ actor: string; action: string; detail: string }>(
          "SELECT actor, action, target, detail FROM audit_log WHERE target = 'households' ORDER BY id",
        );
        expect(audit.map((row) => [row.actor, row.action])).toEqual([
          ["test", "registry_imported"],
          ["test", "registry_exported"],
        ]);
        expect(JSON.parse(audit[0]?.detail ?? "{}")).toMatchObject({
          created: 3,
          updated: 0,
          rejected: 0,
          devicesCreated: 3,
        });
        expect(JSON.parse(audit[1]?.detail ?? "{}")).toMatchObject({ kind: "households", rows: 3 });
      });

      it("places a clinic without coordinates through the gazetteer", async () => {
        const { sql, dir } = await district();
        const text = CLINICS_CSV.replace("垦利区黄河路8号,37.57,118.58", "垦利区 黄河路 ８号,,");
        expect(await importText(sql, dir, { kind: "clinics", text })).toMatchObject({ rejected: 0, written: true });
        expect(await sql.get("SELECT lat, lng FROM clinics WHERE code = 'C1'")).toEqual({ lat: 37.57, lng: 118.58 });
      });
    });

    describe("modes", async () => {
      const oneBad = HOUSEHOLDS_CSV.replace("1938-11-20", "1938-13-20");

      it("refuses the whole file by default when one row is bad, and writes nothing", async () => {
        const { sql, dir } = await district();
        const before = await tableCounts(sql);
        const report = await importText(sql, dir, { kind: "households", text: oneBad });
        expect(report).toMatchObject({
          mode: "all-or-nothing",
          rows: 3,
          accepted: 2,
          rejected: 1,
          written: false,
          credentialsFile: null,
        });
        expect(report.summary).toMatch(/nothing was written/);
        expect(await tableCounts(sql)).toEqual(before);
        expect(fs.readdirSync(dir).filter((name) => name.startsWith("credentials"))).toEqual([]);
      });

      it("writes the good rows with allowPartial, and reports the bad one", async () => {
        const { sql, dir } = await district();
        const report = await importText(sql, dir, { kind: "households", text: oneBad, allowPartial: true });
        expect(report).toMatchObject({ mode: "partial", accepted: 2, rejected: 1, written: true });
        expect(report.issues).toMatchObject([{ line: 3, column: "birth_date", code: "BAD_DATE", key: "H002" }]);
        expect(await sql.all("SELECT code FROM households ORDER BY code")).toEqual([
          { code: "H001" },
          { code: "H003" },
        ]);
      });

      it("a dry run checks and places everything and writes nothing, not even the audit log", async () => {
        const { sql, dir } = await district();
        const before = await tableCounts(sql);
        const report = await importText(sql, dir, { kind: "households", text: HOUSEHOLDS_CSV, dryRun: true });
        expect(report).toMatchObject({
          mode: "dry-run",
          rows: 3,
          accepted: 3,
          created: 3,
          devicesCreated: 3,
          written: false,
        });
        expect(await tableCounts(sql)).toEqual(before);
        const bad = await importText(sql, dir, {
          kind: "workers",
          text: WORKERS_CSV.replace("G2", "G9"),
          dryRun: true,
        });
        expect(bad.issues).toMatchObject([{ line: 3, column: "grid_code", code: "UNKNOWN_GRID" }]);
        expect(await tableCounts(sql)).toEqual(before);
      });
    });

    describe("places", async () => {
      it("refuses an address the gazetteer does not know, and a point outside every grid", async () => {
        const { sql, dir } = await district();
        const text = HOUSEHOLDS_CSV.replace("垦利区胜兴路12号,,", "垦利区无名路1号,,").replace(
          "37.551,118.501",
          "37.7,118.501",
        );
        const report = await importText(sql, dir, { kind: "households", text });
        expect(report.issues).toMatchObject([
          { line: 2, column: "address", columnNumber: 2, code: "ADDRESS_NOT_IN_GAZETTEER", key: "H001" },
          { line: 5, column: "lat", columnNumber: 3, code: "OUTSIDE_ALL_GRIDS", key: "H003" },
        ]);
        expect(report.issues[1]?.reason).toMatch(/outside every grid/);
      });

      it("says to import the grids first when there are none", async () => {
        const { sql, dir } = await district({ places: false });
        const report = await importText(sql, dir, { kind: "households", text: HOUSEHOLDS_CSV });
        expect(report.issues.find((issue) => issue.key === "H002")?.reason).toMatch(
          /no grids yet: import the grids first/,
        );
      });

      it("a new grid outline moves households, and warns about those it leaves outside", async () => {
        const { sql, dir } = await district();
        await importText(sql, dir, { kind: "households", text: HOUSEHOLDS_CSV });
        // G2 shrinks to its northern half: H002 at 37.56 falls out of every grid.
        const shrunk = GRIDS_GEOJSON.replace(/\[\s*118\.55,\s*37\.55\s*\]/g, "[118.55, 37.58]").replace(
          /\[\s*118\.6,\s*37\.55\s*\]/g,
          "[118.6, 37.58]",
        );
        const dry = await importText(sql, dir, { kind: "grids", text: shrunk, dryRun: true });
        expect(dry.warnings).toMatchObject([{ key: "H002", code: "HOUSEHOLD_NOW_OUTSIDE_GRIDS" }]);
        await importText(sql, dir, { kind: "grids", text: shrunk });
        expect(await sql.get("SELECT grid_id FROM households WHERE code = 'H002'")).toEqual({ grid_id: null });
      });

      it("a corrected gazetteer point moves the households placed through it", async () => {
        const { sql, dir } = await district();
        await importText(sql, dir, { kind: "households", text: HOUSEHOLDS_CSV });
        const corrected = GAZETTEER_CSV.replace("垦利区胜兴路12号,37.58,118.52", "垦利区胜兴路12号,37.58,118.57");
        const report = await importText(sql, dir, { kind: "gazetteer", text: corrected });
        expect(report.warnings).toMatchObject([{ key: "H001", code: "HOUSEHOLD_MOVED" }]);
        const moved = await sql.all(
          "SELECT h.code, h.lat, h.lng, g.code AS grid FROM households h JOIN grids g ON g.id = h.grid_id WHERE h.code IN ('H001', 'H002') ORDER BY h.code",
        );
        expect(moved).toEqual([
          { code: "H001", lat: 37.58, lng: 118.57, grid: "G2" },
          { code: "H002", lat: 37.56, lng: 118.57, grid: "G2" },
        ]);
      });
    });

    describe("workers' live state", async () => {
      it("an empty on_duty or position keeps what the worker's phone last reported", async () => {
        const { sql, dir } = await district();
        await importText(sql, dir, { kind: "workers", text: WORKERS_CSV });
        await sql.run(
          "UPDATE workers SET on_duty = 1, lat = 37.59, lng = 118.59, position_at = 'phone' WHERE code = 'W002'",
        );
        const version = async () =>
          Number((await sql.get<{ value: number }>("SELECT value FROM meta WHERE key = 'registry_version'"))?.value);
        const before = await version();
        const roster = WORKERS_CSV.replace("W002,钱丽,+8613700000002,G2,false,,,", "W002,钱丽,+8613700000002,G2,,,,");
        await importText(sql, dir, { kind: "workers", text: roster });
        expect(await sql.get("SELECT on_duty, lat, lng, position_at FROM workers WHERE code = 'W002'")).toEqual({
          on_duty: 1,
          lat: 37.59,
          lng: 118.59,
          position_at: "phone",
        });
        // The triggers tell a running hub to reload its responders.
        expect(await version()).toBeGreaterThan(before);
      });
    });
  });
}
