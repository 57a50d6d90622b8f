/**
 * Checks one household (with its residents, their relatives, and its buttons)
 * and places it: given coordinates or the gazetteer, then the grid by point in
 * polygon. Anything wrong is reported at its line and column; nothing is
 * guessed, and a household outside every grid is refused.
 */
import { isValidDeviceId } from "../../../protocol/topics.ts";
import type { HouseholdLocator } from "../../geo/household-locator.ts";
import { CONSENT_FIELDS, HOUSEHOLD_LEVEL_COLUMNS, RESIDENT_VALUE_FIELDS } from "./csv-columns.ts";
import type { HouseholdSource } from "./household-source.ts";
import type { RowIssue } from "./import-types.ts";
import {
  CONSENT_METHODS,
  type ConsentMethod,
  type ConsentRecord,
  type HouseholdRecord,
  type RelativeRecord,
  type ResidentRecord,
} from "./record-types.ts";
import { checkKnownFields, isBlank, isRecord, RowChecker } from "./row-checker.ts";

/** The JSON format's household fields: the CSV's household columns, with the buttons as a list. */
const HOUSEHOLD_FIELDS = [
  "code",
  ...HOUSEHOLD_LEVEL_COLUMNS.map((column) => (column === "device_id" ? "device_ids" : column)),
  "residents",
];
const RESIDENT_FIELDS = ["name", ...RESIDENT_VALUE_FIELDS, "consent", "relatives"];
const RELATIVE_FIELDS = ["name", "relation", "phone", "language"];

export interface ExistingHousehold {
  id: number;
  /** In id order: the first is the primary resident. */
  residentIds: number[];
}

export interface HouseholdContext {
  locator: HouseholdLocator;
  gridCount: number;
  existing: ReadonlyMap<string, ExistingHousehold>;
  residentsWithAlarms: ReadonlySet<number>;
  devices: ReadonlyMap<string, { householdId: number | null; householdCode: string | null; status: string }>;
  /** Filled while checking: which household of this file first named each code and device. */
  codesInFile: Map<string, string>;
  devicesInFile: Map<string, string>;
}

export interface ValidHousehold {
  record: HouseholdRecord;
  placement: { lat: number; lng: number; gridId: number; source: "given" | "gazetteer" };
  existing: ExistingHousehold | null;
  /** Unknown ids: provisioned with a new secret. */
  newDevices: string[];
  /** Known, active, not bound to any household: bound to this one. */
  bindDevices: string[];
}

function whereText(source: HouseholdSource): string {
  return source.where.line !== null ? `line ${source.where.line}` : `item ${source.where.index}`;
}

export function checkHousehold(
  source: HouseholdSource,
  context: HouseholdContext,
): { valid: ValidHousehold | null; issues: RowIssue[] } {
  const raw = isRecord(source.raw) ? source.raw : null;
  const key = raw && typeof raw.code === "string" && raw.code !== "" ? raw.code : null;
  const checker = new RowChecker(source.locate, key);
  checker.issues.push(...source.groupingIssues);
  if (!raw) {
    checker.fail("", "NOT_AN_OBJECT", "each household must be a JSON object");
    return { valid: null, issues: checker.issues };
  }
  checkKnownFields(checker, raw, HOUSEHOLD_FIELDS, "");
  const code = checker.code("code", raw.code);
  if (code !== null) {
    const firstAt = context.codesInFile.get(code);
    if (firstAt) checker.fail("code", "DUPLICATE_CODE", `household ${code} is already in this file (${firstAt})`);
    else context.codesInFile.set(code, whereText(source));
  }
  const address = checker.text("address", raw.address, { required: true, max: 300 });
  const point = checker.point(raw.lat, raw.lng);
  const record: HouseholdRecord = {
    code: code ?? "",
    address: address ?? "",
    lat: point !== null && point !== "absent" ? point.lat : null,
    lng: point !== null && point !== "absent" ? point.lng : null,
    key_holder: checker.text("key_holder", raw.key_holder, { max: 200 }),
    key_holder_phone: checker.phone("key_holder_phone", raw.key_holder_phone, false),
    access_notes: checker.text("access_notes", raw.access_notes, { max: 1000 }),
    landline: checker.phone("landline", raw.landline, false),
    device_ids: [],
    residents: checkResidents(checker, raw.residents),
  };
  const existing = code === null ? undefined : context.existing.get(code);
  checkRemovedResidents(checker, existing, record.residents.length, context.residentsWithAlarms);
  const devices = checkDevices(checker, raw.device_ids, existing?.id ?? null, code ?? "", context);
  record.device_ids = devices.all;
  // Unreadable coordinates must not fall back to the gazetteer and add a second, misleading reason.
  const placement = address !== null && point !== null ? place(checker, record, context) : null;
  if (!checker.ok || !placement) return { valid: null, issues: sortedByLine(checker.issues) };
  return {
    valid: { record, placement, existing: existing ?? null, newDevices: devices.create, bindDevices: devices.bind },
    issues: [],
  };
}

/** A household's lines in file order, whichever check found what first. */
function sortedByLine(issues: RowIssue[]): RowIssue[] {
  return issues.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
}

function place(checker: RowChecker, record: HouseholdRecord, context: HouseholdContext) {
  const located = context.locator.locate({ address: record.address, lat: record.lat, lng: record.lng });
  if (located.ok) {
    return { lat: located.lat, lng: located.lng, gridId: located.grid.id, source: located.source };
  }
  // The address is the culprit when it placed the household; otherwise the given point is.
  const field = located.code === "ADDRESS_NOT_IN_GAZETTEER" || record.lat === null ? "address" : "lat";
  const hint =
    located.code === "OUTSIDE_ALL_GRIDS" && context.gridCount === 0
      ? " (the registry has no grids yet: import the grids first)"
      : located.code === "ADDRESS_NOT_IN_GAZETTEER"
        ? " (give lat and lng, or import the gazetteer first)"
        : "";
  return checker.fail(field, located.code, `${located.message}${hint}`);
}

function checkResidents(checker: RowChecker, raw: unknown): ResidentRecord[] {
  if (!Array.isArray(raw) || raw.length === 0) {
    checker.fail("residents", "REQUIRED", "a household needs at least one resident");
    return [];
  }
  const seen = new Map<string, number>();
  return raw.map((item, index) => {
    const resident = checkResident(checker, item, `residents[${index}]`);
    const identity = `${resident.name}|${resident.birth_date}`;
    const earlier = seen.get(identity);
    if (earlier !== undefined && resident.name !== "") {
      checker.fail(
        `residents[${index}]`,
        "DUPLICATE_RESIDENT",
        `${resident.name} (born ${resident.birth_date}) is listed twice in this household (also resident ${earlier + 1})`,
      );
    }
    seen.set(identity, index);
    return resident;
  });
}

function checkResident(checker: RowChecker, raw: unknown, at: string): ResidentRecord {
  const item = isRecord(raw) ? raw : {};
  if (!isRecord(raw)) checker.fail(at, "NOT_AN_OBJECT", "each resident must be an object");
  checkKnownFields(checker, item, RESIDENT_FIELDS, `${at}.`);
  const relatives = Array.isArray(item.relatives) ? item.relatives : [];
  if (!isBlank(item.relatives) && !Array.isArray(item.relatives)) {
    checker.fail(`${at}.relatives`, "WRONG_TYPE", "must be an array of relatives");
  }
  return {
    name: checker.text(`${at}.name`, item.name, { required: true, max: 100 }) ?? "",
    birth_date: checker.date(`${at}.birth_date`, item.birth_date, true) ?? "",
    sex: checker.sex(`${at}.sex`, item.sex) ?? "X",
    phone: checker.phone(`${at}.phone`, item.phone, false),
    language: checker.language(`${at}.language`, item.language) ?? "zh-CN",
    conditions: checker.text(`${at}.conditions`, item.conditions, { max: 1000 }),
    medications: checker.text(`${at}.medications`, item.medications, { max: 1000 }),
    allergies: checker.text(`${at}.allergies`, item.allergies, { max: 1000 }),
    mobility: checker.text(`${at}.mobility`, item.mobility, { max: 200 }),
    consent: checkConsent(checker, item.consent, `${at}.consent`),
    relatives: relatives.map((relative, index) => checkRelative(checker, relative, `${at}.relatives[${index}]`)),
  };
}

function checkRelative(checker: RowChecker, raw: unknown, at: string): RelativeRecord {
  const item = isRecord(raw) ? raw : {};
  if (!isRecord(raw)) checker.fail(at, "NOT_AN_OBJECT", "each relative must be an object");
  checkKnownFields(checker, item, RELATIVE_FIELDS, `${at}.`);
  return {
    name: checker.text(`${at}.name`, item.name, { required: true, max: 100 }) ?? "",
    relation: checker.text(`${at}.relation`, item.relation, { required: true, max: 50 }) ?? "",
    phone: checker.phone(`${at}.phone`, item.phone, true) ?? "",
    language: checker.language(`${at}.language`, item.language) ?? "zh-CN",
  };
}

/**
 * The registry API's rule for a consent record: who gave it, in what relation,
 * when (not in the future) and how; a partial record proves nothing.
 */
function checkConsent(checker: RowChecker, raw: unknown, at: string): ConsentRecord | null {
  if (isBlank(raw)) return null;
  if (!isRecord(raw)) return checker.fail(at, "WRONG_TYPE", "must be an object {given_by, relation, at, method}");
  checkKnownFields(checker, raw, CONSENT_FIELDS, `${at}.`);
  const missing = ["given_by", "relation", "at", "method"].filter((field) => isBlank(raw[field]));
  if (missing.length > 0) {
    return checker.fail(
      `${at}.${missing[0]}`,
      "INCOMPLETE",
      "a consent record needs who gave it (given_by), their relation, when (at) and how (method)",
    );
  }
  const method = checker.text(`${at}.method`, raw.method, { required: true, max: 20 });
  if (method !== null && !(CONSENT_METHODS as readonly string[]).includes(method)) {
    checker.fail(
      `${at}.method`,
      "INCOMPLETE",
      `"${method}" is not a consent method: write written, verbal or electronic`,
    );
  }
  const record = {
    given_by: checker.text(`${at}.given_by`, raw.given_by, { required: true, max: 100 }),
    relation: checker.text(`${at}.relation`, raw.relation, { required: true, max: 50 }),
    at: checker.moment(`${at}.at`, raw.at, true),
    method: method as ConsentMethod | null,
    note: checker.text(`${at}.note`, raw.note, { max: 500 }),
    recorded_by: checker.text(`${at}.recorded_by`, raw.recorded_by, { max: 100 }),
    recorded_at: checker.moment(`${at}.recorded_at`, raw.recorded_at, false),
  };
  const { given_by, relation, at: when } = record;
  return given_by !== null && relation !== null && when !== null && record.method !== null
    ? { ...record, given_by, relation, at: when, method: record.method }
    : null;
}

/** Residents beyond the file's list are removed; one that alarms refer to cannot be. */
function checkRemovedResidents(
  checker: RowChecker,
  existing: ExistingHousehold | undefined,
  keep: number,
  residentsWithAlarms: ReadonlySet<number>,
): void {
  if (!existing || keep === 0) return;
  const removed = existing.residentIds.slice(keep).filter((id) => residentsWithAlarms.has(id));
  if (removed.length > 0) {
    checker.fail(
      "residents",
      "RESIDENT_HAS_ALARMS",
      `the household has ${existing.residentIds.length} residents on record and this file lists ${keep}; resident ${keep + 1} has alarms on record and cannot be removed by an import (keep them in the file)`,
    );
  }
}

function checkDevices(
  checker: RowChecker,
  raw: unknown,
  householdId: number | null,
  code: string,
  context: HouseholdContext,
): { all: string[]; create: string[]; bind: string[] } {
  const result = { all: [] as string[], create: [] as string[], bind: [] as string[] };
  if (isBlank(raw)) return result;
  const ids = typeof raw === "string" ? raw.split(";").map((id) => id.trim()) : raw;
  if (!Array.isArray(ids) || !ids.every((id) => typeof id === "string")) {
    checker.fail("device_ids", "WRONG_TYPE", "must be a list of device ids (CSV: A;B, JSON: an array of strings)");
    return result;
  }
  for (const id of new Set(ids.filter((id) => id !== ""))) {
    if (!isValidDeviceId(id)) {
      checker.fail("device_ids", "BAD_DEVICE_ID", `"${id}" is not a device id (letters, digits, - and _, at most 64)`);
      continue;
    }
    const claimedBy = context.devicesInFile.get(id);
    if (claimedBy && claimedBy !== code) {
      checker.fail(
        "device_ids",
        "DEVICE_LISTED_TWICE",
        `device ${id} is already given to household ${claimedBy} in this file`,
      );
      continue;
    }
    context.devicesInFile.set(id, code);
    const known = context.devices.get(id);
    if (known?.status === "revoked") {
      checker.fail("device_ids", "DEVICE_REVOKED", `device ${id} is revoked; a revoked button cannot be bound again`);
    } else if (known && known.householdId !== null && known.householdId !== householdId) {
      checker.fail(
        "device_ids",
        "DEVICE_BOUND_ELSEWHERE",
        `device ${id} is bound to household ${known.householdCode}; unbind it there first (registry API), then import`,
      );
    } else if (!known) result.create.push(id);
    else if (known.householdId === null) result.bind.push(id);
    result.all.push(id);
  }
  return result;
}
