/**
 * The workers kind, upserted by code. Duty and position are live state that the
 * worker's phone keeps up to date, so an empty on_duty or position keeps what
 * the hub has rather than sending everyone off duty; a position from a file
 * has no GPS accuracy, so the phone's last one is cleared. The registry_version
 * triggers tell a running hub to rebuild its spatial index.
 */
import type { SqlSession } from "../../storage/sql/sql-port.ts";
import { WORKER_COLUMNS, WORKER_REQUIRED } from "./csv-columns.ts";
import { checkAll, type Planner, PROGRESS_EVERY, planFrom } from "./import-plan.ts";
import type { ProgressListener, RowIssue } from "./import-types.ts";
import type { WorkerRecord } from "./record-types.ts";
import { codeToId } from "./registry-snapshot.ts";
import { claimCode, type SourceRow, sourceRows, startChecks } from "./source-rows.ts";

interface ValidWorker {
  record: WorkerRecord;
  gridId: number | null;
  exists: boolean;
}

interface WorkerContext {
  gridIds: ReadonlyMap<string, number>;
  existing: ReadonlyMap<string, number>;
  codesInFile: Map<string, string>;
}

function checkWorker(row: SourceRow, context: WorkerContext): { valid: ValidWorker | null; issues: RowIssue[] } {
  const { raw, checker } = startChecks(row, "worker", WORKER_COLUMNS);
  const code = checker.code("code", raw.code);
  claimCode(checker, code, row, context.codesInFile);
  const gridCode = checker.text("grid_code", raw.grid_code, { max: 64 });
  const gridId = gridCode === null ? null : (context.gridIds.get(gridCode) ?? null);
  if (gridCode !== null && gridId === null) {
    checker.fail("grid_code", "UNKNOWN_GRID", `no grid has the code "${gridCode}" (import the grids first)`);
  }
  const point = checker.point(raw.lat, raw.lng);
  const record: WorkerRecord = {
    code: code ?? "",
    name: checker.text("name", raw.name, { required: true, max: 100 }) ?? "",
    phone: checker.phone("phone", raw.phone, true) ?? "",
    grid_code: gridCode,
    on_duty: checker.boolean("on_duty", raw.on_duty),
    lat: point !== null && point !== "absent" ? point.lat : null,
    lng: point !== null && point !== "absent" ? point.lng : null,
    skills: checker.tokens("skills", raw.skills) ?? [],
    shifts: checker.hours("shifts", raw.shifts) ?? [],
  };
  if (!checker.ok) return { valid: null, issues: checker.issues };
  return { valid: { record, gridId, exists: context.existing.has(record.code) }, issues: [] };
}

async function writeWorkers(
  sql: SqlSession,
  workers: readonly ValidWorker[],
  now: string,
  onProgress: ProgressListener,
): Promise<void> {
  const upsert = `INSERT INTO workers (code, name, phone, grid_id, on_duty, lat, lng, position_at, skills, shifts)
     VALUES (@code, @name, @phone, @gridId, @onDuty, @lat, @lng, @positionAt, @skills, @shifts)
     ON CONFLICT (code) DO UPDATE SET name = excluded.name, phone = excluded.phone, grid_id = excluded.grid_id,
       skills = excluded.skills, shifts = excluded.shifts,
       on_duty = CASE WHEN @keepDuty = 1 THEN workers.on_duty ELSE excluded.on_duty END,
       lat = CASE WHEN @keepPosition = 1 THEN workers.lat ELSE excluded.lat END,
       lng = CASE WHEN @keepPosition = 1 THEN workers.lng ELSE excluded.lng END,
       position_at = CASE WHEN @keepPosition = 1 THEN workers.position_at ELSE excluded.position_at END,
       position_accuracy_m = CASE WHEN @keepPosition = 1 THEN workers.position_accuracy_m ELSE NULL END`;
  for (const [index, { record, gridId }] of workers.entries()) {
    const hasPosition = record.lat !== null && record.lng !== null;
    await sql.run(upsert, {
      code: record.code,
      name: record.name,
      phone: record.phone,
      gridId,
      onDuty: record.on_duty ? 1 : 0,
      lat: record.lat,
      lng: record.lng,
      positionAt: hasPosition ? now : null,
      skills: JSON.stringify(record.skills),
      shifts: JSON.stringify(record.shifts),
      keepDuty: record.on_duty === null ? 1 : 0,
      keepPosition: hasPosition ? 0 : 1,
    });
    if ((index + 1) % PROGRESS_EVERY === 0) onProgress("writing", index + 1, workers.length);
  }
  onProgress("writing", workers.length, workers.length);
}

export const planWorkers: Planner = async (sql, text, format, onProgress) => {
  const { rows, unreadable } = sourceRows(text, format, WORKER_COLUMNS, WORKER_REQUIRED, "workers");
  const context = {
    gridIds: await codeToId(sql, "grids"),
    existing: await codeToId(sql, "workers"),
    codesInFile: new Map(),
  };
  const result = checkAll(rows, (row) => checkWorker(row, context), onProgress);
  return planFrom(result, unreadable, {
    exists: (worker) => worker.exists,
    write: (session, stamp, progress, workers) => writeWorkers(session, workers, stamp.now, progress),
  });
};
