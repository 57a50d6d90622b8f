/**
 * Where HTTP comes in. By default the app listens on ANXIN_HTTP_PORT, plain.
 *
 * With ANXIN_HTTPS_PORT the app (console, API, the consoles' WebSocket, Twilio's
 * webhooks, families' pages) listens there over TLS, and the plain port answers
 * every request with a redirect to the same path and query under
 * ANXIN_PUBLIC_URL (308, so a POST stays a POST with its body), never with the
 * request's own answer: a password, a cookie or a family's token sent there by
 * mistake gets no answer that would make the mistake work, and the redirect
 * names the address on the certificate, not whatever `Host` the request said.
 * Two paths stay plain: `GET /health` is answered by the app itself, as over
 * HTTPS, so a load balancer or a monitoring probe on the machine checks it
 * without TLS (it names nothing secret; HAProxy's checks in deploy/haproxy.cfg
 * keep working); and `GET /metrics` from this machine's loopback, so a
 * Prometheus beside the hub scrapes it as before (it never crosses a network;
 * the route's own rules still apply: metrics-routes.ts). From anywhere else
 * /metrics is refused (403 METRICS_HTTPS_REQUIRED), not redirected.
 *
 * Both servers share one connection cap (connection-cap.ts). A new certificate
 * (SIGHUP) goes to the HTTPS server's secure context: open connections and the
 * consoles' WebSockets keep theirs.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import type tls from "node:tls";
import type { FastifyInstance } from "fastify";
import { addressKey } from "../net/address-key.ts";
import { listen } from "../net/listen.ts";
import type { RefusalLog } from "../net/refusal-log.ts";
import type { TlsMaterial } from "../net/tls-material.ts";
import type { HttpConnectionCap } from "./connection-cap.ts";
import { isForwarded, isLoopback } from "./routes/metrics-routes.ts";

/** How long a browser may keep the redirect: it must not outlive HTTPS being switched off by much. */
const REDIRECT_CACHE_S = 3600;

export interface HttpListenerOptions {
  host: string;
  httpPort: number;
  /** ANXIN_HTTPS_PORT; null: the app listens on the plain port. */
  httpsPort: number | null;
  /** Where the plain port redirects to (https://…, checked by the config). */
  publicUrl: string;
}

export class HttpListeners {
  private readonly app: FastifyInstance;
  private readonly options: HttpListenerOptions;
  private readonly cap: HttpConnectionCap;
  private readonly refusals: RefusalLog;
  private redirect: http.Server | null = null;

  constructor(
    app: FastifyInstance,
    options: HttpListenerOptions,
    deps: { cap: HttpConnectionCap; refusals: RefusalLog },
  ) {
    this.app = app;
    this.options = options;
    this.cap = deps.cap;
    this.refusals = deps.refusals;
  }

  /** The plain HTTP port (with HTTPS on, the one that only redirects). */
  get httpPort(): number {
    const server = this.redirect ?? this.app.server;
    return (server.address() as AddressInfo).port;
  }

  /** The HTTPS port; null when HTTPS is off. */
  get httpsPort(): number | null {
    return this.redirect === null ? null : (this.app.server.address() as AddressInfo).port;
  }

  async start(): Promise<void> {
    const { app, options } = this;
    this.cap.apply(app.server);
    if (options.httpsPort === null) {
      await app.listen({ port: options.httpPort, host: options.host });
      return;
    }
    app.server.on("tlsClientError", (error: NodeJS.ErrnoException, socket: tls.TLSSocket) =>
      this.refusals.refused(
        "TLS_HANDSHAKE_FAILED",
        addressKey(socket.remoteAddress),
        { reason: (error.code ?? error.message).slice(0, 200) },
        "HTTPS: handshake failed; connection closed",
      ),
    );
    await app.listen({ port: options.httpsPort, host: options.host });
    const redirect = http.createServer(
      redirectToHttps(options.publicUrl, (request, response) => app.routing(request, response), this.refusals),
    );
    this.cap.apply(redirect);
    await listen(redirect, { port: options.httpPort, host: options.host });
    this.redirect = redirect;
  }

  /** A new certificate (SIGHUP) for the next HTTPS handshakes. */
  useCertificate(material: TlsMaterial): void {
    if (this.redirect === null) return;
    (this.app.server as unknown as tls.Server).setSecureContext({ cert: material.cert, key: material.key });
  }

  /** Closes the redirecting server (the hub closes the app, and the cap's connections after a grace). */
  async stopRedirect(): Promise<void> {
    const redirect = this.redirect;
    if (!redirect) return;
    await new Promise<void>((resolve) => redirect.close(() => resolve()));
  }
}

/** What the plain port does with a request while HTTPS is on (the module's comment says why). */
export type PlainPortAnswer = "app" | "metrics_https_required" | "redirect";

export function plainPortAnswer(
  request: Pick<http.IncomingMessage, "method" | "url" | "headers" | "socket">,
): PlainPortAnswer {
  if (request.method !== "GET" && request.method !== "HEAD") return "redirect";
  const path = (request.url ?? "/").split("?")[0];
  if (path === "/health") return "app";
  if (path !== "/metrics") return "redirect";
  return isLoopback(request.socket.remoteAddress) && !isForwarded(request.headers) ? "app" : "metrics_https_required";
}

/**
 * The plain port's whole answer while HTTPS is on. A scrape from elsewhere is refused, never redirected:
 * Prometheus would follow a redirect to the public URL (the load balancer, so some other hub) with its
 * token, and file that hub's figures under this one's name.
 */
export function redirectToHttps(
  publicUrl: string,
  plain: http.RequestListener,
  refusals: Pick<RefusalLog, "refused">,
): http.RequestListener {
  const base = publicUrl.replace(/\/+$/, "");
  return (request, response) => {
    const url = request.url ?? "/";
    const answer = plainPortAnswer(request);
    if (answer === "app") {
      plain(request, response);
      return;
    }
    if (answer === "metrics_https_required") {
      const address = addressKey(request.socket.remoteAddress);
      refusals.refused("METRICS_HTTPS_REQUIRED", address, { url: "/metrics" }, "metrics scrape refused");
      response.writeHead(403, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" });
      const body = {
        code: "METRICS_HTTPS_REQUIRED",
        message: "this hub serves /metrics over HTTPS: scrape its HTTPS port",
      };
      response.end(request.method === "HEAD" ? undefined : JSON.stringify(body));
      return;
    }
    // Only a path goes after the base: an absolute-form request target must not choose the host.
    const location = `${base}${url.startsWith("/") ? url : "/"}`;
    response.writeHead(308, {
      location,
      "cache-control": `max-age=${REDIRECT_CACHE_S}`,
      "content-type": "text/plain; charset=utf-8",
    });
    response.end(request.method === "HEAD" ? undefined : `This hub answers over HTTPS: ${location}\n`);
  };
}
