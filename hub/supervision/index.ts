/**
 * Device supervision (issue 4), assembled: faults and their ledger, scheduled
 * and drilled test alarms, the periodic supervisor, and the read side for the
 * API. `createSupervision` only builds; `supervisor.start()`/`stop()` run it.
 */
import type { Logger } from "pino";
import type { DevicePort } from "../alarms/device-port.ts";
import type { HubConfig } from "../config.ts";
import type { EventBus } from "../events.ts";
import type { AlarmRepository } from "../storage/alarm-repo.ts";
import type { RegistryRepository } from "../storage/registry-repo.ts";
import type { SqlDatabase } from "../storage/sql/sql-port.ts";
import { DeviceHealthViews } from "./device-health.ts";
import { DeviceSupervisor } from "./device-supervisor.ts";
import { FaultLedger } from "./fault-ledger.ts";
import { FaultRepository } from "./fault-repo.ts";
import { supervisionSettingsFrom } from "./settings.ts";
import { TestAlarms, type TestDispatchCloseOut } from "./test-alarms.ts";
import { TestRepository } from "./test-repo.ts";

export interface Supervision {
  supervisor: DeviceSupervisor;
  tests: TestAlarms;
  views: DeviceHealthViews;
}

export function createSupervision(deps: {
  sql: SqlDatabase;
  registry: RegistryRepository;
  alarms: AlarmRepository;
  devices: DevicePort;
  dispatch: TestDispatchCloseOut;
  bus: EventBus;
  logger: Logger;
  config: HubConfig;
  stageCount: number;
}): Supervision {
  const settings = supervisionSettingsFrom(deps.config);
  const faults = new FaultRepository(deps.sql, deps.registry.presence);
  const testRepo = new TestRepository(deps.sql);
  const ledger = new FaultLedger({ sql: deps.sql, repo: faults, bus: deps.bus, logger: deps.logger });
  const tests = new TestAlarms({
    tests: testRepo,
    faults,
    ledger,
    alarms: deps.alarms,
    devices: deps.devices,
    dispatch: deps.dispatch,
    bus: deps.bus,
    logger: deps.logger,
    settings,
    stageCount: deps.stageCount,
  });
  const supervisor = new DeviceSupervisor({
    commits: deps.sql,
    faults,
    registry: deps.registry,
    ledger,
    tests,
    bus: deps.bus,
    logger: deps.logger,
    settings,
  });
  return { supervisor, tests, views: new DeviceHealthViews({ faults, tests: testRepo, settings }) };
}
