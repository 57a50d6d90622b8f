/** Builds the lifecycle parts (repository, service, deadline watcher) from the hub's shared pieces. */
import type { Logger } from "pino";
import type { Clock } from "../clock.ts";
import type { HubConfig } from "../config.ts";
import type { EventBus } from "../events.ts";
import type { AlarmRepository } from "../storage/alarm-repo.ts";
import type { OutboxRepository } from "../storage/outbox-repo.ts";
import type { SqlDatabase } from "../storage/sql/sql-port.ts";
import type { DispatchCloseOut } from "./alarm-service.ts";
import { DeadlineWatcher } from "./deadline-watcher.ts";
import type { DevicePort } from "./device-port.ts";
import { LifecycleRepository } from "./lifecycle-repo.ts";
import { LifecycleService } from "./lifecycle-service.ts";

export function createLifecycle(deps: {
  sql: SqlDatabase;
  alarms: AlarmRepository;
  outbox: OutboxRepository;
  devices: DevicePort;
  bus: EventBus;
  logger: Logger;
  config: HubConfig;
  clock: Clock;
  /** The close-out used by resolve: offers withdrawn, relatives' cascade stopped. */
  dispatch: DispatchCloseOut;
}): { service: LifecycleService; watcher: DeadlineWatcher } {
  const { sql, alarms, outbox, devices, bus, logger, config, clock, dispatch } = deps;
  const repo = new LifecycleRepository(sql);
  const service = new LifecycleService({
    sql,
    alarms,
    repo,
    devices,
    bus,
    logger: logger.child({ part: "lifecycle" }),
    dispatch,
    clock,
    settings: {
      cancelWindowS: config.cancelWindowS,
      resolutionDeadlineS: config.resolutionDeadlineS,
      followUpDays: config.followUpDays,
    },
  });
  const watcher = new DeadlineWatcher(
    {
      sql,
      alarms,
      repo,
      lifecycle: service,
      outbox,
      bus,
      logger: logger.child({ part: "deadlines" }),
      clock,
      settings: {
        ackDeadlineS: config.ackDeadlineS,
        ackRealertS: config.ackRealertS,
        arrivalDeadlineS: config.arrivalDeadlineS,
        supervisorPhone: config.supervisorPhone,
        streetSupervisorPhone: config.streetSupervisorPhone,
        smsLanguage: config.smsLanguage,
        timeZone: config.timeZone,
      },
    },
    { intervalMs: 1000 },
  );
  return { service, watcher };
}
