/** `GET /metrics` on SQLite; the same suite runs on PostgreSQL in tests/postgres/metrics.e2e.test.ts. */
import { describeMetrics } from "./support/metrics-suite.ts";

describeMetrics("sqlite");
