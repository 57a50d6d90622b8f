/**
 * The API's shapes of registry records, built from stored rows: camelCase,
 * booleans as booleans, JSON columns parsed, and never a secret hash. Residents
 * have their own builder in `health-access.ts` because of their health data.
 */
import type { DeviceListRow } from "./device-repo.ts";
import type { GridPolygon } from "./geometry.ts";
import type { HouseholdRecord, RelativeRecord } from "./household-repo.ts";
import type { GazetteerRecord, GridRecord } from "./place-repo.ts";
import type { ListQuery, Page } from "./registry-sql.ts";
import type { ClinicRecord, WorkerRecord } from "./responder-repo.ts";
import { parseStringList, parseWeeklySchedule, type WeeklyPeriod } from "./weekly-hours.ts";

export interface GridRef {
  id: number;
  code: string;
  name: string;
}

export interface GridView extends GridRef {
  leaderName: string | null;
  leaderPhone: string | null;
  polygon: GridPolygon;
}

export interface HouseholdView {
  id: number;
  code: string;
  address: string;
  lat: number | null;
  lng: number | null;
  locationSource: "given" | "gazetteer" | null;
  grid: GridRef | null;
  keyHolder: string | null;
  accessNotes: string | null;
  landline: string | null;
  keyHolderPhone: string | null;
  createdAt: string;
}

export interface RelativeView {
  id: number;
  residentId: number;
  priority: number;
  name: string;
  relation: string;
  phone: string;
  language: string;
  /** Gets the update SMS after the first one (worker on the way, arrived, closed). */
  updates: boolean;
}

export interface DeviceView {
  id: string;
  household: { id: number; code: string; address: string } | null;
  status: "active" | "revoked";
  online: boolean;
  lastSeenAt: string | null;
  battery: number | null;
  firmware: string | null;
  createdAt: string;
  revokedAt: string | null;
  secretRotatedAt: string | null;
}

export interface WorkerView {
  id: number;
  code: string;
  name: string;
  phone: string;
  grid: GridRef | null;
  skills: string[];
  shifts: WeeklyPeriod[];
  onDuty: boolean;
  position: { lat: number; lng: number; at: string | null } | null;
}

export interface ClinicView {
  id: number;
  code: string;
  name: string;
  phone: string;
  address: string;
  lat: number;
  lng: number;
  capabilities: string[];
  hours: WeeklyPeriod[];
}

export interface GazetteerView {
  id: number;
  address: string;
  lat: number;
  lng: number;
  source: string | null;
}

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
