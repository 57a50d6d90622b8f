/** A call to the center rings the staff, on SQLite; the same suite runs on PostgreSQL in tests/postgres/call-routing.e2e.test.ts. */
import { describeCallRouting } from "./support/call-routing-suite.ts";

describeCallRouting("sqlite");
