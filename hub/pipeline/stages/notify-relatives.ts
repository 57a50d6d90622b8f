import { relativeAlarmSms } from "../../notify/sms-text.ts";
import type { NewOutboxMessage } from "../../storage/outbox-repo.ts";
import type { AlarmStage } from "../types.ts";

/**
 * Puts one SMS per relative into the outbox, in the same transaction that marks
 * this stage done, so relatives are texted exactly once however often the stage
 * is resumed. Only emergencies text the family; service and test presses do not.
 */
export const notifyRelativesStage: AlarmStage = {
  name: "notify_relatives",
  run(alarm, deps) {
    if (alarm.kind !== "sos") return;
    const current = deps.alarms.get(alarm.id);
    const resident = current?.resident_id ? deps.registry.resident(current.resident_id) : undefined;
    const household = current?.household_id ? deps.registry.household(current.household_id) : undefined;
    if (!resident || !household) {
      deps.alarms.appendEvent(alarm.id, "relatives_not_notified", "system", { reason: "household unknown" });
      return;
    }
    const relatives = deps.registry.relatives(resident.id);
    const messages: NewOutboxMessage[] = relatives.map((relative) => ({
      recipient: relative.phone,
      body: relativeAlarmSms(
        {
          alarmId: alarm.id,
          kind: alarm.kind,
          residentName: resident.name,
          address: household.address,
          receivedAt: new Date(alarm.received_at),
          link: `${deps.settings.publicUrl}/#/alarms/${alarm.id}`,
          timeZone: deps.settings.timeZone,
        },
        relative.language === "en" ? "en" : deps.settings.smsLanguage,
      ),
      alarmId: alarm.id,
      purpose: `relative:${relative.priority}`,
      dedupeKey: `alarm:${alarm.id}:relative:${relative.id}`,
    }));
    const added = deps.outbox.enqueue(messages);
    deps.alarms.appendEvent(alarm.id, "relatives_notified", "system", {
      relatives: relatives.map((r) => ({ priority: r.priority, name: r.name, phone: r.phone })),
    });
    if (added > 0) deps.bus.emit("outbox.enqueued", { count: added });
  },
};
