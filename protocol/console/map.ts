/**
 * The console map (`GET /api/map`, `GET /api/map/roads`): every grid outline, clinic, on-duty
 * worker with a position and open alarm's household in one poll, an alarm's own places with
 * `?alarmId=`, and the road centre lines drawn when there are no tiles (fetched again only when
 * the poll's `roadsVersion` moves).
 */
import Type, { type Static } from "typebox";
import { Nullable } from "./schema-kit.ts";

const Point = { lat: Type.Number(), lng: Type.Number() };

/**
 * One alarm's places, for the map on its detail: the household with its grid id
 * (the alarm detail names the grid, not its id), and where the chosen worker
 * and clinic are now, so the route line is drawn even to a worker who has since
 * gone off duty and left the workers layer.
 */
export const MapFocusSchema = Type.Object({
  alarmId: Type.Integer(),
  household: Nullable(Type.Object({ code: Type.String(), gridId: Nullable(Type.Integer()), ...Point })),
  worker: Nullable(
    Type.Object({ id: Type.Integer(), name: Type.String(), positionAt: Nullable(Type.String()), ...Point }),
  ),
  clinic: Nullable(Type.Object({ id: Type.Integer(), name: Type.String(), ...Point })),
});
export type MapFocus = Static<typeof MapFocusSchema>;

/** `GET /api/map`. */
export const MapLayersSchema = Type.Object({
  /** Leaflet tile URL template (ANXIN_MAP_TILE_URL); null: vector layers on a plain background. */
  tileUrl: Nullable(Type.String()),
  generatedAt: Type.String(),
  /** Moves when the road centre lines change: fetch `GET /api/map/roads` again. */
  roadsVersion: Type.String(),
  grids: Type.Array(
    Type.Object({
      id: Type.Integer(),
      code: Type.String(),
      name: Type.String(),
      /** GeoJSON Polygon or MultiPolygon of [lng, lat]. */
      geometry: Type.Object({ type: Type.String(), coordinates: Type.Array(Type.Unknown()) }),
    }),
  ),
  clinics: Type.Array(
    Type.Object({
      id: Type.Integer(),
      code: Nullable(Type.String()),
      name: Type.String(),
      lat: Type.Number(),
      lng: Type.Number(),
      capabilities: Type.Array(Type.String()),
    }),
  ),
  /** On duty and with a position only: the others cannot be drawn. */
  workers: Type.Array(
    Type.Object({
      id: Type.Integer(),
      code: Nullable(Type.String()),
      name: Type.String(),
      gridId: Nullable(Type.Integer()),
      lat: Type.Number(),
      lng: Type.Number(),
      positionAt: Nullable(Type.String()),
      /** The open alarm the worker is on or being asked about; null when free. */
      busyWithAlarmId: Nullable(Type.Integer()),
    }),
  ),
  /** Open alarms whose household has a map point. */
  alarms: Type.Array(
    Type.Object({
      id: Type.Integer(),
      kind: Type.String(),
      status: Type.String(),
      acknowledged: Type.Boolean(),
      receivedAt: Type.String(),
      householdCode: Type.String(),
      address: Type.String(),
      gridId: Nullable(Type.Integer()),
      lat: Type.Number(),
      lng: Type.Number(),
    }),
  ),
  /** With `?alarmId=`: that alarm's household, chosen worker and clinic; otherwise null. */
  focus: Nullable(MapFocusSchema),
});
export type MapLayers = Static<typeof MapLayersSchema>;

/** `GET /api/map/roads`: bounded (at most 2,000 roads and 100,000 positions: hub/registry/road-lines.ts). */
export const MapRoadsSchema = Type.Object({
  /** The same as `roadsVersion` in `GET /api/map` while the roads are unchanged. */
  version: Type.String(),
  generatedAt: Type.String(),
  /** Some stored roads were left out: unreadable, or past the bounds. */
  truncated: Type.Boolean(),
  roads: Type.Array(
    Type.Object({
      id: Type.Integer(),
      code: Type.String(),
      name: Type.String(),
      /** GeoJSON LineString or MultiLineString of [lng, lat]. */
      geometry: Type.Object({
        type: Type.Union([Type.Literal("LineString"), Type.Literal("MultiLineString")]),
        coordinates: Type.Array(Type.Unknown()),
      }),
    }),
  ),
});
export type MapRoads = Static<typeof MapRoadsSchema>;
