/**
 * The gazetteer of standard addresses, upserted by normalised address: two
 * spellings of one address (full-width digits, stray spaces) are one entry, and
 * one the file gives twice is refused the second time. A corrected point moves
 * the households placed through that address (and may change their grid), in
 * the same transaction; each move is reported as a warning.
 */
import { GridLocator, normaliseAddress } from "../../geo/household-locator.ts";
import type { SqlSession } from "../../storage/sql/sql-port.ts";
import { GAZETTEER_COLUMNS, GAZETTEER_REQUIRED } from "./csv-columns.ts";
import { checkAll, type Planner, PROGRESS_EVERY, planFrom } from "./import-plan.ts";
import type { ProgressListener, RowIssue } from "./import-types.ts";
import type { GazetteerRecord } from "./record-types.ts";
import { loadGridOutlines } from "./registry-snapshot.ts";
import { type SourceRow, sourceRows, startChecks } from "./source-rows.ts";

interface ValidEntry {
  record: GazetteerRecord;
  exists: boolean;
}

interface GazetteerContext {
  existing: ReadonlyMap<string, { lat: number; lng: number }>;
  inFile: Map<string, string>;
}

function checkEntry(row: SourceRow, context: GazetteerContext): { valid: ValidEntry | null; issues: RowIssue[] } {
  const { raw, checker } = startChecks(row, "gazetteer entry", GAZETTEER_COLUMNS, "address");
  const written = checker.text("address", raw.address, { required: true, max: 300 });
  const address = written === null ? null : normaliseAddress(written);
  if (address !== null) {
    const first = context.inFile.get(address);
    const here = row.where.line !== null ? `line ${row.where.line}` : `item ${row.where.index}`;
    if (first) checker.fail("address", "DUPLICATE_CODE", `"${address}" is already in this file (${first})`);
    else context.inFile.set(address, here);
  }
  const point = checker.point(raw.lat, raw.lng);
  if (point === "absent") checker.fail("lat", "REQUIRED", "a gazetteer entry needs lat and lng");
  const source = checker.text("source", raw.source, { max: 200 });
  if (!checker.ok || address === null || point === null || point === "absent") {
    return { valid: null, issues: checker.issues };
  }
  const record = { address, lat: point.lat, lng: point.lng, source };
  return { valid: { record, exists: context.existing.has(address) }, issues: [] };
}

async function writeEntries(
  sql: SqlSession,
  entries: readonly ValidEntry[],
  onProgress: ProgressListener,
): Promise<void> {
  const upsert = `INSERT INTO gazetteer (address, lat, lng, source) VALUES (?, ?, ?, ?)
     ON CONFLICT (address) DO UPDATE SET lat = excluded.lat, lng = excluded.lng, source = excluded.source`;
  for (const [index, { record }] of entries.entries()) {
    await sql.run(upsert, [record.address, record.lat, record.lng, record.source]);
    if ((index + 1) % PROGRESS_EVERY === 0) onProgress("writing", index + 1, entries.length);
  }
  onProgress("writing", entries.length, entries.length);
}

interface HouseholdMove {
  id: number;
  lat: number;
  lng: number;
  gridId: number | null;
}

function moveWarning(code: string, reason: string, issue: "HOUSEHOLD_MOVED" | "HOUSEHOLD_NOW_OUTSIDE_GRIDS"): RowIssue {
  return { line: null, index: null, column: "", columnNumber: null, key: code, code: issue, reason };
}

/** Households placed through an address whose point this file changes. */
async function householdMoves(sql: SqlSession, entries: readonly ValidEntry[], context: GazetteerContext) {
  const moved = new Map<string, { lat: number; lng: number }>();
  for (const { record } of entries) {
    const before = context.existing.get(record.address);
    if (before && (before.lat !== record.lat || before.lng !== record.lng)) moved.set(record.address, record);
  }
  const moves: HouseholdMove[] = [];
  const warnings: RowIssue[] = [];
  if (moved.size === 0) return { moves, warnings };
  const grids = new GridLocator(await loadGridOutlines(sql));
  const placed = await sql.all<{ id: number; code: string; address: string }>(
    "SELECT id, code, address FROM households WHERE location_source = 'gazetteer'",
  );
  for (const household of placed) {
    const point = moved.get(normaliseAddress(household.address));
    if (!point) continue;
    const grid = grids.gridAt(point.lat, point.lng);
    moves.push({ id: household.id, lat: point.lat, lng: point.lng, gridId: grid?.id ?? null });
    warnings.push(
      grid
        ? moveWarning(
            household.code,
            `household ${household.code} moves with its address to (${point.lat}, ${point.lng}), grid ${grid.code}`,
            "HOUSEHOLD_MOVED",
          )
        : moveWarning(
            household.code,
            `household ${household.code} moves with its address to (${point.lat}, ${point.lng}), outside every grid; it will have no grid`,
            "HOUSEHOLD_NOW_OUTSIDE_GRIDS",
          ),
    );
  }
  return { moves, warnings };
}

export const planGazetteer: Planner = async (sql, text, format, onProgress) => {
  const { rows, unreadable } = sourceRows(text, format, GAZETTEER_COLUMNS, GAZETTEER_REQUIRED, "gazetteer entries");
  const known = await sql.all<GazetteerRecord>("SELECT address, lat, lng FROM gazetteer");
  const context = {
    existing: new Map(known.map((entry) => [entry.address, { lat: entry.lat, lng: entry.lng }])),
    inFile: new Map<string, string>(),
  };
  const result = checkAll(rows, (row) => checkEntry(row, context), onProgress);
  const { moves, warnings } = await householdMoves(sql, result.accepted, context);
  return planFrom(result, unreadable, {
    exists: (entry) => entry.exists,
    warnings,
    write: async (session, _stamp, progress, entries) => {
      await writeEntries(session, entries, progress);
      for (const { id, lat, lng, gridId } of moves) {
        await session.run("UPDATE households SET lat = ?, lng = ?, grid_id = ? WHERE id = ?", [lat, lng, gridId, id]);
      }
    },
  });
};
