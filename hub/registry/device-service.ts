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
import type { DeviceCredentialsReason, EventBus } from "../events.ts";
import { type Db, nowIso } from "../storage/database.ts";
import type { DeviceRepo } from "./device-repo.ts";
import type { HouseholdRepo } from "./household-repo.ts";
import { type Actor, diffRecords, type RegistryAudit } from "./registry-audit.ts";
import { fieldError, found, RegistryError, refuseIfReferenced, uniquely } from "./registry-errors.ts";
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
  private readonly db: Db;
  private readonly devices: DeviceRepo;
  private readonly households: HouseholdRepo;
  private readonly audit: RegistryAudit;
  private readonly bus: EventBus;

  constructor(deps: { db: Db; devices: DeviceRepo; households: HouseholdRepo; audit: RegistryAudit; bus: EventBus }) {
    this.db = deps.db;
    this.devices = deps.devices;
    this.households = deps.households;
    this.audit = deps.audit;
    this.bus = deps.bus;
  }

  list(
    query: ListQuery & { status?: "active" | "revoked" | undefined; householdId?: number | undefined },
  ): Page<DeviceView> {
    return toPage(this.devices.listDevices(query), query, deviceView);
  }

  get(id: string): DeviceView {
    return deviceView(found(this.devices.device(id), "device", id));
  }

  provision(input: ProvisionInput, actor: Actor): DeviceWithSecret {
    const householdId = input.householdId ?? null;
    if (householdId !== null) this.requireHousehold(householdId);
    if (this.devices.isUsername(input.id)) {
      throw new RegistryError("REGISTRY_DUPLICATE", `${input.id} is a hub user's name; choose another device id`);
    }
    const secret = newSecret();
    this.db.transaction(() => {
      uniquely(
        () => this.devices.insertDevice({ id: input.id, householdId, secretHash: hashDeviceSecret(secret) }),
        `a device with id ${input.id} already exists`,
      );
      this.audit.record(actor, "device_provisioned", `device:${input.id}`, { householdId });
    })();
    return { device: this.get(input.id), secret };
  }

  /** Binds the device to a household, or unbinds it with `null`. */
  bind(id: string, householdId: number | null, actor: Actor): DeviceView {
    const before = this.activeDevice(id, "bind");
    if (householdId !== null) this.requireHousehold(householdId);
    this.db.transaction(() => {
      this.devices.updateDevice(id, { household_id: householdId });
      const diff = diffRecords({ householdId: before.household_id }, { householdId });
      if (Object.keys(diff).length > 0) this.audit.updated(actor, "device", id, diff);
    })();
    return this.get(id);
  }

  rotate(id: string, actor: Actor): DeviceWithSecret {
    this.activeDevice(id, "rotate the secret of");
    const secret = newSecret();
    this.db.transaction(() => {
      this.devices.updateDevice(id, { secret_hash: hashDeviceSecret(secret), secret_rotated_at: nowIso() });
      this.audit.record(actor, "device_secret_rotated", `device:${id}`);
    })();
    this.credentialsChanged(id, "secret_rotated");
    return { device: this.get(id), secret };
  }

  /** Revoking twice changes nothing and is not an error: the device is revoked either way. */
  revoke(id: string, actor: Actor): DeviceView {
    const before = found(this.devices.device(id), "device", id);
    if (before.status === "active") {
      this.db.transaction(() => {
        this.devices.updateDevice(id, { status: "revoked", revoked_at: nowIso() });
        this.audit.record(actor, "device_revoked", `device:${id}`, { householdId: before.household_id });
      })();
    }
    // Also when it was revoked already: a session that outlived an earlier revocation ends now.
    this.credentialsChanged(id, "revoked");
    return this.get(id);
  }

  /** Only a device that never raised a press can go (a mistaken provisioning); others are revoked instead. */
  delete(id: string, actor: Actor): void {
    const before = found(this.devices.device(id), "device", id);
    this.db.transaction(() => {
      refuseIfReferenced("device", id, this.devices.deviceReferences(id), "revoke it instead to keep its history");
      this.devices.deleteDevice(id);
      this.audit.deleted(actor, "device", id, { householdId: before.household_id, status: before.status });
    })();
    this.credentialsChanged(id, "deleted");
  }

  private credentialsChanged(deviceId: string, reason: DeviceCredentialsReason): void {
    this.bus.emit("device.credentials_changed", { deviceId, reason });
  }

  private activeDevice(id: string, action: string) {
    const device = found(this.devices.device(id), "device", id);
    if (device.status === "revoked") {
      throw new RegistryError("REGISTRY_CONFLICT", `cannot ${action} device ${id}: it is revoked; provision a new one`);
    }
    return device;
  }

  private requireHousehold(householdId: number): void {
    if (!this.households.household(householdId)) throw fieldError("householdId", `no household with id ${householdId}`);
  }
}
