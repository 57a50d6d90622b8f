/**
 * Operators' notes on an alarm ("called the daughter, she is on her way").
 * A note is an alarm event, not a state change: it is allowed on open and
 * closed alarms alike, lands on the timeline, and (actor `user:<name>`) in the
 * audit log through the trigger of migration 9.
 */
import { AnxinError } from "../errors.ts";
import type { EventBus } from "../events.ts";
import type { AlarmRepository, AlarmRow } from "../storage/alarm-repo.ts";
import type { UserRow } from "../storage/user-repo.ts";

export const NOTE_MAX_LENGTH = 1000;

export class AlarmNotes {
  private readonly alarms: AlarmRepository;
  private readonly bus: EventBus;

  constructor(alarms: AlarmRepository, bus: EventBus) {
    this.alarms = alarms;
    this.bus = bus;
  }

  /** Appends a `note_added` event by the user and tells every console; `text` is already trimmed. */
  async add(alarmId: number, user: UserRow, text: string): Promise<AlarmRow> {
    const alarm = await this.alarms.get(alarmId);
    if (!alarm) throw new AnxinError("ALARM_NOT_FOUND", `alarm ${alarmId} does not exist`, { alarmId });
    // The summary pushed to consoles does not change, but the detail's timeline does:
    // consoles showing this alarm re-read it on the push.
    await this.alarms.appendEvent(alarmId, "note_added", `user:${user.username}`, { text });
    this.bus.emit("alarm.changed", { alarmId, change: "note_added" });
    return alarm;
  }
}
