/**
 * The registry's services over one database, built in one place so the
 * composition root (and tests) need a single call.
 */
import type { EventBus } from "../events.ts";
import type { Db } from "../storage/database.ts";
import type { PresenceBuffer } from "../storage/presence-buffer.ts";
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
  db: Db;
  users: UserRepository;
  bus: EventBus;
  /** The running hub's device presence (written behind), so device views show it current. */
  presence?: PresenceBuffer;
}): RegistryServices {
  const { db, bus } = deps;
  const audit = new RegistryAudit(deps.users);
  const health = new HealthAccess(audit);
  const places = new PlaceRepo(db);
  const households = new HouseholdRepo(db, deps.presence ?? null);
  const devices = new DeviceRepo(db, deps.presence ?? null);
  const responders = new ResponderRepo(db);
  return {
    grids: new GridService({ db, places, audit }),
    gazetteer: new GazetteerService({ db, places, audit }),
    households: new HouseholdService({ db, households, places, health, audit }),
    residents: new ResidentService({ db, households, health, audit }),
    relatives: new RelativeService({ db, households, audit }),
    devices: new DeviceService({ db, devices, households, audit, bus }),
    workers: new WorkerService({ db, responders, places, audit }),
    clinics: new ClinicService({ db, responders, places, audit }),
  };
}
