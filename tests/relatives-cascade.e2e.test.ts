/** Relatives' cascade on SQLite; the same suite runs on PostgreSQL in tests/postgres/relatives-cascade.e2e.test.ts. */
import { describeRelativesCascade } from "./support/relatives-cascade-suite.ts";

describeRelativesCascade("sqlite");
