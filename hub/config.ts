/**
 * The hub's one configuration schema. It is read from the environment once at
 * boot, validated as a whole, and every problem is reported together, so an
 * operator fixes a broken deployment in one pass rather than one error per start.
 */
import path from "node:path";
import Type, { type Static } from "typebox";
import Compile from "typebox/compile";
import { passwordProblem } from "./accounts/password-policy.ts";
import { ENV_SETTING_LIST, type EnvSetting } from "./config-settings.ts";
import { defaultPublicUrl, resolveTlsFiles, TLS_CONFIG_PROPERTIES, tlsConfigProblems } from "./config-tls.ts";
import { AnxinError } from "./errors.ts";
import { databaseUrlProblem } from "./storage/sql/database-url.ts";

export { ENV_SETTINGS } from "./config-settings.ts";

const Port = Type.Integer({ minimum: 0, maximum: 65535 });

export const HubConfigSchema = Type.Object({
  httpPort: Port,
  httpHost: Type.String({ minLength: 1 }),
  /** Plain MQTT's port; null (`off`): devices connect over TLS only. */
  mqttPort: Type.Union([Port, Type.Null()]),
  mqttHost: Type.String({ minLength: 1 }),
  /** Largest MQTT packet a client may send (the fixed header's declared length), checked before it is buffered. */
  mqttMaxPacketBytes: Type.Integer({ minimum: 512, maximum: 1024 * 1024 }),
  /** Most MQTT connections at once; the hub lowers it further to keep file descriptors for HTTP (hub/net/fd-limits.ts). */
  mqttMaxConnections: Type.Integer({ minimum: 1 }),
  /** Most HTTP connections at once (consoles, workers' phones, webhooks); lowered with a small descriptor limit. */
  httpMaxConnections: Type.Integer({ minimum: 8 }),
  /** Most HTTP connections from one address (IPv6: one /64) at once. */
  httpConnectionsPerAddress: Type.Integer({ minimum: 4 }),
  /** Most connections from one address (IPv6: one /64) that have not logged in yet. */
  mqttPendingPerAddress: Type.Integer({ minimum: 1 }),
  /** Time a new connection has to deliver its CONNECT. */
  mqttConnectTimeoutMs: Type.Integer({ minimum: 200, maximum: 60_000 }),
  /** Failed MQTT logins per address or username before each further one must wait, doubling from 1 s to 15 min. */
  mqttLoginFailures: Type.Integer({ minimum: 1 }),
  /** MQTT over TLS, HTTPS, the certificate and devices' client certificates (config-tls.ts). */
  ...TLS_CONFIG_PROPERTIES,
  dataDir: Type.String({ minLength: 1 }),
  /** PostgreSQL's URL (`ANXIN_DATABASE_URL`); null: the SQLite file in `dataDir`, the embedded default. */
  databaseUrl: Type.Union([Type.String(), Type.Null()]),
  /** Where the hub writes its scheduled backups of the SQLite database (hub/backup/scheduled-backups.ts); null: none. */
  backupDir: Type.Union([Type.String({ minLength: 1 }), Type.Null()]),
  /** A scheduled backup is taken once the newest one in `backupDir` is this many hours old. */
  backupEveryH: Type.Number({ exclusiveMinimum: 0, maximum: 24 * 365 }),
  /** Scheduled backups kept in `backupDir`; the older ones are removed after each new one. */
  backupKeep: Type.Integer({ minimum: 1, maximum: 10_000 }),
  /** Redis's URL (`ANXIN_REDIS_URL`): the brokers of hubs sharing it are one MQTT service; null: one hub alone. */
  redisUrl: Type.Union([Type.String(), Type.Null()]),
  /** With Redis, Aedes' `heartbeatInterval`: a hub silent for three of these is dead (its devices' Wills go out). */
  brokerHeartbeatMs: Type.Integer({ minimum: 200, maximum: 60_000 }),
  publicUrl: Type.String({ pattern: "^https?://" }),
  /** Further origins (scheme://host[:port]) a console may be served from; see hub/http/security.ts. */
  allowedOrigins: Type.Array(Type.String({ pattern: "^https?://[^/\\s]+$" }), { maxItems: 50 }),
  /** IANA zone for times in SMS and logs meant for people. */
  timeZone: Type.String({ minLength: 1 }),
  smsLanguage: Type.Union([Type.Literal("zh-CN"), Type.Literal("en")]),
  logLevel: Type.Enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]),
  /** `auto`: readable at a terminal, JSON lines when piped or under CI (hub/log.ts). */
  logFormat: Type.Enum(["auto", "json", "pretty"]),
  /** The first administrator's own password, held to the password policy in loadConfig (never echoed). */
  adminPassword: Type.Union([Type.String(), Type.Null()]),
  seedDemo: Type.Boolean(),
  sessionTtlHours: Type.Number({ exclusiveMinimum: 0, maximum: 24 * 30 }),
  loginRateLimitPerMinute: Type.Integer({ minimum: 1 }),
  /** How often the hub retries an alarm whose post-storage stages failed. */
  pipelineRetryMs: Type.Integer({ minimum: 100 }),
  /** Group commit (hub/storage/group-commit.ts): most presses and alarm-stage runs in one transaction. */
  commitMaxBatch: Type.Integer({ minimum: 1, maximum: 10_000 }),
  /** Group commit: once a batch's work has run this long it commits, so a press waits at most about this behind it. */
  commitMaxBatchMs: Type.Integer({ minimum: 1, maximum: 1000 }),
  /** Group commit: 0 commits at the end of the current event-loop turn; more waits up to this to gather more. */
  commitMaxWaitMs: Type.Integer({ minimum: 0, maximum: 1000 }),
  /** Presses in the pipeline at once; past it the broker stops reading from the devices that send more. */
  intakeMaxPending: Type.Integer({ minimum: 1, maximum: 100_000 }),
  outboxPollMs: Type.Integer({ minimum: 10 }),
  /** How often the hub commits a tiny write to prove its database still takes them (`/health`, console warning). */
  healthProbeS: Type.Integer({ minimum: 1, maximum: 300 }),
  /**
   * The bearer token `GET /metrics` asks for (`ANXIN_METRICS_TOKEN`); null: only loopback may scrape
   * (hub/http/routes/metrics-routes.ts). Its length is checked in loadConfig, which never quotes it.
   */
  metricsToken: Type.Union([Type.String(), Type.Null()]),
  /** At most one push to the consoles per this many ms; changes meanwhile go together (0: every tick). */
  consolePushMs: Type.Integer({ minimum: 0, maximum: 1000 }),
  /** A console with more unsent push data than this (KiB) is closed so it reloads. */
  consoleMaxBufferKb: Type.Integer({ minimum: 64, maximum: 1024 * 1024 }),
  outboxMaxBackoffMs: Type.Integer({ minimum: 100 }),
  /**
   * Requests per second the outbox sends to the provider (SMS, calls, hang-ups): a token bucket, slowed by 429s and
   * recovering. Twilio sends each sender's messages at its own rate (10 segments/s for a number or sender ID to China)
   * and queues the rest in arrival order, so sending faster than that only moves the queue to Twilio, where the
   * hub's priorities (first contacts before later waves and updates) no longer apply.
   */
  outboxRatePerS: Type.Number({ exclusiveMinimum: 0, maximum: 10_000 }),
  /** Requests in flight at once; Twilio answers 429 (20429) past an account's limit of concurrent requests. */
  outboxConcurrency: Type.Integer({ minimum: 1, maximum: 100 }),
  /**
   * How long one Twilio request may go unanswered. A request that did is retried with the same idempotency
   * token, so Twilio answers with the original message or call instead of sending it again.
   */
  twilioTimeoutMs: Type.Integer({ minimum: 200, maximum: 120_000 }),
  /** OSRM base URL; when set, the nearest workers by distance are re-ranked by travel time. */
  routingUrl: Type.Union([Type.String({ pattern: "^https?://" }), Type.Null()]),
  routingProfile: Type.String({ pattern: "^[a-z][a-z0-9_-]*$" }),
  /** How many of the nearest free workers (by distance) OSRM is asked about. */
  routingCandidates: Type.Integer({ minimum: 1, maximum: 100 }),
  routingTimeoutMs: Type.Integer({ minimum: 100 }),
  /** Leaflet tile URL template for the console map; null: vector layers on a plain background (offline). */
  mapTileUrl: Type.Union([Type.String({ pattern: "^https?://" }), Type.Null()]),
  /** An own-grid worker goes first when at most this much farther than the nearest free worker. */
  gridPreferenceM: Type.Number({ minimum: 0 }),
  /** How long a worker has to accept an offer before the next one is asked. */
  acceptTimeoutS: Type.Integer({ minimum: 5 }),
  dispatchRankingSize: Type.Integer({ minimum: 1, maximum: 20 }),
  /** Local "HH:MM-HH:MM" daytime; outside it a clinic must offer 24h or emergency care. */
  clinicDayHours: Type.String({ pattern: "^([01]\\d|2[0-3]):[0-5]\\d-([01]\\d|2[0-3]):[0-5]\\d$" }),
  /** Relatives texted at once for an SOS; each later wave texts this many more. */
  relativesFirstWave: Type.Integer({ minimum: 1, maximum: 20 }),
  /** How long the texted relatives have to confirm (reply to the SMS) before the next ones are contacted. */
  relativeConfirmS: Type.Integer({ minimum: 10 }),
  /** The interval at which devices send heartbeats; silence for 3 intervals is a device fault. */
  heartbeatIntervalS: Type.Integer({ minimum: 1, maximum: 3600 }),
  /** A battery at or below this level (from a heartbeat or a press) raises a low-battery fault. */
  lowBatteryPercent: Type.Integer({ minimum: 0, maximum: 100 }),
  /** Every device is asked to make a test press once per this many hours, spread over it; 0 = never. */
  testAlarmIntervalH: Type.Number({ minimum: 0, maximum: 24 * 365 }),
  /** Time a device has to make its requested test press before it gets a `test_failed` fault. */
  testAlarmDeadlineS: Type.Integer({ minimum: 1 }),
  /** A resident's cancel press within this many seconds of the alarm cancels it; later, the operator decides. */
  cancelWindowS: Type.Integer({ minimum: 0 }),
  /** Lifecycle deadlines (seconds after the alarm is received); a missed one escalates. */
  ackDeadlineS: Type.Integer({ minimum: 1 }),
  /** Repeat the acknowledgement re-alert this often while nobody acknowledges (0: once only). */
  ackRealertS: Type.Integer({ minimum: 0 }),
  arrivalDeadlineS: Type.Integer({ minimum: 1 }),
  resolutionDeadlineS: Type.Integer({ minimum: 1 }),
  /** Days after resolution a follow-up visit is due unless planned otherwise. */
  followUpDays: Type.Number({ exclusiveMinimum: 0 }),
  /** Texted relatives get short SMS at the steps that matter (worker on the way, arrived, closed); each relative can also be switched off. */
  familyUpdates: Type.Boolean(),
  /** Hours a relative's family status link keeps working after the alarm is closed. */
  familyLinkGraceH: Type.Number({ minimum: 0, maximum: 24 * 30 }),
  /** The command center's phone number, as families dial it (on the family page and in the closing SMS); null: not shown. */
  centerPhone: Type.Union([Type.String({ pattern: "^\\+?[0-9][0-9 -]{2,19}$" }), Type.Null()]),
  /** Seconds a call to the center rings the operators on duty, and then the supervisors (hub/voice/inbound-call-router.ts). */
  callRingS: Type.Integer({ minimum: 5, maximum: 120 }),
  /** Record the calls operators place from the console (hub/voice/console-calls.ts). */
  callRecording: Type.Boolean(),
  supervisorPhone: Type.Union([Type.String({ pattern: "^\\+[1-9]\\d{1,14}$" }), Type.Null()]),
  streetSupervisorPhone: Type.Union([Type.String({ pattern: "^\\+[1-9]\\d{1,14}$" }), Type.Null()]),
  twilio: Type.Union([
    Type.Null(),
    Type.Object({
      accountSid: Type.String({ pattern: "^AC[0-9a-fA-F]{32}$" }),
      authToken: Type.String({ minLength: 8 }),
      from: Type.String({ pattern: "^\\+[1-9]\\d{1,14}$" }),
      apiBaseUrl: Type.Union([Type.String({ pattern: "^https?://" }), Type.Null()]),
    }),
  ]),
});
export type HubConfig = Static<typeof HubConfigSchema>;

/** The settings, each checked to set a key of the config (config-settings.ts cannot name `HubConfig`). */
const SETTINGS: readonly (EnvSetting & { key: keyof HubConfig })[] = ENV_SETTING_LIST;

const validateConfig = Compile(HubConfigSchema);

/** A scrape token shorter than this could be guessed; `openssl rand -hex 32` gives 64 characters. */
export const METRICS_TOKEN_MIN_LENGTH = 32;

export const TWILIO_ENV = ["TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM"] as const;

/**
 * Builds and validates the config from an environment. Throws one
 * `CONFIG_INVALID` error listing every problem (`details.problems`).
 */
export function loadConfig(env: NodeJS.ProcessEnv, cwd = process.cwd()): HubConfig {
  const problems: string[] = [];
  const raw: Record<string, unknown> = {};
  for (const setting of SETTINGS) {
    const text = env[setting.env] ?? setting.fallback;
    raw[setting.key] = parseSetting(setting, text, problems);
  }
  raw.dataDir = path.resolve(cwd, String(raw.dataDir));
  if (typeof raw.backupDir === "string") raw.backupDir = path.resolve(cwd, raw.backupDir);
  if (raw.backupDir && raw.databaseUrl) {
    problems.push(
      "ANXIN_BACKUP_DIR: scheduled backups copy the SQLite database, and this hub uses PostgreSQL (ANXIN_DATABASE_URL): back that up with pg_dump (docs/operations.md)",
    );
  }
  resolveTlsFiles(raw, cwd);
  const publicUrlSet = raw.publicUrl != null;
  raw.publicUrl ??= defaultPublicUrl(raw);
  problems.push(...tlsConfigProblems(raw, publicUrlSet));
  raw.twilio = readTwilio(env, problems);
  // The policy, not the schema: a schema problem is reported with the value, and this value is a password.
  const adminProblem = typeof raw.adminPassword === "string" ? passwordProblem(raw.adminPassword) : null;
  if (adminProblem) problems.push(`ANXIN_ADMIN_PASSWORD: ${adminProblem}`);
  // Checked here, not by the schema: its problems would quote the value, and the URL holds a password.
  const databaseProblem = typeof raw.databaseUrl === "string" ? databaseUrlProblem(raw.databaseUrl) : null;
  if (databaseProblem) problems.push(`ANXIN_DATABASE_URL: ${databaseProblem}`);
  // Checked here, not by the schema: its problems would quote the value, and this value is a secret.
  if (typeof raw.metricsToken === "string" && raw.metricsToken.length < METRICS_TOKEN_MIN_LENGTH) {
    problems.push(
      `ANXIN_METRICS_TOKEN: must be at least ${METRICS_TOKEN_MIN_LENGTH} characters (e.g. \`openssl rand -hex 32\`)`,
    );
  } else if (typeof raw.metricsToken === "string" && /\s/.test(raw.metricsToken)) {
    // A bearer token is one word: a scrape could never send this one.
    problems.push("ANXIN_METRICS_TOKEN: must not contain spaces or line breaks");
  }
  const redisProblem = typeof raw.redisUrl === "string" ? redisUrlProblem(raw.redisUrl) : null;
  if (redisProblem) problems.push(`ANXIN_REDIS_URL: ${redisProblem}`);
  if (typeof raw.timeZone === "string" && !isTimeZone(raw.timeZone)) {
    problems.push(`ANXIN_TIME_ZONE: not an IANA time zone (got ${JSON.stringify(raw.timeZone)})`);
  }

  if (!validateConfig.Check(raw)) {
    for (const error of validateConfig.Errors(raw)) {
      const key = error.instancePath.split("/")[1] ?? "";
      const setting = SETTINGS.find((s) => s.key === key);
      const name = setting?.env ?? (key === "twilio" ? "TWILIO_*" : key);
      problems.push(`${name}: ${error.message} (got ${JSON.stringify(readPath(raw, error.instancePath))})`);
    }
  }
  if (problems.length > 0) {
    throw new AnxinError("CONFIG_INVALID", `invalid configuration:\n  - ${problems.join("\n  - ")}`, { problems });
  }
  return raw as HubConfig;
}

/** What is wrong with a Redis URL, in words that never repeat it (it may hold a password); null when it is one. */
function redisUrlProblem(text: string): string | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return "not a URL (redis://[:password@]host:port[/db])";
  }
  if (url.protocol !== "redis:" && url.protocol !== "rediss:") {
    return `must start with redis:// or rediss:// (got ${url.protocol}//…)`;
  }
  if (url.hostname === "") return "needs a host";
  if (url.pathname.length > 1 && !/^\/\d{1,2}$/.test(url.pathname))
    return "the path must be a database number (/0 … /15)";
  return null;
}

function parseSetting(setting: EnvSetting, text: string | null, problems: string[]): unknown {
  if (text === null) return null;
  switch (setting.parse) {
    case "int":
    case "number": {
      const value = Number(text);
      if (text.trim() === "" || Number.isNaN(value)) {
        problems.push(`${setting.env}: must be a number (got ${JSON.stringify(text)})`);
        return undefined;
      }
      return value;
    }
    case "bool":
      if (/^(1|true|yes|on)$/i.test(text)) return true;
      if (/^(0|false|no|off)$/i.test(text)) return false;
      problems.push(`${setting.env}: must be true or false (got ${JSON.stringify(text)})`);
      return undefined;
    case "nullableString":
      return text === "" ? null : text;
    case "portOrOff": {
      if (/^off$/i.test(text.trim())) return null;
      const port = Number(text);
      if (text.trim() === "" || Number.isNaN(port)) {
        problems.push(`${setting.env}: must be a port number or off (got ${JSON.stringify(text)})`);
        return undefined;
      }
      return port;
    }
    case "list":
      return text
        .split(",")
        .map((item) => item.trim().replace(/\/+$/, ""))
        .filter((item) => item !== "");
    default:
      return text;
  }
}

function readTwilio(env: NodeJS.ProcessEnv, problems: string[]): unknown {
  const present = TWILIO_ENV.filter((name) => env[name]);
  if (present.length === 0) return null;
  if (present.length < TWILIO_ENV.length) {
    const missing = TWILIO_ENV.filter((name) => !env[name]);
    problems.push(
      `Twilio is half configured: set all of ${TWILIO_ENV.join(", ")} or none (missing ${missing.join(", ")})`,
    );
    return null;
  }
  return {
    accountSid: env.TWILIO_ACCOUNT_SID,
    authToken: env.TWILIO_AUTH_TOKEN,
    from: env.TWILIO_FROM,
    apiBaseUrl: env.ANXIN_TWILIO_API_BASE || null,
  };
}

function readPath(value: unknown, pointer: string): unknown {
  let current = value;
  for (const part of pointer.split("/").slice(1)) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
