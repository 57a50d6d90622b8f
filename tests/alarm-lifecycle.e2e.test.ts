/** Alarm lifecycle on SQLite; the same suite runs on PostgreSQL in tests/postgres/alarm-lifecycle.e2e.test.ts. */
import { describeAlarmLifecycle } from "./support/alarm-lifecycle-suite.ts";

describeAlarmLifecycle("sqlite");
