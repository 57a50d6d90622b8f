/**
 * Every route the console and the worker page call answers with a schema of the
 * hub↔console contract (protocol/console/): fastify validates and serialises
 * each reply against it, and the dashboard is typechecked against the same
 * schema (tests/dashboard-typecheck.test.ts), so neither side can rename a
 * field alone. Checked on the routes as the hub declares them (hub/http/route-replies.ts):
 * each success status names a contract schema itself (not a copy or a wrapper
 * built in the route), and each refusal names ErrorBody. `GET /metrics` answers Prometheus' text, not
 * the console's JSON, and is held to the rest: a text schema for its answer, ErrorBody for each refusal.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RouteReply } from "../hub/http/route-replies.ts";
import * as contract from "../protocol/console/index.ts";
import { startTestHub, type TestHub } from "./support/test-hub.ts";

/**
 * Not JSON for the console: Twilio's webhooks (TwiML), CSV downloads, a call's recording (audio),
 * the WebSocket (its frames are in the contract: ConsoleFrameSchema).
 */
const NOT_CONSOLE = [/^\/api\/twilio\//, /\.csv$/, /\/recording$/, /^\/api\/realtime$/];
/** Not JSON either, and not the console's: Prometheus' text (`GET /metrics`). Its refusals are ErrorBody all the same. */
const TEXT_REPLIES = [/^\/metrics$/];

let hub: TestHub;

beforeAll(async () => {
  hub = await startTestHub({ twilio: false });
}, 60_000);

afterAll(async () => {
  await hub?.stop();
});

const schemas = new Set<unknown>(Object.values(contract).filter((v) => typeof v === "object" && v !== null));

/** The routes of `replies` whose declared replies are not the contract's, each with why. */
function offContract(replies: readonly RouteReply[]): string[] {
  const out: string[] = [];
  for (const route of replies) {
    const text = TEXT_REPLIES.some((pattern) => pattern.test(route.url));
    if (route.method === "HEAD" || (!route.url.startsWith("/api/") && route.url !== "/health" && !text)) continue;
    if (NOT_CONSOLE.some((pattern) => pattern.test(route.url))) continue;
    const statuses = Object.keys(route.response);
    const success = statuses.filter((s) => s.startsWith("2"));
    if (success.length === 0) out.push(`${route.method} ${route.url}: declares no reply`);
    for (const status of statuses) {
      const schema = route.response[status];
      if (status === "204") continue;
      if (status.startsWith("2") && !schemas.has(schema) && !(text && isTextSchema(schema)))
        out.push(`${route.method} ${route.url}: ${status} is not a contract schema`);
      // A refusal is ErrorBody, or the success's own shape (/health answers its report with 503 when degraded).
      const own = success.some((ok) => route.response[ok] === schema);
      if (!status.startsWith("2") && schema !== contract.ErrorBody && !own)
        out.push(`${route.method} ${route.url}: ${status} is not ErrorBody`);
    }
  }
  return out;
}

function isTextSchema(schema: unknown): boolean {
  return (schema as { type?: unknown } | undefined)?.type === "string";
}

describe("route contract", () => {
  it("finds a route whose reply is built in the route, and one that declares none", () => {
    const planted: RouteReply[] = [
      { method: "GET", url: "/api/alarms", response: { 200: { type: "object" }, 401: contract.ErrorBody } },
      { method: "POST", url: "/api/alarms/:id/acknowledge", response: {} },
      { method: "GET", url: "/api/alarms/:id", response: { 200: contract.AlarmDetailSchema, 404: { type: "object" } } },
      { method: "POST", url: "/api/twilio/status", response: {} },
      { method: "GET", url: "/metrics", response: { 200: { type: "string" }, 403: { type: "object" } } },
      { method: "GET", url: "/metrics", response: { 200: { type: "object" }, 403: contract.ErrorBody } },
    ];
    expect(offContract(planted)).toEqual([
      "GET /api/alarms: 200 is not a contract schema",
      "POST /api/alarms/:id/acknowledge: declares no reply",
      "GET /api/alarms/:id: 404 is not ErrorBody",
      "GET /metrics: 403 is not ErrorBody",
      "GET /metrics: 200 is not a contract schema",
    ]);
  });

  it("holds for every console and worker route of the hub", () => {
    const replies = hub.hub.app.routeReplies;
    expect(replies.length).toBeGreaterThan(50);
    expect(offContract(replies)).toEqual([]);
  });
});
