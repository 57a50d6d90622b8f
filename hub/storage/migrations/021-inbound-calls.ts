/**
 * Version 21 (issue 14): an alarm can come from a phone call to the center.
 *
 * - `alarms.source`: `button` (a press over MQTT, as every alarm so far) or
 *   `voice` (a call to the center's Twilio number). A voice alarm has no
 *   device: `device_id` becomes nullable, and a CHECK keeps the two facts
 *   together (a button alarm always names its device, a voice alarm never).
 * - `alarms.caller`: the caller ID of a voice alarm (E.164), shown while the
 *   alarm is not placed ("unlocated: caller +86…").
 * - `inbound_calls`: one row per call that raised or joined an alarm, keyed by
 *   Twilio's CallSid: a call's de-duplication key, as (device_id, press_id) is
 *   a press's.
 * - `households.landline`: the household's fixed line, by which a call is
 *   placed, as a resident's own phone is; both are looked up by number.
 *
 * SQLite cannot drop a NOT NULL in place: `alarms` is rebuilt (the 12-step
 * procedure; the runner turns foreign keys off). The family-update trigger on
 * `alarm_events` reads `alarms`, so it is dropped before and made again after.
 * Released: never edit, add a migration instead.
 */
const OPEN = "status NOT IN ('resolved', 'followed_up', 'cancelled')";

export const INBOUND_CALLS_SQL = `
DROP TRIGGER alarm_events_family_update_due;
CREATE TABLE alarms_v21 (
  id INTEGER PRIMARY KEY,
  device_id TEXT REFERENCES devices(id),
  kind TEXT NOT NULL CHECK (kind IN ('sos', 'service', 'test')),
  status TEXT NOT NULL CHECK (status IN (
    'unassigned', 'offered', 'accepted', 'on_scene', 'resolved', 'followed_up', 'cancelled')),
  outcome TEXT CHECK (outcome IN ('real', 'false_alarm', 'test')),
  received_at TEXT NOT NULL,
  household_id INTEGER REFERENCES households(id),
  resident_id INTEGER REFERENCES residents(id),
  worker_id INTEGER REFERENCES workers(id),
  worker_distance_m REAL,
  clinic_id INTEGER REFERENCES clinics(id),
  clinic_distance_m REAL,
  acknowledged_at TEXT,
  acknowledged_by INTEGER REFERENCES users(id),
  resolved_at TEXT,
  resolved_by INTEGER REFERENCES users(id),
  stages_done TEXT NOT NULL DEFAULT '[]',
  stage_error TEXT,
  dispatch_ranking TEXT, -- JSON: ranked candidates, each with distance and why it ranks there
  dispatch_reason TEXT,  -- why the current worker was chosen
  clinic_reason TEXT,    -- why this clinic (open now, capability)
  offered_at TEXT,       -- when the first worker was asked
  accepted_at TEXT,
  on_scene_at TEXT,
  press_count INTEGER NOT NULL DEFAULT 1,
  cancelled_at TEXT,
  follow_up_due_at TEXT,
  followed_up_at TEXT,
  escalation_level INTEGER NOT NULL DEFAULT 0,
  incident_scope TEXT,
  source TEXT NOT NULL DEFAULT 'button' CHECK (source IN ('button', 'voice')),
  caller TEXT,
  CHECK ((source = 'button') = (device_id IS NOT NULL))
);
INSERT INTO alarms_v21 (id, device_id, kind, status, outcome, received_at, household_id, resident_id, worker_id,
    worker_distance_m, clinic_id, clinic_distance_m, acknowledged_at, acknowledged_by, resolved_at, resolved_by,
    stages_done, stage_error, dispatch_ranking, dispatch_reason, clinic_reason, offered_at, accepted_at, on_scene_at,
    press_count, cancelled_at, follow_up_due_at, followed_up_at, escalation_level, incident_scope)
  SELECT id, device_id, kind, status, outcome, received_at, household_id, resident_id, worker_id,
    worker_distance_m, clinic_id, clinic_distance_m, acknowledged_at, acknowledged_by, resolved_at, resolved_by,
    stages_done, stage_error, dispatch_ranking, dispatch_reason, clinic_reason, offered_at, accepted_at, on_scene_at,
    press_count, cancelled_at, follow_up_due_at, followed_up_at, escalation_level, incident_scope
  FROM alarms;
DROP TABLE alarms;
ALTER TABLE alarms_v21 RENAME TO alarms;
CREATE INDEX alarms_status ON alarms(status, received_at);
CREATE INDEX alarms_worker ON alarms(worker_id, status);
CREATE UNIQUE INDEX alarms_one_open_incident ON alarms(incident_scope, kind)
  WHERE incident_scope IS NOT NULL AND ${OPEN};
CREATE INDEX alarms_device ON alarms(device_id, id);
CREATE INDEX alarms_stages_incomplete ON alarms(json_array_length(stages_done));
CREATE INDEX alarms_refinement_pending ON alarms(status, id)
  WHERE json_extract(dispatch_ranking, '$.refinement') = 'pending';
CREATE INDEX alarms_unacknowledged ON alarms(status, received_at) WHERE acknowledged_at IS NULL;
CREATE INDEX alarms_follow_up ON alarms(status, resolved_at)
  WHERE status = 'resolved' AND (outcome = 'real' OR follow_up_due_at IS NOT NULL);
CREATE INDEX alarms_open_tests ON alarms(id)
  WHERE kind = 'test' AND status IN ('unassigned', 'offered', 'accepted', 'on_scene');
CREATE INDEX alarms_device_open ON alarms(device_id, id)
  WHERE ${OPEN};
CREATE TRIGGER alarm_events_family_update_due AFTER INSERT ON alarm_events
  WHEN NEW.type IN ('offer_accepted', 'on_scene', 'resolved', 'cancelled')
   AND (SELECT kind FROM alarms WHERE id = NEW.alarm_id) = 'sos'
  BEGIN
    INSERT INTO family_updates_due (event_id, alarm_id, type, created_at)
    VALUES (NEW.id, NEW.alarm_id, NEW.type, NEW.at);
  END;
${callsAndLandlines("INTEGER", " WITHOUT ROWID")}`;

export const INBOUND_CALLS_POSTGRES = `
ALTER TABLE alarms ALTER COLUMN device_id DROP NOT NULL;
ALTER TABLE alarms ADD COLUMN source TEXT NOT NULL DEFAULT 'button' CHECK (source IN ('button', 'voice'));
ALTER TABLE alarms ADD COLUMN caller TEXT;
ALTER TABLE alarms ADD CHECK ((source = 'button') = (device_id IS NOT NULL));
${callsAndLandlines("BIGINT", "")}`;

function callsAndLandlines(id: string, withoutRowid: string): string {
  return `
CREATE TABLE inbound_calls (
  call_sid TEXT PRIMARY KEY,
  caller TEXT,
  called TEXT NOT NULL,
  alarm_id ${id} NOT NULL REFERENCES alarms(id),
  received_at TEXT NOT NULL
)${withoutRowid};
CREATE INDEX inbound_calls_alarm ON inbound_calls(alarm_id);
ALTER TABLE households ADD COLUMN landline TEXT;
CREATE INDEX households_landline ON households(landline) WHERE landline IS NOT NULL;
CREATE INDEX residents_phone ON residents(phone) WHERE phone IS NOT NULL;
`;
}
