/**
 * A subscriber that stops reading holds back no alarm. A monitor account
 * reads `anxin/v1/#` and then stops reading its socket (a laptop on a dead
 * link); devices flood traffic the broker must forward to it, until the hub's
 * socket to the monitor is full. A press from another device must still be
 * stored, acked and fully processed at once, not after Aedes' drain timeout.
 * Three causes made it wait before:
 * - the hub took a press from Aedes' `publish` event, which comes only after
 *   the delivery to every subscriber, the stalled monitor included;
 * - Aedes' bus delivered at most 100 messages at once: with 100 deliveries
 *   waiting for the monitor, every other message queued, the press's ack too
 *   (sixteen flooders leave well over 100 waiting: each flooder's connection
 *   is read no further while its deliveries wait);
 * - the press's handler awaits its ack and feedback publishes, which Aedes
 *   completes only once the monitor took them too: the press held its place
 *   in the intake gate, and its stages waited. The hub now closes a person's
 *   session that stopped draining (MQTT_SUBSCRIBER_STALLED).
 * A real hub, raw MQTT sockets, a real simulated button.
 */
import net from "node:net";
import { generate, type Packet, parser } from "mqtt-packet";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SimulatedButton } from "../firmware-sim/device.ts";
import { deviceTopic } from "../protocol/index.ts";
import { within } from "./support/hostile-clients.ts";
import { createUser } from "./support/registry-app.ts";
import { startTestHub, type TestHub, waitFor } from "./support/test-hub.ts";

const PASSWORD = "monitor-password-2024";
/** Flood at most this much; the hub's socket to the monitor is full long before (kernel buffers are a few MB). */
const FLOOD_MAX_BYTES = 48 * 1024 * 1024;
/** A flooder's socket not drained for this long: the hub stopped reading it, so its deliveries wait. */
const STALL_SIGN_MS = 1000;
const FLOODERS = 16;

/** Opens a raw MQTT session, waits for CONNACK (and SUBACK when subscribing), and returns the socket. */
async function rawSession(port: number, connect: Record<string, unknown>, subscribe?: string): Promise<net.Socket> {
  const socket = net.connect({ host: "127.0.0.1", port });
  const framing = parser({ protocolVersion: 4 });
  socket.on("data", (chunk: Buffer) => framing.parse(chunk));
  socket.on("error", () => {});
  const ready = new Promise<void>((resolve, reject) => {
    framing.on("packet", (packet: Packet) => {
      if (packet.cmd === "connack") {
        if (packet.returnCode !== 0) return reject(new Error(`CONNACK ${packet.returnCode}`));
        if (!subscribe) return resolve();
        socket.write(generate({ cmd: "subscribe", messageId: 1, subscriptions: [{ topic: subscribe, qos: 0 }] }));
      }
      if (packet.cmd === "suback") resolve();
    });
  });
  socket.once("connect", () =>
    socket.write(
      generate({
        cmd: "connect",
        protocolId: "MQTT",
        protocolVersion: 4,
        clean: true,
        keepalive: 0,
        ...connect,
      } as Packet),
    ),
  );
  await within(ready, 10_000, "the session to open");
  return socket;
}

/**
 * Publishes large heartbeats until `enough()`, or the hub stops reading them, or FLOOD_MAX_BYTES;
 * resolves with the bytes sent.
 */
async function floodUntil(socket: net.Socket, deviceId: string, enough: () => boolean): Promise<number> {
  const payload = JSON.stringify({ deviceTime: new Date().toISOString(), battery: 87, note: "x".repeat(3900) });
  const frame = generate({
    cmd: "publish",
    topic: deviceTopic(deviceId, "heartbeat"),
    payload,
    qos: 0,
    retain: false,
    dup: false,
  });
  let sent = 0;
  while (sent < FLOOD_MAX_BYTES && !enough()) {
    sent += frame.length;
    if (socket.write(frame)) continue;
    const drained = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), STALL_SIGN_MS);
      socket.once("drain", () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    if (!drained) break;
  }
  return sent;
}

describe("a subscriber that stops reading", () => {
  let th: TestHub;
  beforeAll(async () => {
    th = await startTestHub({ twilio: false });
  }, 60_000);
  afterAll(async () => {
    await th?.stop();
  });

  it("holds back no press: another device's SOS is acked, and fully processed, before the broker's drain timeout", async () => {
    const presser = th.demoDevices[0];
    const flooders = th.demoDevices.slice(1, 1 + FLOODERS);
    if (!presser || flooders.length < FLOODERS) throw new Error("not enough demo devices");
    await createUser(th, "mon.stall", "monitor", PASSWORD);
    const port = Number(new URL(th.mqttUrl).port);
    const monitor = await rawSession(
      port,
      { clientId: "mon.stall:watch", username: "mon.stall", password: Buffer.from(PASSWORD) },
      "anxin/v1/#",
    );
    monitor.pause(); // reads nothing more: the kernel's buffers fill, then the hub's
    // The broker gives up on a socket that does not drain (Aedes' drainTimeout): then it logs this.
    const monitorDropped = () => th.logs.some((line) => line.reason === "drain timeout");

    const floods = await Promise.all(
      flooders.map((device) =>
        rawSession(port, {
          clientId: `${device.deviceId}:flood`,
          username: device.deviceId,
          password: Buffer.from(device.secret),
        }),
      ),
    );
    // Until the hub closes the stalled monitor, or (as it used to) stops reading the floods while their
    // deliveries wait for it.
    const monitorClosedByHub = () => th.logs.some((line) => line.code === "MQTT_SUBSCRIBER_STALLED");
    await Promise.all(floods.map((socket, i) => floodUntil(socket, flooders[i]?.deviceId ?? "", monitorClosedByHub)));
    expect(monitorDropped()).toBe(false);

    const button = new SimulatedButton({ mqttUrl: th.mqttUrl, deviceId: presser.deviceId, secret: presser.secret });
    try {
      await button.start({ timeoutMs: 10_000 });
      const ack = await within(button.press("sos"), 30_000, "the press's ack");
      expect(ack.alarmId).toEqual(expect.any(Number));
      // Acked while the monitor still held its deliveries, not once the broker gave up on it.
      expect(monitorDropped()).toBe(false);
      // The press's handler awaits its ack and feedback publishes, which Aedes completes once every
      // subscriber took them: the hub closes the stalled monitor, so the press leaves the intake gate
      // and its stages run now, not after the drain timeout.
      await th.waitForPipeline(ack.alarmId, 30_000);
      await waitFor(() => th.hub.intakeStats.inPipeline === 0, 30_000, "the press out of the intake gate");
      expect(monitorDropped()).toBe(false);
      expect(monitorClosedByHub()).toBe(true);
    } finally {
      await button.stop();
      for (const socket of floods) socket.destroy();
      monitor.destroy();
    }
  }, 90_000);
});
