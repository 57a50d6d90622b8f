/**
 * Community workers and clinics, the responders dispatch chooses from. Any
 * write here bumps `meta.registry_version` through migration 2's triggers, so
 * the hub's spatial index rebuilds itself; nothing needs to be told.
 */
import type { Db } from "../storage/database.ts";
import { type ListQuery, referencesTo, selectPage, updateColumns } from "./registry-sql.ts";

export interface WorkerRecord {
  id: number;
  code: string;
  name: string;
  phone: string;
  grid_id: number | null;
  on_duty: number;
  lat: number | null;
  lng: number | null;
  position_at: string | null;
  skills: string;
  shifts: string;
}

export type WorkerColumns = Partial<Omit<WorkerRecord, "id">>;

export interface ClinicRecord {
  id: number;
  code: string;
  name: string;
  phone: string;
  address: string;
  lat: number;
  lng: number;
  capabilities: string;
  hours: string | null;
}

export type ClinicColumns = Partial<Omit<ClinicRecord, "id">>;

const WORKER_REFERENCES = [
  { label: "alarms", sql: "SELECT COUNT(*) AS n FROM alarms WHERE worker_id = ?" },
  { label: "dispatch offers", sql: "SELECT COUNT(*) AS n FROM dispatch_offers WHERE worker_id = ?" },
  { label: "user accounts", sql: "SELECT COUNT(*) AS n FROM users WHERE worker_id = ?" },
] as const;

const CLINIC_REFERENCES = [{ label: "alarms", sql: "SELECT COUNT(*) AS n FROM alarms WHERE clinic_id = ?" }] as const;

export class ResponderRepo {
  private readonly db: Db;

  constructor(db: Db) {
    this.db = db;
  }

  listWorkers(query: ListQuery & { gridId?: number | undefined; onDuty?: boolean | undefined }): {
    rows: WorkerRecord[];
    total: number;
  } {
    const where = [];
    if (query.gridId !== undefined) where.push({ sql: "grid_id = ?", params: [query.gridId] });
    if (query.onDuty !== undefined) where.push({ sql: "on_duty = ?", params: [query.onDuty ? 1 : 0] });
    return selectPage<WorkerRecord>(
      this.db,
      { select: "*", from: "workers", searchColumns: ["code", "name", "phone"], orderBy: "code", where },
      query,
    );
  }

  worker(id: number): WorkerRecord | undefined {
    return this.db.prepare("SELECT * FROM workers WHERE id = ?").get(id) as WorkerRecord | undefined;
  }

  insertWorker(worker: Omit<WorkerRecord, "id">): number {
    return Number(
      this.db
        .prepare(
          `INSERT INTO workers (code, name, phone, grid_id, on_duty, lat, lng, position_at, skills, shifts)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          worker.code,
          worker.name,
          worker.phone,
          worker.grid_id,
          worker.on_duty,
          worker.lat,
          worker.lng,
          worker.position_at,
          worker.skills,
          worker.shifts,
        ).lastInsertRowid,
    );
  }

  updateWorker(id: number, changes: WorkerColumns): void {
    updateColumns(this.db, "workers", { column: "id", value: id }, changes);
  }

  workerReferences(id: number): { label: string; count: number }[] {
    return referencesTo(this.db, WORKER_REFERENCES, id);
  }

  deleteWorker(id: number): void {
    this.db.prepare("DELETE FROM workers WHERE id = ?").run(id);
  }

  listClinics(query: ListQuery): { rows: ClinicRecord[]; total: number } {
    return selectPage<ClinicRecord>(
      this.db,
      { select: "*", from: "clinics", searchColumns: ["code", "name", "address"], orderBy: "code" },
      query,
    );
  }

  clinic(id: number): ClinicRecord | undefined {
    return this.db.prepare("SELECT * FROM clinics WHERE id = ?").get(id) as ClinicRecord | undefined;
  }

  insertClinic(clinic: Omit<ClinicRecord, "id">): number {
    return Number(
      this.db
        .prepare(
          "INSERT INTO clinics (code, name, phone, address, lat, lng, capabilities, hours) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .run(
          clinic.code,
          clinic.name,
          clinic.phone,
          clinic.address,
          clinic.lat,
          clinic.lng,
          clinic.capabilities,
          clinic.hours,
        ).lastInsertRowid,
    );
  }

  updateClinic(id: number, changes: ClinicColumns): void {
    updateColumns(this.db, "clinics", { column: "id", value: id }, changes);
  }

  clinicReferences(id: number): { label: string; count: number }[] {
    return referencesTo(this.db, CLINIC_REFERENCES, id);
  }

  deleteClinic(id: number): void {
    this.db.prepare("DELETE FROM clinics WHERE id = ?").run(id);
  }
}
