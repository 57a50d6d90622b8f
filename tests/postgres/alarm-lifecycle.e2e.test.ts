/** Alarm lifecycle on PostgreSQL: the suite runs on SQLite in tests/alarm-lifecycle.e2e.test.ts. */
import { describeAlarmLifecycle } from "../support/alarm-lifecycle-suite.ts";

describeAlarmLifecycle("postgres");
