/**
 * Families informed until the end (issue 10): each texted relative's own
 * status link, the update SMS at the steps that matter, the clinic's
 * stand-down, and the page behind the link. `createFamily` only builds;
 * `watcher.start()`/`stop()` run it.
 */
import type { Logger } from "pino";
import type { Clock } from "../clock.ts";
import type { HubConfig } from "../config.ts";
import type { EventBus } from "../events.ts";
import type { AlarmRepository } from "../storage/alarm-repo.ts";
import type { OutboxRepository } from "../storage/outbox-repo.ts";
import type { RegistryRepository } from "../storage/registry-repo.ts";
import type { SqlDatabase } from "../storage/sql/sql-port.ts";
import type { UserRepository } from "../storage/user-repo.ts";
import { FamilyLinks } from "./family-links.ts";
import { FamilyPage } from "./family-page.ts";
import { FamilyRepository } from "./family-repo.ts";
import { FamilyUpdates } from "./family-updates.ts";
import { FamilyWatcher } from "./family-watcher.ts";

export interface Family {
  links: FamilyLinks;
  updates: FamilyUpdates;
  watcher: FamilyWatcher;
  page: FamilyPage;
}

export function createFamily(deps: {
  sql: SqlDatabase;
  alarms: AlarmRepository;
  registry: RegistryRepository;
  outbox: OutboxRepository;
  users: UserRepository;
  bus: EventBus;
  logger: Logger;
  config: HubConfig;
  clock: Clock;
}): Family {
  const { sql, config, clock, logger } = deps;
  const links = new FamilyLinks(sql, { publicUrl: config.publicUrl, clock });
  const updates = new FamilyUpdates({
    ...deps,
    repo: new FamilyRepository(sql),
    logger: logger.child({ part: "family" }),
    settings: { updates: config.familyUpdates, centerPhone: config.centerPhone, smsLanguage: config.smsLanguage },
  });
  return {
    links,
    updates,
    watcher: new FamilyWatcher(
      { updates, bus: deps.bus, logger: logger.child({ part: "family-watcher" }) },
      { intervalMs: 1000 },
    ),
    page: new FamilyPage({
      ...deps,
      links,
      settings: { linkGraceH: config.familyLinkGraceH, centerPhone: config.centerPhone, timeZone: config.timeZone },
    }),
  };
}
