/**
 * Three hubs as a county runs them (docs/deploy.md), for the failover and
 * database-restart tests: each hub a process of its own on one PostgreSQL and
 * one Redis (a scratch server each), HAProxy in front with deploy/haproxy.cfg,
 * the real twilio SDK against one Twilio stand-in, and a fleet of simulated
 * buttons connected through HAProxy that reconnect by themselves: the demo
 * district's, and more provisioned through the registry API (not bound to a
 * household) up to the size asked.
 *
 * `burst` presses while something is done to the service half-way, and
 * `expectNothingLost` checks that no press and no SMS was lost or doubled.
 */

import fs from "node:fs";
import path from "node:path";
import { expect } from "vitest";
import { SimulatedButton } from "../../firmware-sim/device.ts";
import type { SqlDatabase } from "../../hub/storage/sql/sql-port.ts";
import type { AlarmSummary } from "../../protocol/console/index.ts";
import type { AckMessage } from "../../protocol/index.ts";
import { type ConsoleFeed, openConsoleFeed } from "./console-feed.ts";
import { type FakeTwilio, startFakeTwilio } from "./fake-twilio.ts";
import { type HaproxyFront, startHaproxy } from "./haproxy-front.ts";
import { type HubProcess, startHubProcess } from "./hub-process.ts";
import { type ScratchRedis, scratchRedis } from "./scratch-redis.ts";
import { loginAt, TEST_TWILIO, waitFor } from "./test-hub.ts";

interface Credential {
  deviceId: string;
  secret: string;
}

export interface HubCluster {
  hubs: HubProcess[];
  /** Seconds the fleet took to connect through HAProxy, all at once. */
  connectS: number;
  front: HaproxyFront;
  buttons: SimulatedButton[];
  twilio: FakeTwilio;
  stop(): Promise<void>;
}

export interface BurstOutcome {
  acked: AckMessage[];
  /** From the first press to the last ack. */
  lastAckS: number;
  /** Each press's wait for its ack, in ms, in the order pressed. */
  ackMs: number[];
}

/** `hubCount` hubs (three unless asked) behind HAProxy, and `size` buttons connected through it. */
export async function startHubCluster(databaseUrl: string, size: number, hubCount = 3): Promise<HubCluster> {
  const redis: ScratchRedis = await scratchRedis();
  const twilio = await startFakeTwilio(TEST_TWILIO);
  const env = {
    ANXIN_DATABASE_URL: databaseUrl,
    ANXIN_REDIS_URL: redis.url,
    ANXIN_BROKER_HEARTBEAT_MS: "1000",
    ANXIN_PUBLIC_URL: "http://anxin.test",
    TWILIO_ACCOUNT_SID: TEST_TWILIO.accountSid,
    TWILIO_AUTH_TOKEN: TEST_TWILIO.authToken,
    TWILIO_FROM: TEST_TWILIO.from,
    ANXIN_TWILIO_API_BASE: twilio.url,
    ANXIN_OUTBOX_POLL_MS: "100",
    // The stand-in takes any rate; at the default 10/s a burst's SMS would take a minute and a half to leave.
    ANXIN_OUTBOX_RATE_PER_S: "200",
    // Every button comes through HAProxy, so every hub sees one address for the whole fleet.
    ANXIN_MQTT_PENDING_PER_ADDRESS: "2000",
  };
  // The first seeds the demo district; the others find it.
  const first = await startHubProcess(env);
  const others = await Promise.all(Array.from({ length: hubCount - 1 }, () => startHubProcess(env)));
  const hubs = [first, ...others];
  const front = await startHaproxy(
    hubs.map((hub) => ({ mqttPort: Number(new URL(hub.mqttUrl).port), httpPort: Number(new URL(hub.httpUrl).port) })),
  );
  const buttons: SimulatedButton[] = [];
  const cluster: HubCluster = {
    hubs,
    connectS: 0,
    front,
    buttons,
    twilio,
    async stop() {
      await Promise.all(buttons.map((button) => button.stop().catch(() => {})));
      await front.stop();
      // Killed: a graceful stop would wait for a database a test may have taken away.
      await Promise.all(hubs.map((hub) => hub.kill("SIGKILL")));
      await twilio.close();
      await redis.stop();
    },
  };
  try {
    await waitFor(
      async () => ((await fetch(`${front.httpUrl}/health`)).status === 200 ? true : undefined),
      10_000,
      "HAProxy's /health",
    );
    // Servers start as up: the unused ones are marked down after two failed checks a second apart.
    if (hubCount < 3) await new Promise((resolve) => setTimeout(resolve, 2500));
    for (const credential of await fleet(first, size)) {
      buttons.push(
        new SimulatedButton({ mqttUrl: front.mqttUrl, ...credential, retryInitialMs: 200, retryMaxMs: 2000 }),
      );
    }
    const connecting = performance.now();
    await Promise.all(buttons.map((button) => button.start({ timeoutMs: 30_000 })));
    cluster.connectS = (performance.now() - connecting) / 1000;
  } catch (error) {
    // What HAProxy saw of the hubs (servers marked down or up), for whoever reads the failure.
    console.error(front.output.slice(-40).join("\n"));
    await cluster.stop();
    throw error;
  }
  return cluster;
}

/** `presses` presses over about two seconds, round the fleet; `midway` runs once half of them started. */
export async function burst(cluster: HubCluster, presses: number, midway: () => Promise<void>): Promise<BurstOutcome> {
  const started = Date.now();
  const acks: Promise<AckMessage>[] = [];
  const ackMs: number[] = [];
  for (let i = 0; i < presses; i += 1) {
    const button = cluster.buttons[i % cluster.buttons.length];
    if (!button) throw new Error("no buttons");
    const pressed = performance.now();
    acks.push(
      button.press("sos").then((ack) => {
        ackMs[i] = performance.now() - pressed;
        return ack;
      }),
    );
    if (i + 1 === Math.floor(presses / 2)) await midway();
    // Not one event-loop turn: what is done midway lands among presses in flight.
    if (i % 10 === 9) await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const acked = await Promise.all(acks);
  return { acked, lastAckS: (Date.now() - started) / 1000, ackMs };
}

/**
 * Every press stored exactly once and acked with its alarm; every SMS the outbox holds sent, each
 * reaching the Twilio stand-in exactly once. Resolves with the alarms' ids and the SMS count.
 */
export async function expectNothingLost(
  cluster: HubCluster,
  sql: SqlDatabase,
  outcome: BurstOutcome,
): Promise<{ alarmIds: number[]; sms: number }> {
  const { acked } = outcome;
  const pressIds = new Set(acked.map((ack) => ack.pressId));
  expect(pressIds.size).toBe(acked.length);
  const stored = await sql.all<{ press_id: string; alarm_id: number | null }>("SELECT press_id, alarm_id FROM presses");
  expect(stored).toHaveLength(acked.length);
  expect(new Set(stored.map((row) => row.press_id))).toEqual(pressIds);
  const alarmOfPress = new Map(stored.map((row) => [row.press_id, row.alarm_id]));
  for (const ack of acked) expect(ack.alarmId).toBe(alarmOfPress.get(ack.pressId));

  const outboxState = async () =>
    JSON.stringify(
      await sql.all(
        "SELECT purpose, status, COUNT(*) AS n, MAX(last_error) AS error FROM outbox GROUP BY purpose, status",
      ),
    );
  const report = setTimeout(() => void outboxState().then((state) => console.error(`outbox: ${state}`)), 55_000);
  const sms = await waitFor(
    async () => {
      const rows = await sql.all<{ status: string; provider_ref: string | null }>(
        "SELECT status, provider_ref FROM outbox WHERE channel = 'sms'",
      );
      return rows.length > 0 && rows.every((row) => row.status === "sent") ? rows : undefined;
    },
    60_000,
    "every SMS sent",
  ).finally(() => clearTimeout(report));
  // Each row is one message the stand-in took (its sid), and the stand-in took no other: a row sent
  // twice (by two hubs, or again after a crash) would leave a message no row names. Two messages may
  // read alike (a household's second alarm texts the clinic the same words), so sids decide.
  const received = cluster.twilio.messages.map((message) => message.sid);
  expect(received).toHaveLength(sms.length);
  expect(new Set(received)).toEqual(new Set(sms.map((row) => row.provider_ref)));
  const alarms = await sql.all<{ id: number }>("SELECT id FROM alarms ORDER BY id");
  return { alarmIds: alarms.map((alarm) => alarm.id), sms: sms.length };
}

/** A console's live feed on `hub` (open it before the burst: it carries changes from then on). */
export async function watchConsole(hub: HubProcess, cookie?: string): Promise<ConsoleFeed> {
  return openConsoleFeed(`${hub.httpUrl.replace("http", "ws")}/api/realtime`, cookie ?? (await loginAt(hub.httpUrl)));
}

/**
 * A console whose hub died, recovering as the dashboard does (dashboard/app.js): it reconnects its live
 * feed through HAProxy with the same session (sessions are rows, good on any hub), then reloads the open
 * alarms page by page (dashboard/api.js `openAlarms`). Resolves with the new feed and the alarms reloaded.
 */
export async function reconnectConsole(
  cluster: HubCluster,
  cookie: string,
): Promise<{ feed: ConsoleFeed; reloaded: AlarmSummary[] }> {
  const feed = await openConsoleFeed(`${cluster.front.httpUrl.replace("http", "ws")}/api/realtime`, cookie);
  const reloaded: AlarmSummary[] = [];
  let beforeId: number | null = null;
  for (;;) {
    const after: string = beforeId === null ? "" : `&beforeId=${beforeId}`;
    const response = await fetch(`${cluster.front.httpUrl}/api/alarms?status=open&limit=200${after}`, {
      headers: { cookie },
    });
    if (response.status !== 200) throw new Error(`reloading the open alarms: HTTP ${response.status}`);
    const { alarms } = (await response.json()) as { alarms: AlarmSummary[] };
    for (const alarm of alarms) reloaded.push(alarm);
    if (alarms.length < 200) return { feed, reloaded };
    beforeId = alarms.at(-1)?.id ?? null;
  }
}

/** The demo district's buttons, and more provisioned through the registry API up to `size`. */
async function fleet(first: HubProcess, size: number): Promise<Credential[]> {
  const sheet = JSON.parse(fs.readFileSync(path.join(first.dataDir, "demo-devices.json"), "utf8")) as {
    devices: Credential[];
  };
  const credentials = sheet.devices.slice(0, size);
  const cookie = await loginAt(first.httpUrl);
  for (let i = credentials.length; i < size; i += 1) {
    const response = await fetch(`${first.httpUrl}/api/registry/devices`, {
      method: "POST",
      headers: { cookie, "content-type": "application/json", origin: first.httpUrl },
      body: JSON.stringify({ id: `FO-${String(i).padStart(4, "0")}` }),
    });
    if (response.status !== 201) throw new Error(`provisioning failed: ${response.status} ${await response.text()}`);
    const provisioned = (await response.json()) as { device: { id: string }; secret: string };
    credentials.push({ deviceId: provisioned.device.id, secret: provisioned.secret });
  }
  return credentials;
}
