/** One emergency is one incident, on PostgreSQL: the suite runs on SQLite in tests/one-incident.e2e.test.ts. */
import { describeOneIncident } from "../support/one-incident-suite.ts";

describeOneIncident("postgres");
