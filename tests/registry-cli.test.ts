/**
 * `npm run registry` as people and scripts use it: a real child process on a
 * real data directory. Exit codes, the printed table of rejected rows, the JSON
 * report, and an import killed with SIGKILL half way through its writing, which
 * must leave the database exactly as it was and not corrupt.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { generateDistrict, writeDistrictFiles } from "../bench/generate-district.ts";
import { createLogger } from "../hub/log.ts";
import { householdsCsv } from "../hub/registry/export/file-formats.ts";
import { importRegistryFile } from "../hub/registry/import/run-import.ts";
import { ROAD_LIMITS } from "../hub/registry/road-lines.ts";
import { openDatabase } from "../hub/storage/database.ts";
import { SqliteSql } from "../hub/storage/sql/sqlite-sql.ts";
import { HOUSEHOLDS_CSV, importPlaces, ROADS_GEOJSON, tableCounts } from "./support/registry-fixtures.ts";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "anxin-cli-"));
  dirs.push(dir);
  return dir;
}

function startCli(args: string[]): ChildProcess {
  return spawn(process.execPath, ["--import", "tsx", "hub/registry/cli.ts", ...args], {
    cwd: repoRoot,
    env: { ...process.env, ANXIN_DATA_DIR: "", ANXIN_DATABASE_URL: "" },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = startCli(args);
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
}

function write(dir: string, name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

describe("registry CLI", () => {
  it("imports, reports and exports with the documented exit codes", async () => {
    const dir = tempDir();
    const data = path.join(dir, "data");
    const common = ["--data-dir", data];
    // The base places go in through the library; the CLI's own behaviour is what is under test here.
    const db = new SqliteSql(openDatabase(path.join(data, "anxin.db"), createLogger("silent")));
    await importPlaces(db, dir);
    await db.close();

    const bad = write(dir, "bad.csv", HOUSEHOLDS_CSV.replace("+8613900000003", "139-0000"));
    const good = write(dir, "good.csv", HOUSEHOLDS_CSV);
    // Independent, read-only runs go side by side: each process start costs about a second.
    const [refused, dry, unknownKind, noDatabase] = await Promise.all([
      runCli(["import", "households", bad, ...common, "--report", path.join(dir, "report.json")]),
      runCli(["import", "households", good, ...common, "--dry-run"]),
      runCli(["import", "streets", "x.csv", ...common]),
      runCli(["export", "households", "--data-dir", path.join(dir, "nowhere")]),
    ]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/^line\s+column\s+code\s+reason$/m);
    expect(refused.stdout).toMatch(
      /^3\s+28 relative1_phone\s+BAD_PHONE\s+"139-0000" is not an international \(E\.164\) phone number/m,
    );
    expect(refused.stdout).toContain("Nothing was written.");
    const report = JSON.parse(fs.readFileSync(path.join(dir, "report.json"), "utf8"));
    expect(report).toMatchObject({ mode: "all-or-nothing", rejected: 1, written: false });
    expect(report.issues).toMatchObject([
      { line: 3, column: "relative1_phone", columnNumber: 28, code: "BAD_PHONE", key: "H002" },
    ]);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/dry run: 3 households checked; 3 would be imported/);
    expect(unknownKind).toMatchObject({ code: 2, stderr: expect.stringMatching(/unknown kind "streets"/) });
    expect(noDatabase).toMatchObject({ code: 2, stderr: expect.stringMatching(/no hub database at/) });
    expect(fs.existsSync(path.join(dir, "nowhere"))).toBe(false);

    const credentials = path.join(dir, "secrets.json");
    const done = await runCli(["import", "households", good, ...common, "--credentials-out", credentials]);
    expect(done.code).toBe(0);
    expect(done.stdout).toContain(`Secrets of 3 new devices are in ${credentials}`);
    expect(done.stdout + done.stderr).not.toContain(JSON.parse(fs.readFileSync(credentials, "utf8")).devices[0].secret);

    const exported = await runCli(["export", "households", ...common, "--out", path.join(dir, "out.csv")]);
    expect(exported.code).toBe(0);
    expect(fs.readFileSync(path.join(dir, "out.csv"), "utf8")).toBe(HOUSEHOLDS_CSV);
    const check = new Database(path.join(data, "anxin.db"), { readonly: true });
    const audit = check.prepare("SELECT actor, action FROM audit_log WHERE target = 'households'").all();
    check.close();
    const actor = `cli:${os.userInfo().username}`;
    expect(audit).toEqual([
      { actor, action: "registry_imported" },
      { actor, action: "registry_exported" },
    ]);
  });

  it("imports and exports roads as GeoJSON, and refuses a file past the bounds with LIMIT_EXCEEDED", async () => {
    const dir = tempDir();
    const data = path.join(dir, "data");
    const common = ["--data-dir", data];
    const db = new SqliteSql(openDatabase(path.join(data, "anxin.db"), createLogger("silent")));
    await importPlaces(db, dir);
    await db.close();
    const roads = write(dir, "roads.geojson", ROADS_GEOJSON);
    const tooMany = write(
      dir,
      "many.geojson",
      JSON.stringify({
        type: "FeatureCollection",
        features: Array.from({ length: ROAD_LIMITS.roads + 1 }, () => ({})),
      }),
    );
    const [imported, refused, asCsv] = await Promise.all([
      runCli(["import", "roads", roads, ...common]),
      runCli(["import", "roads", tooMany, ...common]),
      runCli(["import", "roads", roads, ...common, "--format", "csv"]),
    ]);
    expect(imported.code).toBe(0);
    expect(imported.stdout).toMatch(/2 of 2 roads imported \(2 new, 0 updated\)/);
    expect(refused).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/^LIMIT_EXCEEDED: the roads file has 2001/m),
    });
    expect(asCsv).toMatchObject({ code: 2, stderr: expect.stringMatching(/roads are GeoJSON: --format json/) });
    const exported = await runCli(["export", "roads", ...common]);
    expect(exported.code).toBe(0);
    expect(exported.stdout).toBe(ROADS_GEOJSON);
  }, 60_000); // four CLI processes (a second each, far more on a loaded machine)

  it("leaves the database exactly as it was when killed while writing", async () => {
    const dir = tempDir();
    const data = path.join(dir, "data");
    const district = generateDistrict({
      households: 20_000,
      workers: 0,
      clinics: 0,
      gridRows: 4,
      gridCols: 4,
      addressOnlyShare: 0.1,
    });
    const files = writeDistrictFiles(district, dir);
    const logger = createLogger("silent");
    const db = openDatabase(path.join(data, "anxin.db"), logger);
    const sql = new SqliteSql(db);
    const first = write(dir, "first.csv", householdsCsv(district.households.slice(0, 200)));
    for (const [kind, file, format] of [
      ["grids", files.grids, "json"],
      ["gazetteer", files.gazetteer, "csv"],
      ["households", first, "csv"],
    ] as const) {
      await importRegistryFile(sql, logger, {
        kind,
        file,
        format,
        actor: "test",
        credentialsFile: path.join(dir, `${kind}.json`),
      });
    }
    const before = { counts: await tableCounts(sql), digest: digest(db) };
    await sql.close();

    const credentials = path.join(dir, "killed-secrets.json");
    const child = startCli([
      "import",
      "households",
      files.households,
      "--data-dir",
      data,
      "--credentials-out",
      credentials,
    ]);
    let stderr = "";
    const killedWhileWriting = new Promise<string>((resolve) => {
      child.stderr?.on("data", (chunk: Buffer) => {
        stderr += chunk.toString();
        // The first progress line of the writing phase: the transaction is open and rows are going in.
        if (/^writing +\d+\/20000/m.test(stderr) && !child.killed) {
          child.kill("SIGKILL");
          resolve(stderr);
        }
      });
    });
    const exit = new Promise<NodeJS.Signals | null>((resolve) => child.on("close", (_code, signal) => resolve(signal)));
    await killedWhileWriting;
    expect(await exit).toBe("SIGKILL");
    expect(stderr).not.toMatch(/writing +20000\/20000/);

    const after = openDatabase(path.join(data, "anxin.db"), logger);
    try {
      expect(after.pragma("integrity_check", { simple: true })).toBe("ok");
      expect(after.pragma("foreign_key_check")).toEqual([]);
      expect(await tableCounts(new SqliteSql(after))).toEqual(before.counts);
      expect(digest(after)).toBe(before.digest);
      expect(fs.existsSync(credentials)).toBe(false);
      // And it is still a working database: the next import goes in.
      const report = await importRegistryFile(new SqliteSql(after), logger, {
        kind: "households",
        file: first,
        format: "csv",
        actor: "test",
      });
      expect(report).toMatchObject({ written: true, updated: 200 });
    } finally {
      after.close();
    }
  });
});

/** Every row of the registry tables, hashed: equal digests mean nothing changed. */
function digest(db: Database.Database): string {
  const hash = createHash("sha256");
  for (const table of ["grids", "gazetteer", "households", "residents", "relatives", "devices", "audit_log"]) {
    hash.update(JSON.stringify(db.prepare(`SELECT * FROM ${table} ORDER BY rowid`).all()));
  }
  return hash.digest("hex");
}
