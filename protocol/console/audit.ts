/**
 * The audit log's page (`GET /api/audit`): who did what and when, newest first,
 * filtered and paged, with every action the log holds (for the filter list).
 */
import Type, { type Static } from "typebox";
import { Nullable } from "./schema-kit.ts";

export const AuditEntrySchema = Type.Object({
  id: Type.Integer(),
  at: Type.String(),
  actor: Type.String(),
  action: Type.String(),
  target: Nullable(Type.String()),
  /** Stored as JSON text and handed back parsed; plain text for a row that held no JSON. */
  detail: Nullable(Type.Unknown()),
});
export type AuditEntry = Static<typeof AuditEntrySchema>;

export const AuditPageSchema = Type.Object({
  total: Type.Integer(),
  limit: Type.Integer(),
  offset: Type.Integer(),
  timeZone: Type.String(),
  actions: Type.Array(Type.String()),
  entries: Type.Array(AuditEntrySchema),
});
export type AuditPage = Static<typeof AuditPageSchema>;
