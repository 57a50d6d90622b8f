/** Dispatch end to end on SQLite; the same suite runs on PostgreSQL in tests/postgres/dispatch.e2e.test.ts. */
import { describeDispatchEndToEnd } from "./support/dispatch-e2e-suite.ts";

describeDispatchEndToEnd("sqlite");
