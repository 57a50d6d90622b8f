/**
 * What each route declares it answers: its method, URL and the reply schema of
 * each status, as fastify is told them. Kept so tests/route-contract.test.ts can
 * check that every console and worker route answers with a schema of the
 * hub↔console contract (protocol/console/), which fastify then validates and
 * serialises the reply against.
 */
import type { FastifyInstance, RouteOptions } from "fastify";

export interface RouteReply {
  method: string;
  url: string;
  /** Reply schemas by status code ("200", "204", …); empty when the route declares none. */
  response: Readonly<Record<string, unknown>>;
}

declare module "fastify" {
  interface FastifyInstance {
    /** Every route's declared replies, in the order they were added. */
    routeReplies: readonly RouteReply[];
  }
}

/** Starts recording: call before any route is registered. */
export function recordRouteReplies(app: FastifyInstance): void {
  const replies: RouteReply[] = [];
  app.decorate("routeReplies", replies);
  app.addHook("onRoute", (route: RouteOptions) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const response = (route.schema?.response ?? {}) as Record<string, unknown>;
    for (const method of methods) replies.push({ method: String(method), url: route.url, response });
  });
}
