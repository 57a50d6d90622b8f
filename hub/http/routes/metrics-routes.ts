/**
 * `GET /metrics`: the hub's metrics in Prometheus' text format (hub/metrics/). It tells how the service
 * stands (open alarms, queues, devices connected), so it is not for anyone who can reach the port:
 *
 * - with ANXIN_METRICS_TOKEN set, every scrape must carry `Authorization: Bearer <token>`, loopback's
 *   too (compared in constant time: both sides are hashed first, so not even the length leaks);
 * - without it, only loopback may scrape (127.0.0.0/8, ::1), as the socket's peer says, never a header;
 *   and a request that carries a proxy's forwarding header (`Forwarded`, `X-Forwarded-For`,
 *   `X-Real-IP`) is not loopback's, even from 127.0.0.1: it was forwarded for someone else by a proxy on
 *   this machine (HAProxy in docs/deploy.md adds `X-Forwarded-For`, and denies /metrics itself). Nor is
 *   a request over HTTPS: a proxy passing TLS through (HAProxy's TCP mode) adds no header at all.
 *
 * A refusal is a coded error (ErrorBody), logged at most twice per code per 10 s (hub/net/refusal-log.ts),
 * and never written to the audit log: a scrape is not a person's login.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import net from "node:net";
import type { FastifyPluginAsync, FastifyRequest } from "fastify";
import Type from "typebox";
import { ErrorBody } from "../../../protocol/console/index.ts";
import { AnxinError, type ErrorCode } from "../../errors.ts";
import type { RefusalLog } from "../../net/refusal-log.ts";

export interface MetricsExposition {
  readonly contentType: string;
  /** Rejects when what it reports cannot be read (storage): the scrape then fails, it never reports nothing. */
  exposition(): Promise<string>;
}

export interface MetricsRoutesOptions {
  metrics: MetricsExposition;
  /** ANXIN_METRICS_TOKEN; null: loopback alone may scrape. */
  token: string | null;
  refusals: Pick<RefusalLog, "refused">;
}

/** Headers a proxy adds to what it forwards; a request carrying one came from someone behind the proxy. */
const FORWARDING_HEADERS = ["forwarded", "x-forwarded-for", "x-real-ip"] as const;

/** Whether an address is this machine's loopback: 127.0.0.0/8 (also IPv4-mapped) or ::1. */
export function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  const v4 = address.toLowerCase().startsWith("::ffff:") ? address.slice(7) : address;
  if (net.isIPv4(v4)) return v4.startsWith("127.");
  return address === "::1";
}

/** Whether a proxy forwarded this request for someone else (it carries one of their headers). */
export function isForwarded(headers: IncomingHttpHeaders): boolean {
  return FORWARDING_HEADERS.some((name) => headers[name] !== undefined);
}

/** Why this request may not scrape (the refusal's code), or null when it may. */
export function scrapeRefusal(request: FastifyRequest, token: string | null): ErrorCode | null {
  if (token !== null) {
    const given = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(request.headers.authorization ?? "")?.[1];
    return given !== undefined && sameSecret(given, token) ? null : "METRICS_TOKEN_INVALID";
  }
  // Over TLS a proxy may pass the connection through unread (HAProxy's TCP mode, docs/operations.md),
  // adding no header: loopback without a token is trusted on the plain port only.
  const encrypted = (request.socket as { encrypted?: boolean }).encrypted === true;
  return !encrypted && !isForwarded(request.headers) && isLoopback(request.socket.remoteAddress)
    ? null
    : "METRICS_LOOPBACK_ONLY";
}

function sameSecret(given: string, expected: string): boolean {
  const digest = (text: string) => createHash("sha256").update(text, "utf8").digest();
  return timingSafeEqual(digest(given), digest(expected));
}

const MESSAGES: Partial<Record<ErrorCode, string>> = {
  METRICS_TOKEN_INVALID: "metrics need Authorization: Bearer <ANXIN_METRICS_TOKEN>",
  METRICS_LOOPBACK_ONLY:
    "metrics are served to loopback's plain HTTP only (set ANXIN_METRICS_TOKEN to scrape from elsewhere or over HTTPS)",
};

export const metricsRoutes: FastifyPluginAsync<MetricsRoutesOptions> = async (app, options) => {
  app.get(
    "/metrics",
    {
      schema: {
        tags: ["health"],
        summary:
          "Prometheus metrics (text format 0.0.4): with ANXIN_METRICS_TOKEN, Authorization: Bearer <token>; without it, loopback only",
        security: [],
        response: {
          200: Type.String({ description: "text/plain; version=0.0.4" }),
          401: ErrorBody,
          403: ErrorBody,
          500: ErrorBody,
        },
      },
      onRequest: async (request, reply) => {
        const code = scrapeRefusal(request, options.token);
        if (code === null) return;
        const address = request.socket.remoteAddress ?? "unknown";
        options.refusals.refused(code, address, { url: "/metrics" }, "metrics scrape refused");
        if (code === "METRICS_TOKEN_INVALID") reply.header("www-authenticate", 'Bearer realm="anxin-metrics"');
        throw new AnxinError(code, MESSAGES[code] ?? code);
      },
    },
    async (request, reply) => {
      let text: string;
      try {
        text = await options.metrics.exposition();
      } catch (error) {
        request.log.error({ err: error, code: "STORAGE_FAILED" }, "metrics could not be read");
        throw new AnxinError("STORAGE_FAILED", "metrics could not be read from the database");
      }
      return reply.header("content-type", options.metrics.contentType).header("cache-control", "no-store").send(text);
    },
  );
};
