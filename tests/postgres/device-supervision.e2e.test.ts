/** Device supervision on PostgreSQL: the suite runs on SQLite in tests/device-supervision.e2e.test.ts. */
import { describeDeviceSupervision } from "../support/device-supervision-suite.ts";

describeDeviceSupervision("postgres");
