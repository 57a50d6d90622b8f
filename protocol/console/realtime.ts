/**
 * The frames the hub sends a console over `GET /api/realtime` (a WebSocket),
 * documented in docs/architecture.md ("Console frames"). Every frame is one
 * JSON object with a `type`. Alarms, device faults and test requests travel in
 * batches: whatever changed within one push window, each item once, in its
 * state after the last change (hub/http/console-push.ts).
 */
import Type, { type Static } from "typebox";
import { AlarmSummarySchema } from "./alarms.ts";
import { DeviceFaultSchema, DeviceTestSchema } from "./devices.ts";
import { Nullable } from "./schema-kit.ts";

/** Whether the database takes writes (the hub's write probe), as /health and the console's banner show it. */
export const WriteCheckSchema = Type.Object({
  ok: Type.Boolean(),
  /**
   * The engine's code of the failure: SQLite's extended code (`SQLITE_FULL`, `SQLITE_READONLY`,
   * `SQLITE_IOERR_WRITE`…), PostgreSQL's SQLSTATE (`53100`, `25006`…) or the connection's errno
   * (`ECONNREFUSED`); null when ok.
   */
  code: Nullable(Type.String()),
  checkedAt: Type.String(),
});
export type WriteCheck = Static<typeof WriteCheckSchema>;

export const ConsoleFrameSchema = Type.Union([
  /** First frame on every connection: the hub's clock, for the console's running durations. */
  Type.Object({ type: Type.Literal("hello"), serverTime: Type.String() }),
  /** Alarms created or changed: the same summaries as `GET /api/alarms`. */
  Type.Object({ type: Type.Literal("alarms"), alarms: Type.Array(AlarmSummarySchema) }),
  /** Device faults opened or cleared (`clearedAt` set). */
  Type.Object({ type: Type.Literal("device_faults"), faults: Type.Array(DeviceFaultSchema) }),
  /** Test requests to devices made or moved on. */
  Type.Object({ type: Type.Literal("device_tests"), tests: Type.Array(DeviceTestSchema) }),
  /** The database stopped or resumed taking writes. */
  Type.Object({ type: Type.Literal("storage"), storage: WriteCheckSchema }),
]);
export type ConsoleFrame = Static<typeof ConsoleFrameSchema>;

/** `GET /health` (no login): liveness and readiness, the same shape with 503 when degraded. */
export const HealthReportSchema = Type.Object({
  status: Type.Union([Type.Literal("ok"), Type.Literal("degraded")]),
  /** Why it is degraded, one sentence each; empty when ok. */
  reasons: Type.Array(Type.String()),
  /** True only while the database can be read and a write can be committed. */
  database: Type.Boolean(),
  /** The latest committed-write probe (at most one per ANXIN_HEALTH_PROBE_S). */
  databaseWrite: WriteCheckSchema,
  /**
   * `port`: plain MQTT's, `tlsPort`: MQTT over TLS's (null: off); `node`: this hub's broker among the others
   * (Aedes' id), for finding it in logs.
   */
  mqtt: Type.Object({
    listening: Type.Boolean(),
    port: Nullable(Type.Integer()),
    tlsPort: Nullable(Type.Integer()),
    node: Type.String(),
  }),
  /** Whether Redis answers, where the hubs share it (ANXIN_REDIS_URL); null for a hub alone. */
  redis: Nullable(Type.Boolean()),
  /** Whether this hub runs the background jobs (SMS sender, deadlines, cascades): one hub at a time; always true alone. */
  jobs: Type.Object({ leading: Type.Boolean() }),
  outboxPending: Nullable(Type.Integer()),
  uptimeS: Type.Number(),
});
export type HealthReport = Static<typeof HealthReportSchema>;
