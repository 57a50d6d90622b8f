/**
 * Community workers and clinics, the responders dispatch chooses from. Any
 * write here bumps `meta.registry_version` through migration 2's triggers, so
 * the hub's spatial index rebuilds itself; nothing needs to be told.
 */
import type { SqlDatabase } from "../storage/sql/sql-port.ts";
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
  private readonly sql: SqlDatabase;

  constructor(sql: SqlDatabase) {
    this.sql = sql;
  }

  async listWorkers(query: ListQuery & { gridId?: number | undefined; onDuty?: boolean | undefined }): Promise<{
    rows: WorkerRecord[];
    total: number;
  }> {
    const where = [];
    if (query.gridId !== undefined) where.push({ sql: "grid_id = ?", params: [query.gridId] });
    if (query.onDuty !== undefined) where.push({ sql: "on_duty = ?", params: [query.onDuty ? 1 : 0] });
    return await selectPage<WorkerRecord>(
      this.sql,
      { select: "*", from: "workers", searchColumns: ["code", "name", "phone"], orderBy: "code", where },
      query,
    );
  }

  async worker(id: number): Promise<WorkerRecord | undefined> {
    return (await this.sql.get("SELECT * FROM workers WHERE id = ?", [id])) as WorkerRecord | undefined;
  }

  async insertWorker(worker: Omit<WorkerRecord, "id">): Promise<number> {
    return Number(
      (
        await this.sql.get<{ id: number }>(
          `INSERT INTO workers (code, name, phone, grid_id, on_duty, lat, lng, position_at, skills, shifts)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
          [
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
          ],
        )
      )?.id,
    );
  }

  async updateWorker(id: number, changes: WorkerColumns): Promise<void> {
    await updateColumns(this.sql, "workers", { column: "id", value: id }, changes);
  }

  async workerReferences(id: number): Promise<{ label: string; count: number }[]> {
    return await referencesTo(this.sql, WORKER_REFERENCES, id);
  }

  async deleteWorker(id: number): Promise<void> {
    await this.sql.run("DELETE FROM workers WHERE id = ?", [id]);
  }

  async listClinics(query: ListQuery): Promise<{ rows: ClinicRecord[]; total: number }> {
    return await selectPage<ClinicRecord>(
      this.sql,
      { select: "*", from: "clinics", searchColumns: ["code", "name", "address"], orderBy: "code" },
      query,
    );
  }

  async clinic(id: number): Promise<ClinicRecord | undefined> {
    return (await this.sql.get("SELECT * FROM clinics WHERE id = ?", [id])) as ClinicRecord | undefined;
  }

  async insertClinic(clinic: Omit<ClinicRecord, "id">): Promise<number> {
    return Number(
      (
        await this.sql.get<{ id: number }>(
          "INSERT INTO clinics (code, name, phone, address, lat, lng, capabilities, hours) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
          [
            clinic.code,
            clinic.name,
            clinic.phone,
            clinic.address,
            clinic.lat,
            clinic.lng,
            clinic.capabilities,
            clinic.hours,
          ],
        )
      )?.id,
    );
  }

  async updateClinic(id: number, changes: ClinicColumns): Promise<void> {
    await updateColumns(this.sql, "clinics", { column: "id", value: id }, changes);
  }

  async clinicReferences(id: number): Promise<{ label: string; count: number }[]> {
    return await referencesTo(this.sql, CLINIC_REFERENCES, id);
  }

  async deleteClinic(id: number): Promise<void> {
    await this.sql.run("DELETE FROM clinics WHERE id = ?", [id]);
  }
}
