/**
 * PostgreSQL's schema at version 19: what SQLite has after migrations 1–19
 * (hub/storage/migrations/), written once for PostgreSQL. No PostgreSQL
 * database was ever at an earlier version, so it starts here; every migration
 * after 19 carries both dialects' SQL (docs/scale-out.md, "Migrations").
 *
 * Translated from SQLite's schema: `INTEGER PRIMARY KEY` is an identity column
 * (BY DEFAULT, so an explicit id is still taken), other integers are BIGINT
 * (epoch milliseconds do not fit in 32 bits), REAL is DOUBLE PRECISION;
 * foreign keys are added after every table exists; GLOB checks are regular
 * expressions; SQLite's JSON functions in indexes are PostgreSQL's; each
 * trigger is a PL/pgSQL function (a WHEN clause may hold no subquery, so the
 * family update's check of the alarm's kind moved into its function). The
 * idempotency keys are set BEFORE the insert here and by an UPDATE after it on
 * SQLite, so only PostgreSQL's `RETURNING` shows them: read them afterwards.
 * tests/postgres/schema.test.ts compares it with SQLite's, table by table,
 * and checks what every trigger does.
 */
import { KEYS_AND_INDEXES_SQL } from "./baseline-keys.ts";
import { TABLES_1_SQL } from "./baseline-tables-1.ts";
import { TABLES_2_SQL } from "./baseline-tables-2.ts";
import { TRIGGERS_SQL } from "./baseline-triggers.ts";

export const POSTGRES_BASELINE_VERSION = 19;

export const POSTGRES_BASELINE_SQL = [TABLES_1_SQL, TABLES_2_SQL, KEYS_AND_INDEXES_SQL, TRIGGERS_SQL].join("\n");
