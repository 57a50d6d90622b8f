/**
 * Placing an unlocated alarm by hand (issue 14). A call from a number the
 * registry does not know (or a withheld one) raises an alarm with no household:
 * nobody can be texted or sent. The operator who called back and learned where
 * the caller is places it at a household; the alarm's stages then run again as
 * for a new alarm (located, relatives texted, a worker offered), and the
 * number can be kept in the registry, as the resident's phone or the
 * household's landline, so the next call from it is placed at once.
 */
import { CLOSED_STATUSES } from "../../protocol/console/index.ts";
import { AnxinError, isUniqueViolation, notFound } from "../errors.ts";
import type { EventBus } from "../events.ts";
import type { AlarmRepository, AlarmRow } from "../storage/alarm-repo.ts";
import type { RegistryRepository } from "../storage/registry-repo.ts";
import type { SqlDatabase } from "../storage/sql/sql-port.ts";
import type { UserRepository, UserRow } from "../storage/user-repo.ts";

/** Where the caller's number is kept in the registry, if anywhere. */
export type RememberAs = "resident_phone" | "landline";

export interface AlarmPlacementDeps {
  sql: SqlDatabase;
  alarms: Pick<AlarmRepository, "get" | "getForUpdate" | "openIncident" | "placeAt" | "appendEvent">;
  registry: Pick<RegistryRepository, "household" | "primaryResident" | "setLandline" | "setResidentPhone">;
  users: Pick<UserRepository, "audit">;
  /** The pipeline: runs the stages the alarm has not done (all of them, once placed). */
  stages: { runAlarmStages(alarmId: number): void };
  bus: EventBus;
  clock: () => Date;
}

export class AlarmPlacement {
  private readonly deps: AlarmPlacementDeps;

  constructor(deps: AlarmPlacementDeps) {
    this.deps = deps;
  }

  async place(alarmId: number, user: UserRow, householdId: number, rememberAs: RememberAs | null): Promise<AlarmRow> {
    const { alarms, registry } = this.deps;
    const at = this.deps.clock().toISOString();
    const actor = `user:${user.username}`;
    await this.placeInTransaction(async () => {
      const alarm = await alarms.getForUpdate(alarmId);
      if (!alarm) throw new AnxinError("ALARM_NOT_FOUND", `no alarm ${alarmId}`, { alarmId });
      if (CLOSED_STATUSES.includes(alarm.status)) {
        throw new AnxinError("ALARM_STATE_CONFLICT", `alarm ${alarmId} is ${alarm.status}`, { status: alarm.status });
      }
      if (alarm.household_id !== null) {
        throw new AnxinError("ALARM_STATE_CONFLICT", `alarm ${alarmId} is already placed`, {
          householdId: alarm.household_id,
        });
      }
      if (rememberAs !== null && alarm.caller === null) {
        throw new AnxinError("VALIDATION_FAILED", "the caller's number was withheld: there is no number to keep");
      }
      const household = await registry.household(householdId);
      if (!household) throw notFound("household", householdId);
      const scope = `household:${householdId}`;
      if (alarm.kind !== "test") {
        const open = await alarms.openIncident(scope, alarm.kind);
        if (open) {
          // One emergency, one alarm: the operator closes this one as a duplicate of that instead.
          throw new AnxinError(
            "ALARM_PLACE_CONFLICT",
            `household ${household.code} already has open alarm ${open.id}: close this one as a duplicate of it`,
            { openAlarmId: open.id },
          );
        }
      }
      const remembered =
        rememberAs === null || alarm.caller === null
          ? null
          : await this.remember(alarm.id, alarm.caller, householdId, rememberAs, actor);
      await alarms.placeAt(alarmId, householdId, alarm.kind === "test" ? null : scope);
      // Audited as `alarm_placed` by the trigger on alarm events that people cause (migration 9).
      await alarms.appendEvent(
        alarmId,
        "placed",
        actor,
        { household: household.code, householdId, caller: alarm.caller, remembered },
        at,
      );
    });
    this.deps.stages.runAlarmStages(alarmId);
    this.deps.bus.emit("alarm.changed", { alarmId, change: "placed" });
    const placed = await alarms.get(alarmId);
    if (!placed) throw new AnxinError("ALARM_NOT_FOUND", `no alarm ${alarmId}`, { alarmId });
    return placed;
  }

  /**
   * Two operators placing two alarms at one household at once both pass the open-incident check; the
   * database's one-open-incident index refuses the second, which is told as the check would have.
   */
  private async placeInTransaction(work: () => Promise<void>): Promise<void> {
    try {
      await this.deps.sql.transaction(work);
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      throw new AnxinError(
        "ALARM_PLACE_CONFLICT",
        "the household has just been given another open alarm: close this one as a duplicate of it",
      );
    }
  }

  /** Keeps the caller's number in the registry, audited as a registry change; returns where it went. */
  private async remember(
    alarmId: number,
    phone: string,
    householdId: number,
    as: RememberAs,
    actor: string,
  ): Promise<RememberAs> {
    const { registry, users } = this.deps;
    const via = `alarm:${alarmId}`;
    if (as === "landline") {
      const before = (await registry.household(householdId))?.landline ?? null;
      await registry.setLandline(householdId, phone);
      await users.audit(actor, "registry_updated", `household:${householdId}`, {
        changes: { landline: { from: before, to: phone } },
        via,
      });
      return as;
    }
    const resident = await registry.primaryResident(householdId);
    if (!resident) throw new AnxinError("VALIDATION_FAILED", "the household has no resident to keep the number for");
    await registry.setResidentPhone(resident.id, phone);
    await users.audit(actor, "registry_updated", `resident:${resident.id}`, {
      changes: { phone: { from: resident.phone, to: phone } },
      via,
    });
    return as;
  }
}
