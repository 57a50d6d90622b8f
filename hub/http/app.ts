/**
 * The HTTP side of the hub, fastify style: `buildApp(deps)` returns the app
 * without listening, each resource is an encapsulated plugin, and tests use
 * `inject()`. Every route except login, health, docs, Twilio's signed
 * webhooks, the families' token pages (`/f/<token>`), the static console and
 * the metrics (a bearer token or loopback: metrics-routes.ts) needs a session.
 */
import cookie from "@fastify/cookie";
import rateLimit from "@fastify/rate-limit";
import fastifyStatic from "@fastify/static";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import websocket from "@fastify/websocket";
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from "fastify";
import type { Logger } from "pino";
import type { AccountService } from "../accounts/account-service.ts";
import { AlarmNotes } from "../alarms/alarm-notes.ts";
import type { AlarmPlacement } from "../alarms/alarm-placement.ts";
import type { AlarmResident } from "../alarms/alarm-resident.ts";
import type { AlarmService } from "../alarms/alarm-service.ts";
import type { AlarmViews } from "../alarms/alarm-views.ts";
import type { LifecycleService } from "../alarms/lifecycle-service.ts";
import type { SessionService } from "../auth/session-service.ts";
import { isAnxinError } from "../errors.ts";
import type { EventBus } from "../events.ts";
import type { MapViews } from "../map/map-views.ts";
import type { ClusterFeed } from "../realtime/cluster-feed.ts";
import type { RegistryServices } from "../registry/registry-services.ts";
import type { AlarmRepository } from "../storage/alarm-repo.ts";
import type { SqlDatabase } from "../storage/sql/sql-port.ts";
import type { ConsolePushSettings } from "./console-push.ts";
import { recordRouteReplies } from "./route-replies.ts";
import { alarmNoteRoutes } from "./routes/alarm-note-routes.ts";
import { alarmPlacementRoutes } from "./routes/alarm-placement-routes.ts";
import { alarmResidentRoutes } from "./routes/alarm-resident-routes.ts";
import { alarmRoutes } from "./routes/alarm-routes.ts";
import { type AuditRoutesOptions, auditRoutes } from "./routes/audit-routes.ts";
import { authRoutes } from "./routes/auth-routes.ts";
import { type ConsoleCallRoutesOptions, consoleCallRoutes } from "./routes/console-call-routes.ts";
import { type ConsoleDeadlines, consoleRoutes } from "./routes/console-routes.ts";
import { type DeviceSupervisionRoutesOptions, deviceSupervisionRoutes } from "./routes/device-supervision-routes.ts";
import { type DispatchHttpDeps, dispatchRoutes } from "./routes/dispatch-routes.ts";
import { type FamilyRoutesOptions, familyRoutes } from "./routes/family-routes.ts";
import { type HealthProbe, healthRoutes } from "./routes/health-routes.ts";
import { type HistoryRoutesOptions, historyRoutes } from "./routes/history-routes.ts";
import { type KpiRoutesOptions, kpiRoutes } from "./routes/kpi-routes.ts";
import { lifecycleRoutes } from "./routes/lifecycle-routes.ts";
import { LEAFLET_DIST, mapRoutes } from "./routes/map-routes.ts";
import { type MetricsRoutesOptions, metricsRoutes } from "./routes/metrics-routes.ts";
import { passwordRoutes } from "./routes/password-routes.ts";
import { realtimeRoutes } from "./routes/realtime-routes.ts";
import { registryRoutes } from "./routes/registry-routes.ts";
import { type ServiceRequestRoutesOptions, serviceRequestRoutes } from "./routes/service-request-routes.ts";
import { type TwilioWebhookOptions, twilioRoutes } from "./routes/twilio-routes.ts";
import { userRoutes } from "./routes/user-routes.ts";
import { workerRoutes } from "./routes/worker-routes.ts";
import { API_DOCS_CSP, registerOriginCheck, registerSecurity } from "./security.ts";

export interface AppDeps {
  /** How often each live console's session is looked up again (default 2 s); tests lengthen it. */
  sessionCheckMs?: number;
  /** The consoles' push window and slow-console bound (hub/http/console-push.ts; ANXIN_CONSOLE_*). */
  consolePush?: ConsolePushSettings;
  logger: Logger;
  sessions: SessionService;
  /** Staff accounts (`/api/users`, admin only) and everyone's own password (`/api/auth/password`). */
  accounts: AccountService;
  alarmService: AlarmService;
  /** Cancel, follow-up and the overdue list (`/api/alarms`). */
  lifecycle: LifecycleService;
  /** Placing an unlocated alarm by hand (`/api/alarms/:id/place`). */
  placement: AlarmPlacement;
  /** Calling back from the console (`/api/alarms/:id/calls`). */
  consoleCalls: Omit<ConsoleCallRoutesOptions, "sessions">;
  views: AlarmViews;
  /** The resident card's health data, key holder and access notes (`/api/alarms/:id/resident`, audited). */
  alarmResidents: AlarmResident;
  alarms: AlarmRepository;
  bus: EventBus;
  /** Changes are pushed to consoles once their transaction committed (the storage port's `afterCommit`). */
  commits: Pick<SqlDatabase, "afterCommit">;
  /** The consoles' changes to and from the other hubs (hub/realtime/cluster-feed.ts). */
  cluster: ClusterFeed;
  health: HealthProbe;
  /**
   * `GET /metrics` for Prometheus (bearer token or loopback), and the live consoles' count it reports;
   * unset (tests of single parts): no such route.
   */
  metrics?: MetricsRoutesOptions & { countConsoles(count: () => number): void };
  /** Folder of the operator console's static files; none means no console is served. */
  dashboardDir: string | null;
  settings: {
    loginRateLimitPerMinute: number;
    publicUrl: string;
    /** The command center's IANA zone (ANXIN_TIME_ZONE): consoles show times and count days in it, not the browser's. */
    timeZone: string;
    /** More origins the console may be served from (ANXIN_ALLOWED_ORIGINS). */
    allowedOrigins?: readonly string[];
    /** The map's tile server, which the Content-Security-Policy lets images come from. */
    mapTileUrl?: string | null;
    /** With HTTPS: Strict-Transport-Security's max-age; 0 or unset: not sent. */
    hstsMaxAgeS?: number;
  };
  /**
   * The app serves HTTPS with this certificate (ANXIN_HTTPS_PORT; the hub swaps it on SIGHUP through
   * `app.server`, a `tls.Server`); null or unset: plain HTTP.
   */
  https?: { cert: Buffer; key: Buffer; handshakeTimeoutMs: number } | null;
  dispatch: DispatchHttpDeps;
  registry: RegistryServices;
  /** Twilio's webhooks (replies, status callbacks): signed by Twilio, no session. */
  twilio: TwilioWebhookOptions;
  /** Relatives' status pages (`/f/<token>`): the token from their SMS, no session. */
  family: FamilyRoutesOptions;
  /** Device faults, health and drills (`/api/devices`). */
  supervision: Omit<DeviceSupervisionRoutesOptions, "sessions">;
  /** KPIs (`/api/kpi`, `/api/kpi.csv`). */
  kpi: Omit<KpiRoutesOptions, "sessions">;
  /** Alarm history (`/api/alarms/history`, `.csv`) and the audit log (`/api/audit`, `.csv`). */
  records: Omit<HistoryRoutesOptions, "sessions"> & Omit<AuditRoutesOptions, "sessions">;
  /** Service requests (`/api/service-requests`, `/api/worker/service-requests`). */
  serviceRequests: Omit<ServiceRequestRoutesOptions, "sessions">;
  /** The console map's layers (`/api/map`). */
  map: MapViews;
  /** The lifecycle deadlines the console counts down to (`/api/console/settings`); unset in tests that need no console. */
  consoleDeadlines?: ConsoleDeadlines;
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  // Fastify's logger type is pino's base interface; the hub's pino logger satisfies it at run time.
  const loggerInstance = deps.logger as unknown as FastifyBaseLogger;
  const options = { loggerInstance, logController: new LogController({ disableRequestLogging: true }) };
  const { https } = deps;
  // Over HTTPS the routes are the same; only the server differs (an https.Server, typed here as the plain one).
  const app = (
    https
      ? (Fastify({
          ...options,
          https: { cert: https.cert, key: https.key, handshakeTimeout: https.handshakeTimeoutMs },
        }) as unknown as FastifyInstance)
      : Fastify(options)
  ).withTypeProvider<TypeBoxTypeProvider>();
  app.decorateRequest("user", null);
  recordRouteReplies(app);
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send({ code: "NOT_FOUND", message: `no route ${request.method} ${request.url}` });
  });

  await registerSecurity(app, deps.settings);
  await app.register(cookie);
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_request, context) => ({
      statusCode: context.statusCode,
      code: "RATE_LIMITED",
      message: `too many attempts; try again in ${Math.ceil(context.ttl / 1000)} s`,
    }),
  });
  await app.register(swagger, {
    openapi: {
      info: {
        title: "Anxin hub API",
        description: "One-touch emergency call system: operators' API",
        version: "0.1.0",
      },
      components: { securitySchemes: { session: { type: "apiKey", in: "cookie", name: "anxin_session" } } },
      security: [{ session: [] }],
    },
  });
  await app.register(swaggerUi, {
    routePrefix: "/docs",
    // Swagger UI sets inline styles; only its pages get 'unsafe-inline' styles (scripts stay 'self' only).
    uiHooks: {
      onRequest: async (_request, reply) => {
        reply.header("content-security-policy", API_DOCS_CSP);
      },
    },
  });
  await app.register(websocket);
  registerOriginCheck(app, deps.settings);

  await app.register(healthRoutes, { health: deps.health });
  const metrics = deps.metrics;
  if (metrics) await app.register(metricsRoutes, metrics);
  await app.register(authRoutes, {
    prefix: "/api/auth",
    sessions: deps.sessions,
    loginRateLimitPerMinute: deps.settings.loginRateLimitPerMinute,
    secureCookies: deps.settings.publicUrl.startsWith("https:"),
    timeZone: deps.settings.timeZone,
  });
  await app.register(passwordRoutes, {
    prefix: "/api/auth",
    sessions: deps.sessions,
    accounts: deps.accounts,
    rateLimitPerMinute: deps.settings.loginRateLimitPerMinute,
  });
  await app.register(userRoutes, { prefix: "/api/users", sessions: deps.sessions, accounts: deps.accounts });
  await app.register(alarmRoutes, {
    prefix: "/api/alarms",
    sessions: deps.sessions,
    service: deps.alarmService,
    views: deps.views,
    alarms: deps.alarms,
  });
  await app.register(alarmResidentRoutes, {
    prefix: "/api/alarms",
    sessions: deps.sessions,
    residents: deps.alarmResidents,
  });
  await app.register(lifecycleRoutes, {
    prefix: "/api/alarms",
    sessions: deps.sessions,
    lifecycle: deps.lifecycle,
    views: deps.views,
  });
  await app.register(consoleCallRoutes, { prefix: "/api/alarms", sessions: deps.sessions, ...deps.consoleCalls });
  await app.register(alarmPlacementRoutes, {
    prefix: "/api/alarms",
    sessions: deps.sessions,
    placement: deps.placement,
    views: deps.views,
  });
  // Notes need only the repository and the bus, so they are built here rather than passed in.
  await app.register(alarmNoteRoutes, {
    prefix: "/api/alarms",
    sessions: deps.sessions,
    notes: new AlarmNotes(deps.alarms, deps.bus),
    views: deps.views,
  });
  await app.register(dispatchRoutes, {
    prefix: "/api/alarms",
    sessions: deps.sessions,
    ...deps.dispatch,
    alarmService: deps.alarmService,
    alarmViews: deps.views,
  });
  await app.register(registryRoutes, { prefix: "/api/registry", sessions: deps.sessions, services: deps.registry });
  await app.register(workerRoutes, {
    prefix: "/api/worker",
    sessions: deps.sessions,
    timeZone: deps.settings.timeZone,
    ...deps.dispatch,
  });
  await app.register(twilioRoutes, { prefix: "/api/twilio", ...deps.twilio });
  await app.register(familyRoutes, deps.family);
  await app.register(deviceSupervisionRoutes, { prefix: "/api/devices", sessions: deps.sessions, ...deps.supervision });
  await app.register(kpiRoutes, { prefix: "/api", sessions: deps.sessions, ...deps.kpi });
  await app.register(historyRoutes, { prefix: "/api/alarms", sessions: deps.sessions, ...deps.records });
  await app.register(auditRoutes, { prefix: "/api", sessions: deps.sessions, ...deps.records });
  await app.register(serviceRequestRoutes, { prefix: "/api", sessions: deps.sessions, ...deps.serviceRequests });
  await app.register(mapRoutes, { prefix: "/api", sessions: deps.sessions, map: deps.map });
  if (deps.consoleDeadlines)
    await app.register(consoleRoutes, {
      prefix: "/api/console",
      sessions: deps.sessions,
      deadlines: deps.consoleDeadlines,
    });
  await app.register(realtimeRoutes, {
    prefix: "/api/realtime",
    sessions: deps.sessions,
    bus: deps.bus,
    commits: deps.commits,
    cluster: deps.cluster,
    views: deps.views,
    logger: deps.logger.child({ part: "console-push" }),
    ...(deps.sessionCheckMs === undefined ? {} : { sessionCheckMs: deps.sessionCheckMs }),
    ...(deps.consolePush === undefined ? {} : { push: deps.consolePush }),
    ...(metrics === undefined ? {} : { countConsoles: (count: () => number) => metrics.countConsoles(count) }),
  });
  if (deps.dashboardDir) {
    // Leaflet for the console's map, from node_modules: nothing is fetched from a CDN at run time.
    await app.register(fastifyStatic, { root: LEAFLET_DIST, prefix: "/vendor/leaflet/", decorateReply: false });
    await app.register(fastifyStatic, { root: deps.dashboardDir, prefix: "/", index: ["index.html"] });
  }
  return app;
}

/** Exported so a test that assembles one plugin on its own answers errors exactly as the hub does. */
export function errorHandler(this: FastifyInstance, error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  if (isAnxinError(error)) {
    return reply.code(error.httpStatus).send({ code: error.code, message: error.message });
  }
  if (error.validation) {
    const errors = error.validation.map((v) => ({
      field: `${error.validationContext ?? "body"}${v.instancePath || ""}`.replace(/\//g, "."),
      message: v.message ?? "is invalid",
    }));
    return reply.code(400).send({
      code: "VALIDATION_FAILED",
      message: errors.map((e) => `${e.field}: ${e.message}`).join("; "),
      errors,
    });
  }
  if (error.statusCode === 415) {
    request.log.info(
      {
        code: "UNSUPPORTED_MEDIA_TYPE",
        contentType: String(request.headers["content-type"] ?? "").slice(0, 128),
        url: request.url.slice(0, 128),
      },
      "refused a body that is not JSON",
    );
    return reply.code(415).send({ code: "UNSUPPORTED_MEDIA_TYPE", message: "send the body as application/json" });
  }
  const status = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
  if (status >= 500) this.log.error({ err: error, url: request.url, method: request.method }, "request failed");
  return reply
    .code(status)
    .send({ code: error.code ?? (status === 429 ? "RATE_LIMITED" : "INTERNAL"), message: error.message });
}
