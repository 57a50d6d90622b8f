/**
 * What every HTTP answer and every state-changing request goes through, for the
 * whole app (registered at the root, not encapsulated):
 *
 * - **Headers** (`@fastify/helmet`). A Content-Security-Policy that lets the
 *   console run only the hub's own scripts and styles (no inline script, no
 *   `eval`), load images only from itself and the map's tile server, and connect
 *   only back to itself; no framing (`frame-ancestors 'none'`, X-Frame-Options
 *   DENY); `nosniff`; `Referrer-Policy: no-referrer`; with HTTPS, HSTS when
 *   ANXIN_HSTS_MAX_AGE_S asks for it. Routes with their own
 *   policy (the family page, the API docs) set theirs over it.
 * - **Origin.** A browser says which page sent a request. A state-changing
 *   request (anything but GET/HEAD/OPTIONS) or a WebSocket upgrade that names an
 *   origin other than the hub's own is refused with `ORIGIN_FORBIDDEN` before
 *   any handler runs: a page on another site, or on another port of the same
 *   host, cannot act with an operator's cookie or read the live alarm stream.
 *   The hub's own origins are `ANXIN_PUBLIC_URL`'s, those listed in
 *   `ANXIN_ALLOWED_ORIGINS`, and the one the request itself was addressed to
 *   (scheme and `Host`), so a console opened by IP on the LAN works. Requests
 *   without an `Origin` (devices' tools, curl, the CLI, Twilio's webhooks, which
 *   are signed) are not browsers' and pass. Any API request, reads included,
 *   that the browser marks as made by another page (`Sec-Fetch-Site` same-site
 *   or cross-site) is refused the same way: an `<img>` sends no `Origin`, yet
 *   carries the cookie from another port of the same host, and some reads write
 *   (an audited view of health data).
 * - **Body types.** Only JSON, and form bodies where a route registers them
 *   (Twilio's webhooks). Fastify's built-in `text/plain` parser is removed, so a
 *   cross-site form post (`text/plain` needs no CORS preflight) gets 415.
 */
import helmet from "@fastify/helmet";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { AnxinError } from "../errors.ts";

export interface SecuritySettings {
  publicUrl: string;
  /** Further origins a console may be served from (`https://console.example:8443`). */
  allowedOrigins?: readonly string[];
  /** The console map's tile URL template; its origin may serve images. */
  mapTileUrl?: string | null;
  /** With HTTPS: Strict-Transport-Security's max-age (ANXIN_HSTS_MAX_AGE_S); 0 or unset: not sent. */
  hstsMaxAgeS?: number;
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** The API documentation's pages (Swagger UI) need inline styles; nothing else is relaxed for them. */
export const API_DOCS_CSP =
  "default-src 'self';script-src 'self';style-src 'self' 'unsafe-inline';img-src 'self' data:;connect-src 'self';" +
  "font-src 'self';object-src 'none';base-uri 'self';form-action 'self';frame-ancestors 'none'";

/**
 * The origins the console's map loads tiles from. Leaflet fills `{s}` with a,
 * b or c tile by tile (its default subdomains; the console sets no others), so
 * a template like `https://{s}.tile.example.org/{z}/{x}/{y}.png` means three
 * origins, and the policy must allow all three, not only the first.
 */
export function tileOrigins(template: string): string[] {
  const subdomains = template.includes("{s}") ? ["a", "b", "c"] : [""];
  const origins = subdomains.map((s) => originOf(template.replaceAll("{s}", s).replace(/\{[a-z]+\}/g, "0")));
  return [...new Set(origins.filter((o): o is string => o !== null))];
}

export function originOf(url: string): string | null {
  try {
    const origin = new URL(url).origin;
    return origin === "null" ? null : origin;
  } catch {
    return null;
  }
}

/** Whether a browser request that names `origin` comes from one of the hub's own pages. */
export function isOwnOrigin(request: FastifyRequest, origin: string, own: ReadonlySet<string>): boolean {
  if (own.has(origin)) return true;
  const host = request.headers.host;
  return host !== undefined && origin === `${request.protocol}://${host}`;
}

export async function registerSecurity(app: FastifyInstance, settings: SecuritySettings): Promise<void> {
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", "data:", ...(settings.mapTileUrl ? tileOrigins(settings.mapTileUrl) : [])],
        connectSrc: ["'self'"],
        fontSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    frameguard: { action: "deny" },
    referrerPolicy: { policy: "no-referrer" },
    // Off unless asked for (docs/operations.md, TLS): a browser that learnt it would also go to https:// on the
    // plain HTTP port of the same host, where no TLS answers, and a bookmarked console would stop opening.
    strictTransportSecurity: settings.hstsMaxAgeS ? { maxAge: settings.hstsMaxAgeS, includeSubDomains: false } : false,
    // Map tiles come from another origin and send no CORP header.
    crossOriginEmbedderPolicy: false,
  });

  app.removeContentTypeParser("text/plain");
}

/**
 * The `Origin` check. Registered after @fastify/websocket, so that a refused
 * upgrade has already been marked as one and the websocket plugin closes its
 * socket (otherwise the refused connection stays open and the hub cannot stop).
 */
export function registerOriginCheck(app: FastifyInstance, settings: SecuritySettings): void {
  const own = new Set(
    [settings.publicUrl, ...(settings.allowedOrigins ?? [])].map(originOf).filter((o): o is string => o !== null),
  );
  app.addHook("onRequest", async (request) => {
    const origin = request.headers.origin;
    if (origin !== undefined && isOwnOrigin(request, origin, own)) return;
    const changes = !SAFE_METHODS.has(request.method) || request.headers.upgrade?.toLowerCase() === "websocket";
    if ((changes && origin !== undefined) || fromAnotherPage(request)) {
      request.log.warn(
        { code: "ORIGIN_FORBIDDEN", origin: (origin ?? "").slice(0, 128), url: request.url.slice(0, 128) },
        "refused a request from another site's page",
      );
      throw new AnxinError("ORIGIN_FORBIDDEN", "this request came from a page that is not the hub's own", {});
    }
  });
}

/**
 * An API request the browser says another page made (Fetch Metadata), whatever
 * its method. An `<img>` or a no-cors fetch sends no `Origin`, and a page on
 * another port of the same host is same-site, so the operator's SameSite
 * cookie goes with it: the page cannot read the answer, but a GET can still
 * write (a view of health data is audited in the operator's name) or cost (an
 * export). The console calls the API only from its own origin; curl, the CLI,
 * devices and Twilio send no `Sec-Fetch-Site`, and a typed address or a
 * bookmark says `none`.
 */
function fromAnotherPage(request: FastifyRequest): boolean {
  if (!request.url.startsWith("/api/")) return false;
  const site = request.headers["sec-fetch-site"];
  return site === "same-site" || site === "cross-site";
}
