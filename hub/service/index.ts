/**
 * Service requests (issue 4), assembled: the service the pipeline's dispatch
 * stage, the HTTP routes and the alarm close-out call, and the read side for
 * the alarm detail. `closeOut` is the hub's close-out wrapped so that closing
 * an alarm closes its request too; every part that closes alarms gets it.
 * `createServiceRequests` only builds; there is nothing to start.
 */
import type { DispatchCloseOut } from "../alarms/alarm-service.ts";
import type { Clock } from "../clock.ts";
import type { HubConfig } from "../config.ts";
import type { DispatchRepository } from "../dispatch/dispatch-repo.ts";
import type { AlarmRepository } from "../storage/alarm-repo.ts";
import type { OutboxRepository } from "../storage/outbox-repo.ts";
import type { SqlDatabase } from "../storage/sql/sql-port.ts";
import type { UserRepository } from "../storage/user-repo.ts";
import { ServiceRequestRepository } from "./service-repo.ts";
import { ServiceRequestService } from "./service-requests.ts";
import { ServiceRequestViews } from "./service-views.ts";

export { ServiceRequestService } from "./service-requests.ts";

export interface ServiceRequests {
  service: ServiceRequestService;
  views: ServiceRequestViews;
  closeOut: DispatchCloseOut;
}

export function createServiceRequests(deps: {
  sql: SqlDatabase;
  alarms: AlarmRepository;
  dispatchRepo: DispatchRepository;
  outbox: OutboxRepository;
  users: UserRepository;
  /** The close-out without service requests: dispatch's and the relatives' cascade's. */
  closeOut: DispatchCloseOut;
  config: HubConfig;
  clock: Clock;
}): ServiceRequests {
  const { config } = deps;
  const repo = new ServiceRequestRepository(deps.sql);
  const service = new ServiceRequestService({
    ...deps,
    repo,
    settings: { smsLanguage: config.smsLanguage, publicUrl: config.publicUrl, timeZone: config.timeZone },
  });
  return { service, views: new ServiceRequestViews(repo), closeOut: service.closingWith(deps.closeOut) };
}
