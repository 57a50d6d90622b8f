/**
 * The TLS part of the configuration (issue 16), kept in a file of its own: its
 * environment variables, the keys they set in the config, and the rules that
 * tie them together. config-settings.ts lists the variables among the others;
 * config.ts adds the keys to the one schema and the rules to its problems.
 *
 * Certificate files are only named here; the hub reads them when it starts
 * (hub/net/tls-material.ts), and again on SIGHUP.
 */
import path from "node:path";
import Type from "typebox";

/** The TLS variables, in the order `--help` and the README list them (after the plain ports). */
export const TLS_SETTING_LIST = [
  {
    env: "ANXIN_MQTT_TLS_PORT",
    key: "mqttTlsPort",
    fallback: "off",
    parse: "portOrOff",
    help: "MQTT over TLS for devices and gateways (8883 is the usual port; off: none); needs ANXIN_TLS_CERT and ANXIN_TLS_KEY",
  },
  {
    env: "ANXIN_HTTPS_PORT",
    key: "httpsPort",
    fallback: "off",
    parse: "portOrOff",
    help: "console and API over HTTPS; the HTTP port then only redirects to ANXIN_PUBLIC_URL (except /health and loopback's /metrics)",
  },
  {
    env: "ANXIN_TLS_CERT",
    key: "tlsCert",
    fallback: null,
    parse: "nullableString",
    help: "the hub's certificate (PEM, the chain after it) for MQTT over TLS and HTTPS; re-read on SIGHUP",
  },
  {
    env: "ANXIN_TLS_KEY",
    key: "tlsKey",
    fallback: null,
    parse: "nullableString",
    help: "its private key (PEM file; readable by the hub alone); re-read on SIGHUP",
  },
  {
    env: "ANXIN_MQTT_CLIENT_CA",
    key: "mqttClientCa",
    fallback: null,
    parse: "nullableString",
    help: "CA (PEM file) of devices' client certificates: a certificate presented over TLS must come from it and name the device id (CN)",
  },
  {
    env: "ANXIN_MQTT_REQUIRE_CLIENT_CERT",
    key: "mqttRequireClientCert",
    fallback: "false",
    parse: "bool",
    help: "every MQTT login must present a client certificate from ANXIN_MQTT_CLIENT_CA (needs ANXIN_MQTT_PORT=off)",
  },
  {
    env: "ANXIN_HSTS_MAX_AGE_S",
    key: "hstsMaxAgeS",
    fallback: "0",
    parse: "int",
    help: "with HTTPS: send Strict-Transport-Security for this many seconds (0: not sent; see docs/operations.md first)",
  },
] as const;

const Port = Type.Integer({ minimum: 0, maximum: 65535 });
const File = Type.Union([Type.String({ minLength: 1 }), Type.Null()]);

/** The keys the TLS variables set, spread into the config's schema. */
export const TLS_CONFIG_PROPERTIES = {
  /** Port of MQTT over TLS; null: none. */
  mqttTlsPort: Type.Union([Port, Type.Null()]),
  /** Port of HTTPS; null: none (the console is plain HTTP, or TLS ends at a proxy in front). */
  httpsPort: Type.Union([Port, Type.Null()]),
  /** Absolute paths of the PEM files (resolved against the working directory at load). */
  tlsCert: File,
  tlsKey: File,
  mqttClientCa: File,
  mqttRequireClientCert: Type.Boolean(),
  hstsMaxAgeS: Type.Integer({ minimum: 0, maximum: 2 * 365 * 24 * 3600 }),
};

/** The TLS part of a raw config, as read from the environment (before the schema checked it). */
interface RawTls {
  mqttPort?: unknown;
  httpPort?: unknown;
  publicUrl?: unknown;
  mqttTlsPort?: unknown;
  httpsPort?: unknown;
  tlsCert?: unknown;
  tlsKey?: unknown;
  mqttClientCa?: unknown;
  mqttRequireClientCert?: unknown;
  hstsMaxAgeS?: unknown;
}

/** File settings become absolute paths, so a hub started elsewhere or reloaded later reads the same files. */
export function resolveTlsFiles(raw: RawTls, cwd: string): void {
  for (const key of ["tlsCert", "tlsKey", "mqttClientCa"] as const) {
    const value = raw[key];
    if (typeof value === "string" && value !== "") raw[key] = path.resolve(cwd, value);
  }
}

/** With HTTPS and no ANXIN_PUBLIC_URL, links and redirects name the HTTPS port. */
export function defaultPublicUrl(raw: RawTls): string {
  return typeof raw.httpsPort === "number"
    ? `https://localhost:${raw.httpsPort}`
    : `http://localhost:${String(raw.httpPort)}`;
}

/**
 * What the TLS settings say together that none says alone; each problem names
 * its variables. `publicUrlSet`: whether ANXIN_PUBLIC_URL was given (a default
 * follows the HTTPS port and is never wrong).
 */
export function tlsConfigProblems(raw: RawTls, publicUrlSet: boolean): string[] {
  const problems: string[] = [];
  const mqttTls = typeof raw.mqttTlsPort === "number";
  const https = typeof raw.httpsPort === "number";
  const files = typeof raw.tlsCert === "string" && typeof raw.tlsKey === "string";
  if (raw.mqttPort === null && !mqttTls) {
    problems.push("ANXIN_MQTT_PORT: off needs ANXIN_MQTT_TLS_PORT; with neither, no button could connect");
  }
  if ((mqttTls || https) && !files) {
    problems.push("ANXIN_TLS_CERT and ANXIN_TLS_KEY: both are needed with ANXIN_MQTT_TLS_PORT or ANXIN_HTTPS_PORT");
  }
  if (!mqttTls && !https && (raw.tlsCert != null || raw.tlsKey != null)) {
    problems.push(
      "ANXIN_TLS_CERT, ANXIN_TLS_KEY: set, but neither ANXIN_MQTT_TLS_PORT nor ANXIN_HTTPS_PORT uses them (nothing would be encrypted)",
    );
  }
  if (raw.mqttClientCa != null && !mqttTls) {
    problems.push("ANXIN_MQTT_CLIENT_CA: client certificates are asked for over TLS only; set ANXIN_MQTT_TLS_PORT");
  }
  if (raw.mqttRequireClientCert === true) {
    if (raw.mqttClientCa == null) problems.push("ANXIN_MQTT_REQUIRE_CLIENT_CERT: needs ANXIN_MQTT_CLIENT_CA");
    if (raw.mqttPort !== null) {
      problems.push(
        "ANXIN_MQTT_REQUIRE_CLIENT_CERT: needs ANXIN_MQTT_PORT=off (plain MQTT would let a device in without a certificate)",
      );
    }
  }
  if (https && publicUrlSet && typeof raw.publicUrl === "string" && !raw.publicUrl.startsWith("https://")) {
    problems.push(
      "ANXIN_PUBLIC_URL: must start with https:// when ANXIN_HTTPS_PORT is set (the HTTP port only redirects, and SMS links and Twilio's webhooks use this URL)",
    );
  }
  if (typeof raw.hstsMaxAgeS === "number" && raw.hstsMaxAgeS > 0 && !https) {
    problems.push("ANXIN_HSTS_MAX_AGE_S: only means something with ANXIN_HTTPS_PORT");
  }
  if (https && raw.httpsPort !== 0 && raw.httpsPort === raw.httpPort) {
    problems.push("ANXIN_HTTPS_PORT: must differ from ANXIN_HTTP_PORT");
  }
  if (mqttTls && raw.mqttTlsPort !== 0 && raw.mqttTlsPort === raw.mqttPort) {
    problems.push("ANXIN_MQTT_TLS_PORT: must differ from ANXIN_MQTT_PORT");
  }
  return problems;
}
