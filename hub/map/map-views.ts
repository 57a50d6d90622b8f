/**
 * The console map's layers in one read (`GET /api/map`): every grid outline,
 * every clinic, the on-duty workers with a known position (and whether they are
 * busy), and the households of open alarms. Households in general are not
 * listed: a district can hold 100,000 of them, and an alarm's own household
 * comes with the alarm detail. The console polls this every few seconds while
 * a map is on screen, so it is a handful of indexed queries and nothing else.
 * Road lines are not in it (hub/map/road-views.ts): only their version, so the
 * console fetches them again when they change. The answer's shape is the
 * contract's (protocol/console/map.ts).
 */

import { CLOSED_STATUSES, type MapFocus, type MapLayers, type MapRoads } from "../../protocol/console/index.ts";
import type { DispatchRepository } from "../dispatch/dispatch-repo.ts";
import { AnxinError } from "../errors.ts";
import { parseStringList } from "../registry/weekly-hours.ts";
import { nowIso } from "../storage/database.ts";
import type { SqlSession } from "../storage/sql/sql-port.ts";
import { readMapRoads, roadsVersion } from "./road-views.ts";

interface GridRow {
  id: number;
  code: string;
  name: string;
  polygon: string;
}
interface ClinicRow {
  id: number;
  code: string | null;
  name: string;
  lat: number;
  lng: number;
  capabilities: string;
}
interface WorkerRow {
  id: number;
  code: string | null;
  name: string;
  grid_id: number | null;
  lat: number;
  lng: number;
  position_at: string | null;
}
interface AlarmPointRow {
  id: number;
  kind: string;
  status: string;
  acknowledged_at: string | null;
  received_at: string;
  code: string;
  address: string;
  grid_id: number | null;
  lat: number;
  lng: number;
}

const CLOSED_SQL = CLOSED_STATUSES.map((s) => `'${s}'`).join(", ");

export class MapViews {
  private readonly sql: SqlSession;
  private readonly dispatch: DispatchRepository;
  private readonly tileUrl: string | null;

  /** `dispatch`: the same busy rule the ranking uses, so the map never disagrees with the dispatch card. */
  constructor(deps: { sql: SqlSession; dispatch: DispatchRepository }, settings: { tileUrl: string | null }) {
    this.sql = deps.sql;
    this.dispatch = deps.dispatch;
    this.tileUrl = settings.tileUrl;
  }

  /** Every layer; with an alarm id, that alarm's places too (ALARM_NOT_FOUND for an unknown one). */
  async layers(alarmId: number | null = null): Promise<MapLayers> {
    const focus = alarmId === null ? null : await this.focus(alarmId);
    const busy = await this.dispatch.busyWorkers(null);
    const grids = await this.sql.all<GridRow>("SELECT id, code, name, polygon FROM grids ORDER BY id");
    const clinics = await this.sql.all<ClinicRow>(
      "SELECT id, code, name, lat, lng, capabilities FROM clinics ORDER BY id",
    );
    const workers = await this.sql.all<WorkerRow>(
      `SELECT id, code, name, grid_id, lat, lng, position_at FROM workers
          WHERE on_duty = 1 AND lat IS NOT NULL AND lng IS NOT NULL ORDER BY id`,
    );
    const alarms = await this.sql.all<AlarmPointRow>(
      `SELECT a.id, a.kind, a.status, a.acknowledged_at, a.received_at, h.code, h.address, h.grid_id, h.lat, h.lng
           FROM alarms a JOIN households h ON h.id = a.household_id
          WHERE a.status NOT IN (${CLOSED_SQL}) AND h.lat IS NOT NULL AND h.lng IS NOT NULL
          ORDER BY a.id`,
    );
    return {
      tileUrl: this.tileUrl,
      generatedAt: nowIso(),
      roadsVersion: await roadsVersion(this.sql),
      grids: grids.map((g) => ({ id: g.id, code: g.code, name: g.name, geometry: parseGeometry(g.polygon) })),
      clinics: clinics.map((c) => ({
        id: c.id,
        code: c.code,
        name: c.name,
        lat: c.lat,
        lng: c.lng,
        capabilities: parseStringList(c.capabilities),
      })),
      workers: workers.map((w) => ({
        id: w.id,
        code: w.code,
        name: w.name,
        gridId: w.grid_id,
        lat: w.lat,
        lng: w.lng,
        positionAt: w.position_at,
        busyWithAlarmId: busy.get(w.id) ?? null,
      })),
      alarms: alarms.map((a) => ({
        id: a.id,
        kind: a.kind,
        status: a.status,
        acknowledged: a.acknowledged_at !== null,
        receivedAt: a.received_at,
        householdCode: a.code,
        address: a.address,
        gridId: a.grid_id,
        lat: a.lat,
        lng: a.lng,
      })),
      focus,
    };
  }

  /** The road centre lines, bounded (road-views.ts). */
  roads(): Promise<MapRoads> {
    return readMapRoads(this.sql);
  }

  private async focus(alarmId: number): Promise<MapFocus> {
    const alarm = await this.sql.get<{
      household_id: number | null;
      worker_id: number | null;
      clinic_id: number | null;
    }>("SELECT household_id, worker_id, clinic_id FROM alarms WHERE id = ?", [alarmId]);
    if (!alarm) throw new AnxinError("ALARM_NOT_FOUND", `no alarm ${alarmId}`, { alarmId });
    const household = await this.sql.get<{ code: string; grid_id: number | null; lat: number; lng: number }>(
      "SELECT code, grid_id, lat, lng FROM households WHERE id = ? AND lat IS NOT NULL AND lng IS NOT NULL",
      [alarm.household_id],
    );
    const worker = await this.sql.get<Pick<WorkerRow, "id" | "name" | "lat" | "lng" | "position_at">>(
      "SELECT id, name, lat, lng, position_at FROM workers WHERE id = ? AND lat IS NOT NULL AND lng IS NOT NULL",
      [alarm.worker_id],
    );
    const clinic = await this.sql.get<{ id: number; name: string; lat: number; lng: number }>(
      "SELECT id, name, lat, lng FROM clinics WHERE id = ?",
      [alarm.clinic_id],
    );
    return {
      alarmId,
      household: household
        ? { code: household.code, gridId: household.grid_id, lat: household.lat, lng: household.lng }
        : null,
      worker: worker
        ? { id: worker.id, name: worker.name, lat: worker.lat, lng: worker.lng, positionAt: worker.position_at }
        : null,
      clinic: clinic ?? null,
    };
  }
}

/** Stored outlines were checked on the way in; a corrupt one is drawn as nothing rather than failing the map. */
function parseGeometry(stored: string): { type: string; coordinates: unknown[] } {
  try {
    const parsed = JSON.parse(stored) as { type?: unknown; coordinates?: unknown };
    if (typeof parsed.type === "string" && Array.isArray(parsed.coordinates)) {
      return { type: parsed.type, coordinates: parsed.coordinates };
    }
  } catch {
    // fall through
  }
  return { type: "Polygon", coordinates: [] };
}
