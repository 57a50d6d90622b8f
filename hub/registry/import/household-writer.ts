/**
 * Writes checked households: upsert by code, residents matched by position (the
 * first stays the primary resident, and keeps its id so alarm history still
 * points at the right person), relatives replaced in the file's order, buttons
 * provisioned or bound. Runs inside the import's transaction, one statement
 * at a time (the engines keep each text prepared).
 */
import { randomBytes } from "node:crypto";
import { hashDeviceSecret } from "../../accounts/device-secret.ts";
import type { SqlSession } from "../../storage/sql/sql-port.ts";
import type { ValidHousehold } from "./household-checks.ts";
import { type DeviceCredential, PROGRESS_EVERY, type WriteStamp } from "./import-plan.ts";
import type { ProgressListener } from "./import-types.ts";
import type { ConsentRecord, ResidentRecord } from "./record-types.ts";

const SQL = {
  upsertHousehold: `INSERT INTO households (code, address, lat, lng, grid_id, key_holder, access_notes, landline,
         location_source, created_at, key_holder_phone)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (code) DO UPDATE SET address = excluded.address, lat = excluded.lat, lng = excluded.lng,
         grid_id = excluded.grid_id, key_holder = excluded.key_holder, access_notes = excluded.access_notes,
         landline = excluded.landline, key_holder_phone = excluded.key_holder_phone,
         location_source = excluded.location_source
       RETURNING id`,
  insertResident: `INSERT INTO residents (household_id, name, birth_date, sex, phone, language, conditions, medications, allergies,
         mobility, consent) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
  updateResident: `UPDATE residents SET name = ?, birth_date = ?, sex = ?, phone = ?, language = ?, conditions = ?, medications = ?,
         allergies = ?, mobility = ?, consent = ? WHERE id = ?`,
  deleteResident: "DELETE FROM residents WHERE id = ?",
  deleteRelatives: "DELETE FROM relatives WHERE resident_id = ?",
  /** Numbers whose owner asked for no update SMS; files do not carry the switch, so a re-import keeps it. */
  updatesOff: "SELECT phone FROM relatives WHERE resident_id = ? AND updates = 0",
  insertRelative:
    "INSERT INTO relatives (resident_id, priority, name, relation, phone, language, updates) VALUES (?, ?, ?, ?, ?, ?, ?)",
  insertDevice: "INSERT INTO devices (id, household_id, secret_hash, status, created_at) VALUES (?, ?, ?, 'active', ?)",
  bindDevice: "UPDATE devices SET household_id = ? WHERE id = ? AND household_id IS NULL",
} as const;

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

/**
 * Households written side by side within the transaction: on PostgreSQL their statements share the
 * connection's pipeline instead of each waiting a round trip (SQLite runs them at once either way).
 * A household's own statements stay in order: its id before its residents, a resident's before its relatives.
 */
const HOUSEHOLDS_AT_ONCE = 50;

export async function writeHouseholds(
  sql: SqlSession,
  households: readonly ValidHousehold[],
  stamp: WriteStamp,
  onProgress: ProgressListener,
): Promise<DeviceCredential[]> {
  const credentials: DeviceCredential[] = [];
  for (let start = 0; start < households.length; start += HOUSEHOLDS_AT_ONCE) {
    const window = households.slice(start, start + HOUSEHOLDS_AT_ONCE);
    const written = await Promise.allSettled(window.map((household) => writeHousehold(sql, household, stamp)));
    for (const outcome of written) {
      // Every statement of the window has settled, so the transaction's rollback leaves nothing in flight.
      if (outcome.status === "rejected") throw outcome.reason;
      for (const credential of outcome.value) credentials.push(credential);
    }
    const done = start + window.length;
    if (done % PROGRESS_EVERY === 0) onProgress("writing", done, households.length);
  }
  onProgress("writing", households.length, households.length);
  return credentials;
}

async function writeHousehold(
  sql: SqlSession,
  household: ValidHousehold,
  stamp: WriteStamp,
): Promise<DeviceCredential[]> {
  const { record, placement } = household;
  const { now } = stamp;
  const { id } = (await sql.get<{ id: number }>(SQL.upsertHousehold, [
    record.code,
    record.address,
    placement.lat,
    placement.lng,
    placement.gridId,
    record.key_holder,
    record.access_notes,
    record.landline,
    placement.source,
    now,
    record.key_holder_phone,
  ])) as { id: number };
  await writeResidents(sql, id, record.residents, household.existing?.residentIds ?? [], stamp);
  for (const deviceId of household.bindDevices) await sql.run(SQL.bindDevice, [id, deviceId]);
  const credentials: DeviceCredential[] = [];
  for (const deviceId of household.newDevices) {
    // 192 random bits, as the demo seed uses; only the hash is stored.
    const secret = randomBytes(24).toString("base64url");
    await sql.run(SQL.insertDevice, [deviceId, id, hashDeviceSecret(secret), now]);
    const resident = record.residents[0]?.name ?? "";
    credentials.push({ deviceId, secret, household: record.code, address: record.address, resident });
  }
  return credentials;
}

async function writeResidents(
  sql: SqlSession,
  householdId: number,
  residents: readonly ResidentRecord[],
  existingIds: readonly number[],
  stamp: WriteStamp,
): Promise<void> {
  for (const [position, resident] of residents.entries()) {
    const existingId = existingIds[position];
    let residentId: number;
    let updatesOff = new Set<string>();
    if (existingId === undefined) {
      const inserted = await sql.get<{ id: number }>(SQL.insertResident, [
        householdId,
        ...residentValues(resident, stamp),
      ]);
      residentId = (inserted as { id: number }).id;
    } else {
      await sql.run(SQL.updateResident, [...residentValues(resident, stamp), existingId]);
      updatesOff = new Set((await sql.all<{ phone: string }>(SQL.updatesOff, [existingId])).map((r) => r.phone));
      await sql.run(SQL.deleteRelatives, [existingId]);
      residentId = existingId;
    }
    for (const [order, relative] of resident.relatives.entries()) {
      await sql.run(SQL.insertRelative, [
        residentId,
        order + 1,
        relative.name,
        relative.relation,
        relative.phone,
        relative.language,
        updatesOff.has(relative.phone) ? 0 : 1,
      ]);
    }
  }
  // The checks refused the file if any of these has alarms, so deleting cannot break alarm history.
  for (const removedId of existingIds.slice(residents.length)) {
    await sql.run(SQL.deleteRelatives, [removedId]);
    await sql.run(SQL.deleteResident, [removedId]);
  }
}
