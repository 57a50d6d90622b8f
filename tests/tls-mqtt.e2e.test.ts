/**
 * Issue 16: MQTT over TLS. A real hub with ANXIN_MQTT_TLS_PORT, certificates
 * made for the test by openssl, the simulator, the gateway's link and bare
 * mqtt.js clients over real TLS:
 *
 * - a press over TLS is acked and stored, and the login rules are the same;
 * - a client that trusts another CA never gets to MQTT, and the hub says why;
 * - the per-address gate and the packet guard apply as on plain MQTT;
 * - with ANXIN_MQTT_CLIENT_CA, a client certificate must come from that CA and
 *   name the device; one without a certificate still logs in with its secret;
 * - with ANXIN_MQTT_PORT=off and ANXIN_MQTT_REQUIRE_CLIENT_CERT, nothing
 *   listens in plain and a device without a certificate is refused.
 */
import fs from "node:fs";
import net from "node:net";
import tls from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HubUnreachableError, SimulatedButton } from "../firmware-sim/device.ts";
import { HubLink } from "../gateway/hub-link.ts";
import type { AckMessage } from "../protocol/index.ts";
import { hugeConnectHeader, mqttLoginResult, within } from "./support/hostile-clients.ts";
import { runCli } from "./support/run-cli.ts";
import { type LogLine, startTestHub, type TestHub, waitFor } from "./support/test-hub.ts";
import { makeTestPki, mqttTlsEnv, type TestPki } from "./support/tls-certs.ts";
import { tlsLogin } from "./support/tls-clients.ts";

const read = (file: string) => fs.readFileSync(file);

describe("MQTT over TLS", () => {
  let pki: TestPki;
  let th: TestHub;
  let url: string;
  beforeAll(async () => {
    pki = await makeTestPki();
    const server = await pki.server("1001");
    th = await startTestHub({
      twilio: false,
      env: {
        ...mqttTlsEnv(server),
        ANXIN_MQTT_CLIENT_CA: pki.ca.cert,
        // Small, to show the gate counts TLS connections that have not logged in (the tests here log in one by one).
        ANXIN_MQTT_PENDING_PER_ADDRESS: "3",
      },
    });
    url = th.mqttsUrl ?? "";
  }, 60_000);
  afterAll(async () => {
    await th?.stop();
    pki?.remove();
  });

  const device = (index: number) => {
    const credential = th.demoDevices[index];
    if (!credential) throw new Error(`no demo device ${index}`);
    return credential;
  };
  const deviceLogin = (index: number, suffix: string) => ({
    clientId: `${device(index).deviceId}:${suffix}`,
    username: device(index).deviceId,
    password: device(index).secret,
  });
  const storedAlarm = (alarmId: number | null) =>
    th.hub.db.prepare("SELECT device_id FROM alarms WHERE id = ?").get(alarmId) as { device_id: string } | undefined;
  const logged = (predicate: (line: LogLine) => boolean) => th.logs.filter(predicate);

  it("takes a press over TLS: acked after it is stored, from the simulator trusting the hub's CA", async () => {
    expect(url).toMatch(/^mqtts:\/\/127\.0\.0\.1:\d+$/);
    const { deviceId, secret } = device(0);
    const button = new SimulatedButton({ mqttUrl: url, deviceId, secret, tls: { ca: read(pki.ca.cert) } });
    await button.start({ timeoutMs: 5000 });
    const ack = await button.press("sos");
    expect(ack.duplicate).toBe(false);
    expect(storedAlarm(ack.alarmId)).toEqual({ device_id: deviceId });
    await button.stop();
    // The same login rules as on plain MQTT: a wrong secret is CONNACK 4.
    expect(await tlsLogin(url, { ca: pki.ca.cert }, { ...deviceLogin(0, "t"), password: "wrong" })).toBe(4);
  });

  it("the simulator's CLI presses over TLS with --ca, and the gateway's link with its CA", async () => {
    const { deviceId } = device(1);
    const run = await runCli("firmware-sim/cli.ts", [
      "press",
      deviceId,
      "--wait",
      "3",
      "--url",
      url,
      "--ca",
      pki.ca.cert,
      "--data-dir",
      th.dataDir,
    ]);
    expect(run.code, run.stderr).toBe(0);
    const alarmId = Number(/acked: alarm #(\d+)/.exec(run.stdout)?.[1]);
    expect(storedAlarm(alarmId)).toEqual({ device_id: deviceId });

    const gatewayDevice = device(2);
    const acks: AckMessage[] = [];
    const link = new HubLink(
      {
        mqttUrl: url,
        tls: { ca: read(pki.ca.cert) },
        deviceId: gatewayDevice.deviceId,
        secret: gatewayDevice.secret,
        firmware: "test-gateway",
        heartbeatIntervalMs: 60_000,
        retryInitialMs: 500,
        retryMaxMs: 2000,
      },
      {
        connected: () => {},
        disconnected: () => {},
        refused: () => {},
        ack: (ack) => acks.push(ack),
        feedback: () => {},
        command: () => {},
        invalid: () => {},
      },
    );
    expect(await link.start(5000)).toBe("connected");
    link.send({
      pressId: crypto.randomUUID(),
      kind: "sos",
      deviceTime: new Date().toISOString(),
      seq: 1,
      battery: 100,
    });
    const ack = await waitFor(() => acks[0], 5000, "the gateway's ack");
    expect(storedAlarm(ack.alarmId)).toEqual({ device_id: gatewayDevice.deviceId });
    await link.stop();
  });

  it("a client that trusts another CA, or speaks plain MQTT to the TLS port, never reaches MQTT", async () => {
    const { deviceId, secret } = device(3);
    const alarmsBefore = (th.hub.db.prepare("SELECT COUNT(*) AS n FROM alarms").get() as { n: number }).n;
    const stranger = new SimulatedButton({ mqttUrl: url, deviceId, secret, tls: { ca: read(pki.otherCa.cert) } });
    const refused = await stranger.start({ timeoutMs: 3000 }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(HubUnreachableError);
    expect(String(refused)).toMatch(/certificate/);
    // The hub sees the handshake end before any login, and says so with the client's address.
    const failure = await th.waitForLog((l) => l.code === "TLS_HANDSHAKE_FAILED");
    expect(failure).toMatchObject({ address: "127.0.0.1", reason: expect.stringMatching(/handshake|alert/i) });
    expect(logged((l) => l.code === "MQTT_AUTH_REFUSED" && l.username === deviceId)).toEqual([]);

    // A plain CONNECT to the TLS port is not a ClientHello: closed, never answered with a CONNACK.
    const port = Number(new URL(url).port);
    expect(await mqttLoginResult(port, "127.0.0.1", deviceLogin(3, "plain"))).toBe(-1);
    expect((th.hub.db.prepare("SELECT COUNT(*) AS n FROM alarms").get() as { n: number }).n).toBe(alarmsBefore);
  });

  it("counts TLS connections that have not logged in against the per-address gate, and guards their packet size", async () => {
    const port = Number(new URL(url).port);
    const ca = read(pki.ca.cert);
    // Logged in, they no longer count: three sessions, and a fourth login still gets in.
    const sessions = await Promise.all(
      [7, 8, 9].map(async (index) => {
        const { deviceId, secret } = device(index);
        const button = new SimulatedButton({ mqttUrl: url, deviceId, secret, tls: { ca } });
        await button.start({ timeoutMs: 5000 });
        return button;
      }),
    );
    expect(await tlsLogin(url, { ca: pki.ca.cert }, deviceLogin(4, "while-three-sessions"))).toBe("connected");
    await Promise.all(sessions.map((button) => button.stop()));
    // Three handshakes done and no CONNECT: the address holds its most connections not logged in.
    const idle = await Promise.all(
      [1, 2, 3].map(
        () =>
          new Promise<tls.TLSSocket>((resolve, reject) => {
            const socket = tls.connect({ host: "127.0.0.1", port, ca }, () => resolve(socket));
            socket.once("error", reject);
          }),
      ),
    );
    const fourth = await tlsLogin(url, { ca: pki.ca.cert }, deviceLogin(4, "fourth"));
    expect(fourth).not.toBe("connected");
    await th.waitForLog((l) => l.code === "MQTT_PENDING_LIMIT");
    // One of them declares a packet far over the limit: closed before it is read, as on plain MQTT.
    const hostile = idle[0] as tls.TLSSocket;
    const closed = new Promise<void>((resolve) => hostile.once("close", () => resolve()));
    hostile.write(hugeConnectHeader(50_000_000));
    await closed;
    await th.waitForLog((l) => l.code === "MQTT_PACKET_TOO_LARGE");
    for (const socket of idle) socket.destroy();
    // Their places are free again: the device logs in.
    await waitFor(
      async () => (await tlsLogin(url, { ca: pki.ca.cert }, deviceLogin(4, "after"))) === "connected",
      5000,
      "a login once the idle connections closed",
    );
  });

  it("with a client CA: the device's own certificate is accepted; another device's, or another CA's, is refused", async () => {
    const { deviceId } = device(5);
    const trust = { ca: pki.ca.cert };
    const own = await pki.client(deviceId);
    const neighbours = await pki.client(device(6).deviceId);
    const forged = await pki.client(deviceId, "otherCa");

    expect(await tlsLogin(url, { ...trust, client: own }, deviceLogin(5, "own"))).toBe("connected");
    // No certificate at all: the secret alone, while certificates are not required.
    expect(await tlsLogin(url, trust, deviceLogin(5, "none"))).toBe("connected");

    expect(await tlsLogin(url, { ...trust, client: neighbours }, deviceLogin(5, "other"))).toBe(5);
    const mismatch = await th.waitForLog((l) => l.code === "MQTT_CLIENT_CERT_REFUSED" && l.username === deviceId);
    expect(mismatch.reason).toBe(`client certificate is for "${device(6).deviceId}", not "${deviceId}"`);

    expect(await tlsLogin(url, { ...trust, client: forged }, deviceLogin(5, "forged"))).toBe(5);
    await th.waitForLog(
      (l) =>
        l.code === "MQTT_CLIENT_CERT_REFUSED" &&
        l.username === deviceId &&
        String(l.reason).startsWith("client certificate not issued by ANXIN_MQTT_CLIENT_CA"),
    );

    // The right certificate does not stand in for the secret.
    expect(await tlsLogin(url, { ...trust, client: own }, { ...deviceLogin(5, "nosecret"), password: "wrong" })).toBe(
      4,
    );
    // And the simulator presents it with --cert/--key: pressed and stored.
    const button = new SimulatedButton({
      mqttUrl: url,
      deviceId,
      secret: device(5).secret,
      tls: { ca: read(pki.ca.cert), cert: read(own.cert), key: read(own.key) },
    });
    await button.start({ timeoutMs: 5000 });
    const ack = await button.press("test");
    expect(storedAlarm(ack.alarmId)).toEqual({ device_id: deviceId });
    await button.stop();
  });
});

describe("plain MQTT and MQTT over TLS together", () => {
  let pki: TestPki;
  let th: TestHub;
  beforeAll(async () => {
    pki = await makeTestPki();
    const server = await pki.server("1501");
    th = await startTestHub({
      twilio: false,
      env: {
        ...mqttTlsEnv(server),
        ANXIN_MQTT_MAX_CONNECTIONS: "4",
      },
    });
  }, 60_000);
  afterAll(async () => {
    await th?.stop();
    pki?.remove();
  });

  it("share one connection cap: four over TLS fill it for plain MQTT too", async () => {
    const tlsPort = th.hub.mqttTlsPort ?? 0;
    const ca = read(pki.ca.cert);
    const credential = th.demoDevices[0];
    if (!credential) throw new Error("no demo device");
    const login = { clientId: `${credential.deviceId}:t`, username: credential.deviceId, password: credential.secret };
    // Handshakes done: the hub has admitted each of them.
    const secure = await Promise.all(
      [1, 2, 3, 4].map(
        () =>
          new Promise<tls.TLSSocket>((resolve, reject) => {
            const socket = tls.connect({ host: "127.0.0.1", port: tlsPort, ca }, () => resolve(socket));
            socket.once("error", reject);
          }),
      ),
    );
    // The plain server holds none of them, under its own cap of four: only the count over both refuses this one.
    expect(await mqttLoginResult(th.hub.mqttPort, "127.0.0.1", login)).toBe(-1);
    await th.waitForLog((l) => l.code === "MQTT_CONNECTIONS_FULL" && l.cap === 4);
    for (const socket of secure) socket.destroy();
    await waitFor(
      async () => (await mqttLoginResult(th.hub.mqttPort, "127.0.0.1", login)) === "connected",
      5000,
      "a plain login once the TLS connections closed",
    );
  });
});

describe("MQTT over TLS only, client certificates required", () => {
  let pki: TestPki;
  let th: TestHub;
  beforeAll(async () => {
    pki = await makeTestPki();
    const server = await pki.server("2001");
    th = await startTestHub({
      twilio: false,
      env: {
        ANXIN_MQTT_PORT: "off",
        ...mqttTlsEnv(server),
        ANXIN_MQTT_CLIENT_CA: pki.ca.cert,
        ANXIN_MQTT_REQUIRE_CLIENT_CERT: "true",
        ANXIN_MQTT_CONNECT_TIMEOUT_MS: "3000",
      },
    });
  }, 60_000);
  afterAll(async () => {
    await th?.stop();
    pki?.remove();
  });

  it("listens on no plain port; health says so", async () => {
    expect(th.hub.config.mqttPort).toBeNull();
    expect(() => th.hub.mqttPort).toThrow(/plain MQTT is off/);
    const health = await th.hub.app.inject({ method: "GET", url: "/health" });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toMatchObject({ mqtt: { listening: true, port: null, tlsPort: th.hub.mqttTlsPort } });
    const started = await th.waitForLog((l) => l.msg === "Anxin hub started");
    expect(started).toMatchObject({ mqtt: null, mqtts: th.mqttsUrl });
  });

  it("closes a connection that never starts its handshake after the CONNECT timeout, not Node's two minutes", async () => {
    const socket = net.connect(th.hub.mqttTlsPort ?? 0, "127.0.0.1");
    socket.on("error", () => {});
    const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
    await within(closed, 20_000, "the silent connection to be closed");
    await th.waitForLog((l) => l.code === "TLS_HANDSHAKE_FAILED" && /timeout/i.test(String(l.reason)));
  });

  it("the simulator says plain MQTT is off rather than trying it", async () => {
    const credential = th.demoDevices[0];
    if (!credential) throw new Error("no demo device");
    const run = await runCli("firmware-sim/cli.ts", ["press", credential.deviceId, "--data-dir", th.dataDir], {
      ANXIN_MQTT_PORT: "",
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("plain MQTT is off at this hub (ANXIN_MQTT_PORT=off): pass --ca <file>");
  });

  it("refuses a device without a certificate, even with its secret; takes its press with one", async () => {
    const url = th.mqttsUrl ?? "";
    const credential = th.demoDevices[0];
    if (!credential) throw new Error("no demo device");
    const { deviceId, secret } = credential;
    const login = { clientId: deviceId, username: deviceId, password: secret };
    expect(await tlsLogin(url, { ca: pki.ca.cert }, login)).toBe(5);
    await th.waitForLog(
      (l) =>
        l.code === "MQTT_CLIENT_CERT_REFUSED" &&
        l.reason === "no client certificate (ANXIN_MQTT_REQUIRE_CLIENT_CERT requires one)",
    );
    const own = await pki.client(deviceId);
    const button = new SimulatedButton({
      mqttUrl: url,
      deviceId,
      secret,
      tls: { ca: read(pki.ca.cert), cert: read(own.cert), key: read(own.key) },
    });
    await button.start({ timeoutMs: 5000 });
    const ack = await button.press("sos");
    expect(th.hub.db.prepare("SELECT device_id FROM alarms WHERE id = ?").get(ack.alarmId)).toEqual({
      device_id: deviceId,
    });
    await button.stop();
  });
});
