/**
 * Every environment variable the hub reads, in README order: how each becomes a
 * config value, its default, and the line `npm start -- --help` prints for it.
 */
import type { HubConfig } from "./config.ts";

/** Documented environment variables, in README order; `parse` turns the raw text into a config value. */
export interface EnvSetting {
  env: string;
  key: keyof HubConfig;
  fallback: string | null;
  parse: "int" | "number" | "string" | "bool" | "nullableString";
  /** One line for `npm start -- --help`; the README's table says more. */
  help: string;
  /** Never echo its value (`--help` shows only that it is set). */
  secret?: boolean;
}

export const ENV_SETTINGS: readonly EnvSetting[] = [
  { env: "ANXIN_HTTP_PORT", key: "httpPort", fallback: "8080", parse: "int", help: "operator console and API" },
  { env: "ANXIN_HTTP_HOST", key: "httpHost", fallback: "0.0.0.0", parse: "string", help: "interface for HTTP" },
  {
    env: "ANXIN_MQTT_PORT",
    key: "mqttPort",
    fallback: "1883",
    parse: "int",
    help: "MQTT broker for devices and gateways",
  },
  { env: "ANXIN_MQTT_HOST", key: "mqttHost", fallback: "0.0.0.0", parse: "string", help: "interface for MQTT" },
  {
    env: "ANXIN_DATA_DIR",
    key: "dataDir",
    fallback: "data",
    parse: "string",
    help: "SQLite database, demo-devices.json and demo-workers.json",
  },
  {
    env: "ANXIN_PUBLIC_URL",
    key: "publicUrl",
    fallback: null,
    parse: "string",
    help: "base of links in SMS and the URL Twilio calls back (default http://localhost:<port>)",
  },
  {
    env: "ANXIN_TIME_ZONE",
    key: "timeZone",
    fallback: "Asia/Shanghai",
    parse: "string",
    help: "IANA time zone of times written for people",
  },
  {
    env: "ANXIN_SMS_LANGUAGE",
    key: "smsLanguage",
    fallback: "zh-CN",
    parse: "string",
    help: "default SMS language, zh-CN or en (a relative's own language wins)",
  },
  {
    env: "ANXIN_LOG_LEVEL",
    key: "logLevel",
    fallback: "info",
    parse: "string",
    help: "fatal, error, warn, info, debug, trace or silent",
  },
  {
    env: "ANXIN_LOG_FORMAT",
    key: "logFormat",
    fallback: "auto",
    parse: "string",
    help: "auto (readable at a terminal, JSON when piped or under CI), json or pretty",
  },
  {
    env: "ANXIN_ADMIN_PASSWORD",
    key: "adminPassword",
    fallback: null,
    parse: "nullableString",
    secret: true,
    help: "the first administrator's password, used only while there are no users; 12+ characters, not common (default: generated, shown once, changed at first sign-in)",
  },
  {
    env: "ANXIN_SEED_DEMO",
    key: "seedDemo",
    fallback: "true",
    parse: "bool",
    help: "seed the demo district into an empty database",
  },
  {
    env: "ANXIN_SESSION_TTL_HOURS",
    key: "sessionTtlHours",
    fallback: "12",
    parse: "number",
    help: "console session lifetime",
  },
  {
    env: "ANXIN_LOGIN_RATE_LIMIT",
    key: "loginRateLimitPerMinute",
    fallback: "10",
    parse: "int",
    help: "login attempts per minute per address",
  },
  {
    env: "ANXIN_PIPELINE_RETRY_MS",
    key: "pipelineRetryMs",
    fallback: "5000",
    parse: "int",
    help: "retry interval of a stored alarm whose later stage failed",
  },
  {
    env: "ANXIN_OUTBOX_POLL_MS",
    key: "outboxPollMs",
    fallback: "500",
    parse: "int",
    help: "outbox poll interval (new messages wake it at once)",
  },
  {
    env: "ANXIN_OUTBOX_MAX_BACKOFF_MS",
    key: "outboxMaxBackoffMs",
    fallback: "300000",
    parse: "int",
    help: "longest wait between retries of one SMS or call",
  },
  {
    env: "ANXIN_ROUTING_URL",
    key: "routingUrl",
    fallback: null,
    parse: "nullableString",
    help: "OSRM base URL: re-rank the nearest workers by travel time",
  },
  { env: "ANXIN_ROUTING_PROFILE", key: "routingProfile", fallback: "driving", parse: "string", help: "OSRM profile" },
  {
    env: "ANXIN_ROUTING_CANDIDATES",
    key: "routingCandidates",
    fallback: "10",
    parse: "int",
    help: "nearest free workers OSRM is asked about",
  },
  {
    env: "ANXIN_ROUTING_TIMEOUT_MS",
    key: "routingTimeoutMs",
    fallback: "2000",
    parse: "int",
    help: "OSRM request timeout",
  },
  {
    env: "ANXIN_MAP_TILE_URL",
    key: "mapTileUrl",
    fallback: null,
    parse: "nullableString",
    help: "tile URL template for the console map (unset: vector layers only, works offline)",
  },
  {
    env: "ANXIN_GRID_PREFERENCE_M",
    key: "gridPreferenceM",
    fallback: "1000",
    parse: "number",
    help: "own-grid worker goes first when at most this much farther (0 = off)",
  },
  {
    env: "ANXIN_ACCEPT_TIMEOUT_S",
    key: "acceptTimeoutS",
    fallback: "120",
    parse: "int",
    help: "time a worker has to accept an offer before the next is asked",
  },
  {
    env: "ANXIN_DISPATCH_RANKING_SIZE",
    key: "dispatchRankingSize",
    fallback: "5",
    parse: "int",
    help: "workers ranked per alarm and asked in turn",
  },
  {
    env: "ANXIN_CLINIC_DAY_HOURS",
    key: "clinicDayHours",
    fallback: "07:00-19:00",
    parse: "string",
    help: "local daytime; outside it, and for every SOS, a clinic must offer 24h or emergency care",
  },
  {
    env: "ANXIN_RELATIVES_FIRST_WAVE",
    key: "relativesFirstWave",
    fallback: "2",
    parse: "int",
    help: "relatives texted at once for an SOS; each later wave texts this many more",
  },
  {
    env: "ANXIN_RELATIVE_CONFIRM_S",
    key: "relativeConfirmS",
    fallback: "300",
    parse: "int",
    help: "time texted relatives have to confirm before the next wave or call",
  },
  {
    env: "ANXIN_HEARTBEAT_INTERVAL_S",
    key: "heartbeatIntervalS",
    fallback: "60",
    parse: "int",
    help: "devices' heartbeat interval; 3 missed make a silent fault",
  },
  {
    env: "ANXIN_LOW_BATTERY_PERCENT",
    key: "lowBatteryPercent",
    fallback: "20",
    parse: "int",
    help: "battery level that opens a low_battery fault",
  },
  {
    env: "ANXIN_TEST_ALARM_INTERVAL_H",
    key: "testAlarmIntervalH",
    fallback: "24",
    parse: "number",
    help: "each device is asked for a test press once per this many hours (0 = off)",
  },
  {
    env: "ANXIN_TEST_ALARM_DEADLINE_S",
    key: "testAlarmDeadlineS",
    fallback: "600",
    parse: "int",
    help: "time a device has to make a requested test press",
  },
  {
    env: "ANXIN_CANCEL_WINDOW_S",
    key: "cancelWindowS",
    fallback: "10",
    parse: "int",
    help: "a cancel press within this many seconds cancels the alarm",
  },
  {
    env: "ANXIN_ACK_DEADLINE_S",
    key: "ackDeadlineS",
    fallback: "60",
    parse: "int",
    help: "an alarm unacknowledged this long escalates (louder consoles, supervisor SMS)",
  },
  {
    env: "ANXIN_ACK_REALERT_S",
    key: "ackRealertS",
    fallback: "60",
    parse: "int",
    help: "re-alert every console this often until acknowledged (0 = once)",
  },
  {
    env: "ANXIN_ARRIVAL_DEADLINE_S",
    key: "arrivalDeadlineS",
    fallback: "900",
    parse: "int",
    help: "an SOS with nobody on scene this long texts the grid leader (twice this long: street supervisor)",
  },
  {
    env: "ANXIN_RESOLUTION_DEADLINE_S",
    key: "resolutionDeadlineS",
    fallback: "3600",
    parse: "int",
    help: "an alarm open this long is listed as overdue",
  },
  {
    env: "ANXIN_FOLLOW_UP_DAYS",
    key: "followUpDays",
    fallback: "3",
    parse: "number",
    help: "days after resolution a follow-up visit is due",
  },
  {
    env: "ANXIN_FAMILY_UPDATES",
    key: "familyUpdates",
    fallback: "true",
    parse: "bool",
    help: "text relatives each step (worker coming, arrived, resolved, all is well); a relative can be switched off",
  },
  {
    env: "ANXIN_FAMILY_LINK_GRACE_H",
    key: "familyLinkGraceH",
    fallback: "24",
    parse: "number",
    help: "hours a relative's /f/<token> status link keeps working after the alarm is closed",
  },
  {
    env: "ANXIN_CENTER_PHONE",
    key: "centerPhone",
    fallback: null,
    parse: "nullableString",
    help: "the command center's phone number, shown to relatives on the family page and in SMS",
  },
  {
    env: "ANXIN_SUPERVISOR_PHONE",
    key: "supervisorPhone",
    fallback: null,
    parse: "nullableString",
    help: "command center supervisor, texted on a missed acknowledgement deadline",
  },
  {
    env: "ANXIN_STREET_SUPERVISOR_PHONE",
    key: "streetSupervisorPhone",
    fallback: null,
    parse: "nullableString",
    help: "street supervisor, texted on a twice-missed arrival deadline",
  },
];
