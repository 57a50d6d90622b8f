/** Calls to the center's number raise alarms, on PostgreSQL; the same suite runs on SQLite in tests/inbound-call.e2e.test.ts. */
import { describeInboundCalls } from "../support/inbound-call-suite.ts";

describeInboundCalls("postgres");
