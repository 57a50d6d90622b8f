/** Operators call back from the console, on PostgreSQL; the same suite runs on SQLite in tests/console-calls.e2e.test.ts. */
import { describeConsoleCalls } from "../support/console-calls-suite.ts";

describeConsoleCalls("postgres");
