/**
 * The clinic's SMS for an emergency: where, who, and a short medical summary.
 * Health data leaves the hub only when the resident's consent record allows it,
 * and every such disclosure is written to the audit log in the same transaction
 * as the outbox row that carries it.
 */
import { ageOn } from "../alarms/age.ts";
import { clinicAlertSms } from "../notify/sms-text.ts";
import type { NewOutboxMessage } from "../storage/outbox-repo.ts";
import type { UserRepository } from "../storage/user-repo.ts";
import type { DispatchAlarmRow, DispatchClinicRow, HouseholdAccessRow, ResidentHealthRow } from "./dispatch-repo.ts";
import type { DispatchSettings } from "./types.ts";

/**
 * `residents.consent` is the registry's record of who agreed that health data
 * may be kept, when and how (`{givenBy, relation, at, method, …}`). A record
 * that exists allows telling the clinic that will treat the resident, unless it
 * says otherwise (`withdrawnAt`, or `shareWithClinics: false`, should the
 * registry ever record either). No record, or one that cannot be read, allows nothing.
 */
export function consentAllowsClinicDisclosure(consent: string | null): boolean {
  if (!consent) return false;
  let record: unknown;
  try {
    record = JSON.parse(consent);
  } catch {
    return false;
  }
  if (typeof record !== "object" || record === null || Array.isArray(record)) return false;
  const fields = record as Record<string, unknown>;
  if (fields.withdrawnAt) return false;
  return fields.shareWithClinics !== false && fields.healthData !== false;
}

export interface ClinicAlertInput {
  alarm: DispatchAlarmRow;
  household: HouseholdAccessRow;
  resident: ResidentHealthRow | undefined;
  clinic: DispatchClinicRow;
  settings: DispatchSettings;
  now: Date;
}

/** The outbox message, and whether it carries health data. */
export function clinicAlertMessage(input: ClinicAlertInput): { message: NewOutboxMessage; disclosed: boolean } {
  const { alarm, household, resident, clinic, settings, now } = input;
  const disclosed = resident !== undefined && consentAllowsClinicDisclosure(resident.consent);
  const body = clinicAlertSms(
    {
      alarmId: alarm.id,
      kind: alarm.kind,
      residentName: resident?.name ?? "",
      address: household.address,
      receivedAt: new Date(alarm.received_at),
      timeZone: settings.timeZone,
      age: resident ? ageOn(resident.birth_date, now) : null,
      sex: resident?.sex ?? null,
      medical:
        disclosed && resident
          ? { conditions: resident.conditions, medications: resident.medications, allergies: resident.allergies }
          : null,
    },
    settings.smsLanguage,
  );
  return {
    message: {
      recipient: clinic.phone,
      body,
      alarmId: alarm.id,
      purpose: "clinic",
      dedupeKey: `alarm:${alarm.id}:clinic:${clinic.id}`,
    },
    disclosed,
  };
}

/** The audit row for a disclosure: who (the system, for this alarm), whose data, to whom, which fields. */
export function auditClinicDisclosure(
  users: UserRepository,
  alarmId: number,
  residentId: number,
  clinicId: number,
): Promise<void> {
  return users.audit("system", "health_data_disclosed", `resident:${residentId}`, {
    to: `clinic:${clinicId}`,
    alarmId,
    channel: "sms",
    fields: ["conditions", "medications", "allergies"],
  });
}
