/**
 * The hub's composition root. The constructor only assigns; `start()` brings
 * the parts up in dependency order (storage → registry → broker → pipeline →
 * outbox → HTTP) and `stop()` takes them down in reverse.
 */
import fs from "node:fs";
import path from "node:path";
import type { FastifyInstance } from "fastify";
import type { Logger } from "pino";
import type { AccountService } from "./accounts/account-service.ts";
import { ScheduledBackups } from "./backup/scheduled-backups.ts";
import type { DeviceChannel } from "./broker/device-channel.ts";
import type { IntakeGateStats } from "./broker/intake-gate.ts";
import type { Clock } from "./clock.ts";
import type { HubConfig } from "./config.ts";
import type { EventBus } from "./events.ts";
import { HttpListeners } from "./http/http-listeners.ts";
import { buildHubApp } from "./hub-app.ts";
import { createHubParts, type HubParts } from "./hub-parts.ts";
import { hubStorage, postgresHubStorage } from "./hub-storage.ts";
import { createLogger } from "./log.ts";
import { TlsCredentials, type TlsMaterial, type TlsReload } from "./net/tls-material.ts";
import type { SmsNotifier } from "./notify/notifier.ts";
import { prepareFirstStart } from "./seed/first-start.ts";
import { DataDirLock } from "./storage/data-dir-lock.ts";
import { type Db, openDatabase } from "./storage/database.ts";
import type { GroupCommitStats } from "./storage/group-commit.ts";
import type { SqlDatabase } from "./storage/sql/sql-port.ts";
import { ensureVoiceSimAccount, voiceSimFile } from "./voice/voice-sim-account.ts";

/** At stop, how long HTTP requests in flight may take before every connection is closed. */
const HTTP_STOP_GRACE_MS = 2000;

export interface HubDeps {
  logger?: Logger;
  /** Replaces the SMS channel chosen from config (tests use the real Twilio channel against a local fake instead). */
  smsNotifier?: SmsNotifier;
  dashboardDir?: string | null;
  /**
   * How often each live console's session is looked up again (default 2 s). Tests lengthen it to
   * show that a logout or a disable closes the console by itself, not at the next look-up.
   */
  sessionCheckMs?: number;
  /** Replaces the wall clock for dispatch deadlines (offer expiry), for tests. */
  clock?: Clock;
}

export interface HubStartReport {
  /** The plain HTTP port (with HTTPS on, it only redirects). */
  httpUrl: string;
  /** HTTPS; null when off. */
  httpsUrl: string | null;
  /** Plain MQTT; null when off. */
  mqttUrl: string | null;
  /** MQTT over TLS; null when off. */
  mqttsUrl: string | null;
  generatedAdminPassword: string | null;
  seededDevices: number;
  demoDevicesFile: string | null;
  demoWorkersFile: string | null;
}

interface Running {
  parts: HubParts;
  app: FastifyInstance;
  /** The hub's own backups (`ANXIN_BACKUP_DIR`); null when off. */
  backups: ScheduledBackups | null;
  http: HttpListeners;
  /** The certificate files in service; null without TLS. */
  tls: TlsCredentials | null;
}

export class Hub {
  readonly config: HubConfig;
  readonly logger: Logger;
  private readonly deps: HubDeps;
  private running: Running | null = null;
  private startedAt = 0;
  /** Held while this hub uses a SQLite data directory: no restore under it, no second hub on it. */
  private dataDirLock: DataDirLock | null = null;

  constructor(config: HubConfig, deps: HubDeps = {}) {
    this.config = config;
    this.deps = deps;
    this.logger = deps.logger ?? createLogger(config.logLevel, undefined, config.logFormat);
  }

  /** SQLite's connection (tests read it directly); a hub on PostgreSQL has none: use `sql`. */
  get db(): Db {
    const db = this.require().parts.db;
    if (db === null) throw new Error("this hub runs on PostgreSQL: read through hub.sql");
    return db;
  }

  /** True while this hub runs the background jobs (always on SQLite; one hub at a time on PostgreSQL). */
  get leadsJobs(): boolean {
    return this.require().parts.leadership.leading;
  }

  /** The storage port over the hub's database (tests: parts built beside the hub read and write through it). */
  get sql(): SqlDatabase {
    return this.require().parts.sql;
  }

  /** The HTTP app, for `inject()` in tests. */
  get app(): FastifyInstance {
    return this.require().app;
  }

  /** Staff accounts, as the REST API and the CLI change them (tests create their operators here). */
  get accounts(): AccountService {
    return this.require().parts.accounts;
  }

  /** What the hub says to devices; tests use it to publish as a late caller would. */
  get devices(): DeviceChannel {
    return this.require().parts.devices;
  }

  /** The hub's event bus, for parts that tests build beside the hub (the registry API in tests/support). */
  get bus(): EventBus {
    return this.require().parts.bus;
  }

  /** Commits and jobs of the group commit so far (tests and benchmarks: fewer commits than presses is batching). */
  get commitStats(): GroupCommitStats {
    return this.require().parts.commits.stats;
  }

  /** The intake gate's counts (tests and benchmarks: how many presses waited for room, the most in the pipeline). */
  get intakeStats(): IntakeGateStats {
    return this.require().parts.broker.intakeStats;
  }

  /** HTTP connections open now (tests: a refused or closed one frees its place). */
  get httpConnectionsOpen(): number {
    return this.require().parts.httpConnections.cap.open;
  }

  /** The plain HTTP port (with HTTPS on, the one that only redirects). */
  get httpPort(): number {
    return this.require().http.httpPort;
  }

  /** The HTTPS port; null when off. */
  get httpsPort(): number | null {
    return this.require().http.httpsPort;
  }

  /** Plain MQTT's port; throws when it is off (ANXIN_MQTT_PORT=off). */
  get mqttPort(): number {
    return this.require().parts.broker.port;
  }

  /** MQTT over TLS's port; null when off. */
  get mqttTlsPort(): number | null {
    return this.require().parts.broker.ports.mqtts;
  }

  /**
   * Reads the certificate files again (SIGHUP; hub/main.ts) and puts them in service for new TLS connections,
   * MQTT and HTTPS alike; connections already open stay. A file that cannot be used is logged (TLS_CERT_INVALID)
   * and the certificate in service stays. Without TLS there is nothing to reload.
   */
  reloadTls(): TlsReload | null {
    const { tls, parts, http } = this.require();
    if (!tls) {
      this.logger.info("TLS reload asked for, but no TLS listener is configured");
      return null;
    }
    const outcome = tls.reload();
    if (!outcome.ok) return outcome;
    try {
      parts.broker.useCertificate(tls.current);
      http.useCertificate(tls.current);
    } catch (error) {
      // Checked as the servers use them already (tls-material.ts); should a server still refuse, the hub runs on.
      const reason = error instanceof Error ? error.message : String(error);
      this.logger.error({ code: "TLS_CERT_INVALID", reason }, "a TLS server refused the reloaded certificate");
      return { ok: false, reason };
    }
    return outcome;
  }

  get demoDevicesFile(): string {
    return path.join(this.config.dataDir, "demo-devices.json");
  }

  get demoWorkersFile(): string {
    return path.join(this.config.dataDir, "demo-workers.json");
  }

  async start(): Promise<HubStartReport> {
    if (this.running) throw new Error("hub already started");
    // Before anything is opened or locked: a hub that cannot serve its TLS does not start (TLS_CERT_INVALID).
    const tls = tlsCredentials(this.config, this.logger);
    const material = tls?.load() ?? null;
    if (this.config.databaseUrl !== null) return this.startParts(tls, material);
    // Before the database is opened: a restore may be swapping it (hub/storage/data-dir-lock.ts).
    const lock = new DataDirLock(this.config.dataDir, "hub");
    lock.acquire();
    this.dataDirLock = lock;
    try {
      return await this.startParts(tls, material);
    } catch (error) {
      this.releaseDataDir();
      throw error;
    }
  }

  private async startParts(tls: TlsCredentials | null, material: TlsMaterial | null): Promise<HubStartReport> {
    const { config, logger } = this;
    this.startedAt = Date.now();
    const storage =
      config.databaseUrl === null
        ? hubStorage(openDatabase(path.join(config.dataDir, "anxin.db"), logger), logger)
        : await postgresHubStorage(config.databaseUrl, logger);
    const { registry, users, bus, sql } = storage;

    const firstStart = await prepareFirstStart({ sql, users, registry, logger }, config, {
      demoDevices: this.demoDevicesFile,
      demoWorkers: this.demoWorkersFile,
    });

    const parts = createHubParts(storage, config, {
      logger,
      clock: this.deps.clock ?? (() => new Date()),
      tls: material,
      certificateValidTo: tls ? () => tls.current.identity.validTo : null,
      ...(this.deps.smsNotifier ? { smsNotifier: this.deps.smsNotifier } : {}),
    });
    const { broker, pipeline, presence, supervision } = parts;
    await parts.responders.refresh();
    // Who is busy, from the tables into memory: rankings must not scan the open alarms (issue 12).
    parts.dispatch.start();
    broker.handle("alarm", (message) => pipeline.handlePress(message));
    broker.handle("heartbeat", presence.onHeartbeat);
    broker.handle("status", presence.onStatus);
    // Credentials that changed end the sessions opened with them, at once (the ACL also re-checks each publish).
    bus.on("device.credentials_changed", ({ deviceId, reason }) => void broker.closeDeviceSessions(deviceId, reason));
    bus.on("user.sessions_revoked", ({ userId, reason }) => void broker.closeUserSessions(userId, reason));
    // Before the broker: the first press is counted.
    parts.metrics.start();
    // Before the broker: a press that arrives at once is stored, not refused.
    parts.commits.start();
    // Presence is written behind from here on (hub/storage/presence-buffer.ts); stop() writes what is left.
    registry.presence.start(logger.child({ part: "presence" }));
    await broker.start();
    // Without Twilio, calls to the center can still be shown: `npm run sim -- call` signs with a local key.
    const voiceSim = config.twilio ? null : ensureVoiceSimAccount(config.dataDir, config.publicUrl);
    if (voiceSim) {
      logger.info(
        { file: voiceSimFile(config.dataDir) },
        "Twilio is not configured: SMS and calls go to this log; simulate a call to the center with `npm run sim -- call <household>`",
      );
    }
    const app = await buildHubApp(parts, config, {
      voiceSim,
      tls: material,
      dashboardDir: this.deps.dashboardDir ?? null,
      startedAt: this.startedAt,
      ...(this.deps.sessionCheckMs === undefined ? {} : { sessionCheckMs: this.deps.sessionCheckMs }),
    });
    const backups =
      config.backupDir === null
        ? null
        : new ScheduledBackups(
            {
              dataDir: config.dataDir,
              backupDir: config.backupDir,
              everyH: config.backupEveryH,
              keep: config.backupKeep,
            },
            { logger: logger.child({ part: "backup" }) },
          );
    const http = new HttpListeners(
      app,
      { host: config.httpHost, httpPort: config.httpPort, httpsPort: config.httpsPort, publicUrl: config.publicUrl },
      parts.httpConnections,
    );
    this.running = { parts, app, backups, http, tls };

    // What this hub's own presses say about their devices, whether or not it leads the jobs.
    supervision.supervisor.startEvents();
    await parts.alarmService.republishFeedback();
    // The background jobs run on one hub at a time (always this one on SQLite): storage/job-leadership.ts.
    parts.leadership.start({ lead: () => startJobs(parts), follow: () => stopJobs(parts) });
    parts.writeProbe.start();
    backups?.start();
    parts.httpConnections.refusals.start();
    await http.start();
    const { mqtt, mqtts } = broker.ports;
    const report: HubStartReport = {
      httpUrl: `http://127.0.0.1:${http.httpPort}`,
      httpsUrl: http.httpsPort === null ? null : `https://127.0.0.1:${http.httpsPort}`,
      mqttUrl: mqtt === null ? null : `mqtt://127.0.0.1:${mqtt}`,
      mqttsUrl: mqtts === null ? null : `mqtts://127.0.0.1:${mqtts}`,
      generatedAdminPassword: firstStart.generatedAdminPassword,
      seededDevices: firstStart.seededDevices,
      demoDevicesFile: fs.existsSync(this.demoDevicesFile) ? this.demoDevicesFile : null,
      demoWorkersFile: fs.existsSync(this.demoWorkersFile) ? this.demoWorkersFile : null,
    };
    // The pid is the one to send SIGHUP to (npm and tsx, which `npm start` runs it under, do not pass it on).
    logger.info(
      { http: report.httpUrl, https: report.httpsUrl, mqtt: report.mqttUrl, mqtts: report.mqttsUrl, pid: process.pid },
      "Anxin hub started",
    );
    return report;
  }

  async stop(): Promise<void> {
    const running = this.running;
    if (!running) return;
    this.running = null;
    const { parts } = running;
    const closing = Promise.all([running.app.close(), running.http.stopRedirect()]);
    // Requests in flight get a moment to finish; connections that sent none would hold close() for a minute.
    const grace = setTimeout(() => parts.httpConnections.cap.destroyAll(), HTTP_STOP_GRACE_MS);
    await closing;
    clearTimeout(grace);
    parts.httpConnections.refusals.stop();
    parts.writeProbe.stop();
    await running.backups?.stop();
    await stopJobs(parts);
    await parts.leadership.stop();
    await parts.supervision.supervisor.stop();
    // Presses still queued are committed now (alarm stages still queued are resumed at the next start). An ack
    // that does not get out before the broker closes costs the device a retry, acked as a duplicate after the restart.
    await parts.commits.stop();
    await parts.broker.stop();
    await parts.registry.presence.stop();
    parts.metrics.stop();
    parts.bus.removeAll();
    parts.dispatch.stop();
    // Waits for a port transaction still open, then closes the connection.
    await parts.sql.close();
    this.releaseDataDir();
    this.logger.info("Anxin hub stopped");
  }

  private releaseDataDir(): void {
    this.dataDirLock?.release();
    this.dataDirLock = null;
  }

  private require(): Running {
    if (!this.running) throw new Error("hub is not running");
    return this.running;
  }
}

/** The certificate files the config names, when a TLS listener needs them; null without TLS. */
function tlsCredentials(config: HubConfig, logger: Logger): TlsCredentials | null {
  if (config.mqttTlsPort === null && config.httpsPort === null) return null;
  if (config.tlsCert === null || config.tlsKey === null) throw new Error("TLS ports set without ANXIN_TLS_CERT/KEY");
  return new TlsCredentials(
    { cert: config.tlsCert, key: config.tlsKey, clientCa: config.mqttClientCa },
    logger.child({ part: "tls" }),
  );
}

/**
 * The background jobs, started when this hub leads them. The pipeline's retry first: the watchers after
 * it carry on from what it resumes.
 */
function startJobs(parts: HubParts): void {
  parts.pipeline.start();
  // After the pipeline: offers that expired while no hub led are passed on at once.
  parts.offerWatcher.start();
  // Also after the pipeline: a relatives' wave that fell due meanwhile goes out at once.
  parts.relatives.watcher.start();
  // Also after the pipeline: family updates of steps recorded just before a stop or a crash go out at once.
  parts.family.watcher.start();
  // Also after the pipeline: deadlines missed meanwhile escalate at once.
  parts.lifecycle.watcher.start();
  // After the pipeline too: it scans at once, so devices that went silent meanwhile are noticed.
  parts.supervision.supervisor.startScans();
  parts.sender.start();
}

/** Stops what `startJobs` started (each stop is safe when its job never started). */
async function stopJobs(parts: HubParts): Promise<void> {
  await parts.offerWatcher.stop();
  parts.relatives.watcher.stop();
  await parts.family.watcher.stop();
  parts.lifecycle.watcher.stop();
  await parts.supervision.supervisor.stopScans();
  await parts.sender.stop();
  parts.pipeline.stop();
}
