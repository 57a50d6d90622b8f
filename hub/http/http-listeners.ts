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
 * /metrics is redirected like the rest: a token goes over HTTPS.
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
      redirectToHttps(options.publicUrl, (request, response) => app.routing(request, response)),
    );
    this.cap.apply(redirect);
    await new Promise<void>((resolve, reject) => {
      redirect.once("error", reject);
      redirect.listen({ port: options.httpPort, host: options.host }, () => {
        redirect.off("error", reject);
        resolve();
      });
    });
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

/** The plain port's whole answer while HTTPS is on: `/health` by the app, everything else a 308 to HTTPS. */
/** What the plain port answers itself with HTTPS on (the module's comment says why); the rest is redirected. */
export function servedPlain(request: Pick<http.IncomingMessage, "method" | "url" | "headers" | "socket">): boolean {
  if (request.method !== "GET" && request.method !== "HEAD") return false;
  const path = (request.url ?? "/").split("?")[0];
  if (path === "/health") return true;
  return path === "/metrics" && isLoopback(request.socket.remoteAddress) && !isForwarded(request.headers);
}

export function redirectToHttps(publicUrl: string, plain: http.RequestListener): http.RequestListener {
  const base = publicUrl.replace(/\/+$/, "");
  return (request, response) => {
    const url = request.url ?? "/";
    if (servedPlain(request)) {
      plain(request, response);
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
