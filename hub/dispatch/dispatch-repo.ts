/**
 * Storage for dispatch: offers, the dispatch columns of alarms, and the registry
 * fields dispatch reads that the hub's general registry repository does not
 * expose (codes, hours, access notes, health data, consent). SQL only; every
 * rule lives in the cascade and the service.
 */
import { type Reason, storedReason } from "../../protocol/console/index.ts";
import type { AlarmRow } from "../storage/alarm-repo.ts";
import { jsonTextField } from "../storage/sql/dialect-sql.ts";
import type { SqlSession } from "../storage/sql/sql-port.ts";
import type { BusyLookup, BusySource } from "./busy-source.ts";
import type { StoredRanking } from "./types.ts";

export type OfferStatus = "offered" | "accepted" | "declined" | "timed_out" | "withdrawn";

export interface OfferRow {
  id: number;
  alarm_id: number;
  worker_id: number;
  rank: number;
  distance_m: number | null;
  status: OfferStatus;
  offered_at: string;
  expires_at: string;
  responded_at: string | null;
  offered_by: string;
  /** A coded reason as JSON (an older row: an English sentence); read it with `reasonOf`. */
  note: string | null;
}

export interface DispatchAlarmRow extends AlarmRow {
  dispatch_ranking: string | null;
  /** Coded reasons as JSON (an older row: an English sentence); read them with `reasonOf`. */
  dispatch_reason: string | null;
  clinic_reason: string | null;
}

export interface DispatchWorkerRow {
  id: number;
  code: string;
  name: string;
  phone: string;
  grid_id: number | null;
  on_duty: number;
  lat: number | null;
  lng: number | null;
  position_at: string | null;
  position_accuracy_m: number | null;
  skills: string;
}

export interface DispatchClinicRow {
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

export interface HouseholdAccessRow {
  id: number;
  code: string;
  address: string;
  lat: number | null;
  lng: number | null;
  grid_id: number | null;
  key_holder: string | null;
  access_notes: string | null;
}

export interface ResidentHealthRow {
  id: number;
  name: string;
  birth_date: string;
  sex: "F" | "M" | "X";
  phone: string | null;
  conditions: string | null;
  medications: string | null;
  allergies: string | null;
  mobility: string | null;
  consent: string | null;
}

export class DispatchRepository {
  private readonly sql: SqlSession;
  private readonly busy: BusySource;

  /** `busy`: the busy-worker mirror of the hub's connection (busy-workers.ts), read from memory. */
  constructor(sql: SqlSession, busy: BusySource) {
    this.sql = sql;
    this.busy = busy;
  }

  async registryVersion(): Promise<number> {
    const row = await this.sql.get<{ value: number }>("SELECT value FROM meta WHERE key = 'registry_version'");
    return row?.value ?? 0;
  }

  workers(): Promise<DispatchWorkerRow[]> {
    return this.sql.all<DispatchWorkerRow>("SELECT * FROM workers");
  }

  worker(id: number): Promise<DispatchWorkerRow | undefined> {
    return this.sql.get<DispatchWorkerRow>("SELECT * FROM workers WHERE id = ?", [id]);
  }

  clinics(): Promise<DispatchClinicRow[]> {
    return this.sql.all<DispatchClinicRow>("SELECT * FROM clinics");
  }

  clinic(id: number): Promise<DispatchClinicRow | undefined> {
    return this.sql.get<DispatchClinicRow>("SELECT * FROM clinics WHERE id = ?", [id]);
  }

  household(id: number): Promise<HouseholdAccessRow | undefined> {
    return this.sql.get<HouseholdAccessRow>("SELECT * FROM households WHERE id = ?", [id]);
  }

  resident(id: number): Promise<ResidentHealthRow | undefined> {
    return this.sql.get<ResidentHealthRow>("SELECT * FROM residents WHERE id = ?", [id]);
  }

  async gridName(id: number): Promise<string | null> {
    return (await this.sql.get<{ name: string }>("SELECT name FROM grids WHERE id = ?", [id]))?.name ?? null;
  }

  alarm(id: number): Promise<DispatchAlarmRow | undefined> {
    return this.sql.get<DispatchAlarmRow>("SELECT * FROM alarms WHERE id = ?", [id]);
  }

  /**
   * Workers busy on another alarm (assigned to it, or holding its open offer) → that alarm.
   * A service request does not count: it is an errand that may stay open for days, and must
   * never push the grid's own worker down an SOS ranking. Answered from memory once the
   * connection's mirror is started (busy-workers.ts), from the tables before.
   */
  busyLookup(exceptAlarmId: number | null): Promise<BusyLookup> {
    return this.busy.lookup(exceptAlarmId);
  }

  /** The same, every busy worker at once (for the map, not for the alarm path). */
  busyWorkers(exceptAlarmId: number | null): Promise<Map<number, number>> {
    return this.busy.all(exceptAlarmId);
  }

  /** The busy-worker mirror of this connection, started and stopped by the dispatch service. */
  busyMirror(): BusySource {
    return this.busy;
  }

  async setRanking(alarmId: number, ranking: StoredRanking): Promise<void> {
    await this.sql.run("UPDATE alarms SET dispatch_ranking = ? WHERE id = ?", [JSON.stringify(ranking), alarmId]);
  }

  /** Why the alarm is with its current worker (or with nobody); a coded reason, stored as JSON text. */
  async setDispatchReason(alarmId: number, reason: Reason | null): Promise<void> {
    await this.sql.run("UPDATE alarms SET dispatch_reason = ? WHERE id = ?", [
      reason === null ? null : storedReason(reason),
      alarmId,
    ]);
  }

  async setClinic(alarmId: number, clinicId: number | null, distanceM: number | null, reason: Reason): Promise<void> {
    await this.sql.run("UPDATE alarms SET clinic_id = ?, clinic_distance_m = ?, clinic_reason = ? WHERE id = ?", [
      clinicId,
      distanceM,
      storedReason(reason),
      alarmId,
    ]);
  }

  /** The worker the alarm is with now: the one offered, then the one who accepted; null when nobody. */
  async setCurrentWorker(alarmId: number, workerId: number | null, distanceM: number | null): Promise<void> {
    await this.sql.run("UPDATE alarms SET worker_id = ?, worker_distance_m = ? WHERE id = ?", [
      workerId,
      distanceM,
      alarmId,
    ]);
  }

  async insertOffer(offer: Omit<OfferRow, "id" | "status" | "responded_at" | "note">): Promise<number> {
    const row = await this.sql.get<{ id: number }>(
      `INSERT INTO dispatch_offers (alarm_id, worker_id, rank, distance_m, status, offered_at, expires_at, offered_by)
       VALUES (?, ?, ?, ?, 'offered', ?, ?, ?) RETURNING id`,
      [
        offer.alarm_id,
        offer.worker_id,
        offer.rank,
        offer.distance_m,
        offer.offered_at,
        offer.expires_at,
        offer.offered_by,
      ],
    );
    return row?.id ?? 0;
  }

  offer(id: number): Promise<OfferRow | undefined> {
    return this.sql.get<OfferRow>("SELECT * FROM dispatch_offers WHERE id = ?", [id]);
  }

  offers(alarmId: number): Promise<OfferRow[]> {
    return this.sql.all<OfferRow>("SELECT * FROM dispatch_offers WHERE alarm_id = ? ORDER BY id", [alarmId]);
  }

  openOffer(alarmId: number): Promise<OfferRow | undefined> {
    return this.sql.get<OfferRow>("SELECT * FROM dispatch_offers WHERE alarm_id = ? AND status = 'offered'", [alarmId]);
  }

  openOfferForWorker(workerId: number): Promise<OfferRow | undefined> {
    return this.sql.get<OfferRow>(
      "SELECT * FROM dispatch_offers WHERE worker_id = ? AND status = 'offered' ORDER BY id DESC LIMIT 1",
      [workerId],
    );
  }

  /** Conditional: false when the offer was no longer open (someone else settled it first). */
  async settleOffer(
    offerId: number,
    status: Exclude<OfferStatus, "offered">,
    at: string,
    note: Reason | null,
  ): Promise<boolean> {
    const result = await this.sql.run(
      "UPDATE dispatch_offers SET status = ?, responded_at = ?, note = ? WHERE id = ? AND status = 'offered'",
      [status, at, note === null ? null : storedReason(note), offerId],
    );
    return result.changes === 1;
  }

  /** The `limit` oldest open offers whose deadline has passed; ISO-8601 UTC strings compare in time order. */
  expiredOffers(nowIso: string, limit: number): Promise<OfferRow[]> {
    return this.sql.all<OfferRow>(
      "SELECT * FROM dispatch_offers WHERE status = 'offered' AND expires_at <= ? ORDER BY expires_at, id LIMIT ?",
      [nowIso, limit],
    );
  }

  /** Open alarms ranked in the pipeline whose OSRM refinement and first offer have not happened yet. */
  async alarmsAwaitingRefinement(): Promise<number[]> {
    const rows = await this.sql.all<{ id: number }>(
      `SELECT id FROM alarms WHERE status IN ('unassigned', 'offered')
         AND ${jsonTextField(this.sql.dialect, "dispatch_ranking", "refinement")} = 'pending' ORDER BY id`,
    );
    return rows.map((r) => r.id);
  }

  /** The alarm this worker has accepted and not yet closed. */
  assignedAlarm(workerId: number): Promise<DispatchAlarmRow | undefined> {
    return this.sql.get<DispatchAlarmRow>(
      "SELECT * FROM alarms WHERE worker_id = ? AND status IN ('accepted', 'on_scene') ORDER BY id LIMIT 1",
      [workerId],
    );
  }

  async setDuty(workerId: number, onDuty: boolean): Promise<void> {
    await this.sql.run("UPDATE workers SET on_duty = ? WHERE id = ?", [onDuty ? 1 : 0, workerId]);
  }

  async setPosition(
    workerId: number,
    position: { lat: number; lng: number; accuracyM: number | null },
    at: string,
  ): Promise<void> {
    await this.sql.run("UPDATE workers SET lat = ?, lng = ?, position_accuracy_m = ?, position_at = ? WHERE id = ?", [
      position.lat,
      position.lng,
      position.accuracyM,
      at,
      workerId,
    ]);
  }
}
