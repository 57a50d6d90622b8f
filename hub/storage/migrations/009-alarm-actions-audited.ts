/**
 * Version 9: every person's action on an alarm is in the audit log.
 * Operators' and workers' alarm actions (acknowledge, dispatch by hand, accept,
 * arrive, resolve, cancel, notes, follow-up …) are written as `alarm_events`
 * with the actor `user:<name>`. A trigger copies each such event into
 * `audit_log` in the same transaction, as action `alarm_<event type>` and
 * target `alarm:<id>`, so no code path — today's or a future one — can act on
 * an alarm without leaving an audit row. Device, relative and system events are
 * not people's actions and stay only on the timeline. Earlier user events are
 * copied once, so an upgraded hub's log is complete too.
 * Released: never edit, add a migration instead.
 */
export const ALARM_ACTIONS_AUDITED_SQL = `
CREATE TRIGGER alarm_events_audited AFTER INSERT ON alarm_events
  WHEN NEW.actor LIKE 'user:%'
  BEGIN
    INSERT INTO audit_log (at, actor, action, target, detail)
    VALUES (NEW.at, NEW.actor, 'alarm_' || NEW.type, 'alarm:' || NEW.alarm_id, NEW.detail);
  END;

INSERT INTO audit_log (at, actor, action, target, detail)
  SELECT at, actor, 'alarm_' || type, 'alarm:' || alarm_id, detail FROM alarm_events
   WHERE actor LIKE 'user:%' ORDER BY id;
`;
