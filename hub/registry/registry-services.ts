/**
 * The registry's services over one database, built in one place so the
 * composition root (and tests) need a single call.
 */
import type { EventBus } from "../events.ts";
import type { PresenceBuffer } from "../storage/presence-buffer.ts";
import type { SqlDatabase } from "../storage/sql/sql-port.ts";
import type { UserRepository } from "../storage/user-repo.ts";
import { ClinicService } from "./clinic-service.ts";
import { DeviceRepo } from "./device-repo.ts";
import { DeviceService } from "./device-service.ts";
import { GazetteerService } from "./gazetteer-service.ts";
import { GridService } from "./grid-service.ts";
import { HealthAccess } from "./health-access.ts";
import { HouseholdRepo } from "./household-repo.ts";
import { HouseholdService } from "./household-service.ts";
import { PlaceRepo } from "./place-repo.ts";
import { RegistryAudit } from "./registry-audit.ts";
import { RelativeService } from "./relative-service.ts";
import { ResidentService } from "./resident-service.ts";
import { ResponderRepo } from "./responder-repo.ts";
import { WorkerService } from "./worker-service.ts";

export interface RegistryServices {
  grids: GridService;
  gazetteer: GazetteerService;
  households: HouseholdService;
  residents: ResidentService;
  relatives: RelativeService;
  devices: DeviceService;
  workers: WorkerService;
  clinics: ClinicService;
}

export function createRegistryServices(deps: {
  sql: SqlDatabase;
  users: UserRepository;
  bus: EventBus;
  /** The running hub's device presence (written behind), so device views show it current. */
  presence?: PresenceBuffer;
}): RegistryServices {
  const { sql, bus } = deps;
  const audit = new RegistryAudit(deps.users);
  const health = new HealthAccess(audit);
  const places = new PlaceRepo(sql);
  const households = new HouseholdRepo(sql, deps.presence ?? null);
  const devices = new DeviceRepo(sql, deps.presence ?? null);
  const responders = new ResponderRepo(sql);
  return {
    grids: new GridService({ sql, places, audit }),
    gazetteer: new GazetteerService({ sql, places, audit }),
    households: new HouseholdService({ sql, households, places, health, audit }),
    residents: new ResidentService({ sql, households, health, audit }),
    relatives: new RelativeService({ sql, households, audit }),
    devices: new DeviceService({ sql, devices, households, audit, bus }),
    workers: new WorkerService({ sql, responders, places, audit }),
    clinics: new ClinicService({ sql, responders, places, audit }),
  };
}
