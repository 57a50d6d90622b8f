/**
 * Versioned schema migrations. Each entry runs once, in order, inside a
 * transaction; `PRAGMA user_version` records how far a database has come.
 * Never edit a released migration: add a new one. Versions are exactly 1…N,
 * one after another (tests/migrations.test.ts): `migrate` runs only the ones
 * above `user_version`, so a migration merged below a number some database
 * has already reached would never run there.
 */
import { INITIAL_SQL } from "./001-initial.ts";
import { REGISTRY_DISPATCH_SQL } from "./002-registry-dispatch.ts";
import { DISPATCH_WORKER_POSITION_SQL } from "./003-dispatch-worker-position.ts";
import { RELATIVES_CASCADE_SQL } from "./004-relatives-cascade.ts";
import { DEVICE_SUPERVISION_SQL } from "./005-device-supervision.ts";
import { LIFECYCLE_SQL } from "./006-lifecycle.ts";
import { SERVICE_REQUESTS_SQL } from "./007-service-requests.ts";
import { CALL_HANGUPS_SQL } from "./008-call-hangups.ts";
import { ALARM_ACTIONS_AUDITED_SQL } from "./009-alarm-actions-audited.ts";
import { ACKNOWLEDGEMENT_APART_SQL } from "./010-acknowledgement-apart.ts";
import { STAFF_ACCOUNTS_SQL } from "./011-staff-accounts.ts";
import { FAMILY_UPDATES_SQL } from "./012-family-updates.ts";
import { MANUAL_TESTS_SQL } from "./013-manual-tests.ts";
import { ONE_INCIDENT_SQL } from "./014-one-incident.ts";
import { HEALTH_PROBE_SQL } from "./015-health-probe.ts";
import { MONITOR_ROLE_SQL } from "./016-monitor-role.ts";
import { ALARM_PATH_INDEXES_SQL } from "./017-alarm-path-indexes.ts";
import { OUTBOX_PRIORITY_SQL } from "./018-outbox-priority.ts";
import { FEEDBACK_INDEXES_SQL } from "./019-feedback-indexes.ts";
import { CONNECTION_EPOCH_POSTGRES, CONNECTION_EPOCH_SQL } from "./020-connection-epoch.ts";
import { INBOUND_CALLS_POSTGRES, INBOUND_CALLS_SQL } from "./021-inbound-calls.ts";
import { CALL_ANSWERS_POSTGRES, CALL_ANSWERS_SQL } from "./022-call-answers.ts";
import { CONSOLE_CALLS_POSTGRES, CONSOLE_CALLS_SQL } from "./023-console-calls.ts";
import { ROADS_POSTGRES, ROADS_SQL } from "./024-roads.ts";

export interface Migration {
  version: number;
  name: string;
  sql: string;
  /**
   * SQLite cannot change a CHECK constraint in place; such a migration rebuilds
   * the table (SQLite's documented 12-step procedure), which needs foreign keys
   * off while it runs and a foreign_key_check before it commits.
   */
  rebuildsTables?: boolean;
  /**
   * The same change for PostgreSQL (hub/storage/sql/migrate-postgres.ts). Versions up to 19 have none:
   * PostgreSQL starts from a baseline at 19 (migrations/postgres/baseline.ts); every later one needs it.
   */
  postgres?: string;
}

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: "registry, alarms, outbox, users, audit", sql: INITIAL_SQL },
  {
    version: 2,
    name: "registry details, gazetteer, worker accounts, dispatch offers, full alarm states",
    sql: REGISTRY_DISPATCH_SQL,
    rebuildsTables: true,
  },
  { version: 3, name: "worker position accuracy, one open offer per alarm", sql: DISPATCH_WORKER_POSITION_SQL },
  {
    version: 4,
    name: "relatives cascade: voice in the outbox, delivery status, cascade state and contacts",
    sql: RELATIVES_CASCADE_SQL,
    rebuildsTables: true,
  },
  {
    version: 5,
    name: "device supervision: faults, test requests and schedule, device events",
    sql: DEVICE_SUPERVISION_SQL,
  },
  { version: 6, name: "alarm lifecycle: press count, cancel, follow-up, escalations", sql: LIFECYCLE_SQL },
  { version: 7, name: "service requests: open, assigned to a grid worker, done", sql: SERVICE_REQUESTS_SQL },
  {
    version: 8,
    name: "relatives' calls hung up once the cascade stops: call_hangups, contact outcome cancelled",
    sql: CALL_HANGUPS_SQL,
    rebuildsTables: true,
  },
  {
    version: 9,
    name: "people's actions on alarms copied into the audit log by a trigger",
    sql: ALARM_ACTIONS_AUDITED_SQL,
  },
  {
    version: 10,
    name: "acknowledgement apart from dispatch: status unassigned/offered/accepted/…, offered_at",
    sql: ACKNOWLEDGEMENT_APART_SQL,
    rebuildsTables: true,
  },
  {
    version: 11,
    name: "staff accounts: contact, must change password, password/disabled/updated times",
    sql: STAFF_ACCOUNTS_SQL,
  },
  {
    version: 12,
    name: "families informed: relatives' update switch, family status links, family updates queued by a trigger",
    sql: FAMILY_UPDATES_SQL,
  },
  {
    version: 13,
    name: "test presses nobody asked for are recorded as manual device tests",
    sql: MANUAL_TESTS_SQL,
    rebuildsTables: true,
  },
  {
    version: 14,
    name: "one open SOS and service call per household, Twilio idempotency keys, inbound SMS seen once",
    sql: ONE_INCIDENT_SQL,
  },
  {
    version: 15,
    name: "health probe: the row /health commits to prove the database takes writes",
    sql: HEALTH_PROBE_SQL,
  },
  {
    version: 16,
    name: "monitor role: accounts that watch device traffic over MQTT",
    sql: MONITOR_ROLE_SQL,
    rebuildsTables: true,
  },
  {
    version: 17,
    name: "indexes for the alarm path and the periodic passes: no pass reads the whole alarms table",
    sql: ALARM_PATH_INDEXES_SQL,
  },
  {
    version: 18,
    name: "outbox priority: first contacts before later waves and updates, sent from an index in that order",
    sql: OUTBOX_PRIORITY_SQL,
  },
  {
    version: 19,
    name: "feedback indexes: a device's feedback reads its open alarms, not its whole history",
    sql: FEEDBACK_INDEXES_SQL,
  },
  {
    version: 20,
    name: "presence: the connection a device's online flag was said by",
    sql: CONNECTION_EPOCH_SQL,
    postgres: CONNECTION_EPOCH_POSTGRES,
  },
  {
    version: 21,
    name: "alarms from phone calls: a source, the caller, calls by CallSid, household landlines",
    sql: INBOUND_CALLS_SQL,
    postgres: INBOUND_CALLS_POSTGRES,
    rebuildsTables: true,
  },
  {
    version: 22,
    name: "calls to the center: who answered, how they ended",
    sql: CALL_ANSWERS_SQL,
    postgres: CALL_ANSWERS_POSTGRES,
  },
  {
    version: 23,
    name: "operators call back from the console; the key holder's phone",
    sql: CONSOLE_CALLS_SQL,
    postgres: CONSOLE_CALLS_POSTGRES,
  },
  {
    version: 24,
    name: "road centre lines for the console map without tiles",
    sql: ROADS_SQL,
    postgres: ROADS_POSTGRES,
  },
];
