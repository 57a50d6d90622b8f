/**
 * Version 10: operator acknowledgement and dispatch progress are two separate facts.
 *
 * Until now one `status` column mixed them: `acknowledged` was a status, and
 * `dispatched` meant "a worker has been asked" while the device protocol's
 * `dispatched` means "a worker accepted". The button's state was mapped from
 * that one column, and an automatic offer that nobody had accepted made the
 * resident's button say 已受理 ("an operator has taken your call") before any
 * operator had seen it.
 *
 * From here on:
 * - `status` is only where the response stands: `unassigned` (nobody asked
 *   yet) → `offered` (a worker asked, nobody accepted) → `accepted` →
 *   `on_scene` → `resolved` → `followed_up`, or `cancelled`;
 * - the operator's acknowledgement is only `acknowledged_at`/`acknowledged_by`.
 *
 * Old rows map as `received`/`acknowledged` → `unassigned` (their
 * `acknowledged_at` already says whether an operator took them) and
 * `dispatched` → `offered`; `dispatched_at` becomes `offered_at`, the time the
 * first worker was asked. SQLite cannot change a CHECK in place, so the table
 * is rebuilt (its 12-step procedure; the runner turns foreign keys off).
 * Released: never edit, add a migration instead.
 */
export const ACKNOWLEDGEMENT_APART_SQL = `
CREATE TABLE alarms_v10 (
  id INTEGER PRIMARY KEY,
  device_id TEXT NOT NULL REFERENCES devices(id),
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
  escalation_level INTEGER NOT NULL DEFAULT 0
);
INSERT INTO alarms_v10 (id, device_id, kind, status, outcome, received_at, household_id, resident_id, worker_id,
    worker_distance_m, clinic_id, clinic_distance_m, acknowledged_at, acknowledged_by, resolved_at, resolved_by,
    stages_done, stage_error, dispatch_ranking, dispatch_reason, clinic_reason, offered_at, accepted_at, on_scene_at,
    press_count, cancelled_at, follow_up_due_at, followed_up_at, escalation_level)
  SELECT id, device_id, kind,
    CASE status WHEN 'received' THEN 'unassigned' WHEN 'acknowledged' THEN 'unassigned'
                WHEN 'dispatched' THEN 'offered' ELSE status END,
    outcome, received_at, household_id, resident_id, worker_id,
    worker_distance_m, clinic_id, clinic_distance_m,
    acknowledged_at, acknowledged_by, resolved_at, resolved_by,
    stages_done, stage_error, dispatch_ranking, dispatch_reason, clinic_reason, dispatched_at, accepted_at, on_scene_at,
    press_count, cancelled_at, follow_up_due_at, followed_up_at, escalation_level
  FROM alarms;
DROP TABLE alarms;
ALTER TABLE alarms_v10 RENAME TO alarms;
CREATE INDEX alarms_status ON alarms(status, received_at);
CREATE INDEX alarms_worker ON alarms(worker_id, status);
`;
