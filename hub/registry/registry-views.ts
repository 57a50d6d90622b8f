/**
 * The API's registry records, built from stored rows: camelCase,
 * booleans as booleans, JSON columns parsed, and never a secret hash. Residents
 * have their own builder in `health-access.ts` because of their health data.
 */
import type {
  ClinicView,
  DeviceView,
  GazetteerView,
  GridRef,
  GridView,
  HouseholdView,
  RelativeView,
  WorkerView,
} from "../../protocol/console/index.ts";
import type { DeviceListRow } from "./device-repo.ts";
import type { GridPolygon } from "./geometry.ts";
import type { HouseholdRecord, RelativeRecord } from "./household-repo.ts";
import type { GazetteerRecord, GridRecord } from "./place-repo.ts";
import type { ListQuery, Page } from "./registry-sql.ts";
import type { ClinicRecord, WorkerRecord } from "./responder-repo.ts";
import { parseStringList, parseWeeklySchedule } from "./weekly-hours.ts";

/** The shapes are the contract's (protocol/console/registry.ts, households.ts). */
export type { ClinicView, DeviceView, GazetteerView, GridRef, GridView, HouseholdView, RelativeView, WorkerView };

export function toPage<Row, View>(
  result: { rows: Row[]; total: number },
  query: ListQuery,
  view: (row: Row) => View,
): Page<View> {
  return { items: result.rows.map(view), total: result.total, limit: query.limit, offset: query.offset };
}

/** As `toPage`, for views that read more (a row's grid): one row after the other, not all at once. */
export async function toPageReading<Row, View>(
  result: { rows: Row[]; total: number },
  query: ListQuery,
  view: (row: Row) => Promise<View>,
): Promise<Page<View>> {
  const items: View[] = [];
  for (const row of result.rows) items.push(await view(row));
  return { items, total: result.total, limit: query.limit, offset: query.offset };
}

export function gridView(row: GridRecord): GridView {
  return {
    id: row.id,
    code: row.code,
    name: row.name,
    leaderName: row.leader_name,
    leaderPhone: row.leader_phone,
    polygon: JSON.parse(row.polygon) as GridPolygon,
  };
}

export function householdView(row: HouseholdRecord, grid: GridRef | null): HouseholdView {
  return {
    id: row.id,
    code: row.code,
    address: row.address,
    lat: row.lat,
    lng: row.lng,
    locationSource: row.location_source,
    grid,
    keyHolder: row.key_holder,
    accessNotes: row.access_notes,
    landline: row.landline,
    keyHolderPhone: row.key_holder_phone,
    createdAt: row.created_at,
  };
}

export function relativeView(row: RelativeRecord): RelativeView {
  return {
    id: row.id,
    residentId: row.resident_id,
    priority: row.priority,
    name: row.name,
    relation: row.relation,
    phone: row.phone,
    language: row.language,
    updates: row.updates === 1,
  };
}

export function deviceView(row: DeviceListRow): DeviceView {
  return {
    id: row.id,
    household:
      row.household_id === null
        ? null
        : { id: row.household_id, code: row.household_code ?? "", address: row.household_address ?? "" },
    status: row.status,
    online: row.online === 1,
    lastSeenAt: row.last_seen_at,
    battery: row.battery,
    firmware: row.firmware,
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
    secretRotatedAt: row.secret_rotated_at,
  };
}

export function workerView(row: WorkerRecord, grid: GridRef | null): WorkerView {
  return {
    id: row.id,
    code: row.code,
    name: row.name,
    phone: row.phone,
    grid,
    skills: parseStringList(row.skills),
    shifts: parseWeeklySchedule(row.shifts),
    onDuty: row.on_duty === 1,
    position: row.lat === null || row.lng === null ? null : { lat: row.lat, lng: row.lng, at: row.position_at },
  };
}

export function clinicView(row: ClinicRecord): ClinicView {
  return {
    id: row.id,
    code: row.code,
    name: row.name,
    phone: row.phone,
    address: row.address,
    lat: row.lat,
    lng: row.lng,
    capabilities: parseStringList(row.capabilities),
    hours: parseWeeklySchedule(row.hours),
  };
}

export function gazetteerView(row: GazetteerRecord): GazetteerView {
  return { id: row.id, address: row.address, lat: row.lat, lng: row.lng, source: row.source };
}
