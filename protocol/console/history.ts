/**
 * The alarm history's page (`GET /api/alarms/history`): open and closed alarms,
 * filtered and paged. A row is flat on purpose: it is also one line of the CSV.
 */
import Type, { type Static } from "typebox";
import { Nullable } from "./schema-kit.ts";

export const HISTORY_KINDS = ["sos", "service", "test"] as const;
/** `none`: no outcome yet (open, or cancelled by the resident). */
export const HISTORY_OUTCOMES = ["real", "false_alarm", "test", "none"] as const;

export const HistoryRowSchema = Type.Object({
  id: Type.Integer(),
  kind: Type.String(),
  status: Type.String(),
  outcome: Nullable(Type.String()),
  /** Null for an alarm a phone call raised. */
  deviceId: Nullable(Type.String()),
  receivedAt: Type.String(),
  acknowledgedAt: Nullable(Type.String()),
  onSceneAt: Nullable(Type.String()),
  resolvedAt: Nullable(Type.String()),
  cancelledAt: Nullable(Type.String()),
  residentName: Nullable(Type.String()),
  householdCode: Nullable(Type.String()),
  householdAddress: Nullable(Type.String()),
  gridId: Nullable(Type.Integer()),
  gridCode: Nullable(Type.String()),
  gridName: Nullable(Type.String()),
  workerName: Nullable(Type.String()),
  /** Seconds from received to acknowledged, to someone on scene, and to resolved (or cancelled). */
  ackS: Nullable(Type.Integer()),
  arrivalS: Nullable(Type.Integer()),
  resolutionS: Nullable(Type.Integer()),
});
export type HistoryRow = Static<typeof HistoryRowSchema>;

export const HistoryPageSchema = Type.Object({
  total: Type.Integer(),
  limit: Type.Integer(),
  offset: Type.Integer(),
  timeZone: Type.String(),
  alarms: Type.Array(HistoryRowSchema),
});
export type HistoryPage = Static<typeof HistoryPageSchema>;
