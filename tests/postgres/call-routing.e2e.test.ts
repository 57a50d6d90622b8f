/** A call to the center rings the staff, on PostgreSQL; the same suite runs on SQLite in tests/call-routing.e2e.test.ts. */
import { describeCallRouting } from "../support/call-routing-suite.ts";

describeCallRouting("postgres");
