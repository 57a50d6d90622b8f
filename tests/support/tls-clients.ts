/**
 * Clients that speak TLS to a test hub: an MQTT login over TLS with a chosen CA
 * and client certificate, a bare handshake that reports the hub's certificate,
 * and HTTPS requests (node:https, so each names the CA it trusts; fetch cannot), and plain HTTP ones.
 */
import fs from "node:fs";
import http from "node:http";
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
  return send(
    (answer) =>
      https.request(
        url,
        { method: options.method ?? "GET", headers: options.headers ?? {}, ca: fs.readFileSync(ca), agent: false },
        answer,
      ),
    options.body,
  );
}

/**
 * One plain HTTP request to 127.0.0.1:`port` as a browser or a tool would send it, the path exactly as
 * given (no normalising: an absolute-form or `//` target stays as it is); the answer as text.
 */
export function plainHttpRequest(
  port: number,
  path: string,
  options: { method?: string; body?: string; headers?: Record<string, string> } = {},
): Promise<HttpsAnswer> {
  const headers = { ...(options.body ? { "content-type": "application/json" } : {}), ...options.headers };
  return send(
    (answer) =>
      http.request({ host: "127.0.0.1", port, path, method: options.method ?? "GET", headers, agent: false }, answer),
    options.body,
  );
}

function send(
  open: (answer: (response: http.IncomingMessage) => void) => http.ClientRequest,
  body: string | undefined,
): Promise<HttpsAnswer> {
  return new Promise((resolve, reject) => {
    const request = open((response) => {
      let text = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => {
        text += chunk;
      });
      response.on("end", () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text }));
    });
    request.once("error", reject);
    request.end(body);
  });
}
