/** The API's (and the realtime push's) shapes of device faults, test requests and a device's health. */

import { type DeviceFault, type DeviceTest, reasonOf } from "../../protocol/console/index.ts";
import type { FaultRow } from "./fault-repo.ts";
import type { TestRow } from "./test-repo.ts";

export function faultView(row: FaultRow): DeviceFault {
  return {
    id: row.id,
    deviceId: row.device_id,
    kind: row.kind,
    openedAt: row.opened_at,
    clearedAt: row.cleared_at,
    detail: parseJson(row.detail),
    // JSON since reasons are coded; an older row's sentence reads as `text`.
    clearReason: reasonOf(row.clear_reason),
    household:
      row.household_code !== null && row.household_address !== null
        ? { code: row.household_code, address: row.household_address }
        : null,
  };
}

export function testView(row: TestRow): DeviceTest {
  return {
    id: row.id,
    requestId: row.request_id,
    deviceId: row.device_id,
    trigger: row.trigger,
    requestedBy: row.requested_by,
    requestedAt: row.requested_at,
    deadline: row.deadline,
    status: row.status,
    alarmId: row.alarm_id,
    answeredAt: row.answered_at,
    finishedAt: row.finished_at,
  };
}

export function parseJson(text: string | null): unknown {
  return text === null ? null : (JSON.parse(text) as unknown);
}
