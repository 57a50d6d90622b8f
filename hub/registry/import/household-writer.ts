/**
 * Writes checked households: upsert by code, residents matched by position (the
 * first stays the primary resident, and keeps its id so alarm history still
 * points at the right person), relatives replaced in the file's order, buttons
 * provisioned or bound. Runs inside the import's transaction with statements
 * prepared once.
 */
import { randomBytes } from "node:crypto";
import { hashDeviceSecret } from "../../accounts/device-secret.ts";
import type { Db } from "../../storage/database.ts";
import type { ValidHousehold } from "./household-checks.ts";
import { type DeviceCredential, PROGRESS_EVERY, type WriteStamp } from "./import-plan.ts";
import type { ProgressListener } from "./import-types.ts";
import type { ConsentRecord, ResidentRecord } from "./record-types.ts";

function prepareStatements(db: Db) {
  return {
    upsertHousehold: db.prepare(
      `INSERT INTO households (code, address, lat, lng, grid_id, key_holder, access_notes, location_source, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (code) DO UPDATE SET address = excluded.address, lat = excluded.lat, lng = excluded.lng,
         grid_id = excluded.grid_id, key_holder = excluded.key_holder, access_notes = excluded.access_notes,
         location_source = excluded.location_source
       RETURNING id`,
    ),
    insertResident: db.prepare(
      `INSERT INTO residents (household_id, name, birth_date, sex, phone, language, conditions, medications, allergies,
         mobility, consent) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    updateResident: db.prepare(
      `UPDATE residents SET name = ?, birth_date = ?, sex = ?, phone = ?, language = ?, conditions = ?, medications = ?,
         allergies = ?, mobility = ?, consent = ? WHERE id = ?`,
    ),
    deleteResident: db.prepare("DELETE FROM residents WHERE id = ?"),
    deleteRelatives: db.prepare("DELETE FROM relatives WHERE resident_id = ?"),
    /** Numbers whose owner asked for no update SMS; files do not carry the switch, so a re-import keeps it. */
    updatesOff: db.prepare("SELECT phone FROM relatives WHERE resident_id = ? AND updates = 0"),
    insertRelative: db.prepare(
      "INSERT INTO relatives (resident_id, priority, name, relation, phone, language, updates) VALUES (?, ?, ?, ?, ?, ?, ?)",
    ),
    insertDevice: db.prepare(
      "INSERT INTO devices (id, household_id, secret_hash, status, created_at) VALUES (?, ?, ?, 'active', ?)",
    ),
    bindDevice: db.prepare("UPDATE devices SET household_id = ? WHERE id = ? AND household_id IS NULL"),
  };
}

type Statements = ReturnType<typeof prepareStatements>;

/** The registry API's stored shape (health-access.ts), so both read the same consent. */
function storedConsent(consent: ConsentRecord | null, stamp: WriteStamp): string | null {
  if (consent === null) return null;
  return JSON.stringify({
    givenBy: consent.given_by,
    relation: consent.relation,
    at: consent.at,
    method: consent.method,
    ...(consent.note === null ? {} : { note: consent.note }),
    recordedBy: consent.recorded_by ?? stamp.actor,
    recordedAt: consent.recorded_at ?? stamp.now,
  });
}

function residentValues(resident: ResidentRecord, stamp: WriteStamp) {
  return [
    resident.name,
    resident.birth_date,
    resident.sex,
    resident.phone,
    resident.language,
    resident.conditions,
    resident.medications,
    resident.allergies,
    resident.mobility,
    storedConsent(resident.consent, stamp),
  ];
}

export function writeHouseholds(
  db: Db,
  households: readonly ValidHousehold[],
  stamp: WriteStamp,
  onProgress: ProgressListener,
): DeviceCredential[] {
  const { now } = stamp;
  const statements = prepareStatements(db);
  const credentials: DeviceCredential[] = [];
  households.forEach((household, index) => {
    const { record, placement } = household;
    const { id } = statements.upsertHousehold.get(
      record.code,
      record.address,
      placement.lat,
      placement.lng,
      placement.gridId,
      record.key_holder,
      record.access_notes,
      placement.source,
      now,
    ) as { id: number };
    writeResidents(statements, id, record.residents, household.existing?.residentIds ?? [], stamp);
    for (const deviceId of household.bindDevices) statements.bindDevice.run(id, deviceId);
    for (const deviceId of household.newDevices) {
      // 192 random bits, as the demo seed uses; only the hash is stored.
      const secret = randomBytes(24).toString("base64url");
      statements.insertDevice.run(deviceId, id, hashDeviceSecret(secret), now);
      const resident = record.residents[0]?.name ?? "";
      credentials.push({ deviceId, secret, household: record.code, address: record.address, resident });
    }
    if ((index + 1) % PROGRESS_EVERY === 0) onProgress("writing", index + 1, households.length);
  });
  onProgress("writing", households.length, households.length);
  return credentials;
}

function writeResidents(
  statements: Statements,
  householdId: number,
  residents: readonly ResidentRecord[],
  existingIds: readonly number[],
  stamp: WriteStamp,
): void {
  residents.forEach((resident, position) => {
    const existingId = existingIds[position];
    let residentId: number;
    let updatesOff = new Set<string>();
    if (existingId === undefined) {
      residentId = Number(
        statements.insertResident.run(householdId, ...residentValues(resident, stamp)).lastInsertRowid,
      );
    } else {
      statements.updateResident.run(...residentValues(resident, stamp), existingId);
      updatesOff = new Set((statements.updatesOff.all(existingId) as { phone: string }[]).map((r) => r.phone));
      statements.deleteRelatives.run(existingId);
      residentId = existingId;
    }
    resident.relatives.forEach((relative, order) => {
      statements.insertRelative.run(
        residentId,
        order + 1,
        relative.name,
        relative.relation,
        relative.phone,
        relative.language,
        updatesOff.has(relative.phone) ? 0 : 1,
      );
    });
  });
  // The checks refused the file if any of these has alarms, so deleting cannot break alarm history.
  for (const removedId of existingIds.slice(residents.length)) {
    statements.deleteRelatives.run(removedId);
    statements.deleteResident.run(removedId);
  }
}
