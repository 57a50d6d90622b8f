/**
 * Call buttons. A secret is 192 random bits, shown once (in the response that
 * made it) and stored only as its hash, so neither the database nor the audit
 * log can give it back. Rotating replaces the hash, so the old secret stops
 * working; revoking refuses the device for good. Both (and deleting) tell the
 * hub after the commit (`device.credentials_changed`), and the broker closes
 * the sessions opened with the old credentials at once; its ACL also refuses
 * any publish from such a session that would still arrive.
 */

import { randomBytes } from "node:crypto";
import { hashDeviceSecret } from "../accounts/device-secret.ts";
import { AnxinError, fieldError, found, refuseIfReferenced, uniquely } from "../errors.ts";
import type { DeviceCredentialsReason, EventBus } from "../events.ts";
import { nowIso } from "../storage/database.ts";
import type { SqlDatabase } from "../storage/sql/sql-port.ts";
import type { DeviceRepo } from "./device-repo.ts";
import type { HouseholdRepo } from "./household-repo.ts";
import { type Actor, diffRecords, type RegistryAudit } from "./registry-audit.ts";
import type { ListQuery, Page } from "./registry-sql.ts";
import { type DeviceView, deviceView, toPage } from "./registry-views.ts";

export interface ProvisionInput {
  id: string;
  householdId?: number | null | undefined;
}

export interface DeviceWithSecret {
  device: DeviceView;
  /** The only time the secret leaves the hub: give it to the installer, then it is gone. */
  secret: string;
}

function newSecret(): string {
  return randomBytes(24).toString("base64url");
}

export class DeviceService {
  private readonly sql: SqlDatabase;
  private readonly devices: DeviceRepo;
  private readonly households: HouseholdRepo;
  private readonly audit: RegistryAudit;
  private readonly bus: EventBus;

  constructor(deps: {
    sql: SqlDatabase;
    devices: DeviceRepo;
    households: HouseholdRepo;
    audit: RegistryAudit;
    bus: EventBus;
  }) {
    this.sql = deps.sql;
    this.devices = deps.devices;
    this.households = deps.households;
    this.audit = deps.audit;
    this.bus = deps.bus;
  }

  async list(
    query: ListQuery & { status?: "active" | "revoked" | undefined; householdId?: number | undefined },
  ): Promise<Page<DeviceView>> {
    return toPage(await this.devices.listDevices(query), query, deviceView);
  }

  async get(id: string): Promise<DeviceView> {
    return deviceView(found(await this.devices.device(id), "device", id));
  }

  async provision(input: ProvisionInput, actor: Actor): Promise<DeviceWithSecret> {
    const householdId = input.householdId ?? null;
    if (householdId !== null) await this.requireHousehold(householdId);
    if (await this.devices.isUsername(input.id)) {
      throw new AnxinError("REGISTRY_DUPLICATE", `${input.id} is a hub user's name; choose another device id`);
    }
    const secret = newSecret();
    await this.sql.transaction(async () => {
      await uniquely(
        () => this.devices.insertDevice({ id: input.id, householdId, secretHash: hashDeviceSecret(secret) }),
        `a device with id ${input.id} already exists`,
      );
      await this.audit.record(actor, "device_provisioned", `device:${input.id}`, { householdId });
    });
    return { device: await this.get(input.id), secret };
  }

  /** Binds the device to a household, or unbinds it with `null`. */
  async bind(id: string, householdId: number | null, actor: Actor): Promise<DeviceView> {
    const before = await this.activeDevice(id, "bind");
    if (householdId !== null) await this.requireHousehold(householdId);
    await this.sql.transaction(async () => {
      await this.devices.updateDevice(id, { household_id: householdId });
      const diff = diffRecords({ householdId: before.household_id }, { householdId });
      if (Object.keys(diff).length > 0) await this.audit.updated(actor, "device", id, diff);
    });
    return await this.get(id);
  }

  async rotate(id: string, actor: Actor): Promise<DeviceWithSecret> {
    await this.activeDevice(id, "rotate the secret of");
    const secret = newSecret();
    await this.sql.transaction(async () => {
      await this.devices.updateDevice(id, { secret_hash: hashDeviceSecret(secret), secret_rotated_at: nowIso() });
      await this.audit.record(actor, "device_secret_rotated", `device:${id}`);
    });
    this.credentialsChanged(id, "secret_rotated");
    return { device: await this.get(id), secret };
  }

  /** Revoking twice changes nothing and is not an error: the device is revoked either way. */
  async revoke(id: string, actor: Actor): Promise<DeviceView> {
    const before = found(await this.devices.device(id), "device", id);
    if (before.status === "active") {
      await this.sql.transaction(async () => {
        await this.devices.updateDevice(id, { status: "revoked", revoked_at: nowIso() });
        await this.audit.record(actor, "device_revoked", `device:${id}`, { householdId: before.household_id });
      });
    }
    // Also when it was revoked already: a session that outlived an earlier revocation ends now.
    this.credentialsChanged(id, "revoked");
    return await this.get(id);
  }

  /** Only a device that never raised a press can go (a mistaken provisioning); others are revoked instead. */
  async delete(id: string, actor: Actor): Promise<void> {
    const before = found(await this.devices.device(id), "device", id);
    await this.sql.transaction(async () => {
      refuseIfReferenced(
        "device",
        id,
        await this.devices.deviceReferences(id),
        "revoke it instead to keep its history",
      );
      await this.devices.deleteDevice(id);
      await this.audit.deleted(actor, "device", id, { householdId: before.household_id, status: before.status });
    });
    this.credentialsChanged(id, "deleted");
  }

  private credentialsChanged(deviceId: string, reason: DeviceCredentialsReason): void {
    this.bus.emit("device.credentials_changed", { deviceId, reason });
  }

  private async activeDevice(id: string, action: string) {
    const device = found(await this.devices.device(id), "device", id);
    if (device.status === "revoked") {
      throw new AnxinError("REGISTRY_CONFLICT", `cannot ${action} device ${id}: it is revoked; provision a new one`);
    }
    return device;
  }

  private async requireHousehold(householdId: number): Promise<void> {
    if (!(await this.households.household(householdId)))
      throw fieldError("householdId", `no household with id ${householdId}`);
  }
}
