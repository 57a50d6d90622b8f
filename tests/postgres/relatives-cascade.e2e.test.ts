/** Relatives' cascade on PostgreSQL: the suite runs on SQLite in tests/relatives-cascade.e2e.test.ts. */
import { describeRelativesCascade } from "../support/relatives-cascade-suite.ts";

describeRelativesCascade("postgres");
