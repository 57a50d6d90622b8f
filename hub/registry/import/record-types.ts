/**
 * The registry as it travels in files: these are the JSON formats exactly (the
 * CSV formats flatten them, see csv-columns.ts), checked and clean. Import
 * produces them from a file, export produces them from the database, and the
 * bench generator produces them from thin air, so all three agree by type.
 */
import type { LineString, MultiLineString, MultiPolygon, Polygon } from "geojson";
import type { Language, Sex } from "./row-checker.ts";
import type { WeeklySpan } from "./weekly-hours.ts";

export interface RelativeRecord {
  name: string;
  relation: string;
  phone: string;
  language: Language;
}

/**
 * Who agreed that the resident's health data may be kept, in what relation to
 * the resident, when and how: the registry API's consent record, in the file's
 * snake_case. `recorded_by`/`recorded_at` say who entered it into the hub; an
 * import fills them in (the importing actor, now) when the file leaves them out.
 */
export interface ConsentRecord {
  given_by: string;
  relation: string;
  at: string;
  method: ConsentMethod;
  note: string | null;
  recorded_by: string | null;
  recorded_at: string | null;
}

export const CONSENT_METHODS = ["written", "verbal", "electronic"] as const;
export type ConsentMethod = (typeof CONSENT_METHODS)[number];

export interface ResidentRecord {
  name: string;
  birth_date: string;
  sex: Sex;
  phone: string | null;
  language: Language;
  conditions: string | null;
  medications: string | null;
  allergies: string | null;
  mobility: string | null;
  consent: ConsentRecord | null;
  /** In the order they are called. */
  relatives: RelativeRecord[];
}

export interface HouseholdRecord {
  code: string;
  address: string;
  /** Null (both) when the household is placed through the gazetteer by its address. */
  lat: number | null;
  lng: number | null;
  key_holder: string | null;
  /** The key holder's phone (E.164), for operators to call from the console (docs/voice.md). */
  key_holder_phone: string | null;
  access_notes: string | null;
  /** The household's fixed line (E.164): a call from it to the center is placed here (docs/voice.md). */
  landline: string | null;
  /** Buttons bound to the household; an unknown id is provisioned with a new secret. */
  device_ids: string[];
  /** The first is the primary resident, the one an alarm names. */
  residents: ResidentRecord[];
}

export interface WorkerRecord {
  code: string;
  name: string;
  phone: string;
  grid_code: string | null;
  /** Live state the worker's phone keeps; null keeps what the hub has (off duty for a new worker). */
  on_duty: boolean | null;
  lat: number | null;
  lng: number | null;
  skills: string[];
  shifts: WeeklySpan[];
}

export interface ClinicRecord {
  code: string;
  name: string;
  phone: string;
  address: string;
  /** Null (both) in a file: looked up in the gazetteer by address. Always set in an export. */
  lat: number | null;
  lng: number | null;
  capabilities: string[];
  hours: WeeklySpan[];
}

export interface GazetteerRecord {
  /** Stored normalised (normaliseAddress), which is also the upsert key. */
  address: string;
  lat: number;
  lng: number;
  source: string | null;
}

export interface GridProperties {
  code: string;
  name: string;
  leader_name: string | null;
  leader_phone: string | null;
}

export interface GridFeature {
  type: "Feature";
  properties: GridProperties;
  geometry: Polygon | MultiPolygon;
}

export interface GridCollection {
  type: "FeatureCollection";
  features: GridFeature[];
}

/** A road centre line: its name is the label the console map draws (hub/registry/road-lines.ts). */
export interface RoadFeature {
  type: "Feature";
  properties: { code: string; name: string };
  geometry: LineString | MultiLineString;
}

export interface RoadCollection {
  type: "FeatureCollection";
  features: RoadFeature[];
}
