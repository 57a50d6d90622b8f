/** PostgreSQL's baseline: the registry version's first row and the triggers, as PL/pgSQL functions (see baseline.ts). */
export const TRIGGERS_SQL = `
INSERT INTO meta (key, value) VALUES ('registry_version', 1);

CREATE FUNCTION anxin_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END $$;

CREATE TRIGGER alarm_events_no_update BEFORE UPDATE ON alarm_events FOR EACH ROW EXECUTE FUNCTION anxin_append_only();
CREATE TRIGGER alarm_events_no_delete BEFORE DELETE ON alarm_events FOR EACH ROW EXECUTE FUNCTION anxin_append_only();
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log FOR EACH ROW EXECUTE FUNCTION anxin_append_only();
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION anxin_append_only();
CREATE TRIGGER device_events_no_update BEFORE UPDATE ON device_events FOR EACH ROW EXECUTE FUNCTION anxin_append_only();
CREATE TRIGGER device_events_no_delete BEFORE DELETE ON device_events FOR EACH ROW EXECUTE FUNCTION anxin_append_only();

CREATE FUNCTION anxin_alarm_event_audited() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO audit_log (at, actor, action, target, detail)
  VALUES (NEW.at, NEW.actor, 'alarm_' || NEW.type, 'alarm:' || NEW.alarm_id, NEW.detail);
  RETURN NULL;
END $$;
CREATE TRIGGER alarm_events_audited AFTER INSERT ON alarm_events
  FOR EACH ROW WHEN (NEW.actor LIKE 'user:%') EXECUTE FUNCTION anxin_alarm_event_audited();

-- PostgreSQL allows no subquery in WHEN: the alarm's kind is checked in the function.
CREATE FUNCTION anxin_family_update_due() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF (SELECT kind FROM alarms WHERE id = NEW.alarm_id) = 'sos' THEN
    INSERT INTO family_updates_due (event_id, alarm_id, type, created_at) VALUES (NEW.id, NEW.alarm_id, NEW.type, NEW.at);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER alarm_events_family_update_due AFTER INSERT ON alarm_events
  FOR EACH ROW WHEN (NEW.type IN ('offer_accepted', 'on_scene', 'resolved', 'cancelled'))
  EXECUTE FUNCTION anxin_family_update_due();

-- 32 hex digits, as SQLite's lower(hex(randomblob(16))); set before the insert rather than after it.
CREATE FUNCTION anxin_idempotency_key() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.idempotency_key := replace(gen_random_uuid()::text, '-', '');
  RETURN NEW;
END $$;
CREATE TRIGGER outbox_idempotency_key BEFORE INSERT ON outbox
  FOR EACH ROW WHEN (NEW.idempotency_key IS NULL) EXECUTE FUNCTION anxin_idempotency_key();
CREATE TRIGGER call_hangups_idempotency_key BEFORE INSERT ON call_hangups
  FOR EACH ROW WHEN (NEW.idempotency_key IS NULL) EXECUTE FUNCTION anxin_idempotency_key();

CREATE FUNCTION anxin_registry_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE meta SET value = value + 1 WHERE key = 'registry_version';
  RETURN NULL;
END $$;
CREATE TRIGGER workers_changed_insert AFTER INSERT ON workers FOR EACH ROW EXECUTE FUNCTION anxin_registry_changed();
CREATE TRIGGER workers_changed_update AFTER UPDATE ON workers FOR EACH ROW EXECUTE FUNCTION anxin_registry_changed();
CREATE TRIGGER workers_changed_delete AFTER DELETE ON workers FOR EACH ROW EXECUTE FUNCTION anxin_registry_changed();
CREATE TRIGGER clinics_changed_insert AFTER INSERT ON clinics FOR EACH ROW EXECUTE FUNCTION anxin_registry_changed();
CREATE TRIGGER clinics_changed_update AFTER UPDATE ON clinics FOR EACH ROW EXECUTE FUNCTION anxin_registry_changed();
CREATE TRIGGER clinics_changed_delete AFTER DELETE ON clinics FOR EACH ROW EXECUTE FUNCTION anxin_registry_changed();

-- Once a relative's SMS left the outbox, its family link (the last 43 characters, '/f/' and a token)
-- is cut from the stored body. SQLite's substr(body, -46, 3) counts from the end.
CREATE FUNCTION anxin_family_link_blanked() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE outbox SET body = substr(NEW.body, 1, length(NEW.body) - 43) || '…' WHERE id = NEW.id;
  RETURN NULL;
END $$;
CREATE TRIGGER outbox_family_link_blanked AFTER UPDATE OF status ON outbox
  FOR EACH ROW WHEN (OLD.status = 'pending' AND NEW.status <> 'pending' AND NEW.purpose LIKE 'relative:%'
    AND substr(NEW.body, length(NEW.body) - 45, 3) = '/f/')
  EXECUTE FUNCTION anxin_family_link_blanked();
`;
