import { workerDispatchSms } from "../../notify/sms-text.ts";
import type { AlarmStage } from "../types.ts";

/**
 * Chooses the nearest on-duty community worker and the nearest clinic by
 * great-circle distance and stores the choice with its distances. For an
 * emergency the worker is texted through the outbox in the same transaction.
 */
export const dispatchStage: AlarmStage = {
  name: "dispatch",
  run(alarm, deps) {
    const current = deps.alarms.get(alarm.id);
    const household = current?.household_id ? deps.registry.household(current.household_id) : undefined;
    if (!household || household.lat === null || household.lng === null) {
      deps.alarms.appendEvent(alarm.id, "dispatch_impossible", "system", { reason: "household has no map position" });
      return;
    }
    const point = { lat: household.lat, lng: household.lng };
    const worker = deps.responders.nearestOnDutyWorker(point);
    const clinic = alarm.kind === "service" ? null : deps.responders.nearestClinic(point);
    deps.alarms.setDispatch(
      alarm.id,
      worker ? { id: worker.item.id, distanceM: worker.distanceM } : null,
      clinic ? { id: clinic.item.id, distanceM: clinic.distanceM } : null,
    );
    deps.alarms.appendEvent(alarm.id, "dispatch_suggested", "system", {
      worker: worker ? { id: worker.item.id, name: worker.item.name, distanceM: Math.round(worker.distanceM) } : null,
      clinic: clinic ? { id: clinic.item.id, name: clinic.item.name, distanceM: Math.round(clinic.distanceM) } : null,
    });
    if (alarm.kind !== "sos" || !worker) return;
    const resident = current?.resident_id ? deps.registry.resident(current.resident_id) : undefined;
    const added = deps.outbox.enqueue([
      {
        recipient: worker.item.phone,
        body: workerDispatchSms(
          {
            alarmId: alarm.id,
            kind: alarm.kind,
            residentName: resident?.name ?? "",
            address: household.address,
            receivedAt: new Date(alarm.received_at),
            link: `${deps.settings.publicUrl}/#/alarms/${alarm.id}`,
            timeZone: deps.settings.timeZone,
            distanceM: worker.distanceM,
          },
          deps.settings.smsLanguage,
        ),
        alarmId: alarm.id,
        purpose: "worker",
        dedupeKey: `alarm:${alarm.id}:worker:${worker.item.id}`,
      },
    ]);
    if (added > 0) deps.bus.emit("outbox.enqueued", { count: added });
  },
};
