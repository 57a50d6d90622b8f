/**
 * Clinics: where a resident can be taken. Opening hours decide whether dispatch
 * recommends one now; capabilities (e.g. `24h`, `emergency`) say what it can
 * do. A clinic without coordinates is placed from the gazetteer like a household.
 */
import { AnxinError, fieldError, found, refuseIfReferenced, uniquely } from "../errors.ts";
import { normaliseAddress } from "../geo/household-locator.ts";
import type { SqlDatabase } from "../storage/sql/sql-port.ts";
import type { PlaceRepo } from "./place-repo.ts";
import { type Actor, diffRecords, type RegistryAudit } from "./registry-audit.ts";
import type { ListQuery, Page } from "./registry-sql.ts";
import { type ClinicView, clinicView, toPage } from "./registry-views.ts";
import type { ClinicColumns, ClinicRecord, ResponderRepo } from "./responder-repo.ts";
import { checkWeeklySchedule, type WeeklyPeriod } from "./weekly-hours.ts";

export interface ClinicInput {
  code: string;
  name: string;
  phone: string;
  address: string;
  lat?: number | undefined;
  lng?: number | undefined;
  capabilities?: string[] | undefined;
  hours?: WeeklyPeriod[] | undefined;
}

export type ClinicPatch = Partial<ClinicInput>;

export class ClinicService {
  private readonly sql: SqlDatabase;
  private readonly responders: ResponderRepo;
  private readonly places: PlaceRepo;
  private readonly audit: RegistryAudit;

  constructor(deps: { sql: SqlDatabase; responders: ResponderRepo; places: PlaceRepo; audit: RegistryAudit }) {
    this.sql = deps.sql;
    this.responders = deps.responders;
    this.places = deps.places;
    this.audit = deps.audit;
  }

  async list(query: ListQuery): Promise<Page<ClinicView>> {
    return toPage(await this.responders.listClinics(query), query, clinicView);
  }

  async get(id: number): Promise<ClinicView> {
    return clinicView(found(await this.responders.clinic(id), "clinic", id));
  }

  async create(input: ClinicInput, actor: Actor): Promise<ClinicView> {
    const address = this.checkedAddress(input.address);
    const record: Omit<ClinicRecord, "id"> = {
      code: input.code,
      name: input.name,
      phone: input.phone,
      address,
      ...(await this.position(address, input.lat, input.lng)),
      capabilities: JSON.stringify(input.capabilities ?? []),
      hours: JSON.stringify(checkWeeklySchedule(input.hours ?? [], "hours")),
    };
    const id = await this.sql.transaction(async () => {
      const id = await uniquely(
        () => this.responders.insertClinic(record),
        `a clinic with code ${input.code} already exists`,
      );
      await this.audit.created(actor, "clinic", id, {
        code: record.code,
        name: record.name,
        lat: record.lat,
        lng: record.lng,
      });
      return id;
    });
    return await this.get(id);
  }

  async update(id: number, patch: ClinicPatch, actor: Actor): Promise<ClinicView> {
    const before = found(await this.responders.clinic(id), "clinic", id);
    const changes: ClinicColumns = {};
    if (patch.code !== undefined) changes.code = patch.code;
    if (patch.name !== undefined) changes.name = patch.name;
    if (patch.phone !== undefined) changes.phone = patch.phone;
    if (patch.address !== undefined) changes.address = this.checkedAddress(patch.address);
    if (patch.lat !== undefined || patch.lng !== undefined) {
      Object.assign(changes, await this.position(changes.address ?? before.address, patch.lat, patch.lng));
    }
    if (patch.capabilities !== undefined) changes.capabilities = JSON.stringify(patch.capabilities);
    if (patch.hours !== undefined) changes.hours = JSON.stringify(checkWeeklySchedule(patch.hours, "hours"));
    await this.sql.transaction(async () => {
      await uniquely(
        () => this.responders.updateClinic(id, changes),
        `a clinic with code ${patch.code} already exists`,
      );
      const diff = diffRecords(before, { ...before, ...changes });
      if (Object.keys(diff).length > 0) await this.audit.updated(actor, "clinic", id, diff);
    });
    return await this.get(id);
  }

  /** A clinic an alarm was referred to stays, so alarm history still says where the resident was sent. */
  async delete(id: number, actor: Actor): Promise<void> {
    const before = found(await this.responders.clinic(id), "clinic", id);
    await this.sql.transaction(async () => {
      refuseIfReferenced(
        "clinic",
        id,
        await this.responders.clinicReferences(id),
        "it is kept for alarm history; update its hours and capabilities instead",
      );
      await this.responders.deleteClinic(id);
      await this.audit.deleted(actor, "clinic", id, { code: before.code, name: before.name });
    });
  }

  private checkedAddress(address: string): string {
    const normalised = normaliseAddress(address);
    if (normalised === "") throw fieldError("address", "must not be blank");
    return normalised;
  }

  /** Given coordinates, or the gazetteer's for the address when neither is given. */
  private async position(
    address: string,
    lat: number | undefined,
    lng: number | undefined,
  ): Promise<{ lat: number; lng: number }> {
    if (lat !== undefined && lng !== undefined) return { lat, lng };
    if (lat !== undefined || lng !== undefined) {
      throw fieldError(lat === undefined ? "lat" : "lng", "give lat and lng together, or neither to use the gazetteer");
    }
    const point = await this.places.gazetteerPoint(address);
    if (!point) {
      throw new AnxinError(
        "ADDRESS_NOT_IN_GAZETTEER",
        `no coordinates given and "${address}" is not a standard address in the gazetteer; give lat and lng`,
        { address },
      );
    }
    return point;
  }
}
