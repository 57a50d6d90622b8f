/**
 * What a first start writes: the first administrator, and (into an empty
 * registry only) the demo district with its provisioning sheets for buttons
 * and worker logins, written 0600 beside the database.
 */
import fs from "node:fs";
import type { Logger } from "pino";
import { AccountService } from "../accounts/account-service.ts";
import type { HubConfig } from "../config.ts";
import type { RegistryRepository } from "../storage/registry-repo.ts";
import type { SqlDatabase } from "../storage/sql/sql-port.ts";
import type { UserRepository } from "../storage/user-repo.ts";
import { seedDemoDistrict } from "./demo-district.ts";
import { seedDemoWorkerLogins } from "./demo-workers.ts";
import { ensureFirstAdmin } from "./first-admin.ts";

export interface FirstStartFiles {
  demoDevices: string;
  demoWorkers: string;
}

export interface FirstStartResult {
  generatedAdminPassword: string | null;
  seededDevices: number;
}

function writeSheet(file: string, content: Record<string, unknown>): void {
  fs.writeFileSync(file, `${JSON.stringify({ generatedAt: new Date().toISOString(), ...content }, null, 2)}\n`, {
    mode: 0o600,
  });
}

export async function prepareFirstStart(
  deps: { sql: SqlDatabase; users: UserRepository; registry: RegistryRepository; logger: Logger },
  config: HubConfig,
  files: FirstStartFiles,
): Promise<FirstStartResult> {
  const { sql, users, registry, logger } = deps;
  // No bus yet: nothing is running that could hold a session.
  const accounts = new AccountService({ sql, users, bus: null });
  const admin = await ensureFirstAdmin({ users, accounts }, config.adminPassword);
  // Only into an empty registry: never mix demo homes into a district that has begun importing its own.
  const seeded = config.seedDemo && (await registry.isEmpty()) ? await seedDemoDistrict(sql) : [];
  if (seeded.length > 0) {
    writeSheet(files.demoDevices, { mqttPort: config.mqttPort, mqttTlsPort: config.mqttTlsPort, devices: seeded });
    logger.info({ households: seeded.length, file: files.demoDevices }, "seeded the demo district");
    const workerLogins = await seedDemoWorkerLogins(sql, accounts);
    writeSheet(files.demoWorkers, { workerPage: `${config.publicUrl}/worker/`, workers: workerLogins });
    logger.info({ workers: workerLogins.length, file: files.demoWorkers }, "demo worker logins created");
  }
  return { generatedAdminPassword: admin.generatedPassword, seededDevices: seeded.length };
}
