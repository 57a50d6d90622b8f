/** Calls to the center's number raise alarms, on SQLite; the same suite runs on PostgreSQL in tests/postgres/inbound-call.e2e.test.ts. */
import { describeInboundCalls } from "./support/inbound-call-suite.ts";

describeInboundCalls("sqlite");
