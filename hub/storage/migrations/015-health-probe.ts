/**
 * Version 15: the one row `/health` rewrites to prove the database can still
 * commit (hub/storage/write-probe.ts). A read, or a write rolled back, says
 * nothing about a full or failing disk; a committed upsert goes through the same
 * WAL append and fsync (synchronous=FULL) as a stored alarm.
 * Released: never edit, add a migration instead.
 */
export const HEALTH_PROBE_SQL = `
CREATE TABLE health_probe (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  probed_at TEXT NOT NULL,
  probes INTEGER NOT NULL
);
`;
