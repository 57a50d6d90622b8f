/** PostgreSQL's baseline: the foreign keys, added once every table exists, and the indexes (see baseline.ts). */
export const KEYS_AND_INDEXES_SQL = `
ALTER TABLE alarm_escalations ADD FOREIGN KEY (alarm_id) REFERENCES alarms(id);
ALTER TABLE alarm_events ADD FOREIGN KEY (alarm_id) REFERENCES alarms(id);
ALTER TABLE alarms ADD FOREIGN KEY (device_id) REFERENCES devices(id);
ALTER TABLE alarms ADD FOREIGN KEY (household_id) REFERENCES households(id);
ALTER TABLE alarms ADD FOREIGN KEY (resident_id) REFERENCES residents(id);
ALTER TABLE alarms ADD FOREIGN KEY (worker_id) REFERENCES workers(id);
ALTER TABLE alarms ADD FOREIGN KEY (clinic_id) REFERENCES clinics(id);
ALTER TABLE alarms ADD FOREIGN KEY (acknowledged_by) REFERENCES users(id);
ALTER TABLE alarms ADD FOREIGN KEY (resolved_by) REFERENCES users(id);
ALTER TABLE call_hangups ADD FOREIGN KEY (outbox_id) REFERENCES outbox(id);
ALTER TABLE call_hangups ADD FOREIGN KEY (alarm_id) REFERENCES alarms(id);
ALTER TABLE device_events ADD FOREIGN KEY (device_id) REFERENCES devices(id);
ALTER TABLE device_faults ADD FOREIGN KEY (device_id) REFERENCES devices(id);
ALTER TABLE device_test_schedule ADD FOREIGN KEY (device_id) REFERENCES devices(id);
ALTER TABLE device_tests ADD FOREIGN KEY (device_id) REFERENCES devices(id);
ALTER TABLE device_tests ADD FOREIGN KEY (alarm_id) REFERENCES alarms(id);
ALTER TABLE devices ADD FOREIGN KEY (household_id) REFERENCES households(id);
ALTER TABLE dispatch_offers ADD FOREIGN KEY (alarm_id) REFERENCES alarms(id);
ALTER TABLE dispatch_offers ADD FOREIGN KEY (worker_id) REFERENCES workers(id);
ALTER TABLE family_links ADD FOREIGN KEY (alarm_id) REFERENCES alarms(id);
ALTER TABLE family_updates_due ADD FOREIGN KEY (event_id) REFERENCES alarm_events(id);
ALTER TABLE family_updates_due ADD FOREIGN KEY (alarm_id) REFERENCES alarms(id);
ALTER TABLE households ADD FOREIGN KEY (grid_id) REFERENCES grids(id);
ALTER TABLE outbox ADD FOREIGN KEY (alarm_id) REFERENCES alarms(id);
ALTER TABLE presses ADD FOREIGN KEY (device_id) REFERENCES devices(id);
ALTER TABLE presses ADD FOREIGN KEY (alarm_id) REFERENCES alarms(id);
ALTER TABLE relative_cascades ADD FOREIGN KEY (alarm_id) REFERENCES alarms(id);
ALTER TABLE relative_contacts ADD FOREIGN KEY (alarm_id) REFERENCES alarms(id);
ALTER TABLE relative_contacts ADD FOREIGN KEY (outbox_id) REFERENCES outbox(id);
ALTER TABLE relatives ADD FOREIGN KEY (resident_id) REFERENCES residents(id);
ALTER TABLE residents ADD FOREIGN KEY (household_id) REFERENCES households(id);
ALTER TABLE service_requests ADD FOREIGN KEY (alarm_id) REFERENCES alarms(id);
ALTER TABLE service_requests ADD FOREIGN KEY (household_id) REFERENCES households(id);
ALTER TABLE service_requests ADD FOREIGN KEY (worker_id) REFERENCES workers(id);
ALTER TABLE sessions ADD FOREIGN KEY (user_id) REFERENCES users(id);
ALTER TABLE users ADD FOREIGN KEY (worker_id) REFERENCES workers(id);
ALTER TABLE workers ADD FOREIGN KEY (grid_id) REFERENCES grids(id);

CREATE INDEX alarm_events_alarm ON alarm_events(alarm_id, id);

CREATE INDEX alarms_device ON alarms(device_id, id);

CREATE INDEX alarms_device_open ON alarms(device_id, id)
  WHERE status NOT IN ('resolved', 'followed_up', 'cancelled');

CREATE INDEX alarms_follow_up ON alarms(status, resolved_at)
  WHERE status = 'resolved' AND (outcome = 'real' OR follow_up_due_at IS NOT NULL);

CREATE UNIQUE INDEX alarms_one_open_incident ON alarms(incident_scope, kind)
  WHERE incident_scope IS NOT NULL AND status NOT IN ('resolved', 'followed_up', 'cancelled');

CREATE INDEX alarms_open_tests ON alarms(id)
  WHERE kind = 'test' AND status IN ('unassigned', 'offered', 'accepted', 'on_scene');

CREATE INDEX alarms_refinement_pending ON alarms(status, id)
  WHERE (dispatch_ranking::jsonb ->> 'refinement') = 'pending';

CREATE INDEX alarms_stages_incomplete ON alarms((json_array_length(stages_done::json)));

CREATE INDEX alarms_status ON alarms(status, received_at);

CREATE INDEX alarms_unacknowledged ON alarms(status, received_at) WHERE acknowledged_at IS NULL;

CREATE INDEX alarms_worker ON alarms(worker_id, status);

CREATE INDEX call_hangups_alarm ON call_hangups(alarm_id);

CREATE INDEX call_hangups_due ON call_hangups(status, next_attempt_at);

CREATE UNIQUE INDEX clinics_code ON clinics(code);

CREATE INDEX device_events_device ON device_events(device_id, id);

CREATE INDEX device_faults_device ON device_faults(device_id, id);

CREATE UNIQUE INDEX device_faults_one_open ON device_faults(device_id, kind) WHERE cleared_at IS NULL;

CREATE INDEX device_faults_open ON device_faults(opened_at) WHERE cleared_at IS NULL;

CREATE INDEX device_test_schedule_due ON device_test_schedule(next_due_at);

CREATE INDEX device_tests_device ON device_tests(device_id, id);

CREATE UNIQUE INDEX device_tests_one_pending ON device_tests(device_id) WHERE status IN ('requested', 'answered');

CREATE INDEX device_tests_pending ON device_tests(status, deadline) WHERE status IN ('requested', 'answered');

CREATE INDEX devices_last_seen ON devices(last_seen_at) WHERE status = 'active';

CREATE INDEX dispatch_offers_alarm ON dispatch_offers(alarm_id, id);

CREATE UNIQUE INDEX dispatch_offers_one_open ON dispatch_offers(alarm_id) WHERE status = 'offered';

CREATE INDEX dispatch_offers_open ON dispatch_offers(status, expires_at);

CREATE INDEX family_updates_pending ON family_updates_due(event_id) WHERE done_at IS NULL;

CREATE INDEX outbox_alarm ON outbox(alarm_id);

CREATE INDEX outbox_due ON outbox(status, next_attempt_at);

CREATE INDEX outbox_provider_ref ON outbox(provider_ref) WHERE provider_ref IS NOT NULL;

CREATE INDEX outbox_send_order ON outbox(priority, id, next_attempt_at) WHERE status = 'pending';

CREATE INDEX presses_alarm ON presses(alarm_id, device_id);

CREATE INDEX presses_device_joined ON presses(device_id, alarm_id) WHERE kind IN ('sos', 'service');

CREATE INDEX relative_cascades_due ON relative_cascades(status, deadline_at);

CREATE INDEX relative_contacts_outbox ON relative_contacts(outbox_id);

CREATE INDEX relative_contacts_phone ON relative_contacts(phone, id);

CREATE INDEX relative_contacts_waiting ON relative_contacts(outcome, outbox_id);

CREATE INDEX residents_household ON residents(household_id);

CREATE INDEX service_requests_status ON service_requests(status, id);

CREATE INDEX service_requests_worker ON service_requests(worker_id, status);

CREATE INDEX sessions_user ON sessions(user_id);

CREATE UNIQUE INDEX workers_code ON workers(code);
`;
