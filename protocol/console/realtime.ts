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
