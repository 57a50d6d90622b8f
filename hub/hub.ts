/**
 * The hub's composition root. The constructor only assigns; `start()` brings
 * the parts up in dependency order (storage → registry → broker → pipeline →
 * outbox → HTTP) and `stop()` takes them down in reverse.
 */
import fs from "node:fs";
import type { AddressInfo } from "node:net";
import path from "node:path";
import type { FastifyInstance } from "fastify";
import type { Logger } from "pino";
import { AlarmService } from "./alarms/alarm-service.ts";
import { AlarmViews } from "./alarms/alarm-views.ts";
import type { DeadlineWatcher } from "./alarms/deadline-watcher.ts";
import { createLifecycle } from "./alarms/lifecycle-index.ts";
import { SessionService } from "./auth/session-service.ts";
import { BrokerAuth } from "./broker/broker-auth.ts";
import { DeviceChannel } from "./broker/device-channel.ts";
import { DevicePresence } from "./broker/device-presence.ts";
import { MqttBroker } from "./broker/mqtt-broker.ts";
import type { HubConfig } from "./config.ts";
import { DispatchRepository } from "./dispatch/dispatch-repo.ts";
import { DispatchService } from "./dispatch/dispatch-service.ts";
import { DispatchViews } from "./dispatch/dispatch-views.ts";
import { OfferWatcher } from "./dispatch/offer-watcher.ts";
import { OsrmTableClient } from "./dispatch/routing.ts";
import { dispatchSettingsFrom } from "./dispatch/settings.ts";
import type { Clock } from "./dispatch/types.ts";
import { WorkerActions } from "./dispatch/worker-actions.ts";
import { EventBus } from "./events.ts";
import { ResponderLocator } from "./geo/responders.ts";
import { buildApp } from "./http/app.ts";
import { KpiService } from "./kpi/kpi-service.ts";
import { createLogger } from "./log.ts";
import { chooseSmsNotifier } from "./notify/choose-sms-notifier.ts";
import type { SmsNotifier } from "./notify/notifier.ts";
import { OutboxSender } from "./notify/outbox-sender.ts";
import { ALARM_STAGES, AlarmPipeline } from "./pipeline/alarm-pipeline.ts";
import { createRegistryServices } from "./registry/registry-services.ts";
import { type CascadeWatcher, createRelatives } from "./relatives/index.ts";
import { prepareFirstStart } from "./seed/first-start.ts";
import { AlarmRepository } from "./storage/alarm-repo.ts";
import { type Db, openDatabase } from "./storage/database.ts";
import { OutboxRepository } from "./storage/outbox-repo.ts";
import { RegistryRepository } from "./storage/registry-repo.ts";
import { UserRepository } from "./storage/user-repo.ts";
import type { DeviceSupervisor } from "./supervision/device-supervisor.ts";
import { createSupervision } from "./supervision/index.ts";

export interface HubDeps {
  logger?: Logger;
  /** Replaces the SMS channel chosen from config (tests use the real Twilio channel against a local fake instead). */
  smsNotifier?: SmsNotifier;
  dashboardDir?: string | null;
  /** Replaces the wall clock for dispatch deadlines (offer expiry), for tests. */
  clock?: Clock;
}

export interface HubStartReport {
  httpUrl: string;
  mqttUrl: string;
  generatedAdminPassword: string | null;
  seededDevices: number;
  demoDevicesFile: string | null;
  demoWorkersFile: string | null;
}

interface Running {
  db: Db;
  broker: MqttBroker;
  pipeline: AlarmPipeline;
  sender: OutboxSender;
  watcher: OfferWatcher;
  cascadeWatcher: CascadeWatcher;
  deadlines: DeadlineWatcher;
  supervisor: DeviceSupervisor;
  app: FastifyInstance;
  bus: EventBus;
}

export class Hub {
  readonly config: HubConfig;
  readonly logger: Logger;
  private readonly deps: HubDeps;
  private running: Running | null = null;
  private startedAt = 0;

  constructor(config: HubConfig, deps: HubDeps = {}) {
    this.config = config;
    this.deps = deps;
    this.logger = deps.logger ?? createLogger(config.logLevel);
  }

  get db(): Db {
    return this.require().db;
  }

  /** The HTTP app, for `inject()` in tests. */
  get app(): FastifyInstance {
    return this.require().app;
  }

  get httpPort(): number {
    return (this.require().app.server.address() as AddressInfo).port;
  }

  get mqttPort(): number {
    return this.require().broker.port;
  }

  get demoDevicesFile(): string {
    return path.join(this.config.dataDir, "demo-devices.json");
  }

  get demoWorkersFile(): string {
    return path.join(this.config.dataDir, "demo-workers.json");
  }

  async start(): Promise<HubStartReport> {
    if (this.running) throw new Error("hub already started");
    const { config, logger } = this;
    this.startedAt = Date.now();
    const db = openDatabase(path.join(config.dataDir, "anxin.db"), logger);
    const registry = new RegistryRepository(db);
    const alarms = new AlarmRepository(db);
    const outbox = new OutboxRepository(db);
    const users = new UserRepository(db);
    const bus = new EventBus(logger);

    const firstStart = await prepareFirstStart({ db, users, registry, logger }, config, {
      demoDevices: this.demoDevicesFile,
      demoWorkers: this.demoWorkersFile,
    });

    const dispatchRepo = new DispatchRepository(db);
    const dispatchSettings = dispatchSettingsFrom(config);
    const responders = new ResponderLocator(dispatchRepo);
    responders.refresh();
    const auth = new BrokerAuth({ registry, users, logger: logger.child({ part: "mqtt-auth" }) });
    const broker = new MqttBroker(
      { auth, logger: logger.child({ part: "mqtt" }) },
      { host: config.mqttHost, port: config.mqttPort },
    );
    const devices = new DeviceChannel({ broker, logger });
    const dispatch = new DispatchService({
      db,
      alarms,
      repo: dispatchRepo,
      outbox,
      users,
      responders,
      devices,
      bus,
      logger: logger.child({ part: "dispatch" }),
      settings: dispatchSettings,
      router: dispatchSettings.routing ? new OsrmTableClient(dispatchSettings.routing) : null,
      clock: this.deps.clock ?? (() => new Date()),
    });
    const relatives = createRelatives({
      db,
      alarms,
      registry,
      outbox,
      bus,
      logger,
      config,
      clock: this.deps.clock ?? (() => new Date()),
    });
    // Cancel presses and repeated presses are decided inside the press's transaction.
    const lifecycle = createLifecycle({
      db,
      alarms,
      outbox,
      devices,
      bus,
      logger,
      config,
      clock: this.deps.clock ?? (() => new Date()),
      dispatch: relatives.service.closingWith(dispatch),
    });
    const pipeline = new AlarmPipeline(
      {
        db,
        alarms,
        registry,
        outbox,
        devices,
        responders,
        dispatch,
        bus,
        logger: logger.child({ part: "pipeline" }),
        relatives: relatives.service,
        lifecycle: lifecycle.service,
        settings: { publicUrl: config.publicUrl, smsLanguage: config.smsLanguage, timeZone: config.timeZone },
      },
      { retryMs: config.pipelineRetryMs },
    );
    const supervision = createSupervision({
      db,
      registry,
      alarms,
      devices,
      // Closing a test alarm closes it like an operator would: offers withdrawn, relatives' cascade stopped.
      dispatch: relatives.service.closingWith(dispatch),
      bus,
      config,
      logger: logger.child({ part: "supervision" }),
      stageCount: ALARM_STAGES.length,
    });
    const presence = new DevicePresence({
      registry,
      devices,
      bus,
      supervision: supervision.supervisor,
      logger: logger.child({ part: "presence" }),
    });
    broker.handle("alarm", (message) => pipeline.handlePress(message));
    broker.handle("heartbeat", presence.onHeartbeat);
    broker.handle("status", presence.onStatus);
    await broker.start();

    // Resolving an alarm also stops its relatives' cascade, in the same transaction.
    const closeOut = relatives.service.closingWith(dispatch);
    const alarmService = new AlarmService({ db, alarms, devices, bus, logger, dispatch: closeOut });
    const dispatchViews = new DispatchViews({ repo: dispatchRepo, users });
    const watcher = new OfferWatcher(
      { service: dispatch, logger: logger.child({ part: "offer-watcher" }) },
      { intervalMs: 1000 },
    );
    const sender = new OutboxSender(
      {
        outbox,
        alarms,
        notifier: this.deps.smsNotifier ?? chooseSmsNotifier(config, logger),
        voice: relatives.voice,
        bus,
        logger: logger.child({ part: "outbox" }),
      },
      { pollMs: config.outboxPollMs, maxBackoffMs: config.outboxMaxBackoffMs },
    );
    const views = new AlarmViews({
      alarms,
      registry,
      users,
      outbox,
      stageCount: ALARM_STAGES.length,
      dispatch: dispatchViews,
      relatives: relatives.views,
    });
    const sessions = new SessionService({ users }, { ttlHours: config.sessionTtlHours });
    const app = await buildApp({
      logger,
      sessions,
      alarmService,
      lifecycle: lifecycle.service,
      views,
      alarms,
      bus,
      dashboardDir: this.deps.dashboardDir ?? null,
      settings: { loginRateLimitPerMinute: config.loginRateLimitPerMinute, publicUrl: config.publicUrl },
      dispatch: { service: dispatch, workerActions: new WorkerActions(dispatch), views: dispatchViews },
      registry: createRegistryServices({ db, users }),
      supervision: { views: supervision.views, tests: supervision.tests },
      kpi: { kpi: new KpiService(db, config.timeZone) },
      twilio: relatives.webhooks,
      health: {
        report: () => ({
          status: "ok",
          database: db.open,
          mqtt: { listening: true, port: broker.port },
          outboxPending: (
            db.prepare("SELECT COUNT(*) AS n FROM outbox WHERE status = 'pending'").get() as { n: number }
          ).n,
          uptimeS: Math.round((Date.now() - this.startedAt) / 1000),
        }),
      },
    });
    this.running = {
      db,
      broker,
      pipeline,
      sender,
      watcher,
      cascadeWatcher: relatives.watcher,
      deadlines: lifecycle.watcher,
      supervisor: supervision.supervisor,
      app,
      bus,
    };

    pipeline.start();
    await alarmService.republishFeedback();
    // After the pipeline: offers that expired while the hub was down are passed on at once.
    watcher.start();
    // Also after the pipeline: a relatives' wave that fell due while the hub was down goes out at once.
    relatives.watcher.start();
    // Also after the pipeline: deadlines missed while the hub was down escalate at once.
    lifecycle.watcher.start();
    // After the pipeline too: it scans at once, so devices that went silent while the hub was down are noticed.
    supervision.supervisor.start();
    sender.start();
    await app.listen({ port: config.httpPort, host: config.httpHost });
    const report: HubStartReport = {
      httpUrl: `http://127.0.0.1:${this.httpPort}`,
      mqttUrl: `mqtt://127.0.0.1:${this.mqttPort}`,
      generatedAdminPassword: firstStart.generatedAdminPassword,
      seededDevices: firstStart.seededDevices,
      demoDevicesFile: fs.existsSync(this.demoDevicesFile) ? this.demoDevicesFile : null,
      demoWorkersFile: fs.existsSync(this.demoWorkersFile) ? this.demoWorkersFile : null,
    };
    logger.info({ http: report.httpUrl, mqtt: report.mqttUrl }, "Anxin hub started");
    return report;
  }

  async stop(): Promise<void> {
    const running = this.running;
    if (!running) return;
    this.running = null;
    await running.app.close();
    await running.watcher.stop();
    running.cascadeWatcher.stop();
    running.deadlines.stop();
    await running.supervisor.stop();
    await running.sender.stop();
    running.pipeline.stop();
    await running.broker.stop();
    running.bus.removeAll();
    running.db.close();
    this.logger.info("Anxin hub stopped");
  }

  private require(): Running {
    if (!this.running) throw new Error("hub is not running");
    return this.running;
  }
}
