/**
 * A real hub for tests: SQLite in a fresh temp dir, Aedes and HTTP on ephemeral
 * loopback ports, the seeded demo district, and (optionally) the real Twilio
 * channel pointed at the local Twilio stand-in. Log lines are captured so tests
 * can assert what the hub said about refused input.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import type { Clock } from "../../hub/clock.ts";
import { loadConfig } from "../../hub/config.ts";
import { Hub } from "../../hub/hub.ts";
import { createLogger } from "../../hub/log.ts";
import type { DemoDeviceCredential } from "../../hub/seed/demo-district.ts";
import { openDatabase } from "../../hub/storage/database.ts";
import { PostgresSql } from "../../hub/storage/sql/postgres-sql.ts";
import type { SqlDatabase } from "../../hub/storage/sql/sql-port.ts";
import { SqliteSql } from "../../hub/storage/sql/sqlite-sql.ts";
import { type FakeTwilio, startFakeTwilio, type TwilioWebhookClient } from "./fake-twilio.ts";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export const TEST_ADMIN_PASSWORD = "test-admin-password";
export const TEST_TWILIO = {
  accountSid: `AC${"0123456789abcdef".repeat(2)}`,
  authToken: "test-auth-token-0123456789",
  from: "+15005550006",
};

export interface LogLine {
  level: number;
  msg: string;
  code?: string;
  [key: string]: unknown;
}

export interface TestHubOptions {
  /** Extra or overriding ANXIN_* environment. */
  env?: Record<string, string>;
  /** Route SMS through the real twilio SDK to a local Twilio stand-in (default true). */
  twilio?: boolean;
  /** Reuse a data dir (to restart on the same database). */
  dataDir?: string;
  /** Replaces the wall clock for deadlines (dispatch offers, the relatives' cascade); kept across restarts. */
  clock?: Clock;
  /** How often live consoles' sessions are looked up again (the hub's default 2 s). */
  sessionCheckMs?: number;
  /**
   * `postgres`: the hub runs on a scratch PostgreSQL database of its own, created here (on the server
   * ANXIN_TEST_DATABASE_URL names: `npm run test:postgres`) and dropped by `stop()`. Default `sqlite`.
   */
  engine?: "sqlite" | "postgres";
}

export interface TestHub {
  hub: Hub;
  /** The plain HTTP port (with ANXIN_HTTPS_PORT set, it only redirects). */
  httpUrl: string;
  /** Plain MQTT (with ANXIN_MQTT_PORT=off, an address that never answers). */
  mqttUrl: string;
  /** MQTT over TLS and HTTPS, when the test's env sets ANXIN_MQTT_TLS_PORT / ANXIN_HTTPS_PORT; else null. */
  mqttsUrl: string | null;
  httpsUrl: string | null;
  wsUrl: string;
  dataDir: string;
  adminPassword: string;
  demoDevices: DemoDeviceCredential[];
  logs: LogLine[];
  twilio: FakeTwilio | null;
  /** The Twilio stand-in calling this hub back: signed inbound SMS and status callbacks. */
  twilioWebhooks(): TwilioWebhookClient;
  /** Waits for a log line matching the predicate. */
  waitForLog(predicate: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  /**
   * Waits until every post-storage stage of the alarm has run. The ack reaches
   * the device before those stages finish, so tests that count outbox rows wait here first.
   */
  waitForPipeline(alarmId: number | null, timeoutMs?: number): Promise<void>;
  /** Logs in over HTTP and returns the session cookie header value. */
  login(username?: string, password?: string): Promise<string>;
  /** A demo worker's own generated password, from `demo-workers.json` (each worker has a different one). */
  workerPassword(username: string): string;
  /** Stops the hub and restarts it on the same data dir and ports. */
  restart(): Promise<void>;
  /**
   * A connection of its own to the hub's database, on either engine: for a test that writes what happened
   * while the hub was stopped. Close it before restarting.
   */
  openDatabase(): SqlDatabase;
  stop(): Promise<void>;
}

export async function startTestHub(options: TestHubOptions = {}): Promise<TestHub> {
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "anxin-test-"));
  // Imported only when asked for: it needs ANXIN_TEST_DATABASE_URL.
  const database =
    options.engine === "postgres"
      ? await (await import("../postgres/scratch-database.ts")).scratchDatabase("hub", { migrate: false })
      : null;
  const twilio = options.twilio === false ? null : await startFakeTwilio(TEST_TWILIO);
  const logs: LogLine[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString("utf8").split("\n")) {
        if (line.trim()) logs.push(JSON.parse(line) as LogLine);
      }
      done();
    },
  });
  const env: Record<string, string> = {
    ANXIN_DATA_DIR: dataDir,
    ANXIN_HTTP_PORT: "0",
    ANXIN_HTTP_HOST: "127.0.0.1",
    ANXIN_MQTT_PORT: "0",
    ANXIN_MQTT_HOST: "127.0.0.1",
    ANXIN_PUBLIC_URL: "http://anxin.test",
    ANXIN_ADMIN_PASSWORD: TEST_ADMIN_PASSWORD,
    ANXIN_LOG_LEVEL: "debug",
    ANXIN_PIPELINE_RETRY_MS: "200",
    ANXIN_OUTBOX_POLL_MS: "50",
    ANXIN_OUTBOX_MAX_BACKOFF_MS: "300",
    ANXIN_LOGIN_RATE_LIMIT: "1000",
    // Likewise for MQTT logins: tests refuse many on purpose; the throttle's own tests set a small number.
    ANXIN_MQTT_LOGIN_FAILURES: "1000",
    // No scheduled test presses unless a test asks: one falling inside another test would add an alarm it did not expect.
    ANXIN_TEST_ALARM_INTERVAL_H: "0",
    ...(twilio
      ? {
          TWILIO_ACCOUNT_SID: TEST_TWILIO.accountSid,
          TWILIO_AUTH_TOKEN: TEST_TWILIO.authToken,
          TWILIO_FROM: TEST_TWILIO.from,
          ANXIN_TWILIO_API_BASE: twilio.url,
        }
      : {}),
    ...(database ? { ANXIN_DATABASE_URL: database.url } : {}),
    ...options.env,
  };
  let config = loadConfig(env);
  const logger = createLogger(config.logLevel, sink);
  const dashboardDir = path.join(repoRoot, "dashboard");
  const hubDeps = {
    logger,
    dashboardDir,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.sessionCheckMs === undefined ? {} : { sessionCheckMs: options.sessionCheckMs }),
  };
  let hub = new Hub(config, hubDeps);
  await hub.start();
  // Kept from the first start so a restart (even after the test stopped the hub itself) reuses the same ports.
  const ports = {
    http: hub.httpPort,
    mqtt: config.mqttPort === null ? null : hub.mqttPort,
    mqtts: hub.mqttTlsPort,
    https: hub.httpsPort,
  };

  const testHub: TestHub = {
    hub,
    httpUrl: `http://127.0.0.1:${hub.httpPort}`,
    mqttUrl: ports.mqtt === null ? "mqtt://plain-mqtt-is-off.invalid:1883" : `mqtt://127.0.0.1:${ports.mqtt}`,
    mqttsUrl: ports.mqtts === null ? null : `mqtts://127.0.0.1:${ports.mqtts}`,
    httpsUrl: ports.https === null ? null : `https://127.0.0.1:${ports.https}`,
    wsUrl: `ws://127.0.0.1:${hub.httpPort}/api/realtime`,
    dataDir,
    adminPassword: TEST_ADMIN_PASSWORD,
    demoDevices: readDemoDevices(hub.demoDevicesFile),
    logs,
    twilio,
    twilioWebhooks() {
      if (!twilio) throw new Error("test hub without Twilio stand-in");
      return twilio.webhooks({ publicUrl: config.publicUrl, localUrl: testHub.httpUrl });
    },
    waitForLog: (predicate, timeoutMs = 3000) => waitFor(() => logs.find(predicate), timeoutMs, "log line"),
    async waitForPipeline(alarmId, timeoutMs = 5000) {
      if (alarmId === null) throw new Error("no alarm id");
      await waitFor(
        async () => {
          // Through the port: the same on SQLite and on PostgreSQL.
          const row = await testHub.hub.sql.get<{ stages_done: string }>(
            "SELECT stages_done FROM alarms WHERE id = ?",
            [alarmId],
          );
          return row && (JSON.parse(row.stages_done) as string[]).includes("publish_dashboards");
        },
        timeoutMs,
        `pipeline of alarm ${alarmId}`,
      );
    },
    login: (username, password) => loginAt(testHub.httpUrl, username, password),
    workerPassword(username) {
      const sheet = JSON.parse(fs.readFileSync(testHub.hub.demoWorkersFile, "utf8")) as {
        workers: { username: string; password: string }[];
      };
      const login = sheet.workers.find((w) => w.username === username);
      if (!login) throw new Error(`no demo worker login ${username} in ${testHub.hub.demoWorkersFile}`);
      return login.password;
    },
    openDatabase() {
      return database
        ? new PostgresSql(database.url, { max: 1 })
        : new SqliteSql(openDatabase(path.join(dataDir, "anxin.db"), createLogger("silent")));
    },
    async restart() {
      await hub.stop();
      config = loadConfig({
        ...env,
        ANXIN_HTTP_PORT: String(ports.http),
        ANXIN_MQTT_PORT: String(ports.mqtt ?? "off"),
        ...(ports.mqtts === null ? {} : { ANXIN_MQTT_TLS_PORT: String(ports.mqtts) }),
        ...(ports.https === null ? {} : { ANXIN_HTTPS_PORT: String(ports.https) }),
      });
      hub = new Hub(config, hubDeps);
      await hub.start();
      testHub.hub = hub;
    },
    async stop() {
      await hub.stop();
      await twilio?.close();
      await database?.drop();
      if (!options.dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return testHub;
}

function readDemoDevices(file: string): DemoDeviceCredential[] {
  if (!fs.existsSync(file)) return [];
  return (JSON.parse(fs.readFileSync(file, "utf8")) as { devices: DemoDeviceCredential[] }).devices;
}

type Probed<T> = T | undefined | null | false;

/**
 * Polls until `probe` returns (or resolves to) a value, or fails after `timeoutMs` naming what it
 * waited for. A probe that reads storage through the port is async: its promise is awaited, never
 * taken for the truthy value it is.
 */
/** Logs in over HTTP at a hub (or HAProxy in front of hubs) and returns the session cookie header value. */
export async function loginAt(httpUrl: string, username = "admin", password = TEST_ADMIN_PASSWORD): Promise<string> {
  const response = await fetch(`${httpUrl}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username, password }),
  });
  if (response.status !== 200) throw new Error(`login failed: ${response.status} ${await response.text()}`);
  const cookie = response.headers.get("set-cookie") ?? "";
  return cookie.split(";")[0] ?? "";
}

export async function waitFor<T>(
  probe: () => Probed<T> | Promise<Probed<T>>,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
