/** Dispatch end to end on PostgreSQL: the suite runs on SQLite in tests/dispatch.e2e.test.ts. */
import { describeDispatchEndToEnd } from "../support/dispatch-e2e-suite.ts";

describeDispatchEndToEnd("postgres");
