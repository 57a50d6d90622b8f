/**
 * Builds every part of a running hub from its storage, without starting
 * anything: the composition root's wiring, kept apart from the lifecycle in
 * `hub.ts` so each stays small. Parts that need the same collaborator get the
 * same instance here, and only here.
 */
import type { Logger } from "pino";
import { AccountService } from "./accounts/account-service.ts";
import { AlarmService } from "./alarms/alarm-service.ts";
import { AlarmViews } from "./alarms/alarm-views.ts";
import { currentFeedbackFrom } from "./alarms/device-feedback.ts";
import { createLifecycle } from "./alarms/lifecycle-index.ts";
import { BrokerAcl } from "./broker/broker-acl.ts";
import { BrokerAuth } from "./broker/broker-auth.ts";
import { createBackplane } from "./broker/choose-backplane.ts";
import { ConnectionGate } from "./broker/connection-gate.ts";
import { DeviceChannel } from "./broker/device-channel.ts";
import { DevicePresence } from "./broker/device-presence.ts";
import { IntakeGate } from "./broker/intake-gate.ts";
import { LoginAudit } from "./broker/login-audit.ts";
import { LoginThrottle } from "./broker/login-throttle.ts";
import { MqttBroker } from "./broker/mqtt-broker.ts";
import type { Clock } from "./clock.ts";
import type { HubConfig } from "./config.ts";
import type { BusySource } from "./dispatch/busy-source.ts";
import { DispatchRepository } from "./dispatch/dispatch-repo.ts";
import { DispatchService } from "./dispatch/dispatch-service.ts";
import { DispatchViews } from "./dispatch/dispatch-views.ts";
import { OfferWatcher } from "./dispatch/offer-watcher.ts";
import { OsrmTableClient } from "./dispatch/routing.ts";
import { dispatchSettingsFrom } from "./dispatch/settings.ts";
import type { EventBus } from "./events.ts";
import { createFamily } from "./family/index.ts";
import { ResponderLocator } from "./geo/responders.ts";
import { HttpConnectionCap } from "./http/connection-cap.ts";
import { HubMetrics } from "./metrics/hub-metrics.ts";
import { type ConnectionCaps, connectionCaps, type FdLimits, readFdLimits } from "./net/fd-limits.ts";
import { RefusalLog } from "./net/refusal-log.ts";
import type { TlsMaterial } from "./net/tls-material.ts";
import { chooseSmsNotifier } from "./notify/choose-sms-notifier.ts";
import type { SmsNotifier } from "./notify/notifier.ts";
import { OutboxSender } from "./notify/outbox-sender.ts";
import { ALARM_STAGES, AlarmPipeline, INTAKE_STAGES } from "./pipeline/alarm-pipeline.ts";
import type { ClusterFeed } from "./realtime/cluster-feed.ts";
import { createRelatives } from "./relatives/index.ts";
import { createServiceRequests } from "./service/index.ts";
import type { AlarmRepository } from "./storage/alarm-repo.ts";
import { ConsoleCallRepository } from "./storage/console-call-repo.ts";
import type { Db } from "./storage/database.ts";
import { GroupCommit } from "./storage/group-commit.ts";
import { InboundCallRepository } from "./storage/inbound-call-repo.ts";
import type { JobLeadership } from "./storage/job-leadership.ts";
import { MetricsReads } from "./storage/metrics-reads.ts";
import type { OutboxRepository } from "./storage/outbox-repo.ts";
import type { RegistryRepository } from "./storage/registry-repo.ts";
import type { SqlDatabase } from "./storage/sql/sql-port.ts";
import { SummaryReads } from "./storage/summary-reads.ts";
import type { UserRepository } from "./storage/user-repo.ts";
import { DatabaseWriteProbe } from "./storage/write-probe.ts";
import { createSupervision } from "./supervision/index.ts";
import { ConsoleCalls } from "./voice/console-calls.ts";
import { InboundCallRouter } from "./voice/inbound-call-router.ts";

export interface HubStorage {
  /** SQLite's connection itself (tests and benches read it directly); null on PostgreSQL. */
  db: Db | null;
  /** The storage port: what the hub reads and writes through. */
  sql: SqlDatabase;
  /** Who is busy, for dispatch: SQLite's in-memory mirror, or PostgreSQL's tables. */
  busy: BusySource;
  /** Whether this hub runs the background jobs: always on SQLite, one hub at a time on PostgreSQL. */
  leadership: JobLeadership;
  /** The consoles' changes to and from the other hubs: nothing on SQLite, LISTEN/NOTIFY on PostgreSQL. */
  cluster: ClusterFeed;
  registry: RegistryRepository;
  alarms: AlarmRepository;
  outbox: OutboxRepository;
  users: UserRepository;
  bus: EventBus;
}

export type HubParts = ReturnType<typeof createHubParts>;

/** The broker and its guards: the connection gate, login throttle and audit, and bounded refusal logging. */
function createBroker(
  storage: Pick<HubStorage, "registry" | "users">,
  config: HubConfig,
  descriptors: { limits: FdLimits | null; caps: ConnectionCaps },
  logger: Logger,
  tls: TlsMaterial | null,
): MqttBroker {
  const { registry, users } = storage;
  const mqttLogger = logger.child({ part: "mqtt" });
  const gate = new ConnectionGate({ pendingPerAddress: config.mqttPendingPerAddress });
  const refusals = new RefusalLog({ logger: mqttLogger });
  const loginAudit = new LoginAudit({ users, logger: mqttLogger });
  const throttle = new LoginThrottle({ freeFailures: config.mqttLoginFailures });
  const authLogger = logger.child({ part: "mqtt-auth" });
  const backplane = createBackplane(config, logger.child({ part: "redis" }));
  const { connections } = backplane;
  const auth = new BrokerAuth({
    registry,
    users,
    logger: authLogger,
    throttle,
    audit: loginAudit,
    gate,
    refusals,
    connections,
    certificates: { asked: config.mqttClientCa !== null, required: config.mqttRequireClientCert },
  });
  const acl = new BrokerAcl({ auth, registry, refusals, gate });
  const intake = new IntakeGate({ maxPending: config.intakeMaxPending });
  return new MqttBroker(
    { auth, acl, gate, refusals, loginAudit, intake, backplane, logger: mqttLogger },
    {
      host: config.mqttHost,
      port: config.mqttPort,
      tls: config.mqttTlsPort === null ? null : { port: config.mqttTlsPort, material: requireTls(tls) },
      maxPacketBytes: config.mqttMaxPacketBytes,
      maxConnections: config.mqttMaxConnections,
      connectionCap: descriptors.caps.mqtt,
      fdLimits: descriptors.limits,
      connectTimeoutMs: config.mqttConnectTimeoutMs,
    },
  );
}

/** The certificate the hub read at start; MQTT over TLS without one is a wiring mistake, not a plain fallback. */
function requireTls(tls: TlsMaterial | null): TlsMaterial {
  if (tls === null) throw new Error("ANXIN_MQTT_TLS_PORT is set but no certificate was read");
  return tls;
}

/** The HTTP server's connection bounds: its share of the descriptors (hub/net/fd-limits.ts) and a per-address cap. */
function createHttpConnectionCap(
  config: HubConfig,
  caps: ConnectionCaps,
  logger: Logger,
): { cap: HttpConnectionCap; refusals: RefusalLog } {
  const refusals = new RefusalLog({ logger: logger.child({ part: "http" }) });
  const cap = new HttpConnectionCap({ max: caps.http, perAddress: config.httpConnectionsPerAddress }, refusals);
  return { cap, refusals };
}

/**
 * The hub's metrics (`GET /metrics`): counted from the bus and the pipeline's timing, and read at each scrape
 * from storage and from the parts that hold live figures (the broker, the pipeline, the job leadership).
 * The pipeline is asked lazily: it is built after the metrics, which it reports its timing to.
 */
function createMetrics(
  storage: Pick<HubStorage, "db" | "sql" | "alarms" | "bus" | "leadership">,
  config: HubConfig,
  live: { broker: MqttBroker; pipeline: () => AlarmPipeline; certificateValidTo: (() => string) | null },
  clock: Clock,
): HubMetrics {
  return new HubMetrics(
    {
      bus: storage.bus,
      alarms: storage.alarms,
      reads: new MetricsReads(storage.sql),
      live: {
        devicesConnected: () => live.broker.devicesConnected(),
        pressesPending: () => live.broker.intakeStats.inPipeline,
        alarmsWaitingForStages: () => live.pipeline().alarmsWaiting,
        leadsJobs: () => storage.leadership.leading,
      },
      clock,
    },
    {
      stages: [...INTAKE_STAGES, ...ALARM_STAGES].map((stage) => stage.name),
      ackDeadlineS: config.ackDeadlineS,
      walFile: storage.db === null ? null : `${storage.db.name}-wal`,
      backup: config.backupDir === null ? null : { dir: config.backupDir, everyH: config.backupEveryH },
      certificateValidTo: live.certificateValidTo,
    },
  );
}

export function createHubParts(
  storage: HubStorage,
  config: HubConfig,
  options: {
    logger: Logger;
    clock: Clock;
    smsNotifier?: SmsNotifier;
    /** The certificate read at start (hub/net/tls-material.ts); null without TLS. */
    tls?: TlsMaterial | null;
    /** The certificate in service's end of validity, for /metrics (it changes on SIGHUP); null without TLS. */
    certificateValidTo?: (() => string) | null;
  },
) {
  const { sql, registry, alarms, outbox, users, bus } = storage;
  const { logger, clock } = options;
  const dispatchRepo = new DispatchRepository(sql, storage.busy);
  const dispatchSettings = dispatchSettingsFrom(config);
  const responders = new ResponderLocator(dispatchRepo);
  // One reading of the descriptor limit shared out to both servers, so their caps always add up.
  const fdLimits = readFdLimits();
  const caps = connectionCaps({ mqtt: config.mqttMaxConnections, http: config.httpMaxConnections }, fdLimits);
  const broker = createBroker({ registry, users }, config, { limits: fdLimits, caps }, logger, options.tls ?? null);
  // Feedback is read from storage when it is published, so racing commits cannot leave a stale state.
  const devices = new DeviceChannel({
    broker,
    logger,
    currentFeedback: currentFeedbackFrom(alarms),
    devicesOfAlarm: (alarmId) => alarms.devicesOf(alarmId),
  });
  const dispatch = new DispatchService({
    sql,
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
    clock,
  });
  // Families: each texted relative's status link goes into their first SMS, so it exists before the cascade.
  const family = createFamily({ sql, alarms, registry, outbox, users, bus, logger, config, clock });
  const relatives = createRelatives({
    sql,
    alarms,
    registry,
    outbox,
    links: family.links,
    bus,
    logger,
    config,
    clock,
  });
  // Closing an alarm (resolve, cancel, a finished test) withdraws its offers and
  // stops its relatives' cascade in the same transaction.
  // It closes its service request too (done or cancelled): that wrapper is outermost.
  const serviceRequests = createServiceRequests({
    sql,
    alarms,
    dispatchRepo,
    outbox,
    users,
    closeOut: relatives.service.closingWith(dispatch),
    config,
    clock,
  });
  const closeOut = serviceRequests.closeOut;
  // Cancel presses and repeated presses are decided inside the press's transaction.
  const lifecycle = createLifecycle({
    sql,
    alarms,
    outbox,
    devices,
    bus,
    logger,
    config,
    clock,
    dispatch: closeOut,
  });
  const metrics = createMetrics(
    storage,
    config,
    { broker, pipeline: () => pipeline, certificateValidTo: options.certificateValidTo ?? null },
    clock,
  );
  // Presses and alarm stages that come together share one commit; each press is acked after its own.
  const commits = new GroupCommit(
    { sql },
    { maxBatch: config.commitMaxBatch, maxBatchMs: config.commitMaxBatchMs, maxWaitMs: config.commitMaxWaitMs },
  );
  const pipeline = new AlarmPipeline(
    {
      sql,
      commits,
      alarms,
      registry,
      outbox,
      devices,
      responders,
      dispatch,
      bus,
      logger: logger.child({ part: "pipeline" }),
      relatives: relatives.service,
      serviceRequests: serviceRequests.service,
      lifecycle: lifecycle.service,
      settings: { publicUrl: config.publicUrl, smsLanguage: config.smsLanguage, timeZone: config.timeZone },
    },
    {
      retryMs: config.pipelineRetryMs,
      batch: { maxAlarms: config.commitMaxBatch, budgetMs: config.commitMaxBatchMs },
      meter: metrics.pipeline,
    },
  );
  const supervision = createSupervision({
    sql,
    registry,
    alarms,
    devices,
    dispatch: closeOut,
    bus,
    config,
    logger: logger.child({ part: "supervision" }),
    stageCount: ALARM_STAGES.length,
  });
  const presence = new DevicePresence({
    connections: broker.backplane.connections,
    registry,
    devices,
    bus,
    supervision: supervision.supervisor,
    logger: logger.child({ part: "presence" }),
  });
  const alarmService = new AlarmService({ sql, alarms, devices, bus, logger, dispatch: closeOut });
  const voice = new InboundCallRouter(
    {
      sql,
      intake: pipeline,
      calls: new InboundCallRepository(sql),
      alarms,
      alarmService,
      registry,
      users,
      bus,
      logger: logger.child({ part: "voice" }),
      clock,
    },
    { ringS: config.callRingS, supervisorPhone: config.supervisorPhone, smsLanguage: config.smsLanguage },
  );
  // One repository for the calls and the views that show them.
  const consoleCallRepo = new ConsoleCallRepository(sql);
  const consoleCalls = new ConsoleCalls(
    {
      sql,
      alarms,
      registry,
      calls: consoleCallRepo,
      outbox,
      relatives: relatives.service,
      users,
      bus,
      logger: logger.child({ part: "console-calls" }),
      clock,
    },
    { publicUrl: config.publicUrl, centerNumber: config.twilio?.from ?? null, recording: config.callRecording },
  );
  const dispatchViews = new DispatchViews({ repo: dispatchRepo, users });
  // Staff accounts: ending someone's sessions tells realtime over the bus to close their sockets.
  const accounts = new AccountService({ sql, users, bus });
  const offerWatcher = new OfferWatcher(
    { service: dispatch, logger: logger.child({ part: "offer-watcher" }) },
    { intervalMs: 1000 },
  );
  const sender = new OutboxSender(
    {
      sql,
      outbox,
      alarms,
      notifier: options.smsNotifier ?? chooseSmsNotifier(config, logger),
      voice: relatives.voice,
      hangups: relatives.hangups,
      bus,
      logger: logger.child({ part: "outbox" }),
    },
    {
      pollMs: config.outboxPollMs,
      maxBackoffMs: config.outboxMaxBackoffMs,
      ratePerS: config.outboxRatePerS,
      concurrency: config.outboxConcurrency,
    },
  );
  const views = new AlarmViews({
    alarms,
    registry,
    users,
    reads: new SummaryReads(sql),
    outbox,
    stageCount: ALARM_STAGES.length,
    dispatch: dispatchViews,
    relatives: relatives.views,
    serviceRequests: serviceRequests.views,
    consoleCalls: consoleCallRepo,
  });
  return {
    ...storage,
    logger,
    clock,
    responders,
    broker,
    devices,
    dispatch,
    dispatchViews,
    relatives,
    family,
    serviceRequests,
    lifecycle,
    commits,
    pipeline,
    supervision,
    presence,
    alarmService,
    voice,
    consoleCalls,
    accounts,
    offerWatcher,
    sender,
    views,
    metrics,
    httpConnections: createHttpConnectionCap(config, caps, logger),
    // `/health` and the consoles' warning: a small committed write, at most once per ANXIN_HEALTH_PROBE_S.
    writeProbe: new DatabaseWriteProbe({ sql, logger, bus }, { intervalMs: config.healthProbeS * 1000 }),
  };
}
