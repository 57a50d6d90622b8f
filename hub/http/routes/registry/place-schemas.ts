/** Schemas of grids and gazetteer entries. */
import Type from "typebox";
import {
  Address,
  Code,
  Latitude,
  Longitude,
  Name,
  Note,
  Nullable,
  Phone,
  pageOf,
  patchOf,
  strictObject,
} from "./shared-schemas.ts";

/** The outer shape only; `hub/registry/geometry.ts` checks each ring and names the position that is wrong. */
const PolygonBody = strictObject({
  type: Type.Enum(["Polygon", "MultiPolygon"]),
  coordinates: Type.Array(Type.Unknown(), {
    minItems: 1,
    description: "GeoJSON (RFC 7946): closed rings of [lng, lat] positions",
  }),
});

export const GridCreateBody = strictObject({
  code: Code,
  name: Name,
  leaderName: Type.Optional(Nullable(Name)),
  leaderPhone: Type.Optional(Nullable(Phone)),
  polygon: PolygonBody,
});
export const GridPatchBody = patchOf(GridCreateBody);

export const GridSchema = Type.Object({
  id: Type.Integer(),
  code: Type.String(),
  name: Type.String(),
  leaderName: Nullable(Type.String()),
  leaderPhone: Nullable(Type.String()),
  polygon: Type.Object({ type: Type.String(), coordinates: Type.Array(Type.Unknown()) }),
});
export const GridPage = pageOf(GridSchema);

export const GazetteerCreateBody = strictObject({
  address: Address,
  lat: Latitude,
  lng: Longitude,
  source: Type.Optional(Nullable(Note(100))),
});
export const GazetteerPatchBody = patchOf(GazetteerCreateBody);

export const GazetteerSchema = Type.Object({
  id: Type.Integer(),
  address: Type.String(),
  lat: Type.Number(),
  lng: Type.Number(),
  source: Nullable(Type.String()),
});
export const GazetteerPage = pageOf(GazetteerSchema);
