/** Assembles the HTTP app from the hub's parts (fastify `buildApp`, not listening yet). */
import type { FastifyInstance } from "fastify";
import { AlarmPlacement } from "./alarms/alarm-placement.ts";
import { AlarmResident } from "./alarms/alarm-resident.ts";
import { AlarmHistory } from "./alarms/history-query.ts";
import { AuditLog } from "./audit/audit-log.ts";
import { SessionService } from "./auth/session-service.ts";
import type { HubConfig } from "./config.ts";
import { DispatchRepository } from "./dispatch/dispatch-repo.ts";
import { WorkerActions } from "./dispatch/worker-actions.ts";
import { healthReporter } from "./health-report.ts";
import { buildApp } from "./http/app.ts";
import type { HubParts } from "./hub-parts.ts";
import { KpiService } from "./kpi/kpi-service.ts";
import { MapViews } from "./map/map-views.ts";
import type { TlsMaterial } from "./net/tls-material.ts";
import { twilioAccountOptions } from "./notify/twilio-account.ts";
import { TwilioRecordings } from "./notify/twilio-recordings.ts";
import { createRegistryServices } from "./registry/registry-services.ts";
import type { VoiceSimAccount } from "./voice/voice-sim-account.ts";

/**
 * Time a new HTTPS connection has for its TLS handshake (Node's default is 2 minutes): a connection that
 * never completes one holds a place under the HTTP connection caps only this long.
 */
const HTTPS_HANDSHAKE_TIMEOUT_MS = 10_000;

export async function buildHubApp(
  parts: HubParts,
  config: HubConfig,
  options: {
    dashboardDir: string | null;
    startedAt: number;
    sessionCheckMs?: number;
    /** Without Twilio: the local key `npm run sim -- call` signs webhooks with (hub/voice/voice-sim-account.ts). */
    voiceSim?: VoiceSimAccount | null;
    /** The certificate read at start: the app serves HTTPS with it when ANXIN_HTTPS_PORT is set. */
    tls?: TlsMaterial | null;
  },
): Promise<FastifyInstance> {
  const { sql, users, logger } = parts;
  const twilioAccount = twilioAccountOptions(config);
  const https =
    config.httpsPort !== null && options.tls
      ? { cert: options.tls.cert, key: options.tls.key, handshakeTimeoutMs: HTTPS_HANDSHAKE_TIMEOUT_MS }
      : null;
  return buildApp({
    https,
    logger,
    sessions: new SessionService({ users, bus: parts.bus }, { ttlHours: config.sessionTtlHours }),
    accounts: parts.accounts,
    alarmService: parts.alarmService,
    lifecycle: parts.lifecycle.service,
    consoleCalls: {
      calls: parts.consoleCalls,
      recordings: twilioAccount ? new TwilioRecordings(twilioAccount) : null,
    },
    placement: new AlarmPlacement({
      sql,
      alarms: parts.alarms,
      registry: parts.registry,
      users,
      stages: parts.pipeline,
      bus: parts.bus,
      clock: parts.clock,
    }),
    views: parts.views,
    alarmResidents: new AlarmResident(sql, users),
    alarms: parts.alarms,
    bus: parts.bus,
    commits: sql,
    cluster: parts.cluster,
    dashboardDir: options.dashboardDir,
    ...(options.sessionCheckMs === undefined ? {} : { sessionCheckMs: options.sessionCheckMs }),
    consolePush: { coalesceMs: config.consolePushMs, maxBufferedBytes: config.consoleMaxBufferKb * 1024 },
    settings: {
      loginRateLimitPerMinute: config.loginRateLimitPerMinute,
      publicUrl: config.publicUrl,
      timeZone: config.timeZone,
      allowedOrigins: config.allowedOrigins,
      mapTileUrl: config.mapTileUrl,
      hstsMaxAgeS: config.hstsMaxAgeS,
    },
    dispatch: { service: parts.dispatch, workerActions: new WorkerActions(parts.dispatch), views: parts.dispatchViews },
    registry: createRegistryServices({ sql, users, bus: parts.bus, presence: parts.registry.presence }),
    supervision: { views: parts.supervision.views, tests: parts.supervision.tests },
    kpi: { kpi: new KpiService(parts.sql, config.timeZone) },
    records: {
      history: new AlarmHistory(parts.sql, config.timeZone),
      audit: new AuditLog(parts.sql, config.timeZone),
      users,
    },
    serviceRequests: { service: parts.serviceRequests.service, views: parts.serviceRequests.views },
    twilio: {
      ...parts.relatives.webhooks,
      account: parts.relatives.webhooks.account ?? options.voiceSim ?? null,
      calls: parts.voice,
      consoleCalls: parts.consoleCalls,
    },
    family: { page: parts.family.page, logger: logger.child({ part: "family-page" }) },
    consoleDeadlines: {
      ackS: config.ackDeadlineS,
      arrivalS: config.arrivalDeadlineS,
      resolutionS: config.resolutionDeadlineS,
    },
    map: new MapViews(
      { sql: parts.sql, dispatch: new DispatchRepository(parts.sql, parts.busy) },
      { tileUrl: config.mapTileUrl },
    ),
    health: { report: healthReporter(parts, options.startedAt) },
    metrics: {
      metrics: parts.metrics,
      token: config.metricsToken,
      refusals: parts.httpConnections.refusals,
      countConsoles: (count) => parts.metrics.countConsoles(count),
    },
  });
}
