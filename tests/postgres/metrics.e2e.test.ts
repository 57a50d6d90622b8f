/** `GET /metrics` on PostgreSQL: the suite runs on SQLite in tests/metrics.e2e.test.ts. */
import { describeMetrics } from "../support/metrics-suite.ts";

describeMetrics("postgres");
