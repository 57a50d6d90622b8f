/**
 * Version 18 (issue 12): the outbox sends in priority order, from an index.
 * - `outbox.priority` (0 goes first; hub/storage/outbox-priority.ts says who
 *   gets which): set when a row is queued. Rows already queued get it from
 *   their purpose, the same rule written out here; a relative's SMS queued
 *   before this version cannot tell its wave and counts as the first wave's.
 * - `outbox_send_order`: the pending rows in the order the sender takes them
 *   (priority, then oldest), with `next_attempt_at` in the index so finding
 *   the next due row reads no table rows. Partial: only pending rows, so the
 *   index stays as small as the backlog while `outbox` keeps every message.
 *   The sender's query names it (INDEXED BY): on its own the planner takes
 *   `outbox_due` and sorts every due row, which in a backlog is all of them.
 *   The next due time (`nextDueAt`) keeps using `outbox_due`, as `call_hangups`
 *   keeps `call_hangups_due` (already in the order its sender takes them).
 * Released: never edit, add a migration instead.
 */
export const OUTBOX_PRIORITY_SQL = `
ALTER TABLE outbox ADD COLUMN priority INTEGER NOT NULL DEFAULT 1 CHECK (priority BETWEEN 0 AND 3);
UPDATE outbox SET priority = CASE
    WHEN purpose = 'worker' OR purpose GLOB 'escalation_*' OR purpose GLOB 'relative_call:*' THEN 0
    WHEN purpose GLOB 'family:*' OR purpose GLOB '*_stand_down' THEN 3
    WHEN purpose = 'worker_service' THEN 2
    ELSE 1
  END
  WHERE status = 'pending';
CREATE INDEX outbox_send_order ON outbox(priority, id, next_attempt_at) WHERE status = 'pending';
`;
