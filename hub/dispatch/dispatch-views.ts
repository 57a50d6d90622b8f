/**
 * The API's shapes of dispatch: the block in an alarm's detail (ranking,
 * reasons, offers, clinic reason) and what the worker page shows (profile and
 * current assignment). One builder each, from stored rows.
 */

import {
  type Assignment,
  type DispatchDetail,
  type OfferView,
  type ResidentHealth,
  reasonOf,
  type WorkerProfile,
} from "../../protocol/console/index.ts";
import { ageOn } from "../alarms/age.ts";
import { AnxinError } from "../errors.ts";
import type { UserRepository, UserRow } from "../storage/user-repo.ts";
import type { DispatchAlarmRow, DispatchRepository, DispatchWorkerRow, OfferRow } from "./dispatch-repo.ts";
import { parseRanking } from "./offer-cascade.ts";

export class DispatchViews {
  private readonly repo: DispatchRepository;
  private readonly users: UserRepository;

  constructor(deps: { repo: DispatchRepository; users: UserRepository }) {
    this.repo = deps.repo;
    this.users = deps.users;
  }

  async offer(row: OfferRow): Promise<OfferView> {
    const worker = await this.repo.worker(row.worker_id);
    return {
      id: row.id,
      alarmId: row.alarm_id,
      worker: { id: row.worker_id, code: worker?.code ?? null, name: worker?.name ?? null },
      rank: row.rank,
      distanceM: row.distance_m === null ? null : Math.round(row.distance_m),
      status: row.status,
      offeredAt: row.offered_at,
      expiresAt: row.expires_at,
      respondedAt: row.responded_at,
      offeredBy: row.offered_by,
      note: reasonOf(row.note),
    };
  }

  async detail(alarmId: number): Promise<DispatchDetail> {
    const alarm = await this.repo.alarm(alarmId);
    const ranking = parseRanking(alarm?.dispatch_ranking ?? null);
    const offers: OfferView[] = [];
    for (const row of await this.repo.offers(alarmId)) offers.push(await this.offer(row));
    return {
      metric: ranking?.metric ?? null,
      refinement: ranking?.refinement ?? null,
      rankingNote: ranking?.note ?? null,
      ranking: ranking?.entries ?? [],
      // Coded reasons are stored as JSON; an alarm's older sentence reads as `text` (the hub's own words).
      reason: reasonOf(alarm?.dispatch_reason),
      offers,
      clinicReason: reasonOf(alarm?.clinic_reason),
      offeredAt: alarm?.offered_at ?? null,
      acceptedAt: alarm?.accepted_at ?? null,
      onSceneAt: alarm?.on_scene_at ?? null,
    };
  }

  async profile(worker: DispatchWorkerRow): Promise<WorkerProfile> {
    return {
      id: worker.id,
      code: worker.code,
      name: worker.name,
      phone: worker.phone,
      gridName: worker.grid_id === null ? null : await this.repo.gridName(worker.grid_id),
      onDuty: worker.on_duty === 1,
      skills: parseStrings(worker.skills),
      position:
        worker.lat === null || worker.lng === null
          ? null
          : { lat: worker.lat, lng: worker.lng, accuracyM: worker.position_accuracy_m, at: worker.position_at },
    };
  }

  /** The worker's open offer, else the alarm they accepted. Health data comes separately: see `health()`. */
  async assignment(worker: DispatchWorkerRow): Promise<Assignment | null> {
    const offer = await this.repo.openOfferForWorker(worker.id);
    const alarm: DispatchAlarmRow | undefined = offer
      ? await this.repo.alarm(offer.alarm_id)
      : await this.repo.assignedAlarm(worker.id);
    if (!alarm) return null;
    const household = alarm.household_id ? await this.repo.household(alarm.household_id) : undefined;
    const resident = alarm.resident_id ? await this.repo.resident(alarm.resident_id) : undefined;
    const assigned = !offer && alarm.worker_id === worker.id;
    const lat = household?.lat ?? null;
    const lng = household?.lng ?? null;
    const located = lat !== null && lng !== null;
    return {
      state: offer ? "offered" : alarm.status === "on_scene" ? "on_scene" : "accepted",
      offer: offer ? await this.offer(offer) : null,
      alarm: {
        id: alarm.id,
        kind: alarm.kind,
        status: alarm.status,
        receivedAt: alarm.received_at,
        address: household?.address ?? "",
        householdCode: household?.code ?? "",
        lat,
        lng,
        geoUri: located ? `geo:${lat},${lng}?q=${lat},${lng}(${encodeURIComponent(household?.address ?? "")})` : null,
        mapUrl: located ? `https://www.openstreetmap.org/?mlat=${lat}&mlon=${lng}#map=18/${lat}/${lng}` : null,
        keyHolder: household?.key_holder ?? null,
        accessNotes: household?.access_notes ?? null,
      },
      resident: resident
        ? {
            name: resident.name,
            age: ageOn(resident.birth_date, new Date()),
            sex: resident.sex,
            phone: resident.phone,
            healthUrl: assigned ? `/api/worker/alarms/${alarm.id}/health` : null,
            healthWithheld: !assigned,
          }
        : null,
    };
  }

  /**
   * The resident's health data, for the worker the alarm is assigned to (after
   * accepting) and nobody else. Every call is one view, and writes one audit row.
   */
  async health(worker: DispatchWorkerRow, user: UserRow, alarmId: number): Promise<ResidentHealth> {
    const alarm = await this.repo.assignedAlarm(worker.id);
    if (!alarm || alarm.id !== alarmId) {
      throw new AnxinError("AUTH_FORBIDDEN", `alarm ${alarmId} is not assigned to you`, { alarmId });
    }
    const resident = alarm.resident_id ? await this.repo.resident(alarm.resident_id) : undefined;
    if (!resident) throw new AnxinError("ALARM_NOT_FOUND", `alarm ${alarmId} has no resident on record`, { alarmId });
    await this.users.audit(`user:${user.username}`, "health_data_viewed", `resident:${resident.id}`, {
      alarmId,
      via: "worker_page",
    });
    return {
      conditions: resident.conditions,
      medications: resident.medications,
      allergies: resident.allergies,
      mobility: resident.mobility,
    };
  }
}

function parseStrings(json: string): string[] {
  try {
    const value: unknown = JSON.parse(json);
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
  } catch {
    return [];
  }
}
