/**
 * Residents' health data (conditions, medications, allergies, mobility) is
 * shown only to the command center, operators and supervisors, who need it to
 * brief a responder; administrators maintain the record but see it redacted.
 * Every response that carries health data leaves one audit row per resident,
 * so "who looked at this person's medications" always has an answer.
 */
import type { ResidentDetailView } from "../../protocol/console/index.ts";
import type { Role } from "../storage/user-repo.ts";
import type { ResidentRecord } from "./household-repo.ts";
import type { Actor, RegistryAudit } from "./registry-audit.ts";

export const HEALTH_FIELDS = ["conditions", "medications", "allergies", "mobility"] as const;
export type HealthField = (typeof HEALTH_FIELDS)[number];

export const HEALTH_VIEWER_ROLES: readonly Role[] = ["operator", "supervisor"];

/** Who agreed that health data may be kept, when, and how; `recordedBy`/`recordedAt` are set by the hub. */
export interface ConsentRecord {
  givenBy: string;
  relation: string;
  at: string;
  method: "written" | "verbal" | "electronic";
  note?: string | undefined;
  recordedBy: string;
  recordedAt: string;
}

/** A resident as the API shows one (protocol/console/households.ts); the relatives are added by whoever reads them. */
export type { ResidentDetailView };
export type ResidentView = Omit<ResidentDetailView, "relatives">;

export function parseConsent(stored: string | null): ConsentRecord | null {
  if (!stored) return null;
  try {
    return JSON.parse(stored) as ConsentRecord;
  } catch {
    return null;
  }
}

export function mayViewHealth(viewer: Actor): boolean {
  return HEALTH_VIEWER_ROLES.includes(viewer.role);
}

export class HealthAccess {
  private readonly audit: RegistryAudit;

  constructor(audit: RegistryAudit) {
    this.audit = audit;
  }

  /**
   * The resident as `viewer` may see them. `via` names the response (e.g.
   * `household:12`) for the audit row written when health data is shown.
   */
  async present(row: ResidentRecord, viewer: Actor, via: string): Promise<ResidentView> {
    const shown = mayViewHealth(viewer);
    if (shown) await this.audit.record(viewer, "health_data_viewed", `resident:${row.id}`, { via, role: viewer.role });
    return {
      id: row.id,
      householdId: row.household_id,
      name: row.name,
      birthDate: row.birth_date,
      sex: row.sex,
      phone: row.phone,
      language: row.language,
      consent: parseConsent(row.consent),
      conditions: shown ? row.conditions : null,
      medications: shown ? row.medications : null,
      allergies: shown ? row.allergies : null,
      mobility: shown ? row.mobility : null,
      healthRedacted: !shown,
    };
  }
}
