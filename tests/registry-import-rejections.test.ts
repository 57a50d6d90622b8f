/**
 * Every kind of bad row is reported where it is (CSV: physical line and
 * column; JSON: index and field path) with a code and a reason in plain words,
 * and a bad file is refused as a whole with a coded error. Nothing crashes.
 */
import fs from "node:fs";
import path from "node:path";
import { stringify } from "csv-stringify/sync";
import { describe, expect, it } from "vitest";
import { createLogger } from "../hub/log.ts";
import { ImportFileError } from "../hub/registry/import/import-errors.ts";
import type { RowIssue } from "../hub/registry/import/import-types.ts";
import { importRegistryFile } from "../hub/registry/import/run-import.ts";
import {
  districtPerTest,
  GRIDS_GEOJSON,
  HOUSEHOLD_HEADER,
  HOUSEHOLDS_CSV,
  importText,
  tableCounts,
} from "./support/registry-fixtures.ts";

const district = districtPerTest();

const COLUMNS = HOUSEHOLD_HEADER.split(",");
const HEADER_LINE = `${HOUSEHOLD_HEADER}\n`;
const GOOD = {
  household_code: "H1",
  address: "垦利区测试路1号",
  lat: "37.56",
  lng: "118.52",
  resident_name: "张秀英",
  birth_date: "1941-03-05",
  sex: "F",
};

/** One household line in header order; `fields` override a good household. */
function line(fields: Record<string, string>): string {
  const values = { ...GOOD, ...fields } as Record<string, string>;
  return stringify([COLUMNS.map((column) => values[column] ?? "")]);
}

/** Where and why, the parts a person reads. */
const where = (issues: RowIssue[]) =>
  issues.map(({ line, index, column, columnNumber, code }) => ({ line, index, column, columnNumber, code }));

describe("rejected household rows (CSV)", () => {
  it("reports each field problem at its line and column", async () => {
    const { sql, dir } = await district();
    const text = [
      HEADER_LINE,
      line({
        household_code: "H1",
        relative1_name: "张伟",
        relative1_relation: "儿子",
        relative1_phone: "13912345678",
      }),
      line({ household_code: "H2", birth_date: "1941-02-30" }),
      line({ household_code: "H3", sex: "Q", language: "fr" }),
      line({ household_code: "H4", lat: "north", lng: "118.5" }),
      line({ household_code: "H5", lng: "" }),
      line({ household_code: "H6", lat: "95" }),
      line({ household_code: "H7", resident_name: "" }),
      line({ household_code: "H 8" }),
      line({ household_code: "H9", consent_given_by: "本人", consent_at: "2025-01-01" }),
      line({
        household_code: "H10",
        consent_given_by: "本人",
        consent_relation: "self",
        consent_at: "2025-01-01",
        consent_method: "telepathy",
      }),
      // A landline places calls to the center: only an international number will match a caller ID.
      line({ household_code: "H11", landline: "0546-2001234" }),
    ].join("");
    const report = await importText(sql, dir, { kind: "households", text });
    expect(report.rejected).toBe(11);
    expect(where(report.issues)).toEqual([
      { line: 2, index: null, column: "relative1_phone", columnNumber: 28, code: "BAD_PHONE" },
      { line: 3, index: null, column: "birth_date", columnNumber: 11, code: "BAD_DATE" },
      { line: 4, index: null, column: "sex", columnNumber: 12, code: "UNKNOWN_SEX" },
      { line: 4, index: null, column: "language", columnNumber: 14, code: "UNKNOWN_LANGUAGE" },
      { line: 5, index: null, column: "lat", columnNumber: 3, code: "BAD_NUMBER" },
      { line: 6, index: null, column: "lng", columnNumber: 4, code: "COORDINATES_INVALID" },
      { line: 7, index: null, column: "lat", columnNumber: 3, code: "COORDINATES_INVALID" },
      { line: 8, index: null, column: "resident_name", columnNumber: 10, code: "REQUIRED" },
      { line: 9, index: null, column: "household_code", columnNumber: 1, code: "BAD_CODE" },
      { line: 10, index: null, column: "consent_relation", columnNumber: 20, code: "INCOMPLETE" },
      { line: 11, index: null, column: "consent_method", columnNumber: 22, code: "INCOMPLETE" },
      { line: 12, index: null, column: "landline", columnNumber: 8, code: "BAD_PHONE" },
    ]);
    const reasons = report.issues.map((issue) => issue.reason);
    expect(reasons[0]).toBe(
      '"13912345678" is not an international (E.164) phone number: write + and the country code, e.g. +8613912345678',
    );
    expect(reasons[1]).toBe('"1941-02-30" is not a real date');
    expect(reasons[2]).toBe('unknown sex "Q": write F, M or X');
    expect(reasons[4]).toBe('"north" is not a number');
    expect(reasons[6]).toBe("95 is not a latitude (-90 to 90)");
  });

  it("counts physical lines across quoted line breaks, blank lines and Windows line ends", async () => {
    const { sql, dir } = await district();
    const lines = [
      HEADER_LINE,
      line({ household_code: "H1", access_notes: "钥匙在\n物业\n办公室" }),
      "\n",
      line({ household_code: "H2", sex: "?" }),
      line({ household_code: "H3" }).replace("\n", ",extra,cells\n"),
    ];
    for (const text of [lines.join(""), lines.join("").replaceAll("\n", "\r\n")]) {
      // H1 spans lines 2-4 and line 5 is blank.
      expect(where((await importText(sql, dir, { kind: "households", text })).issues)).toEqual([
        { line: 6, index: null, column: "sex", columnNumber: 12, code: "UNKNOWN_SEX" },
        { line: 7, index: null, column: "", columnNumber: 38, code: "CSV_FIELD_COUNT" },
      ]);
    }
  });

  it("trusts no line of a file with broken quoting, not even with allowPartial", async () => {
    const { sql, dir } = await district();
    const before = await tableCounts(sql);
    const text = [HEADER_LINE, line({ household_code: "H1" }), '"H2,unclosed\n', line({ household_code: "H3" })].join(
      "",
    );
    const report = await importText(sql, dir, { kind: "households", text, allowPartial: true });
    // The quote opened on line 3 never closes: it swallows H3, which must not vanish silently.
    expect(where(report.issues)).toEqual([
      { line: 3, index: null, column: "", columnNumber: null, code: "CSV_SYNTAX" },
    ]);
    expect(report).toMatchObject({ accepted: 1, written: false });
    expect(report.summary).toMatch(/cannot be read from line 3 on, so nothing was written/);
    expect(await tableCounts(sql)).toEqual(before);
  });

  it("refuses households whose lines disagree, duplicate residents, and buttons it cannot bind", async () => {
    const { sql, dir } = await district();
    await sql.run("INSERT INTO devices (id, secret_hash, status, created_at) VALUES ('OLD-1', 'x', 'revoked', 'now')");
    await importText(sql, dir, { kind: "households", text: HOUSEHOLDS_CSV });
    const text = [
      HEADER_LINE,
      line({ household_code: "H1", device_id: "NEW-1" }),
      line({ household_code: "H1", address: "垦利区别处", resident_name: "李四" }),
      line({ household_code: "H2" }),
      line({ household_code: "H2" }),
      line({ household_code: "H3", device_id: "NEW-1" }),
      line({ household_code: "H4", device_id: "OLD-1" }),
      line({ household_code: "H5", device_id: "KL-9001" }),
      line({ household_code: "H6", device_id: "bad id!" }),
    ].join("");
    const report = await importText(sql, dir, { kind: "households", text });
    expect(where(report.issues).map(({ line, column, code }) => ({ line, column, code }))).toEqual([
      { line: 3, column: "address", code: "HOUSEHOLD_ROWS_DISAGREE" },
      { line: 5, column: "resident_name", code: "DUPLICATE_RESIDENT" },
      { line: 6, column: "device_id", code: "DEVICE_LISTED_TWICE" },
      { line: 7, column: "device_id", code: "DEVICE_REVOKED" },
      { line: 8, column: "device_id", code: "DEVICE_BOUND_ELSEWHERE" },
      { line: 9, column: "device_id", code: "BAD_DEVICE_ID" },
    ]);
    expect(report.issues[0]?.reason).toMatch(/differs from line 2/);
    expect(report.issues[4]?.reason).toMatch(/bound to household H001/);
  });

  it("will not remove a resident that alarms refer to", async () => {
    const { sql, dir } = await district();
    await importText(sql, dir, { kind: "households", text: HOUSEHOLDS_CSV });
    const wife = (await sql.get<{ id: number }>("SELECT id FROM residents WHERE name = '王玉兰'")) as { id: number };
    await sql.run("INSERT INTO devices (id, secret_hash, created_at) VALUES ('D1', 'x', 'now')");
    await sql.run(
      "INSERT INTO alarms (device_id, kind, status, received_at, resident_id) VALUES ('D1', 'sos', 'resolved', 'now', ?)",
      [wife.id],
    );
    const withoutWife = HOUSEHOLDS_CSV.split("\n")
      .filter((row) => !row.includes("王玉兰"))
      .join("\n");
    const report = await importText(sql, dir, { kind: "households", text: withoutWife });
    expect(report.issues).toMatchObject([
      { line: 3, column: "resident_name", code: "RESIDENT_HAS_ALARMS", key: "H002" },
    ]);
    expect(await sql.get("SELECT COUNT(*) AS n FROM residents WHERE id = ?", [wife.id])).toEqual({ n: 1 });
  });
});

describe("rejected rows of the other kinds, and JSON paths", () => {
  it("households JSON: array index and field path", async () => {
    const { sql, dir } = await district();
    const households = [
      {
        code: "J1",
        address: "垦利区胜兴路12号",
        adress: "typo",
        residents: [{ name: "甲", birth_date: "1940-01-01", sex: "F" }],
      },
      {
        code: "J2",
        address: "x",
        lat: 37.56,
        lng: 118.52,
        residents: [
          {
            name: "乙",
            birth_date: "1940-01-01",
            sex: "M",
            relatives: [{ name: "丙", relation: "儿子", phone: "12345" }],
          },
        ],
      },
      { code: "J1", address: "x", lat: 37.56, lng: 118.52, residents: [] },
      "not a household",
    ];
    const report = await importText(sql, dir, { kind: "households", text: JSON.stringify(households), format: "json" });
    expect(where(report.issues).map(({ index, column, code }) => ({ index, column, code }))).toEqual([
      { index: 0, column: "[0].adress", code: "UNKNOWN_FIELD" },
      { index: 1, column: "[1].residents[0].relatives[0].phone", code: "BAD_PHONE" },
      { index: 2, column: "[2].code", code: "DUPLICATE_CODE" },
      { index: 2, column: "[2].residents", code: "REQUIRED" },
      { index: 3, column: "[3]", code: "NOT_AN_OBJECT" },
    ]);
  });

  it("workers, clinics, gazetteer and grids", async () => {
    const { sql, dir } = await district();
    const workers =
      "code,name,phone,grid_code,on_duty,skills,shifts\nW1,甲,+8613700000001,G1,maybe,First Aid,\nW1,乙,+8613700000002,G3,,,Mon-Fri 9-17\n";
    expect(
      where((await importText(sql, dir, { kind: "workers", text: workers })).issues).map(({ line, column, code }) => [
        line,
        column,
        code,
      ]),
    ).toEqual([
      [2, "on_duty", "BAD_BOOLEAN"],
      [2, "skills", "BAD_TOKEN"],
      [3, "code", "DUPLICATE_CODE"],
      [3, "grid_code", "UNKNOWN_GRID"],
      [3, "shifts", "BAD_HOURS"],
    ]);
    const clinics =
      "code,name,phone,address,lat,lng,hours\nC1,甲,+865460000001,垦利区无名路,,,24h\nC2,乙,+865460000002,垦利区黄河路8号,,,Mon-Fri 08:00-08:00\n";
    const clinicIssues = (await importText(sql, dir, { kind: "clinics", text: clinics })).issues;
    expect(clinicIssues.map(({ line, column, code }) => [line, column, code])).toEqual([
      [2, "address", "ADDRESS_NOT_IN_GAZETTEER"],
      [3, "hours", "BAD_HOURS"],
    ]);
    expect(clinicIssues[1]?.reason).toMatch(/write 24h for round the clock/);
    const gazetteer =
      "address,lat,lng\n垦利区 新路 １号,37.5,118.5\n垦利区新路1号,37.5,118.5\n垦利区旧路2号,,\n垦利区旧路3号,37.5,190\n";
    expect(
      where((await importText(sql, dir, { kind: "gazetteer", text: gazetteer })).issues).map(
        ({ line, column, code }) => [line, column, code],
      ),
    ).toEqual([
      [3, "address", "DUPLICATE_CODE"],
      [4, "lat", "REQUIRED"],
      [5, "lng", "COORDINATES_INVALID"],
    ]);
    const grids = JSON.parse(GRIDS_GEOJSON) as {
      features: { properties: Record<string, unknown>; geometry: { coordinates: number[][][] } }[];
    };
    grids.features[0]?.geometry.coordinates[0]?.pop();
    if (grids.features[1]) grids.features[1].properties.leader_phone = "0546-123";
    grids.features.push(JSON.parse(JSON.stringify(grids.features[1])));
    const gridIssues = (await importText(sql, dir, { kind: "grids", text: JSON.stringify(grids) })).issues;
    expect(gridIssues.map(({ index, column, code }) => [index, column, code])).toEqual([
      [0, "features[0].geometry.coordinates[0]", "BAD_GEOMETRY"],
      [1, "features[1].properties.leader_phone", "BAD_PHONE"],
      [2, "features[2].properties.code", "DUPLICATE_CODE"],
      [2, "features[2].properties.leader_phone", "BAD_PHONE"],
    ]);
  });
});

describe("bad files", () => {
  it("refuses a file as a whole with a coded reason, and writes nothing", async () => {
    const { sql, dir } = await district();
    const before = await tableCounts(sql);
    const attempt = async (
      name: string,
      content: string | Buffer,
      kind: "households" | "grids" | "workers",
      format: "csv" | "json",
    ) => {
      const file = path.join(dir, name);
      fs.writeFileSync(file, content);
      try {
        await importRegistryFile(sql, createLogger("silent"), { kind, format, file, actor: "test" });
      } catch (error) {
        return error instanceof ImportFileError ? `${error.code}: ${error.message}` : `unexpected: ${String(error)}`;
      }
      return "accepted";
    };
    expect(
      await attempt("gbk.csv", Buffer.from([0x63, 0x6f, 0x64, 0x65, 0x0a, 0xd5, 0xc5, 0xc8, 0xfd]), "workers", "csv"),
    ).toMatch(/^FILE_NOT_UTF8: .*CSV UTF-8/);
    expect(await attempt("columns.csv", "code,name,fone\n", "workers", "csv")).toBe(
      'CSV_HEADER_INVALID: the header line is not right: column 3 "fone" is not a column of this kind; missing required column: phone. See docs/registry-import.md for the columns.',
    );
    expect(await attempt("broken.json", "[{", "households", "json")).toMatch(/^JSON_INVALID: /);
    expect(await attempt("object.json", "{}", "households", "json")).toMatch(
      /^JSON_SHAPE_INVALID: the file must hold a JSON array of households/,
    );
    expect(await attempt("grids.json", "[]", "grids", "json")).toMatch(/^JSON_SHAPE_INVALID: .*FeatureCollection/);
    expect(await attempt("grids.csv", "code\n", "grids", "csv")).toMatch(/^FORMAT_UNSUPPORTED: /);
    expect((await attempt("missing.csv", "", "workers", "csv")).startsWith("CSV_HEADER_INVALID")).toBe(true);
    expect(await tableCounts(sql)).toEqual(before);
  });
});
