/**
 * Device supervision. A device is in trouble when:
 * - its `status` says `offline`: the broker published its Last Will (power cut,
 *   crash, network gone, or a half-open connection that sent nothing for 1.5 ×
 *   its keep-alive), or it said goodbye itself → fault `offline`, at once;
 * - it has not been heard from (heartbeat, status or press) for 3 heartbeat
 *   intervals → fault `silent`. This catches what the keep-alive cannot: a
 *   connection that stays up (PINGREQs, or no keep-alive at all) while the
 *   device's application is dead, and devices that vanished while the hub was down;
 * - its battery reads at or below the threshold → fault `low_battery`, once;
 * - it missed a requested test press → fault `test_failed` (see test-alarms.ts).
 *
 * Low battery is a fault kind rather than a separate maintenance-task table:
 * it has the same life (opened once by a cause, cleared by evidence: a reading
 * comfortably above the threshold after the battery was changed), the same
 * one-open-per-device rule in SQLite, and the same place on the console. It is
 * still not an emergency: faults never become alarms, never text relatives.
 *
 * Faults clear when the device returns: an `online` status or a heartbeat at
 * once (the presence handlers call in here), a press at the next scan.
 *
 * The scan runs every few seconds and decides only from stored timestamps
 * (`devices.last_seen_at`, the faults' `opened_at`), so it survives restarts.
 * Silence is counted from when this hub process started at the earliest: after
 * an outage every device needs a moment to reconnect, and faulting the whole
 * fleet for the hub's own absence would bury real faults; a device that stays
 * silent is faulted 3 intervals after the start, and never before the
 * protocol's longest reconnect wait (30 s) has passed.
 */

import type { Logger } from "pino";
import type { Reason } from "../../protocol/console/index.ts";
import { RECONNECT_MAX_MS } from "../../protocol/index.ts";
import type { AfterCommit } from "../after-commit.ts";
import type { EventBus } from "../events.ts";
import { IntervalLoop } from "../interval-loop.ts";
import type { RegistryRepository } from "../storage/registry-repo.ts";
import type { SqlDatabase } from "../storage/sql/sql-port.ts";
import type { FaultLedger } from "./fault-ledger.ts";
import type { FaultRepository } from "./fault-repo.ts";
import type { SupervisionSettings } from "./settings.ts";
import type { TestAlarms } from "./test-alarms.ts";
import { TickBatch } from "./tick-batch.ts";

interface StatusChange {
  deviceId: string;
  online: boolean;
  at: string;
}

export interface DeviceSupervisorDeps {
  /** A created alarm is looked at once its transaction committed (the storage port's `afterCommit`). */
  commits: Pick<SqlDatabase, "afterCommit">;
  faults: FaultRepository;
  registry: RegistryRepository;
  ledger: FaultLedger;
  tests: TestAlarms;
  bus: EventBus;
  logger: Logger;
  settings: SupervisionSettings;
}

export class DeviceSupervisor {
  private readonly deps: DeviceSupervisorDeps;
  private readonly scans: IntervalLoop;
  private startedAt = 0;
  private unsubscribe: (() => void) | null = null;
  private readonly statuses = new TickBatch<StatusChange>((changes) => this.applyStatuses(changes));

  constructor(deps: DeviceSupervisorDeps) {
    this.deps = deps;
    this.scans = new IntervalLoop(() => this.pass(), {
      intervalMs: deps.settings.scanMs,
      logger: deps.logger,
      failure: "device supervision pass failed; retrying next tick",
    });
  }

  /** Events and scans: a hub alone (and tests) supervises with both. */
  start(): void {
    this.startEvents();
    this.startScans();
  }

  /**
   * What this hub's own alarms say about their devices (a scheduled test press came in). Every hub of
   * several does this for the presses it stored; heartbeats and statuses come in through `onHeartbeat`
   * and `onStatus` wherever the device is connected.
   */
  startEvents(): void {
    this.startedAt = Date.now();
    this.unsubscribe ??= this.deps.bus.on("alarm.changed", ({ alarmId, change }) => {
      if (change !== "created") return;
      // Emitted inside the stage's transaction: look once it has committed (on PostgreSQL a turn of the
      // event loop is no promise of that).
      this.deps.commits.afterCommit(() => {
        if (this.unsubscribe) void this.onAlarmCreated(alarmId); // not once stopping (the database may be closing)
      });
    });
  }

  /** Scans once at once (faults from while no hub scanned), then every `scanMs`: on the hub that leads the jobs. */
  startScans(): void {
    this.scans.start();
  }

  stopScans(): Promise<void> {
    return this.scans.stop();
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = null;
    await this.stopScans();
  }

  /** A heartbeat: the device is alive and connected; its battery may need a visit. */
  async onHeartbeat(deviceId: string, at: Date, battery: number, connection: number | null = null): Promise<void> {
    const device = await this.deps.faults.device(deviceId);
    if (device?.status !== "active") return;
    // Presence is written behind (not in this transaction); a healthy device's heartbeat needs no transaction at all.
    if (device.online !== 1) this.deps.registry.setDeviceOnline(deviceId, true, at.toISOString(), connection);
    if (await this.faultsToChange(deviceId, battery)) {
      await this.deps.registry.presence.flush(); // as for statuses: `online` is stored before the faults change
      await this.deps.ledger.transact(async (effects) => {
        await this.returned(deviceId, at.toISOString(), { code: "device_heard_from", params: {} }, effects);
        await this.checkBattery(deviceId, battery, at.toISOString(), effects);
      });
    }
    if (device.online !== 1) this.deps.bus.emit("device.status", { deviceId, online: true });
  }

  /**
   * A `status` message, or the broker's Last Will on the device's behalf. Statuses arriving together
   * (a fleet dropping or coming back) are applied in arrival order in one transaction (tick-batch.ts).
   */
  async onStatus(deviceId: string, online: boolean, at: Date): Promise<void> {
    const device = await this.deps.faults.device(deviceId);
    if (device?.status !== "active") return;
    await this.statuses.add({ deviceId, online, at: at.toISOString() });
    if (online) await this.deps.tests.resendPending(deviceId);
  }

  /** Statuses of one tick, one transaction, in arrival order. */
  private async applyStatuses(changes: readonly StatusChange[]): Promise<void> {
    // Devices coming online with no fault open (a reconnecting fleet, mostly): nothing to store here.
    const toChange = new Set<string>();
    for (const change of changes) {
      if (change.online && (await this.faultsToChange(change.deviceId, null))) toChange.add(change.deviceId);
    }
    if (changes.every((change) => change.online && !toChange.has(change.deviceId))) return;
    // Presence first, as before it was written behind: whoever reads a fault finds `online` already matching.
    await this.deps.registry.presence.flush();
    await this.deps.ledger.transact(async (effects) => {
      for (const { deviceId, online, at } of changes) {
        // A device coming online with nothing open (a reconnecting fleet, mostly) has no fault to clear.
        if (online && (await this.faultsToChange(deviceId, null))) {
          await this.returned(deviceId, at, { code: "device_online", params: {} }, effects);
        }
        if (!online) {
          await this.deps.ledger.open(
            deviceId,
            "offline",
            at,
            { reason: { code: "device_reported_offline", params: {} } },
            effects,
          );
        }
      }
    });
  }

  /**
   * Whether hearing from the device (with this battery reading, if any) opens or clears a fault:
   * an open `offline`/`silent` clears, a low reading opens `low_battery` unless open, a good one clears it.
   * Read before the transaction it decides on; what the transaction does is idempotent (a fault opens
   * once, a clear clears what is open), so a change in between costs nothing but an empty transaction.
   */
  private async faultsToChange(deviceId: string, battery: number | null): Promise<boolean> {
    const open = await this.deps.faults.openKinds(deviceId);
    if (open.has("offline") || open.has("silent")) return true;
    if (battery === null) return false;
    const { lowBatteryPercent, batteryClearPercent } = this.deps.settings;
    return open.has("low_battery") ? battery >= batteryClearPercent : battery <= lowBatteryPercent;
  }

  /** One pass; a pass still running is not overlapped. */
  async scan(): Promise<void> {
    await this.scans.run();
  }

  private async pass(): Promise<void> {
    const now = new Date();
    // The scans read presence from SQLite, where it is written behind (hub/storage/presence-buffer.ts).
    await this.deps.registry.presence.flush();
    await this.scanSilence(now);
    await this.scanReturns();
    await this.scanBatteries(now);
    await this.scanRevoked(now);
    await this.deps.tests.scan(now);
  }

  private async onAlarmCreated(alarmId: number): Promise<void> {
    try {
      const device = await this.deps.faults.alarmDevice(alarmId);
      if (device?.kind === "test") await this.deps.tests.onTestAlarm(device.device_id);
    } catch (error) {
      this.deps.logger.error({ err: error, alarmId }, "could not settle a test alarm; the next scan will");
    }
  }

  private async scanSilence(now: Date): Promise<void> {
    const { faults, ledger, settings } = this.deps;
    // Silence counts from this process's start at the earliest (see the header), and not before a device
    // that follows the protocol has had its longest reconnect wait to come back.
    if (now.getTime() - this.startedAt < Math.max(settings.silentAfterMs, RECONNECT_MAX_MS)) return;
    const cutoff = new Date(now.getTime() - settings.silentAfterMs).toISOString();
    const silent = await faults.silentDevices(cutoff);
    if (silent.length === 0) return;
    await ledger.transact(async (effects) => {
      for (const device of silent) {
        await ledger.open(
          device.id,
          "silent",
          now.toISOString(),
          { lastSeenAt: device.last_seen_at, silentAfterS: settings.silentAfterMs / 1000 },
          effects,
        );
      }
    });
  }

  private async scanReturns(): Promise<void> {
    const returned = await this.deps.faults.returnedDevices();
    if (returned.length === 0) return;
    await this.deps.ledger.transact(async (effects) => {
      for (const row of returned) {
        await this.returned(row.device_id, row.last_seen_at, { code: "device_heard_from", params: {} }, effects);
      }
    });
  }

  private async scanBatteries(now: Date): Promise<void> {
    const { faults, ledger, settings } = this.deps;
    const low = await faults.lowBatteries(settings.lowBatteryPercent);
    const recovered = await faults.recoveredBatteries(settings.batteryClearPercent);
    if (low.length === 0 && recovered.length === 0) return;
    await ledger.transact(async (effects) => {
      for (const device of [...low, ...recovered]) {
        if (device.battery !== null) await this.checkBattery(device.id, device.battery, now.toISOString(), effects);
      }
    });
  }

  private async scanRevoked(now: Date): Promise<void> {
    const { faults, ledger } = this.deps;
    const revoked = await faults.faultsOfRevokedDevices();
    if (revoked.length === 0) return;
    await ledger.transact(async (effects) => {
      for (const { device_id } of revoked) {
        await ledger.clear(
          device_id,
          ["offline", "silent", "low_battery", "test_failed"],
          now.toISOString(),
          { code: "device_revoked", params: {} },
          "system",
          effects,
        );
      }
    });
  }

  private async returned(
    deviceId: string,
    at: string,
    reason: Reason<"device_online" | "device_heard_from">,
    effects: AfterCommit,
  ): Promise<void> {
    await this.deps.ledger.clear(deviceId, ["offline", "silent"], at, reason, `device:${deviceId}`, effects);
  }

  private async checkBattery(deviceId: string, battery: number, at: string, effects: AfterCommit): Promise<void> {
    const { ledger, settings } = this.deps;
    if (battery <= settings.lowBatteryPercent) {
      await ledger.open(
        deviceId,
        "low_battery",
        at,
        { battery, thresholdPercent: settings.lowBatteryPercent },
        effects,
      );
    } else if (battery >= settings.batteryClearPercent) {
      const reason = { code: "battery_recovered", params: { battery } } as const;
      await ledger.clear(deviceId, ["low_battery"], at, reason, `device:${deviceId}`, effects);
    }
  }
}
