/**
 * The alarm's resident as the console's resident card needs it: health data
 * (conditions, medications, allergies, mobility) and the household's key holder
 * and access notes, none of which the alarm detail carries. The detail is
 * re-read on every push; health data is fetched on its own, once per opened
 * alarm, because every fetch that shows it is one audited view.
 *
 * Who sees health data follows the registry's rule (`mayViewHealth`): operators
 * and supervisors do, administrators get the same answer with the health fields
 * null and `healthRedacted: true`, and no audit row, since nothing was shown.
 * The answer's shape is the console's contract (protocol/console/alarm-panel.ts).
 */
import type { AlarmResidentView } from "../../protocol/console/index.ts";
import { AnxinError } from "../errors.ts";
import { mayViewHealth } from "../registry/health-access.ts";
import { type Actor, actorName } from "../registry/registry-audit.ts";
import type { SqlDatabase } from "../storage/sql/sql-port.ts";
import type { UserRepository } from "../storage/user-repo.ts";

interface Row {
  alarm_id: number;
  resident_id: number | null;
  name: string | null;
  conditions: string | null;
  medications: string | null;
  allergies: string | null;
  mobility: string | null;
  key_holder: string | null;
  access_notes: string | null;
}

export class AlarmResident {
  constructor(
    private readonly sql: SqlDatabase,
    private readonly users: UserRepository,
  ) {}

  /** The resident of alarm `alarmId` as `viewer` may see them; showing health data writes one audit row. */
  async forAlarm(alarmId: number, viewer: Actor): Promise<AlarmResidentView> {
    const row = (await this.sql.get(
      `SELECT a.id AS alarm_id, r.id AS resident_id, r.name, r.conditions, r.medications, r.allergies, r.mobility,
                h.key_holder, h.access_notes
           FROM alarms a
           LEFT JOIN residents r ON r.id = a.resident_id
           LEFT JOIN households h ON h.id = a.household_id
          WHERE a.id = ?`,
      [alarmId],
    )) as Row | undefined;
    if (!row) throw new AnxinError("ALARM_NOT_FOUND", `no alarm ${alarmId}`, { alarmId });
    if (row.resident_id === null || row.name === null) {
      // The locate stage has not matched the button to a household yet (or its device has none).
      throw new AnxinError("ALARM_NOT_LOCATED", `alarm ${alarmId} has no resident yet: not located`, { alarmId });
    }
    const shown = mayViewHealth(viewer);
    if (shown) {
      await this.users.audit(actorName(viewer), "health_data_viewed", `resident:${row.resident_id}`, {
        alarmId,
        via: "console_resident_card",
        role: viewer.role,
      });
    }
    return {
      alarmId: row.alarm_id,
      residentId: row.resident_id,
      name: row.name,
      conditions: shown ? row.conditions : null,
      medications: shown ? row.medications : null,
      allergies: shown ? row.allergies : null,
      mobility: shown ? row.mobility : null,
      healthRedacted: !shown,
      keyHolder: row.key_holder,
      accessNotes: row.access_notes,
    };
  }
}
