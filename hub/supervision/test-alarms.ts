/**
 * End-to-end test alarms. The hub asks a device (on its schedule, or when an
 * operator orders a drill) to make a `test` press, with a `command` message.
 * The press travels the whole pipeline like any other: stored, acked, located,
 * dispatch ranking computed; `test` presses text no relative and offer no
 * worker (see the notify and dispatch stages). Once its stages are done the
 * alarm is closed here with outcome `test`. A device that has not pressed by
 * the deadline gets a `test_failed` fault.
 *
 * Every step is decided from the tables (requested_at, deadline, the alarm's
 * received_at and stages_done, next_due_at), not from timers in memory, so a
 * restart loses nothing: the next scan carries on where the last one stopped.
 * A `test` press answers the device's pending request when it is received
 * between the request and its deadline; the press itself needs no new field.
 * A `test` press nobody asked for (a resident trying the button, a simulator)
 * is a `manual` test: recorded as passed and closed the same way once its
 * stages are done, so it never waits in the operators' queue.
 */

import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import { CLOSED_STATUSES, type DeviceTest, type Reason } from "../../protocol/console/index.ts";
import { AfterCommit } from "../after-commit.ts";
import type { DevicePort } from "../alarms/device-port.ts";
import { AnxinError } from "../errors.ts";
import type { EventBus } from "../events.ts";
import type { AlarmRepository } from "../storage/alarm-repo.ts";
import type { FaultLedger } from "./fault-ledger.ts";
import type { FaultRepository } from "./fault-repo.ts";
import { type SupervisionSettings, TEST_REQUESTS_PER_SCAN } from "./settings.ts";
import { testView } from "./supervision-views.ts";
import type { TestRepository, TestRow, TestTrigger } from "./test-repo.ts";
import { nextSlotAfter } from "./test-schedule.ts";

/** What closing a test alarm asks of dispatch (an open offer would be withdrawn; a test never has one). */
export interface TestDispatchCloseOut {
  closeOut(alarmId: number, actor: string, effects: AfterCommit): Promise<void>;
  afterCommit(effects: AfterCommit): Promise<void>;
}

export interface TestAlarmsDeps {
  tests: TestRepository;
  faults: FaultRepository;
  ledger: FaultLedger;
  alarms: AlarmRepository;
  devices: Pick<DevicePort, "command" | "feedback">;
  dispatch: TestDispatchCloseOut;
  bus: EventBus;
  logger: Logger;
  settings: SupervisionSettings;
  /** How many post-storage stages an alarm has; a test alarm is closed only after all of them. */
  stageCount: number;
}

export class TestAlarms {
  private readonly deps: TestAlarmsDeps;

  constructor(deps: TestAlarmsDeps) {
    this.deps = deps;
  }

  /** An operator's drill (or any caller's request). A device with a test already pending gets that one back. */
  async request(
    deviceId: string,
    trigger: TestTrigger,
    actor: string,
  ): Promise<{ test: DeviceTest; created: boolean }> {
    const { faults, tests, ledger } = this.deps;
    return ledger.transact(async (effects) => {
      const device = await faults.device(deviceId);
      if (!device) throw new AnxinError("DEVICE_UNKNOWN", `device ${deviceId} is not in the registry`, { deviceId });
      if (device.status !== "active") {
        throw new AnxinError("DEVICE_REVOKED", `device ${deviceId} is revoked; it cannot be tested`, { deviceId });
      }
      const pending = await tests.pending(deviceId);
      if (pending) return { test: testView(pending), created: false };
      return { test: testView(await this.create(deviceId, trigger, actor, new Date(), effects)), created: true };
    });
  }

  /** The device came (back) online: a request still before its deadline is sent again. */
  async resendPending(deviceId: string): Promise<void> {
    const pending = await this.deps.tests.pending(deviceId);
    if (pending?.status !== "requested" || Date.parse(pending.deadline) <= Date.now()) return;
    this.deps.logger.debug({ deviceId, requestId: pending.request_id }, "test command sent again after reconnect");
    await this.sendCommand(pending);
  }

  /** A `test` alarm's pipeline is done: settles the device's request, or closes an unrequested test, at once. */
  async onTestAlarm(deviceId: string): Promise<void> {
    const pending = await this.deps.tests.pending(deviceId);
    if (pending?.status === "requested") await this.answer(pending, new Date());
    const answered = pending ? await this.deps.tests.get(pending.id) : undefined;
    if (answered?.status === "answered") await this.complete(answered);
    await this.closeUnrequested(deviceId);
  }

  /** One scan: schedule, answers, closures and deadlines, all from the tables. */
  async scan(now: Date): Promise<void> {
    const { tests } = this.deps;
    if (this.deps.settings.testIntervalMs > 0) await this.schedule(now);
    for (const test of await tests.withStatus("requested")) {
      // An answer that arrived before the deadline counts even if this scan comes after it.
      if (await this.answer(test, now)) continue;
      if (Date.parse(test.deadline) < now.getTime()) await this.fail(test, now);
    }
    for (const test of await tests.withStatus("answered")) await this.complete(test);
    await this.closeUnrequested();
  }

  /** Every open test alarm (of one device, when given) that answers no request is a manual test: recorded as passed and closed. */
  private async closeUnrequested(deviceId?: string): Promise<void> {
    const { tests, faults, ledger, stageCount } = this.deps;
    const unrequested = await tests.unrequestedOpenTests(stageCount, deviceId === undefined ? {} : { deviceId });
    for (const alarm of unrequested) {
      const dispatchEffects = new AfterCommit();
      await ledger.transact(async (effects) => {
        const at = new Date().toISOString();
        // Re-read inside the transaction: a scan and an alarm's own call may both have found it.
        if ((await tests.unrequestedOpenTests(stageCount, { alarmId: alarm.id })).length === 0) return;
        const row = await tests.insertManual({
          requestId: randomUUID(),
          deviceId: alarm.device_id,
          alarmId: alarm.id,
          receivedAt: alarm.received_at,
          at,
        });
        const manual = { code: "manual_test_completed", params: { requestId: row.request_id } } as const;
        await this.closeAlarm(alarm.id, alarm.device_id, at, { reason: manual, testId: row.id }, dispatchEffects);
        await faults.appendEvent(alarm.device_id, "test_completed", "system", at, {
          testId: row.id,
          trigger: "manual",
          alarmId: alarm.id,
        });
        this.deps.ledger.announceTest(testView(row), effects);
        await ledger.clear(alarm.device_id, ["test_failed"], at, manual, "system", effects);
        // After the consoles hear of the test and the fault: the device's feedback may take a while.
        effects.add(() => this.afterClosing(alarm.id, alarm.device_id, dispatchEffects));
      });
    }
  }

  /** Resolves an open test alarm with outcome `test`; a no-op when someone closed it already. */
  private async closeAlarm(
    alarmId: number,
    deviceId: string,
    at: string,
    detail:
      | { reason: Reason<"test_completed">; requestId: string }
      | { reason: Reason<"manual_test_completed">; testId: number },
    dispatchEffects: AfterCommit,
  ): Promise<boolean> {
    const { alarms, dispatch } = this.deps;
    const current = await alarms.get(alarmId);
    if (!current || CLOSED_STATUSES.includes(current.status) || current.device_id !== deviceId) return false;
    await dispatch.closeOut(alarmId, "system", dispatchEffects);
    await alarms.transition(alarmId, current.status, "resolved", { resolved_at: at, outcome: "test" });
    await alarms.appendEvent(alarmId, "resolved", "system", { outcome: "test", ...detail }, at);
    return true;
  }

  private async schedule(now: Date): Promise<void> {
    const { tests, ledger, settings } = this.deps;
    const interval = settings.testIntervalMs;
    const fresh = await tests.unscheduledDevices();
    if (fresh.length > 0) {
      await ledger.transact(async () => {
        for (const id of fresh) await tests.setNextDue(id, nextSlotAfter(id, now.getTime(), interval).toISOString());
      });
    }
    for (const due of await tests.due(now.toISOString(), TEST_REQUESTS_PER_SCAN)) {
      await ledger.transact(async (effects) => {
        await tests.setNextDue(due.device_id, nextSlotAfter(due.device_id, now.getTime(), interval).toISOString());
        // An offline device already has its `offline` fault; a test it cannot receive would only repeat it.
        if (due.status !== "active" || due.online !== 1 || (await tests.pending(due.device_id))) return;
        await this.create(due.device_id, "schedule", "system", now, effects);
      });
    }
  }

  private async create(
    deviceId: string,
    trigger: TestTrigger,
    actor: string,
    now: Date,
    effects: AfterCommit,
  ): Promise<TestRow> {
    const { tests, faults, settings } = this.deps;
    const requestedAt = now.toISOString();
    const row = await tests.insert({
      requestId: randomUUID(),
      deviceId,
      trigger,
      requestedBy: actor,
      requestedAt,
      deadline: new Date(now.getTime() + settings.testDeadlineMs).toISOString(),
    });
    await faults.appendEvent(deviceId, "test_requested", actor, requestedAt, {
      testId: row.id,
      requestId: row.request_id,
      trigger,
      deadline: row.deadline,
    });
    this.deps.ledger.announceTest(testView(row), effects);
    effects.add(() => this.sendCommand(row));
    this.deps.logger.info({ deviceId, requestId: row.request_id, trigger, actor }, "test press requested");
    return row;
  }

  private sendCommand(test: TestRow): Promise<void> {
    return this.deps.devices.command(test.device_id, {
      type: "test_press",
      requestId: test.request_id,
      deadline: test.deadline,
    });
  }

  private async answer(test: TestRow, now: Date): Promise<boolean> {
    const { tests, faults, ledger } = this.deps;
    return ledger.transact(async (effects) => {
      const found = await tests.findAnswer(test.device_id, test.requested_at, test.deadline);
      if (!found || !(await tests.markAnswered(test.id, found.id, found.received_at))) return false;
      await faults.appendEvent(test.device_id, "test_answered", `device:${test.device_id}`, now.toISOString(), {
        testId: test.id,
        requestId: test.request_id,
        alarmId: found.id,
      });
      const row = await tests.get(test.id);
      if (row) this.deps.ledger.announceTest(testView(row), effects);
      return true;
    });
  }

  /** Closes the answering alarm as a test once its stages are done, and completes the request. */
  private async complete(test: TestRow): Promise<void> {
    const { tests, faults, ledger, alarms, stageCount } = this.deps;
    const alarmId = test.alarm_id;
    const alarm = alarmId === null ? undefined : await alarms.get(alarmId);
    if (alarmId === null || !alarm || (await alarms.stagesDone(alarmId)).length < stageCount) return;
    const dispatchEffects = new AfterCommit();
    await ledger.transact(async (effects) => {
      const at = new Date().toISOString();
      if (!(await tests.finish(test.id, "answered", "completed", at))) return;
      // An operator may have closed it by hand already; then there is nothing left to close.
      const reason: Reason<"test_completed"> = {
        code: "test_completed",
        params: { requestId: test.request_id, ...(test.trigger === "manual" ? {} : { trigger: test.trigger }) },
      };
      const closed = await this.closeAlarm(
        alarmId,
        test.device_id,
        at,
        { reason, requestId: test.request_id },
        dispatchEffects,
      );
      await faults.appendEvent(test.device_id, "test_completed", "system", at, {
        testId: test.id,
        requestId: test.request_id,
        alarmId,
      });
      const row = await tests.get(test.id);
      if (row) this.deps.ledger.announceTest(testView(row), effects);
      await ledger.clear(test.device_id, ["test_failed"], at, reason, "system", effects);
      // After the consoles hear of the test and the fault: the device's feedback may take a while.
      if (closed) effects.add(() => this.afterClosing(alarmId, test.device_id, dispatchEffects));
    });
  }

  private async afterClosing(alarmId: number, deviceId: string, dispatchEffects: AfterCommit): Promise<void> {
    await this.deps.dispatch.afterCommit(dispatchEffects);
    this.deps.bus.emit("alarm.changed", { alarmId, change: "resolved" });
    await this.deps.devices.feedback(deviceId, "closed", alarmId);
  }

  private async fail(test: TestRow, now: Date): Promise<void> {
    const { tests, faults, ledger } = this.deps;
    await ledger.transact(async (effects) => {
      const at = now.toISOString();
      if (!(await tests.finish(test.id, "requested", "failed", at))) return;
      await faults.appendEvent(test.device_id, "test_failed", "system", at, {
        testId: test.id,
        requestId: test.request_id,
        deadline: test.deadline,
      });
      const row = await tests.get(test.id);
      if (row) this.deps.ledger.announceTest(testView(row), effects);
      // A device revoked meanwhile is out of service: its failed test is recorded, but it is nobody's fault to fix.
      if ((await faults.device(test.device_id))?.status !== "active") return;
      await ledger.open(
        test.device_id,
        "test_failed",
        at,
        { requestId: test.request_id, trigger: test.trigger, requestedAt: test.requested_at, deadline: test.deadline },
        effects,
      );
    });
  }
}
