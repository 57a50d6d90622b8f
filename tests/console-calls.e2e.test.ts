/** Operators call back from the console, on SQLite; the same suite runs on PostgreSQL in tests/postgres/console-calls.e2e.test.ts. */
import { describeConsoleCalls } from "./support/console-calls-suite.ts";

describeConsoleCalls("sqlite");
