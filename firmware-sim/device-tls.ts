/**
 * TLS for a device's MQTT connection (`mqtts://`, the hub's ANXIN_MQTT_TLS_PORT):
 * the CA the device trusts the hub's certificate by, and, for mutual TLS, its
 * own certificate, whose CN is its device id (docs/protocol.md, TLS).
 */
import { readFileSync } from "node:fs";
import type { IClientOptions } from "mqtt";

export interface DeviceTls {
  /** The CA (PEM) the hub's certificate must chain to; unset: the system's CAs. */
  ca?: Buffer;
  /** The device's own certificate and key (PEM), when the hub asks for client certificates. */
  cert?: Buffer;
  key?: Buffer;
}

/** The TLS part of the CONNECT's connection: the hub's certificate is always verified. */
export function tlsClientOptions(tls: DeviceTls): IClientOptions {
  return {
    rejectUnauthorized: true,
    ...(tls.ca ? { ca: tls.ca } : {}),
    ...(tls.cert ? { cert: tls.cert } : {}),
    ...(tls.key ? { key: tls.key } : {}),
  };
}

/** Reads the PEM files named by `--ca`, `--cert`, `--key` (or a config's fields); an Error names the unreadable one. */
export function readDeviceTls(files: {
  ca?: string | undefined;
  cert?: string | undefined;
  key?: string | undefined;
}): DeviceTls {
  if ((files.cert === undefined) !== (files.key === undefined)) {
    throw new Error("a client certificate needs both --cert and --key");
  }
  const read = (option: string, file: string | undefined): Buffer | undefined => {
    if (file === undefined) return undefined;
    try {
      return readFileSync(file);
    } catch (error) {
      throw new Error(`${option} ${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    }
  };
  const tls: DeviceTls = {};
  const ca = read("--ca", files.ca);
  const cert = read("--cert", files.cert);
  const key = read("--key", files.key);
  if (ca) tls.ca = ca;
  if (cert) tls.cert = cert;
  if (key) tls.key = key;
  return tls;
}
