/**
 * Issue 16: the TLS settings. What each variable becomes, the rules that tie
 * them together (each refusal naming its variables, all reported at once),
 * certificate files that cannot be used (the hub does not start, and says
 * which file and why, before it opens anything), and the gateway's TLS fields.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseGatewayConfig } from "../gateway/config.ts";
import { loadConfig } from "../hub/config.ts";
import { AnxinError } from "../hub/errors.ts";
import { Hub } from "../hub/hub.ts";
import { createLogger } from "../hub/log.ts";
import { readTlsMaterial } from "../hub/net/tls-material.ts";
import { runCli } from "./support/run-cli.ts";
import { type KeyPair, makeTestPki, serialOf, type TestPki } from "./support/tls-certs.ts";

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env, "/srv/anxin");
  } catch (error) {
    if (error instanceof AnxinError && error.code === "CONFIG_INVALID") return error.details?.problems as string[];
    throw error;
  }
  return [];
}

describe("TLS settings", () => {
  it("are off by default, and read as ports, absolute files and flags when set", () => {
    const plain = loadConfig({}, "/srv/anxin");
    expect(plain).toMatchObject({
      mqttPort: 1883,
      mqttTlsPort: null,
      httpsPort: null,
      tlsCert: null,
      tlsKey: null,
      mqttClientCa: null,
      mqttRequireClientCert: false,
      hstsMaxAgeS: 0,
    });
    const tls = loadConfig(
      {
        ANXIN_MQTT_PORT: "off",
        ANXIN_MQTT_TLS_PORT: "8883",
        ANXIN_HTTPS_PORT: "8443",
        ANXIN_TLS_CERT: "tls/hub.pem",
        ANXIN_TLS_KEY: "/etc/anxin/hub.key",
        ANXIN_MQTT_CLIENT_CA: "tls/devices-ca.pem",
        ANXIN_MQTT_REQUIRE_CLIENT_CERT: "true",
      },
      "/srv/anxin",
    );
    expect(tls).toMatchObject({
      mqttPort: null,
      mqttTlsPort: 8883,
      httpsPort: 8443,
      tlsCert: "/srv/anxin/tls/hub.pem",
      tlsKey: "/etc/anxin/hub.key",
      mqttClientCa: "/srv/anxin/tls/devices-ca.pem",
      mqttRequireClientCert: true,
      // Without ANXIN_PUBLIC_URL, links and redirects name the HTTPS port.
      publicUrl: "https://localhost:8443",
    });
  });

  it("refuses settings that leave a button unable to connect or a secret in clear, naming the variables", () => {
    const files = { ANXIN_TLS_CERT: "hub.pem", ANXIN_TLS_KEY: "hub.key" };
    const cases: [Record<string, string>, string][] = [
      [{ ANXIN_MQTT_PORT: "off" }, "ANXIN_MQTT_PORT: off needs ANXIN_MQTT_TLS_PORT"],
      [{ ANXIN_MQTT_PORT: "" }, "ANXIN_MQTT_PORT: must be a port number or off"],
      [{ ANXIN_MQTT_TLS_PORT: "8883" }, "ANXIN_TLS_CERT and ANXIN_TLS_KEY: both are needed"],
      [{ ANXIN_HTTPS_PORT: "8443", ANXIN_TLS_CERT: "hub.pem" }, "ANXIN_TLS_CERT and ANXIN_TLS_KEY: both are needed"],
      [files, "neither ANXIN_MQTT_TLS_PORT nor ANXIN_HTTPS_PORT uses them"],
      [{ ANXIN_MQTT_CLIENT_CA: "ca.pem" }, "ANXIN_MQTT_CLIENT_CA: client certificates are asked for over TLS only"],
      [
        { ...files, ANXIN_MQTT_TLS_PORT: "8883", ANXIN_MQTT_REQUIRE_CLIENT_CERT: "true" },
        "ANXIN_MQTT_REQUIRE_CLIENT_CERT: needs ANXIN_MQTT_CLIENT_CA",
      ],
      [
        { ...files, ANXIN_MQTT_TLS_PORT: "8883", ANXIN_MQTT_CLIENT_CA: "ca.pem", ANXIN_MQTT_REQUIRE_CLIENT_CERT: "1" },
        "ANXIN_MQTT_REQUIRE_CLIENT_CERT: needs ANXIN_MQTT_PORT=off",
      ],
      [
        { ...files, ANXIN_HTTPS_PORT: "8443", ANXIN_PUBLIC_URL: "http://center.example" },
        "ANXIN_PUBLIC_URL: must start with https:// when ANXIN_HTTPS_PORT is set",
      ],
      [{ ANXIN_HSTS_MAX_AGE_S: "600" }, "ANXIN_HSTS_MAX_AGE_S: only means something with ANXIN_HTTPS_PORT"],
      [{ ...files, ANXIN_HTTPS_PORT: "8080" }, "ANXIN_HTTPS_PORT: must differ from ANXIN_HTTP_PORT"],
      [{ ...files, ANXIN_MQTT_TLS_PORT: "1883" }, "ANXIN_MQTT_TLS_PORT: must differ from ANXIN_MQTT_PORT"],
    ];
    for (const [env, problem] of cases) {
      expect(problemsOf(env).join("\n"), JSON.stringify(env)).toContain(problem);
    }
    // All at once, with the others.
    const all = problemsOf({ ANXIN_MQTT_PORT: "off", ANXIN_MQTT_CLIENT_CA: "ca.pem", ANXIN_HTTP_PORT: "eighty" });
    expect(all.length).toBeGreaterThanOrEqual(3);
    // The working combinations pass.
    expect(problemsOf({ ...files, ANXIN_MQTT_TLS_PORT: "8883", ANXIN_HTTPS_PORT: "8443" })).toEqual([]);
    expect(
      problemsOf({
        ...files,
        ANXIN_MQTT_PORT: "off",
        ANXIN_MQTT_TLS_PORT: "8883",
        ANXIN_MQTT_CLIENT_CA: "ca.pem",
        ANXIN_MQTT_REQUIRE_CLIENT_CERT: "true",
        ANXIN_HTTPS_PORT: "443",
        ANXIN_HTTP_PORT: "80",
        ANXIN_PUBLIC_URL: "https://center.example",
        ANXIN_HSTS_MAX_AGE_S: "31536000",
      }),
    ).toEqual([]);
  });
});

describe("certificate files", () => {
  let pki: TestPki;
  let server: KeyPair;
  beforeAll(async () => {
    pki = await makeTestPki();
    server = await pki.server("6001");
  });
  afterAll(() => pki?.remove());

  const refusal = (files: { cert: string; key: string; clientCa?: string }) => {
    try {
      readTlsMaterial({ clientCa: null, ...files });
    } catch (error) {
      return error;
    }
    return null;
  };

  it("are read with their identity; one that cannot be used is TLS_CERT_INVALID naming the variable and the file", () => {
    const material = readTlsMaterial({ cert: server.cert, key: server.key, clientCa: pki.ca.cert });
    expect(material.identity).toMatchObject({ serialNumber: serialOf(server.cert), subject: "CN=localhost" });
    const garbage = path.join(pki.dir, "garbage.pem");
    fs.writeFileSync(garbage, "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n");
    const cases: [Parameters<typeof refusal>[0], RegExp][] = [
      [
        { cert: path.join(pki.dir, "missing.pem"), key: server.key },
        /^ANXIN_TLS_CERT: cannot read .*missing\.pem \(ENOENT\)$/,
      ],
      [{ cert: garbage, key: server.key }, /^ANXIN_TLS_CERT: .*garbage\.pem cannot be used/],
      [{ cert: server.cert, key: garbage }, /^ANXIN_TLS_KEY: .*garbage\.pem cannot be used/],
      [{ cert: server.cert, key: pki.ca.key }, /^ANXIN_TLS_CERT and ANXIN_TLS_KEY: .* cannot be used \(.*mismatch/],
      [
        { cert: server.cert, key: server.key, clientCa: garbage },
        /^ANXIN_MQTT_CLIENT_CA: .*garbage\.pem cannot be used/,
      ],
    ];
    for (const [files, message] of cases) {
      const error = refusal(files);
      expect(error, JSON.stringify(files)).toBeInstanceOf(AnxinError);
      expect((error as AnxinError).code).toBe("TLS_CERT_INVALID");
      expect((error as AnxinError).message).toMatch(message);
      // A key's content is never in the message.
      expect((error as AnxinError).message).not.toContain("PRIVATE KEY");
    }
  });

  it("stop the hub at start, before it opens its database; `npm start` says why and exits 2", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "anxin-tls-start-"));
    const env = {
      ANXIN_DATA_DIR: dataDir,
      ANXIN_HTTP_PORT: "0",
      ANXIN_HTTP_HOST: "127.0.0.1",
      ANXIN_MQTT_PORT: "0",
      ANXIN_MQTT_HOST: "127.0.0.1",
      ANXIN_MQTT_TLS_PORT: "0",
      ANXIN_TLS_CERT: server.cert,
      ANXIN_TLS_KEY: pki.ca.key,
      ANXIN_ADMIN_PASSWORD: "test-admin-password",
    };
    try {
      const hub = new Hub(loadConfig(env), { logger: createLogger("silent") });
      await expect(hub.start()).rejects.toMatchObject({ code: "TLS_CERT_INVALID" });
      expect(fs.readdirSync(dataDir)).toEqual([]);
      const run = await runCli("hub/main.ts", [], env);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/^Anxin hub failed to start: TLS_CERT_INVALID: ANXIN_TLS_CERT and ANXIN_TLS_KEY: /);
      expect(fs.readdirSync(dataDir)).toEqual([]);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe("the gateway's TLS fields", () => {
  let pki: TestPki;
  beforeAll(async () => {
    pki = await makeTestPki();
  });
  afterAll(() => pki?.remove());

  const board = (extra: Record<string, unknown> = {}) => ({
    deviceId: "KL-0001",
    secret: "s",
    path: "/dev/ttyACM0",
    pins: { button: 2, led: 13, buzzer: 8, pullup: true },
    ...extra,
  });

  it("reads the CA and each board's certificate relative to the config file", async () => {
    const own = await pki.client("KL-0001");
    const config = parseGatewayConfig(
      {
        mqttUrl: "mqtts://hub.example:8883",
        caFile: path.basename(pki.ca.cert),
        dataDir: "./gw",
        boards: [board({ certFile: path.basename(own.cert), keyFile: path.basename(own.key) })],
      },
      pki.dir,
    );
    expect(config.boards[0]?.tls?.ca?.equals(fs.readFileSync(pki.ca.cert))).toBe(true);
    expect(config.boards[0]?.tls?.cert?.equals(fs.readFileSync(own.cert))).toBe(true);
    expect(config.boards[0]?.tls?.key?.equals(fs.readFileSync(own.key))).toBe(true);
  });

  it("reports a file it cannot read, and a certificate without its key, by their fields", () => {
    let caught: unknown;
    try {
      parseGatewayConfig(
        {
          mqttUrl: "mqtts://hub.example:8883",
          caFile: "no-such-ca.pem",
          dataDir: "./gw",
          boards: [board({ certFile: "kl-0001.pem" })],
        },
        pki.dir,
      );
    } catch (error) {
      caught = error;
    }
    const problems = ((caught as { details?: { problems?: string[] } }).details?.problems ?? []).join("\n");
    expect(problems).toMatch(/^\/caFile: cannot read .*no-such-ca\.pem \(ENOENT\)$/m);
    expect(problems).toContain('/boards/0: set both "certFile" and "keyFile", or neither');
  });
});
