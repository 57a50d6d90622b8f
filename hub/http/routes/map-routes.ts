/**
 * `/api/map`: the layers of the console's map (grids, clinics, on-duty workers,
 * open alarms' households) and the tile source; `/api/map/roads`: the road
 * centre lines drawn when there are no tiles (fetched when their version moves). Operators, supervisors and
 * administrators only: worker positions are not for community workers' eyes.
 * `no-store`, since positions move and the console polls.
 */

import { createRequire } from "node:module";
import path from "node:path";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import Type from "typebox";
import { ErrorBody, MapLayersSchema, MapRoadsSchema } from "../../../protocol/console/index.ts";
import type { SessionService } from "../../auth/session-service.ts";
import type { MapViews } from "../../map/map-views.ts";
import { ALL_STAFF, requireRole } from "../guard.ts";

/**
 * Leaflet's own files, served from node_modules as installed by `npm install`:
 * an offline command center must never need a CDN to draw its map.
 */
export const LEAFLET_DIST = path.join(
  path.dirname(createRequire(import.meta.url).resolve("leaflet/package.json")),
  "dist",
);

export interface MapRoutesOptions {
  sessions: SessionService;
  map: MapViews;
}

export const mapRoutes: FastifyPluginAsyncTypebox<MapRoutesOptions> = async (app, options) => {
  app.addHook("onRequest", requireRole(options.sessions, ALL_STAFF));

  app.get(
    "/map",
    {
      schema: {
        tags: ["map"],
        summary: "Map layers: grid outlines, clinics, on-duty workers with positions, open alarms' households",
        querystring: Type.Object({
          alarmId: Type.Optional(Type.Integer({ minimum: 1, description: "also return this alarm's places (focus)" })),
        }),
        response: { 200: MapLayersSchema, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody },
      },
    },
    async (request, reply) => {
      reply.header("cache-control", "no-store");
      return await options.map.layers(request.query.alarmId ?? null);
    },
  );

  app.get(
    "/map/roads",
    {
      schema: {
        tags: ["map"],
        summary: "Road centre lines with their names (bounded: at most 2,000 roads and 100,000 positions)",
        response: { 200: MapRoadsSchema, 401: ErrorBody, 403: ErrorBody },
      },
    },
    async (_request, reply) => {
      reply.header("cache-control", "no-store");
      return await options.map.roads();
    },
  );
};
