/**
 * Storage for dispatch: offers, the dispatch columns of alarms, and the registry
 * fields dispatch reads that the hub's general registry repository does not
 * expose (codes, hours, access notes, health data, consent). SQL only; every
 * rule lives in the cascade and the service.
 */
import type { AlarmRow } from "../storage/alarm-repo.ts";
import type { Db } from "../storage/database.ts";
import { type BusyLookup, BusyWorkers } from "./busy-workers.ts";
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
  note: string | null;
}

export interface DispatchAlarmRow extends AlarmRow {
  dispatch_ranking: string | null;
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
  private readonly db: Db;

  constructor(db: Db) {
    this.db = db;
  }

  registryVersion(): number {
    return (this.db.prepare("SELECT value FROM meta WHERE key = 'registry_version'").get() as { value: number }).value;
  }

  workers(): DispatchWorkerRow[] {
    return this.db.prepare("SELECT * FROM workers").all() as DispatchWorkerRow[];
  }

  worker(id: number): DispatchWorkerRow | undefined {
    return this.db.prepare("SELECT * FROM workers WHERE id = ?").get(id) as DispatchWorkerRow | undefined;
  }

  clinics(): DispatchClinicRow[] {
    return this.db.prepare("SELECT * FROM clinics").all() as DispatchClinicRow[];
  }

  clinic(id: number): DispatchClinicRow | undefined {
    return this.db.prepare("SELECT * FROM clinics WHERE id = ?").get(id) as DispatchClinicRow | undefined;
  }

  household(id: number): HouseholdAccessRow | undefined {
    return this.db.prepare("SELECT * FROM households WHERE id = ?").get(id) as HouseholdAccessRow | undefined;
  }

  resident(id: number): ResidentHealthRow | undefined {
    return this.db.prepare("SELECT * FROM residents WHERE id = ?").get(id) as ResidentHealthRow | undefined;
  }

  gridName(id: number): string | null {
    return (
      (this.db.prepare("SELECT name FROM grids WHERE id = ?").get(id) as { name: string } | undefined)?.name ?? null
    );
  }

  alarm(id: number): DispatchAlarmRow | undefined {
    return this.db.prepare("SELECT * FROM alarms WHERE id = ?").get(id) as DispatchAlarmRow | undefined;
  }

  /**
   * Workers busy on another alarm (assigned to it, or holding its open offer) → that alarm.
   * A service request does not count: it is an errand that may stay open for days, and must
   * never push the grid's own worker down an SOS ranking. Answered from memory once the
   * connection's mirror is started (busy-workers.ts), from the tables before.
   */
  busyLookup(exceptAlarmId: number | null): BusyLookup {
    return BusyWorkers.of(this.db).lookup(exceptAlarmId);
  }

  /** The same, every busy worker at once (for the map, not for the alarm path). */
  busyWorkers(exceptAlarmId: number | null): Map<number, number> {
    return BusyWorkers.of(this.db).all(exceptAlarmId);
  }

  /** The busy-worker mirror of this connection, started and stopped by the dispatch service. */
  busyMirror(): BusyWorkers {
    return BusyWorkers.of(this.db);
  }

  setRanking(alarmId: number, ranking: StoredRanking): void {
    this.db.prepare("UPDATE alarms SET dispatch_ranking = ? WHERE id = ?").run(JSON.stringify(ranking), alarmId);
  }

  setDispatchReason(alarmId: number, reason: string | null): void {
    this.db.prepare("UPDATE alarms SET dispatch_reason = ? WHERE id = ?").run(reason, alarmId);
  }

  setClinic(alarmId: number, clinicId: number | null, distanceM: number | null, reason: string): void {
    this.db
      .prepare("UPDATE alarms SET clinic_id = ?, clinic_distance_m = ?, clinic_reason = ? WHERE id = ?")
      .run(clinicId, distanceM, reason, alarmId);
  }

  /** The worker the alarm is with now: the one offered, then the one who accepted; null when nobody. */
  setCurrentWorker(alarmId: number, workerId: number | null, distanceM: number | null): void {
    this.db
      .prepare("UPDATE alarms SET worker_id = ?, worker_distance_m = ? WHERE id = ?")
      .run(workerId, distanceM, alarmId);
  }

  insertOffer(offer: Omit<OfferRow, "id" | "status" | "responded_at" | "note">): number {
    const result = this.db
      .prepare(
        `INSERT INTO dispatch_offers (alarm_id, worker_id, rank, distance_m, status, offered_at, expires_at, offered_by)
         VALUES (?, ?, ?, ?, 'offered', ?, ?, ?)`,
      )
      .run(
        offer.alarm_id,
        offer.worker_id,
        offer.rank,
        offer.distance_m,
        offer.offered_at,
        offer.expires_at,
        offer.offered_by,
      );
    return Number(result.lastInsertRowid);
  }

  offer(id: number): OfferRow | undefined {
    return this.db.prepare("SELECT * FROM dispatch_offers WHERE id = ?").get(id) as OfferRow | undefined;
  }

  offers(alarmId: number): OfferRow[] {
    return this.db.prepare("SELECT * FROM dispatch_offers WHERE alarm_id = ? ORDER BY id").all(alarmId) as OfferRow[];
  }

  openOffer(alarmId: number): OfferRow | undefined {
    return this.db.prepare("SELECT * FROM dispatch_offers WHERE alarm_id = ? AND status = 'offered'").get(alarmId) as
      | OfferRow
      | undefined;
  }

  openOfferForWorker(workerId: number): OfferRow | undefined {
    return this.db
      .prepare("SELECT * FROM dispatch_offers WHERE worker_id = ? AND status = 'offered' ORDER BY id DESC LIMIT 1")
      .get(workerId) as OfferRow | undefined;
  }

  /** Conditional: false when the offer was no longer open (someone else settled it first). */
  settleOffer(offerId: number, status: Exclude<OfferStatus, "offered">, at: string, note: string | null): boolean {
    return (
      this.db
        .prepare(
          "UPDATE dispatch_offers SET status = ?, responded_at = ?, note = ? WHERE id = ? AND status = 'offered'",
        )
        .run(status, at, note, offerId).changes === 1
    );
  }

  /** The `limit` oldest open offers whose deadline has passed; ISO-8601 UTC strings compare in time order. */
  expiredOffers(nowIso: string, limit: number): OfferRow[] {
    return this.db
      .prepare(
        "SELECT * FROM dispatch_offers WHERE status = 'offered' AND expires_at <= ? ORDER BY expires_at, id LIMIT ?",
      )
      .all(nowIso, limit) as OfferRow[];
  }

  /** Open alarms ranked in the pipeline whose OSRM refinement and first offer have not happened yet. */
  alarmsAwaitingRefinement(): number[] {
    return (
      this.db
        .prepare(
          `SELECT id FROM alarms WHERE status IN ('unassigned', 'offered')
             AND json_extract(dispatch_ranking, '$.refinement') = 'pending' ORDER BY id`,
        )
        .all() as { id: number }[]
    ).map((r) => r.id);
  }

  /** The alarm this worker has accepted and not yet closed. */
  assignedAlarm(workerId: number): DispatchAlarmRow | undefined {
    return this.db
      .prepare("SELECT * FROM alarms WHERE worker_id = ? AND status IN ('accepted', 'on_scene') ORDER BY id LIMIT 1")
      .get(workerId) as DispatchAlarmRow | undefined;
  }

  setDuty(workerId: number, onDuty: boolean): void {
    this.db.prepare("UPDATE workers SET on_duty = ? WHERE id = ?").run(onDuty ? 1 : 0, workerId);
  }

  setPosition(workerId: number, position: { lat: number; lng: number; accuracyM: number | null }, at: string): void {
    this.db
      .prepare("UPDATE workers SET lat = ?, lng = ?, position_accuracy_m = ?, position_at = ? WHERE id = ?")
      .run(position.lat, position.lng, position.accuracyM, at, workerId);
  }
}
