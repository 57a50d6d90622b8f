/** Alarm deadlines on SQLite; the same suite runs on PostgreSQL in tests/postgres/alarm-deadlines.e2e.test.ts. */
import { describeAlarmDeadlines } from "./support/alarm-deadlines-suite.ts";

describeAlarmDeadlines("sqlite");
