/**
 * Households, their residents (with health data and the consent to keep it) and
 * the relatives phoned in order: the registry's bodies (`/api/registry/households`,
 * `/residents`, `/relatives`) and what the hub answers.
 */
import Type, { type Static } from "typebox";
import {
  Address,
  Code,
  GridRefSchema,
  LanguageField,
  Latitude,
  Longitude,
  Name,
  Note,
  Phone,
  pageOf,
  patchOf,
  strictObject,
} from "./registry-fields.ts";
import { Nullable } from "./schema-kit.ts";

export const HouseholdCreateBody = strictObject({
  code: Code,
  address: Address,
  lat: Type.Optional(Nullable(Latitude)),
  lng: Type.Optional(Nullable(Longitude)),
  keyHolder: Type.Optional(Nullable(Note(200))),
  accessNotes: Type.Optional(Nullable(Note(2000))),
  /** The household's fixed line: a call from it to the center is placed at this household (docs/voice.md). */
  landline: Type.Optional(Nullable(Phone)),
  /** The key holder's phone: operators can call the key holder from the alarm's detail (docs/voice.md). */
  keyHolderPhone: Type.Optional(Nullable(Phone)),
});
export const HouseholdPatchBody = patchOf(HouseholdCreateBody);

const householdProperties = {
  id: Type.Integer(),
  code: Type.String(),
  address: Type.String(),
  lat: Nullable(Type.Number()),
  lng: Nullable(Type.Number()),
  locationSource: Nullable(Type.Enum(["given", "gazetteer"])),
  grid: Nullable(GridRefSchema),
  keyHolder: Nullable(Type.String()),
  accessNotes: Nullable(Type.String()),
  landline: Nullable(Type.String()),
  keyHolderPhone: Nullable(Type.String()),
  createdAt: Type.String(),
};
export const HouseholdSchema = Type.Object(householdProperties);
export type HouseholdView = Static<typeof HouseholdSchema>;
export const HouseholdPage = pageOf(HouseholdSchema);

const HealthText = Type.Optional(Nullable(Note(1000)));
const ConsentBody = strictObject({
  givenBy: Name,
  relation: Type.String({ minLength: 1, maxLength: 50, description: "to the resident, e.g. self, daughter, guardian" }),
  at: Type.String({ format: "date-time" }),
  method: Type.Enum(["written", "verbal", "electronic"]),
  note: Type.Optional(Note(500)),
});

export const ResidentCreateBody = strictObject({
  name: Name,
  birthDate: Type.String({ format: "date" }),
  sex: Type.Enum(["F", "M", "X"]),
  phone: Type.Optional(Nullable(Phone)),
  language: Type.Optional(LanguageField),
  conditions: HealthText,
  medications: HealthText,
  allergies: HealthText,
  mobility: HealthText,
  consent: Type.Optional(Nullable(ConsentBody)),
});
export const ResidentPatchBody = patchOf(ResidentCreateBody);

export const RelativeCreateBody = strictObject({
  name: Name,
  relation: Type.String({ minLength: 1, maxLength: 50 }),
  phone: Phone,
  language: Type.Optional(LanguageField),
  updates: Type.Optional(
    Type.Boolean({ description: "after the first SMS about an alarm, also text its progress (default true)" }),
  ),
  priority: Type.Optional(Type.Integer({ minimum: 1, description: "1 = contacted first; default: last" })),
});
export const RelativePatchBody = patchOf(RelativeCreateBody);
export const RelativeOrderBody = strictObject({
  relativeIds: Type.Array(Type.Integer({ minimum: 1 }), { maxItems: 100, description: "every relative, first first" }),
});
export type RelativeOrder = Static<typeof RelativeOrderBody>;

export const RelativeSchema = Type.Object({
  id: Type.Integer(),
  residentId: Type.Integer(),
  priority: Type.Integer(),
  name: Type.String(),
  relation: Type.String(),
  phone: Type.String(),
  language: Type.String(),
  updates: Type.Boolean(),
});
export type RelativeView = Static<typeof RelativeSchema>;
export const RelativeList = Type.Object({ items: Type.Array(RelativeSchema) });

const residentProperties = {
  id: Type.Integer(),
  householdId: Type.Integer(),
  name: Type.String(),
  birthDate: Type.String(),
  sex: Type.Enum(["F", "M", "X"]),
  phone: Nullable(Type.String()),
  language: Type.String(),
  consent: Nullable(
    Type.Object({
      givenBy: Type.String(),
      relation: Type.String(),
      at: Type.String(),
      method: Type.String(),
      note: Type.Optional(Type.String()),
      recordedBy: Type.String(),
      recordedAt: Type.String(),
    }),
  ),
  conditions: Nullable(Type.String()),
  medications: Nullable(Type.String()),
  allergies: Nullable(Type.String()),
  mobility: Nullable(Type.String()),
  healthRedacted: Type.Boolean({ description: "true: health fields are withheld from this role (they read null)" }),
};
export const ResidentDetailSchema = Type.Object({ ...residentProperties, relatives: Type.Array(RelativeSchema) });
export type ResidentDetailView = Static<typeof ResidentDetailSchema>;

export const ResidentSummarySchema = Type.Object({
  id: Type.Integer(),
  householdId: Type.Integer(),
  householdCode: Type.String(),
  name: Type.String(),
  birthDate: Type.String(),
  sex: Type.Enum(["F", "M", "X"]),
  phone: Nullable(Type.String()),
  language: Type.String(),
  hasConsent: Type.Boolean(),
});
export type ResidentSummaryView = Static<typeof ResidentSummarySchema>;
export const ResidentPage = pageOf(ResidentSummarySchema);

export const HouseholdDetailSchema = Type.Object({
  ...householdProperties,
  residents: Type.Array(ResidentDetailSchema),
  devices: Type.Array(
    Type.Object({
      id: Type.String(),
      status: Type.String(),
      online: Type.Boolean(),
      lastSeenAt: Nullable(Type.String()),
    }),
  ),
});
export type HouseholdDetailView = Static<typeof HouseholdDetailSchema>;
