/** One emergency is one incident, on SQLite; the same suite runs on PostgreSQL in tests/postgres/one-incident.e2e.test.ts. */
import { describeOneIncident } from "./support/one-incident-suite.ts";

describeOneIncident("sqlite");
