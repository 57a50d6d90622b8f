/**
 * Clients that speak TLS to a test hub: an MQTT login over TLS with a chosen CA
 * and client certificate, a bare handshake that reports the hub's certificate,
 * and HTTPS requests (node:https, so each names the CA it trusts; fetch cannot).
 */
import fs from "node:fs";
import https from "node:https";
import tls from "node:tls";
import mqtt from "mqtt";
import type { KeyPair } from "./tls-certs.ts";

export interface TlsTrust {
  /** The CA file the client trusts the hub by. */
  ca: string;
  /** A client certificate to present. */
  client?: KeyPair;
}

function tlsFiles(trust: TlsTrust): { ca: Buffer; cert?: Buffer; key?: Buffer } {
  return {
    ca: fs.readFileSync(trust.ca),
    ...(trust.client ? { cert: fs.readFileSync(trust.client.cert), key: fs.readFileSync(trust.client.key) } : {}),
  };
}

/**
 * Logs in over TLS and disconnects: "connected", the CONNACK code the broker refused with, or the TLS
 * error's code when no MQTT was spoken at all (the handshake failed).
 */
export async function tlsLogin(
  url: string,
  trust: TlsTrust,
  login: { clientId: string; username: string; password: string },
): Promise<"connected" | number | string> {
  try {
    const client = await mqtt.connectAsync(url, {
      ...tlsFiles(trust),
      ...login,
      protocolVersion: 4,
      reconnectPeriod: 0,
      connectTimeout: 5000,
    });
    await client.endAsync(true);
    return "connected";
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === "number" || typeof code === "string" ? code : String(error);
  }
}

/** The certificate a new TLS handshake with the hub gets (its serial number, upper-case hex). */
export function servedSerial(port: number, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: "127.0.0.1", port, ca: fs.readFileSync(ca) }, () => {
      const serial = socket.getPeerCertificate().serialNumber;
      socket.end();
      resolve(serial);
    });
    socket.once("error", reject);
  });
}

export interface HttpsAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One HTTPS request trusting `ca`; the answer as text. */
export function httpsRequest(
  url: string,
  ca: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<HttpsAnswer> {
  return new Promise((resolve, reject) => {
    const request = https.request(
      url,
      { method: options.method ?? "GET", headers: options.headers ?? {}, ca: fs.readFileSync(ca), agent: false },
      (response) => {
        let body = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => {
          body += chunk;
        });
        response.on("end", () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
      },
    );
    request.once("error", reject);
    request.end(options.body);
  });
}
