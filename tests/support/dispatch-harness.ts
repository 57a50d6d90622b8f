/**
 * Dispatch without the network: the seeded demo district in SQLite, the real
 * DispatchService, offer watcher and worker actions, and a device channel that
 * records feedback. Alarms are raised the way the pipeline's locate and
 * dispatch stages raise them, so cascade tests can drive time with vitest's
 * fake timers instead of waiting.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { AccountService } from "../../hub/accounts/account-service.ts";
import { BusyWorkers } from "../../hub/dispatch/busy-workers.ts";
import { DispatchRepository } from "../../hub/dispatch/dispatch-repo.ts";
import { DispatchService } from "../../hub/dispatch/dispatch-service.ts";
import { OfferWatcher } from "../../hub/dispatch/offer-watcher.ts";
import type { DispatchSettings } from "../../hub/dispatch/types.ts";
import { WorkerActions } from "../../hub/dispatch/worker-actions.ts";
import { EventBus } from "../../hub/events.ts";
import { parseDayWindow } from "../../hub/geo/opening-hours.ts";
import { ResponderLocator } from "../../hub/geo/responders.ts";
import { createLogger } from "../../hub/log.ts";
import { seedDemoDistrict } from "../../hub/seed/demo-district.ts";
import { seedDemoWorkerLogins } from "../../hub/seed/demo-workers.ts";
import { AlarmRepository, type IncidentKind } from "../../hub/storage/alarm-repo.ts";
import { type Db, openDatabase } from "../../hub/storage/database.ts";
import { OutboxRepository } from "../../hub/storage/outbox-repo.ts";
import { RegistryRepository } from "../../hub/storage/registry-repo.ts";
import { SqliteSql } from "../../hub/storage/sql/sqlite-sql.ts";
import { UserRepository, type UserRow } from "../../hub/storage/user-repo.ts";
import type { FeedbackState } from "../../protocol/index.ts";

export interface DispatchHarness {
  db: Db;
  repo: DispatchRepository;
  users: UserRepository;
  service: DispatchService;
  watcher: OfferWatcher;
  actions: WorkerActions;
  feedback: { deviceId: string | null; state: FeedbackState; alarmId: number | null }[];
  changes: { alarmId: number; change: string }[];
  /** Stores an alarm for the n-th demo device, locates it, and runs the dispatch stage's work. */
  raise(deviceIndex: number, kind?: IncidentKind): Promise<number>;
  /** The login of a worker (demo workers all have one). */
  userOf(workerId: number): UserRow;
  eventTypes(alarmId: number): string[];
  close(): Promise<void>;
}

export async function startDispatchHarness(overrides: Partial<DispatchSettings> = {}): Promise<DispatchHarness> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "anxin-dispatch-"));
  const logger = createLogger("silent");
  const db = openDatabase(path.join(dir, "dispatch.db"), logger);
  const sql = new SqliteSql(db);
  sql.guardDirectStatements();
  await seedDemoDistrict(sql);
  const users = new UserRepository(sql);
  await seedDemoWorkerLogins(sql, new AccountService({ sql, users, bus: null }));
  const registry = new RegistryRepository(sql);
  const alarms = new AlarmRepository(sql);
  const repo = new DispatchRepository(sql, BusyWorkers.of(db));
  const bus = new EventBus(logger);
  const changes: DispatchHarness["changes"] = [];
  bus.on("alarm.changed", (change) => void changes.push(change));
  const feedback: DispatchHarness["feedback"] = [];
  const settings: DispatchSettings = {
    acceptTimeoutS: 120,
    gridPreferenceM: 1000,
    rankingSize: 5,
    day: parseDayWindow("07:00-19:00"),
    timeZone: "Asia/Shanghai",
    publicUrl: "http://anxin.test",
    smsLanguage: "zh-CN",
    routing: null,
    ...overrides,
  };
  const service = new DispatchService({
    sql,
    alarms,
    repo,
    outbox: new OutboxRepository(sql),
    users,
    responders: new ResponderLocator(repo),
    devices: {
      feedback: async (deviceId, state, alarmId) => void feedback.push({ deviceId, state, alarmId }),
    },
    bus,
    logger,
    settings,
    router: null,
    clock: () => new Date(),
  });
  service.start();
  const watcher = new OfferWatcher({ service, logger }, { intervalMs: 1000 });
  const devices = db.prepare("SELECT id, household_id FROM devices ORDER BY id").all() as {
    id: string;
    household_id: number;
  }[];
  return {
    db,
    repo,
    users,
    service,
    watcher,
    actions: new WorkerActions(service),
    feedback,
    changes,
    async raise(deviceIndex, kind = "sos") {
      const device = devices[deviceIndex];
      if (!device) throw new Error(`no demo device ${deviceIndex}`);
      const alarmId = await alarms.insertAlarm(device.id, kind, new Date().toISOString());
      const resident = (await registry.primaryResident(device.household_id))?.id ?? null;
      await alarms.setLocation(alarmId, device.household_id, resident);
      const row = await alarms.get(alarmId);
      if (!row) throw new Error("alarm not stored");
      const afterCommit = await sql.transaction(() => service.planInStage(row));
      afterCommit();
      await new Promise((resolve) => setImmediate(resolve));
      return alarmId;
    },
    userOf(workerId) {
      const user = db.prepare("SELECT * FROM users WHERE worker_id = ?").get(workerId) as UserRow | undefined;
      if (!user) throw new Error(`worker ${workerId} has no login`);
      return user;
    },
    eventTypes(alarmId) {
      return (
        db.prepare("SELECT type FROM alarm_events WHERE alarm_id = ? ORDER BY id").all(alarmId) as { type: string }[]
      ).map((e) => e.type);
    },
    async close() {
      await watcher.stop();
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
