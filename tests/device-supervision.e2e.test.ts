/** Device supervision on SQLite; the same suite runs on PostgreSQL in tests/postgres/device-supervision.e2e.test.ts. */
import { describeDeviceSupervision } from "./support/device-supervision-suite.ts";

describeDeviceSupervision("sqlite");
