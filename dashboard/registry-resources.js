// @ts-check
// What each registry tab lists and edits: columns, form fields, and the mapping
// between an API record, the form's flat values and a request body. Households
// and devices add their own sections (registry-household.js, registry-device.js).

/** @import { GridView } from "../protocol/console/index.ts" */
/** @import { Child } from "./dom.js" */
/** @import { CodeFields, FieldSpec, FormValues, SelectOption } from "./form.js" */
/** @import { CreatableKind, RegistryItems, RegistryRecords } from "./registry-api.js" */

import { h, localTime } from "./dom.js";
import { t } from "./i18n.js";
import { scheduleText } from "./schedule-editor.js";

/** The registry page's tabs, each the kind it lists. @typedef {"households" | "workers" | "clinics" | "grids" | "devices" | "gazetteer"} Tab */
/** The tabs whose record is the form alone (registry-detail.js `renderGeneric`). @typedef {"workers" | "clinics" | "grids" | "gazetteer"} GenericTab */
/**
 * A list column: its heading (an i18n key), what a row shows, and whether that is registry data.
 * @template R
 * @typedef {{ label: string, value: (r: R) => Child, content: boolean, cls: string | undefined }} Column
 */
/**
 * What a tab lists: the kind, how one record is named, and the columns.
 * @template {keyof RegistryItems} K
 * @typedef {{ kind: K, title: (r: RegistryRecords[K]) => string, columns: Column<RegistryItems[K]>[] }} ListSpec
 */
/**
 * What a tab lists and edits: the form's fields, the record → form values → request body
 * mappings, and which field a coded refusal concerns. Bodies are built from what the form
 * read; the hub checks each against the contract and names the field it refuses.
 * @template {CreatableKind} K
 * @typedef {ListSpec<K> & {
 *   fields: (options: { grids: GridView[] }) => FieldSpec[],
 *   fromRecord: (r: RegistryRecords[K]) => FormValues,
 *   toBody: (v: FormValues) => Record<string, unknown>,
 *   createBody: (body: Record<string, unknown>) => Record<string, unknown>,
 *   patchBody?: (diff: Record<string, unknown>, body: Record<string, unknown>) => Record<string, unknown>,
 *   codeFields: CodeFields,
 * }} RecordSpec
 */

/** @param {unknown} v */
const text = (v) => (v === null || v === undefined || v === "" ? "—" : String(v));
/** @param {Readonly<Record<string, unknown>>} body */
const dropNulls = (body) => Object.fromEntries(Object.entries(body).filter(([, v]) => v !== null && v !== undefined));
/** @param {number | null | undefined} v */
const coord = (v) => (v === null || v === undefined ? "—" : Number(v).toFixed(5));

/**
 * @template R
 * @param {string} label
 * @param {(r: R) => Child} value
 * @param {{ content?: boolean, cls?: string }} [opts]
 * @returns {Column<R>}
 */
const col = (label, value, opts = {}) => ({ label, value, content: opts.content ?? true, cls: opts.cls });

/** @param {boolean} onDuty */
export function onDutyBadge(onDuty) {
  return h("span", { class: `badge duty duty-${onDuty ? "on" : "off"}` }, t(onDuty ? "reg.duty.on" : "reg.duty.off"));
}

/**
 * Whether a button is active or revoked, and online (a device, or one of a household's).
 * @param {{ status: string, online: boolean }} d
 */
export function deviceStatusBadge(d) {
  return [
    h("span", { class: `badge device-${d.status}` }, t(`reg.device.status.${d.status}`)),
    " ",
    h("span", { class: `badge online-${d.online}` }, t(d.online ? "reg.device.online" : "reg.device.offline")),
  ];
}

/** @type {SelectOption[]} */
const LANG_OPTIONS = [
  ["zh-CN", "reg.lang.zh"],
  ["en", "reg.lang.en"],
];

/** @type {RecordSpec<"households">} */
export const households = {
  kind: "households",
  title: (r) => r.code,
  columns: [
    col("reg.f.code", (r) => r.code),
    col("reg.f.address", (r) => r.address, { cls: "wide" }),
    col("reg.f.grid", (r) => (r.grid ? r.grid.name : t("noGrid"))),
    col("reg.f.keyHolder", (r) => text(r.keyHolder)),
  ],
  fields: () => [
    { name: "code", label: "reg.f.code", required: true, placeholder: "KL-H0241" },
    { name: "address", label: "reg.f.address", required: true, wide: true },
    { name: "lat", label: "reg.f.lat", type: "number", hint: "reg.hint.coords" },
    { name: "lng", label: "reg.f.lng", type: "number" },
    { name: "gridText", label: "reg.f.grid", type: "static" },
    { name: "locationText", label: "reg.f.locationSource", type: "static", isContent: false },
    { name: "keyHolder", label: "reg.f.keyHolder", wide: true },
    { name: "keyHolderPhone", label: "reg.f.keyHolderPhone", type: "tel", placeholder: "+8613912345678" },
    // A call to the center from this number is placed at this household (docs/voice.md).
    { name: "landline", label: "reg.f.landline", type: "tel", placeholder: "+865462001234", hint: "reg.hint.landline" },
    { name: "accessNotes", label: "reg.f.accessNotes", type: "textarea", wide: true, rows: 3 },
  ],
  fromRecord: (r) => ({
    ...r,
    gridText: r.grid ? `${r.grid.name} (${r.grid.code})` : t("noGrid"),
    locationText: r.locationSource ? t(`reg.location.${r.locationSource}`) : "—",
  }),
  toBody: (v) => ({
    code: v.code,
    address: v.address,
    lat: v.lat,
    lng: v.lng,
    keyHolder: v.keyHolder,
    keyHolderPhone: v.keyHolderPhone,
    landline: v.landline,
    accessNotes: v.accessNotes,
  }),
  /** The hub wants lat and lng together; without both, a new household is placed from the gazetteer. */
  createBody: (b) => dropNulls(b),
  patchBody: (diff, body) => ("lat" in diff || "lng" in diff ? { ...diff, lat: body.lat, lng: body.lng } : diff),
  codeFields: {
    HOUSEHOLD_OUTSIDE_GRIDS: "lat",
    ADDRESS_NOT_IN_GAZETTEER: "address",
    REGISTRY_DUPLICATE: "code",
  },
};

/** @type {RecordSpec<"workers">} */
export const workers = {
  kind: "workers",
  title: (r) => `${r.name} (${r.code})`,
  columns: [
    col("reg.f.code", (r) => r.code),
    col("reg.f.name", (r) => r.name),
    col("reg.f.grid", (r) => (r.grid ? r.grid.name : "—")),
    col("reg.f.duty", (r) => onDutyBadge(r.onDuty), { content: false }),
    col("reg.f.phone", (r) => r.phone),
  ],
  fields: ({ grids }) => [
    { name: "code", label: "reg.f.code", required: true },
    { name: "name", label: "reg.f.name", required: true },
    { name: "phone", label: "reg.f.phone", type: "tel", required: true, placeholder: "+8613912345678" },
    {
      name: "gridId",
      label: "reg.f.grid",
      type: "select",
      number: true,
      options: () => grids.map((g) => [g.id, `${g.name} (${g.code})`, true]),
    },
    { name: "onDuty", label: "reg.f.onDuty", type: "checkbox" },
    {
      name: "skills",
      label: "reg.f.skills",
      type: "tags",
      hint: "reg.hint.tags",
      placeholder: "first_aid, elder_care",
    },
    { name: "shifts", label: "reg.f.shifts", type: "schedule", wide: true },
    { name: "lat", label: "reg.f.lat", type: "number", paths: ["position", "position.lat"] },
    { name: "lng", label: "reg.f.lng", type: "number", paths: ["position.lng"] },
    { name: "positionAt", label: "reg.f.positionAt", type: "static", isContent: false },
  ],
  fromRecord: (r) => ({
    ...r,
    gridId: r.grid?.id ?? null,
    lat: r.position?.lat ?? null,
    lng: r.position?.lng ?? null,
    positionAt: r.position?.at ? localTime(r.position.at) : "—",
  }),
  toBody: (v) => ({
    code: v.code,
    name: v.name,
    phone: v.phone,
    gridId: v.gridId,
    onDuty: v.onDuty,
    skills: v.skills ?? [],
    shifts: v.shifts ?? [],
    position: v.lat !== null && v.lng !== null ? { lat: v.lat, lng: v.lng } : null,
  }),
  createBody: (b) => dropNulls(b),
  codeFields: { REGISTRY_DUPLICATE: "code" },
};

/** @type {RecordSpec<"clinics">} */
export const clinics = {
  kind: "clinics",
  title: (r) => r.name,
  columns: [
    col("reg.f.code", (r) => r.code),
    col("reg.f.name", (r) => r.name),
    col("reg.f.address", (r) => r.address, { cls: "wide" }),
    col("reg.f.capabilities", (r) => r.capabilities.join(", ") || "—"),
    col("reg.f.hours", (r) => scheduleText(r.hours), { content: false }),
  ],
  fields: () => [
    { name: "code", label: "reg.f.code", required: true },
    { name: "name", label: "reg.f.name", required: true },
    { name: "phone", label: "reg.f.phone", type: "tel", required: true, placeholder: "+8605462345678" },
    { name: "address", label: "reg.f.address", required: true, wide: true },
    { name: "lat", label: "reg.f.lat", type: "number", hint: "reg.hint.clinicCoords" },
    { name: "lng", label: "reg.f.lng", type: "number" },
    { name: "capabilities", label: "reg.f.capabilities", type: "tags", hint: "reg.hint.capabilities", wide: true },
    { name: "hours", label: "reg.f.hours", type: "schedule", wide: true },
  ],
  fromRecord: (r) => ({ ...r }),
  toBody: (v) => ({
    code: v.code,
    name: v.name,
    phone: v.phone,
    address: v.address,
    lat: v.lat,
    lng: v.lng,
    capabilities: v.capabilities ?? [],
    hours: v.hours ?? [],
  }),
  createBody: (b) => dropNulls(b),
  patchBody: (diff, body) => ("lat" in diff || "lng" in diff ? { ...diff, lat: body.lat, lng: body.lng } : diff),
  codeFields: { ADDRESS_NOT_IN_GAZETTEER: "address", REGISTRY_DUPLICATE: "code" },
};

/** @type {RecordSpec<"grids">} */
export const grids = {
  kind: "grids",
  title: (r) => `${r.name} (${r.code})`,
  columns: [
    col("reg.f.code", (r) => r.code),
    col("reg.f.name", (r) => r.name),
    col("reg.f.leader", (r) => text(r.leaderName)),
    col("reg.f.leaderPhone", (r) => text(r.leaderPhone)),
  ],
  fields: () => [
    { name: "code", label: "reg.f.code", required: true },
    { name: "name", label: "reg.f.name", required: true },
    { name: "leaderName", label: "reg.f.leader" },
    { name: "leaderPhone", label: "reg.f.leaderPhone", type: "tel", placeholder: "+8613912345678" },
    {
      name: "polygon",
      label: "reg.f.polygon",
      type: "json",
      required: true,
      wide: true,
      rows: 12,
      hint: "reg.hint.polygon",
    },
  ],
  fromRecord: (r) => ({ ...r }),
  toBody: (v) => ({
    code: v.code,
    name: v.name,
    leaderName: v.leaderName,
    leaderPhone: v.leaderPhone,
    polygon: v.polygon,
  }),
  createBody: (b) => dropNulls(b),
  codeFields: { REGISTRY_DUPLICATE: "code" },
};

/** @type {RecordSpec<"gazetteer">} */
export const gazetteer = {
  kind: "gazetteer",
  title: (r) => r.address,
  columns: [
    col("reg.f.address", (r) => r.address, { cls: "wide" }),
    col("reg.f.lat", (r) => coord(r.lat)),
    col("reg.f.lng", (r) => coord(r.lng)),
    col("reg.f.source", (r) => text(r.source)),
  ],
  fields: () => [
    { name: "address", label: "reg.f.address", required: true, wide: true },
    { name: "lat", label: "reg.f.lat", type: "number", required: true },
    { name: "lng", label: "reg.f.lng", type: "number", required: true },
    { name: "source", label: "reg.f.source" },
  ],
  fromRecord: (r) => ({ ...r }),
  toBody: (v) => ({ address: v.address, lat: v.lat, lng: v.lng, source: v.source }),
  createBody: (b) => dropNulls(b),
  codeFields: { REGISTRY_DUPLICATE: "address" },
};

/** @type {ListSpec<"devices">} */
export const devices = {
  kind: "devices",
  title: (r) => r.id,
  columns: [
    col("reg.f.deviceId", (r) => r.id),
    col("reg.f.household", (r) => (r.household ? `${r.household.code} · ${r.household.address}` : "—"), {
      cls: "wide",
    }),
    col("reg.f.status", (r) => deviceStatusBadge(r), { content: false }),
    col("reg.f.lastSeen", (r) => localTime(r.lastSeenAt), { content: false }),
    col("reg.f.battery", (r) => (r.battery === null ? "—" : `${r.battery}%`)),
  ],
};

/** What each tab lists. @type {{ [K in Tab]: ListSpec<K> }} */
export const RESOURCES = { households, workers, clinics, grids, devices, gazetteer };
/** The tabs whose record page is the form alone, and what it edits. @type {{ [K in GenericTab]: RecordSpec<K> }} */
export const GENERIC = { workers, clinics, grids, gazetteer };
/** @type {readonly Tab[]} */
export const TABS = ["households", "workers", "clinics", "grids", "devices", "gazetteer"];

/**
 * @param {unknown} value
 * @returns {value is Tab}
 */
export function isTab(value) {
  return TABS.some((tab) => tab === value);
}
export { LANG_OPTIONS };
