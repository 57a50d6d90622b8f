/**
 * Residents of a household. Health fields may be kept only with a recorded
 * consent (who agreed, in what relation to the resident, when, how): a write
 * that sets health data needs one, and withdrawing consent means clearing the
 * health data in the same request. Reading goes through `HealthAccess`.
 */
import { AnxinError, fieldError, found, refuseIfReferenced } from "../errors.ts";
import type { SqlDatabase } from "../storage/sql/sql-port.ts";
import {
  type ConsentRecord,
  HEALTH_FIELDS,
  type HealthAccess,
  parseConsent,
  type ResidentDetailView,
} from "./health-access.ts";
import type { HouseholdRepo, ResidentColumns, ResidentRecord } from "./household-repo.ts";
import { type Actor, diffRecords, type RegistryAudit } from "./registry-audit.ts";
import type { ListQuery, Page } from "./registry-sql.ts";
import { relativeView, toPage } from "./registry-views.ts";

export type ConsentInput = Omit<ConsentRecord, "recordedBy" | "recordedAt">;

export interface ResidentInput {
  name: string;
  birthDate: string;
  sex: "F" | "M" | "X";
  phone?: string | null | undefined;
  language?: "zh-CN" | "en" | undefined;
  conditions?: string | null | undefined;
  medications?: string | null | undefined;
  allergies?: string | null | undefined;
  mobility?: string | null | undefined;
  consent?: ConsentInput | null | undefined;
}

export type ResidentPatch = Partial<ResidentInput>;

/** Lists carry no health data at all: the command center opens one resident (audited) to read it. */
export interface ResidentSummary {
  id: number;
  householdId: number;
  householdCode: string;
  name: string;
  birthDate: string;
  sex: "F" | "M" | "X";
  phone: string | null;
  language: string;
  hasConsent: boolean;
}

function checkBirthDate(birthDate: string): void {
  if (birthDate > new Date().toISOString().slice(0, 10)) throw fieldError("birthDate", "must not be in the future");
  if (birthDate < "1890-01-01") throw fieldError("birthDate", "must be after 1890-01-01");
}

export class ResidentService {
  private readonly sql: SqlDatabase;
  private readonly households: HouseholdRepo;
  private readonly health: HealthAccess;
  private readonly audit: RegistryAudit;

  constructor(deps: { sql: SqlDatabase; households: HouseholdRepo; health: HealthAccess; audit: RegistryAudit }) {
    this.sql = deps.sql;
    this.households = deps.households;
    this.health = deps.health;
    this.audit = deps.audit;
  }

  async list(query: ListQuery & { householdId?: number | undefined }): Promise<Page<ResidentSummary>> {
    return toPage(await this.households.listResidents(query), query, (row) => ({
      id: row.id,
      householdId: row.household_id,
      householdCode: row.household_code,
      name: row.name,
      birthDate: row.birth_date,
      sex: row.sex,
      phone: row.phone,
      language: row.language,
      hasConsent: row.consent !== null,
    }));
  }

  /** One resident with relatives; health data as `viewer` may see it (and audited when shown). */
  async get(id: number, viewer: Actor): Promise<ResidentDetailView> {
    const row = found(await this.households.resident(id), "resident", id);
    return {
      ...(await this.health.present(row, viewer, `resident:${id}`)),
      relatives: (await this.households.relativesOf(id)).map(relativeView),
    };
  }

  async create(householdId: number, input: ResidentInput, actor: Actor): Promise<ResidentDetailView> {
    found(await this.households.household(householdId), "household", householdId);
    checkBirthDate(input.birthDate);
    const record: Omit<ResidentRecord, "id"> = {
      household_id: householdId,
      name: input.name,
      birth_date: input.birthDate,
      sex: input.sex,
      phone: input.phone ?? null,
      language: input.language ?? "zh-CN",
      conditions: input.conditions ?? null,
      medications: input.medications ?? null,
      allergies: input.allergies ?? null,
      mobility: input.mobility ?? null,
      consent: input.consent ? this.consentJson(input.consent, actor) : null,
    };
    this.requireConsent(record);
    const id = await this.sql.transaction(async () => {
      const id = await this.households.insertResident(record);
      await this.audit.created(actor, "resident", id, {
        householdId,
        name: record.name,
        healthFields: HEALTH_FIELDS.filter((field) => record[field] !== null),
        consent: record.consent !== null,
      });
      return id;
    });
    return await this.get(id, actor);
  }

  async update(id: number, patch: ResidentPatch, actor: Actor): Promise<ResidentDetailView> {
    const before = found(await this.households.resident(id), "resident", id);
    const changes: ResidentColumns = {};
    if (patch.name !== undefined) changes.name = patch.name;
    if (patch.birthDate !== undefined) {
      checkBirthDate(patch.birthDate);
      changes.birth_date = patch.birthDate;
    }
    if (patch.sex !== undefined) changes.sex = patch.sex;
    if (patch.phone !== undefined) changes.phone = patch.phone;
    if (patch.language !== undefined) changes.language = patch.language;
    for (const field of HEALTH_FIELDS) {
      if (patch[field] !== undefined) changes[field] = patch[field];
    }
    if (patch.consent !== undefined) changes.consent = patch.consent ? this.consentJson(patch.consent, actor) : null;
    const after = { ...before, ...changes };
    // Only a write about health data or consent is checked: older records (the demo seed, imports) may predate consent.
    const touchesHealth = HEALTH_FIELDS.some((field) => changes[field] != null) || changes.consent === null;
    if (touchesHealth) this.requireConsent(after);
    await this.sql.transaction(async () => {
      await this.households.updateResident(id, changes);
      const diff = diffRecords(before, after, HEALTH_FIELDS);
      if (Object.keys(diff).length > 0) await this.audit.updated(actor, "resident", id, diff);
    });
    return await this.get(id, actor);
  }

  /** A resident named in an alarm stays for its history; otherwise it goes with its relatives. */
  async delete(id: number, actor: Actor): Promise<void> {
    const before = found(await this.households.resident(id), "resident", id);
    await this.sql.transaction(async () => {
      refuseIfReferenced(
        "resident",
        id,
        await this.households.residentReferences(id),
        "it is kept for alarm history; update the record instead",
      );
      await this.households.deleteResident(id);
      await this.audit.deleted(actor, "resident", id, { householdId: before.household_id, name: before.name });
    });
  }

  private consentJson(consent: ConsentInput, actor: Actor): string {
    // A minute of slack for the clock of whoever typed "now".
    if (Date.parse(consent.at) > Date.now() + 60_000) {
      throw fieldError("consent.at", "must not be in the future");
    }
    const record: ConsentRecord = { ...consent, recordedBy: actor.username, recordedAt: new Date().toISOString() };
    return JSON.stringify(record);
  }

  private requireConsent(resident: Pick<ResidentRecord, "consent" | (typeof HEALTH_FIELDS)[number]>): void {
    const kept = HEALTH_FIELDS.filter((field) => resident[field] !== null);
    if (kept.length === 0 || parseConsent(resident.consent) !== null) return;
    throw new AnxinError(
      "HEALTH_CONSENT_REQUIRED",
      `health data (${kept.join(", ")}) may be kept only with a consent record: give consent {givenBy, relation, at, method}, or clear those fields`,
      { fields: kept },
    );
  }
}
