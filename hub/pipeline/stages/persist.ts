import type { AlarmMessage } from "../../../protocol/index.ts";
import type { DeviceCancel } from "../../alarms/lifecycle-service.ts";
import { type AlarmRow, incidentScopeOf } from "../../storage/alarm-repo.ts";
import type { DeviceRow } from "../../storage/registry-repo.ts";
import type { PipelineDeps, PressContext, StoringIntakeStage } from "../types.ts";

/** Filled inside the press's transaction, acted on once it committed. */
interface PersistOutcome {
  cancel: DeviceCancel | null;
  attached: boolean;
}

/**
 * Stores the press and its incident, inside the press's own savepoint of a
 * group commit (hub/storage/group-commit.ts; WAL, synchronous=FULL): the ack
 * that follows waits for the commit that holds it, so it is a promise that the
 * press reached the disk. The device's `last_seen_at` and battery go to the
 * presence buffer, written behind (hub/storage/presence-buffer.ts): the device
 * was seen even should this press's savepoint roll back.
 *
 * One emergency is one incident: a household has at most one open SOS and one
 * open service call (`incidentScopeOf`), and storage enforces it with a partial
 * unique index, so no interleaving of presses can open a second one.
 * - A further sos or service press, from any button of the household, while an
 *   SOS is open attaches to that SOS, whatever else is open (a test press
 *   meanwhile opens its own test alarm and changes nothing here). A service
 *   press on an open service call attaches to it. An SOS never disappears into
 *   an open service call: it opens its own incident and is dispatched.
 *   Attached: no second incident, its press count and priority go up, and the
 *   ack carries the open incident's id.
 * - A test press is a device test of its own: its alarm closes by itself.
 * - A cancel press never opens an incident (see `persistCancel`).
 *
 * Two presses of one household in the same batch are no exception: the
 * savepoints run one after the other in one transaction, so the second one's
 * lookup sees the incident the first one opened, and attaches.
 *
 * Should a second open incident slip past the lookup (another process writing
 * the same database), the index refuses it, this press's savepoint rolls back,
 * the device gets no ack and retries, and the retry attaches.
 */
export const persistStage: StoringIntakeStage = {
  name: "persist",
  stores: true,
  async run(context, deps, afterCommit) {
    if (context.duplicate) return "continue";
    const { message, device } = context;
    if (!message || !device) return "halt";
    const receivedAt = context.receivedAt.toISOString();
    const outcome: PersistOutcome = { cancel: null, attached: false };
    await storePress(context, deps, message, device, receivedAt, outcome);
    deps.registry.markDeviceSeen(context.deviceId, receivedAt, message.battery, null);
    afterCommit(() => afterStored(context, deps, message, outcome));
    return "continue";
  },
};

async function storePress(
  context: PressContext,
  deps: PipelineDeps,
  message: AlarmMessage,
  device: DeviceRow,
  receivedAt: string,
  outcome: PersistOutcome,
): Promise<void> {
  if (message.kind === "cancel") {
    await persistCancel(context, deps, message, device, receivedAt, outcome);
    return;
  }
  const scope = incidentScopeOf(device, message.kind);
  const open = scope === null || message.kind === "test" ? undefined : await openIncidentFor(deps, scope, message.kind);
  if (open) {
    context.alarmId = open.id;
    await deps.alarms.insertPress(context.deviceId, message, receivedAt, open.id);
    await deps.lifecycle.attachPressInTransaction(open, context.deviceId, message.pressId, receivedAt);
    outcome.attached = true;
    return;
  }
  const alarmId = await deps.alarms.insertAlarm(context.deviceId, message.kind, receivedAt, scope);
  await deps.alarms.insertPress(context.deviceId, message, receivedAt, alarmId);
  await deps.alarms.appendEvent(
    alarmId,
    "received",
    `device:${context.deviceId}`,
    { pressId: message.pressId, kind: message.kind, battery: message.battery, attempt: message.attempt ?? 1 },
    receivedAt,
  );
  context.alarmId = alarmId;
  context.createdAlarm = true;
}

/** Once committed: the cancel's follow-up, or consoles told of a cancel request or a repeated press. */
async function afterStored(
  context: PressContext,
  deps: PipelineDeps,
  message: AlarmMessage,
  outcome: PersistOutcome,
): Promise<void> {
  context.log.info({ alarmId: context.alarmId, kind: message.kind, pressId: message.pressId }, "press stored");
  if (context.alarmId === null) return;
  if (outcome.cancel !== null) {
    await deps.lifecycle.afterDeviceCancel(outcome.cancel);
  } else if (message.kind === "cancel") {
    deps.bus.emit("alarm.changed", { alarmId: context.alarmId, change: "cancel_requested" });
  } else if (outcome.attached) {
    deps.bus.emit("alarm.changed", { alarmId: context.alarmId, change: "pressed_again" });
  }
}

/** An SOS joins the household's open SOS; a service press joins its open SOS, else its open service call. */
async function openIncidentFor(
  deps: PipelineDeps,
  scope: string,
  kind: "sos" | "service",
): Promise<AlarmRow | undefined> {
  const sos = await deps.alarms.openIncident(scope, "sos");
  return sos ?? (kind === "service" ? await deps.alarms.openIncident(scope, "service") : undefined);
}

/**
 * A cancel press is about the open SOS or service call this device's own
 * newest press went to (never a test alarm). Within the cancel window it
 * cancels it, in this transaction, as a false alarm, but only when every press
 * on it came from this device: when another button of the household pressed
 * too, someone else asked for help, and the operator decides. Otherwise, and
 * for a cancel from a household button that did not press for the household's
 * open SOS, it is recorded as `cancel_requested` for the operator.
 */
async function persistCancel(
  context: PressContext,
  deps: PipelineDeps,
  message: AlarmMessage,
  device: DeviceRow,
  receivedAt: string,
  outcome: PersistOutcome,
): Promise<void> {
  const own = await deps.alarms.cancelTargetFor(context.deviceId);
  const scope = incidentScopeOf(device, "sos");
  const target = own ?? (scope === null ? undefined : await deps.alarms.openIncident(scope, "sos"));
  context.alarmId = target?.id ?? null;
  await deps.alarms.insertPress(context.deviceId, message, receivedAt, context.alarmId);
  if (!target) return;
  const pressedBy = await deps.alarms.devicesOf(target.id);
  const othersPressed = pressedBy.some((id) => id !== context.deviceId);
  await deps.alarms.appendEvent(
    target.id,
    "cancel_requested",
    `device:${context.deviceId}`,
    othersPressed
      ? { pressId: message.pressId, otherDevices: pressedBy.filter((id) => id !== context.deviceId) }
      : { pressId: message.pressId },
    receivedAt,
  );
  if (own === undefined || othersPressed) return;
  outcome.cancel = await deps.lifecycle.cancelFromDeviceInTransaction(target, context.deviceId, receivedAt);
}
