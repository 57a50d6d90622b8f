/**
 * Small, hand-written import files in the documented formats, written the way
 * export writes them (sorted by code, every column, numbers as JavaScript
 * prints them), so a test can check that export gives back the very same text.
 * Two square grids meet at 118.55 E; the gazetteer knows two addresses.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach } from "vitest";
import { createLogger } from "../../hub/log.ts";
import type { ImportFormat, ImportKind, ImportReport } from "../../hub/registry/import/import-types.ts";
import { importRegistryFile } from "../../hub/registry/import/run-import.ts";
import { type Db, openDatabase } from "../../hub/storage/database.ts";
import type { SqlDatabase } from "../../hub/storage/sql/sql-port.ts";
import { SqliteSql } from "../../hub/storage/sql/sqlite-sql.ts";

const BOM = "\uFEFF";

const square = (west: number, south: number, east: number, north: number) => ({
  type: "Polygon",
  coordinates: [
    [
      [west, south],
      [east, south],
      [east, north],
      [west, north],
      [west, south],
    ],
  ],
});

export const GRIDS_GEOJSON = `${JSON.stringify(
  {
    type: "FeatureCollection",
    features: [
      {
        type: "Feature",
        properties: { code: "G1", name: "胜兴社区第1网格", leader_name: "刘芳", leader_phone: "+8613500000001" },
        geometry: square(118.5, 37.55, 118.55, 37.6),
      },
      {
        type: "Feature",
        properties: { code: "G2", name: "黄河社区第2网格", leader_name: null, leader_phone: null },
        geometry: square(118.55, 37.55, 118.6, 37.6),
      },
    ],
  },
  null,
  2,
)}\n`;

/**
 * Road centre lines across the two grids: 胜兴路 a LineString, 黄河路 a
 * MultiLineString in two parts (a GIS tool splits a street at a bridge).
 */
export const ROADS_GEOJSON = `${JSON.stringify(
  {
    type: "FeatureCollection",
    features: [
      {
        type: "Feature",
        properties: { code: "R1", name: "胜兴路" },
        geometry: {
          type: "LineString",
          coordinates: [
            [118.505, 37.58],
            [118.53, 37.5802],
            [118.595, 37.5795],
          ],
        },
      },
      {
        type: "Feature",
        properties: { code: "R2", name: "黄河路" },
        geometry: {
          type: "MultiLineString",
          coordinates: [
            [
              [118.52, 37.552],
              [118.521, 37.575],
            ],
            [
              [118.521, 37.576],
              [118.5205, 37.598],
            ],
          ],
        },
      },
    ],
  },
  null,
  2,
)}\n`;

export const GAZETTEER_CSV = `${BOM}address,lat,lng,source
垦利区胜兴路12号,37.58,118.52,民政局2025
垦利区黄河路8号,37.57,118.58,民政局2025
`;

const RELATIVE_HEADER = [1, 2, 3].map(
  (n) => `relative${n}_name,relative${n}_relation,relative${n}_phone,relative${n}_language`,
);
export const HOUSEHOLD_HEADER = [
  "household_code,address,lat,lng,key_holder,key_holder_phone,access_notes,landline,device_id",
  "resident_name,birth_date,sex,phone,language,conditions,medications,allergies,mobility",
  "consent_given_by,consent_relation,consent_at,consent_method,consent_note,consent_recorded_by,consent_recorded_at",
  ...RELATIVE_HEADER,
].join(",");

/**
 * H001 is placed through the gazetteer (no coordinates); H002 is a couple on two
 * lines; H003 has two buttons and an address that needs CSV quoting.
 */
export const HOUSEHOLDS_CSV = `${BOM}${HOUSEHOLD_HEADER}
H001,垦利区胜兴路12号,,,王伟（邻居）,+8613900000777,门禁密码 1234#,+865462000101,KL-9001,张秀英,1941-03-05,F,+8613800000001,zh-CN,高血压,硝苯地平,青霉素,需拐杖,本人,self,2025-01-15,written,,cli:test,2025-01-15T08:00:00.000Z,张伟,儿子,+8613900000001,zh-CN,张静,女儿,+8613900000002,en,,,,
H002,垦利区黄河路30号,37.56,118.57,,,,,,李建国,1938-11-20,M,,zh-CN,,,,可独立行走,,,,,,,,李磊,儿子,+8613900000003,zh-CN,,,,,,,,
H002,垦利区黄河路30号,37.56,118.57,,,,,,王玉兰,1940-07-01,F,,zh-CN,,,,,,,,,,,,,,,,,,,,,,,
H003,"垦利区民丰路3号, 2单元 ""东门""",37.551,118.501,,,,,KL-9003;KL-9004,周德明,1935-01-31,M,,en,,,,轮椅,,,,,,,,周婷,孙女,+8613900000004,en,,,,,,,,
`;

export const WORKERS_CSV = `${BOM}code,name,phone,grid_code,on_duty,lat,lng,skills,shifts
W001,赵磊,+8613700000001,G1,true,37.57,118.52,elder_care;first_aid,"Mon,Wed,Fri 08:00-17:30; Sat-Sun 09:00-12:00"
W002,钱丽,+8613700000002,G2,false,,,elder_care,Mon-Sun 20:00-08:00
W003,孙强,+8613700000003,,true,37.58,118.58,,
`;

export const CLINICS_CSV = `${BOM}code,name,phone,address,lat,lng,capabilities,hours
C1,垦利区人民医院,+865462000001,垦利区黄河路8号,37.57,118.58,24h;emergency,24h
C2,胜兴社区卫生服务站,+865462000002,垦利区胜兴路20号,37.575,118.525,daytime,Mon-Fri 08:00-17:30; Sat 08:00-12:00
`;

/** A fresh hub database in its own temp dir, closed and removed by `cleanup`. */
export function freshDatabase(prefix = "anxin-import-"): { db: Db; dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const db = openDatabase(path.join(dir, "anxin.db"), createLogger("silent"));
  return {
    db,
    dir,
    cleanup: () => {
      if (db.open) db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface ImportCall {
  kind: ImportKind;
  text: string;
  format?: ImportFormat;
  dryRun?: boolean;
  allowPartial?: boolean;
}

let fileCounter = 0;

/** Writes `text` to a file in `dir` and imports it as the test actor. */
export function importText(sql: SqlDatabase, dir: string, call: ImportCall): Promise<ImportReport> {
  const format = call.format ?? (call.kind === "grids" || call.kind === "roads" ? "json" : "csv");
  fileCounter += 1;
  const file = path.join(dir, `${call.kind}-${fileCounter}.${format}`);
  fs.writeFileSync(file, call.text);
  return importRegistryFile(sql, createLogger("silent"), {
    kind: call.kind,
    format,
    file,
    actor: "test",
    dryRun: call.dryRun ?? false,
    allowPartial: call.allowPartial ?? false,
    credentialsFile: path.join(dir, `credentials-${fileCounter}.json`),
  });
}

/** Rows in every registry table and the audit log: what "nothing was written" is checked against. */
export async function tableCounts(sql: SqlDatabase): Promise<Record<string, number>> {
  const tables = [
    "grids",
    "gazetteer",
    "households",
    "residents",
    "relatives",
    "devices",
    "workers",
    "clinics",
    "roads",
    "audit_log",
  ];
  const counts: Record<string, number> = {};
  for (const table of tables) {
    counts[table] = Number((await sql.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`))?.n);
  }
  return counts;
}

/** The base district: gazetteer, then grids, as docs/registry-import.md says to bring a district in. */
export async function importPlaces(sql: SqlDatabase, dir: string): Promise<void> {
  for (const call of [
    { kind: "gazetteer", text: GAZETTEER_CSV },
    { kind: "grids", text: GRIDS_GEOJSON },
  ] as const) {
    const report = await importText(sql, dir, call);
    if (!report.written) throw new Error(`fixture ${call.kind} did not import: ${report.summary}`);
  }
}

/** An empty hub database of one engine for one test; `close` removes it. */
export type OpenRegistryDatabase = () => Promise<{ sql: SqlDatabase; close(): Promise<void> }>;

/** A fresh SQLite hub database in a temp dir (the default engine). */
export const openSqliteRegistry: OpenRegistryDatabase = async () => {
  const fresh = freshDatabase();
  return {
    sql: new SqliteSql(fresh.db),
    close: async () => fresh.cleanup(),
  };
};

/**
 * For a test file: returns `district()`, which gives a test a fresh database of
 * the engine `open` makes (with the base places unless `places: false`) and a
 * temp dir for its files; each is removed after its test.
 */
export function districtPerTest(
  open: OpenRegistryDatabase = openSqliteRegistry,
): (options?: { places?: boolean }) => Promise<{ sql: SqlDatabase; dir: string }> {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });
  return async (options = {}) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "anxin-import-files-"));
    cleanups.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
    const database = await open();
    cleanups.push(() => database.close());
    if (options.places !== false) await importPlaces(database.sql, dir);
    return { sql: database.sql, dir };
  };
}
