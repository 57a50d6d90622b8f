/**
 * The failover test of issue 13: three hubs, each a process of its own, on one
 * PostgreSQL and one Redis, behind HAProxy with deploy/haproxy.cfg; 300
 * simulated buttons connected through HAProxy, reconnecting by themselves (the
 * demo district's 240 and 60 more provisioned through the registry API, not
 * bound to a household); a burst of 1,000 presses, and one hub killed with
 * SIGKILL in the middle of it.
 *
 * Every press is stored exactly once and acked; every SMS the outbox holds
 * reaches the Twilio stand-in exactly once; a console on a surviving hub shows
 * every alarm; and the buttons that were on the dead hub are back on another
 * within 15 s. The figures are printed for the closing note.
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SimulatedButton } from "../../firmware-sim/device.ts";
import type { AckMessage } from "../../protocol/index.ts";
import { openConsoleFeed } from "../support/console-feed.ts";
import { type FakeTwilio, startFakeTwilio } from "../support/fake-twilio.ts";
import { type HaproxyFront, startHaproxy } from "../support/haproxy-front.ts";
import { type HubProcess, startHubProcess } from "../support/hub-process.ts";
import { type ScratchRedis, scratchRedis } from "../support/scratch-redis.ts";
import { TEST_ADMIN_PASSWORD, TEST_TWILIO, waitFor } from "../support/test-hub.ts";
import { type ScratchDatabase, scratchDatabase } from "./scratch-database.ts";

/** The sizes; FAILOVER_BUTTONS and FAILOVER_PRESSES run it at others. */
const BUTTONS = Number(process.env.FAILOVER_BUTTONS ?? 300);
const PRESSES = Number(process.env.FAILOVER_PRESSES ?? 1000);
/** Presses started before the hub is killed. */
const KILL_AFTER = PRESSES / 2;

interface Credential {
  deviceId: string;
  secret: string;
}

describe("three hubs behind HAProxy, one killed in the middle of a burst", () => {
  let database: ScratchDatabase;
  let redis: ScratchRedis;
  let twilio: FakeTwilio;
  let hubs: HubProcess[] = [];
  let front: HaproxyFront;
  const buttons: SimulatedButton[] = [];

  beforeAll(async () => {
    database = await scratchDatabase("failover", { migrate: false });
    redis = await scratchRedis();
    twilio = await startFakeTwilio(TEST_TWILIO);
    const env = {
      ANXIN_DATABASE_URL: database.url,
      ANXIN_REDIS_URL: redis.url,
      ANXIN_BROKER_HEARTBEAT_MS: "1000",
      ANXIN_PUBLIC_URL: "http://anxin.test",
      TWILIO_ACCOUNT_SID: TEST_TWILIO.accountSid,
      TWILIO_AUTH_TOKEN: TEST_TWILIO.authToken,
      TWILIO_FROM: TEST_TWILIO.from,
      ANXIN_TWILIO_API_BASE: twilio.url,
      ANXIN_OUTBOX_POLL_MS: "100",
      // The stand-in takes any rate; at the default 10/s the burst's SMS would take a minute and a half to leave.
      ANXIN_OUTBOX_RATE_PER_S: "200",
      // Every button comes through HAProxy, so every hub sees one address for the whole fleet.
      ANXIN_MQTT_PENDING_PER_ADDRESS: "2000",
    };
    // The first seeds the demo district; the others find it.
    const first = await startHubProcess(env);
    hubs = [first, ...(await Promise.all([startHubProcess(env), startHubProcess(env)]))];
    const [one, two, three] = hubs.map((hub) => ({
      mqttPort: Number(new URL(hub.mqttUrl).port),
      httpPort: Number(new URL(hub.httpUrl).port),
    }));
    if (!one || !two || !three) throw new Error("three hubs expected");
    front = await startHaproxy([one, two, three]);
    const credentials = await fleet(first);
    await waitFor(
      async () => ((await fetch(`${front.httpUrl}/health`)).status === 200 ? true : undefined),
      10_000,
      "HAProxy's /health",
    );
    for (const credential of credentials) {
      buttons.push(
        new SimulatedButton({ mqttUrl: front.mqttUrl, ...credential, retryInitialMs: 200, retryMaxMs: 2000 }),
      );
    }
    try {
      await Promise.all(buttons.map((button) => button.start({ timeoutMs: 30_000 })));
    } catch (error) {
      // What HAProxy saw of the hubs (servers marked down or up), for whoever reads the failure.
      console.error(front.output.slice(-40).join("\n"));
      throw error;
    }
  }, 180_000);

  afterAll(async () => {
    await Promise.all(buttons.map((button) => button.stop().catch(() => {})));
    await front?.stop();
    await Promise.all(hubs.map((hub) => hub.kill("SIGTERM")));
    await twilio?.close();
    await redis?.stop();
    await database?.drop();
  });

  /** The demo district's buttons, and more provisioned through the registry API up to BUTTONS. */
  async function fleet(first: HubProcess): Promise<Credential[]> {
    const sheet = JSON.parse(fs.readFileSync(path.join(first.dataDir, "demo-devices.json"), "utf8")) as {
      devices: Credential[];
    };
    const credentials = sheet.devices.slice(0, BUTTONS);
    const cookie = await login(first.httpUrl);
    for (let i = credentials.length; i < BUTTONS; i += 1) {
      const response = await fetch(`${first.httpUrl}/api/registry/devices`, {
        method: "POST",
        headers: { cookie, "content-type": "application/json", origin: first.httpUrl },
        body: JSON.stringify({ id: `FO-${String(i).padStart(4, "0")}` }),
      });
      expect(response.status, await response.clone().text()).toBe(201);
      const provisioned = (await response.json()) as { device: { id: string }; secret: string };
      credentials.push({ deviceId: provisioned.device.id, secret: provisioned.secret });
    }
    return credentials;
  }

  it("stores and acks every press once, texts once, shows every alarm, and the dead hub's buttons are back within 15 s", async () => {
    const survivor = hubs[0];
    const victim = hubs[2];
    if (!survivor || !victim) throw new Error("three hubs expected");
    const feed = await openConsoleFeed(
      `${survivor.httpUrl.replace("http", "ws")}/api/realtime`,
      await login(survivor.httpUrl),
    );

    // Each button's outage after the kill: from its disconnect to its next connect.
    const outages: number[] = [];
    let killedAt = 0;
    for (const button of buttons) {
      let since: number | null = null;
      button.on("disconnected", () => {
        if (killedAt !== 0) since ??= Date.now();
      });
      button.on("connected", () => {
        if (since !== null) outages.push(Date.now() - since);
        since = null;
      });
    }

    const started = Date.now();
    const acks: Promise<AckMessage>[] = [];
    for (let i = 0; i < PRESSES; i += 1) {
      const button = buttons[i % BUTTONS];
      if (!button) throw new Error("no button");
      acks.push(button.press("sos"));
      if (i + 1 === KILL_AFTER) {
        killedAt = Date.now();
        await victim.kill("SIGKILL");
      }
      // A burst over about two seconds, not one event-loop turn: the kill lands among presses in flight.
      if (i % 10 === 9) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const acked = await Promise.all(acks);
    const lastAckS = (Date.now() - started) / 1000;

    // Every press stored exactly once, and acked with the alarm it is in.
    const pressIds = new Set(acked.map((ack) => ack.pressId));
    expect(pressIds.size).toBe(PRESSES);
    const stored = await database.sql.all<{ press_id: string; alarm_id: number | null }>(
      "SELECT press_id, alarm_id FROM presses",
    );
    expect(stored).toHaveLength(PRESSES);
    expect(new Set(stored.map((row) => row.press_id))).toEqual(pressIds);
    const alarmOfPress = new Map(stored.map((row) => [row.press_id, row.alarm_id]));
    for (const ack of acked) expect(ack.alarmId).toBe(alarmOfPress.get(ack.pressId));

    // The buttons on the dead hub came back through HAProxy within 15 s.
    await waitFor(() => (buttons.every((button) => button.connected) ? true : undefined), 20_000, "every button back");
    expect(outages.length).toBeGreaterThan(0);
    expect(Math.max(...outages)).toBeLessThan(15_000);

    // Every SMS the outbox holds was sent, and reached the Twilio stand-in exactly once.
    const outboxState = async () =>
      JSON.stringify(
        await database.sql.all(
          "SELECT purpose, status, COUNT(*) AS n, MIN(attempts) AS min_attempts, MAX(last_error) AS error FROM outbox GROUP BY purpose, status",
        ),
      );
    const waitForSent = setTimeout(() => void outboxState().then((state) => console.error(`outbox: ${state}`)), 55_000);
    const sms = await waitFor(
      async () => {
        const rows = await database.sql.all<{ status: string; recipient: string; body: string }>(
          "SELECT status, recipient, body FROM outbox WHERE channel = 'sms'",
        );
        return rows.length > 0 && rows.every((row) => row.status === "sent") ? rows : undefined;
      },
      60_000,
      "every SMS sent",
    );
    clearTimeout(waitForSent);
    const received = twilio.messages.map((message) => `${message.to}\n${message.body}`);
    expect(received).toHaveLength(sms.length);
    expect(new Set(received).size).toBe(received.length);

    // The console on a surviving hub shows every alarm.
    const alarms = await database.sql.all<{ id: number }>("SELECT id FROM alarms");
    await waitFor(
      () => (alarms.every((alarm) => feed.latest().has(alarm.id)) ? true : undefined),
      15_000,
      "every alarm on the surviving hub's console",
    );
    feed.close();
    console.info(
      `failover: ${PRESSES} presses from ${BUTTONS} buttons, last ack ${lastAckS.toFixed(1)} s after the first press; ` +
        `${alarms.length} alarms, ${sms.length} SMS; ${outages.length} buttons moved, ` +
        `longest outage ${(Math.max(...outages) / 1000).toFixed(1)} s`,
    );
  }, 240_000);
});

async function login(httpUrl: string): Promise<string> {
  const response = await fetch(`${httpUrl}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username: "admin", password: TEST_ADMIN_PASSWORD }),
  });
  if (response.status !== 200) throw new Error(`login failed: ${response.status}`);
  return (response.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
}
