/** Alarm deadlines on PostgreSQL: the suite runs on SQLite in tests/alarm-deadlines.e2e.test.ts. */
import { describeAlarmDeadlines } from "../support/alarm-deadlines-suite.ts";

describeAlarmDeadlines("postgres");
