import type { FastifyPluginAsync } from "fastify";
import Type from "typebox";
import { type WriteCheck, WriteCheckSchema } from "../../../protocol/console/index.ts";

export interface HealthReport {
  status: "ok" | "degraded";
  /** Why it is degraded, one sentence each; empty when ok. */
  reasons: string[];
  /** True only while the database can be read and a write can be committed. */
  database: boolean;
  /** The latest committed-write probe (at most one per ANXIN_HEALTH_PROBE_S). */
  databaseWrite: WriteCheck;
  /** `node`: this hub's broker among the others (Aedes' id), for finding it in logs. */
  mqtt: { listening: boolean; port: number | null; node: string };
  /** Whether Redis answers, where the hubs share it (ANXIN_REDIS_URL); null for a hub alone. */
  redis: boolean | null;
  /** Whether this hub runs the background jobs (SMS sender, deadlines, cascades): one hub at a time; always true alone. */
  jobs: { leading: boolean };
  outboxPending: number | null;
  uptimeS: number;
}

export interface HealthProbe {
  report(): Promise<HealthReport>;
}

const HealthBody = Type.Object({
  status: Type.String(),
  reasons: Type.Array(Type.String()),
  database: Type.Boolean(),
  /** The console's banner reads it (dashboard/hub-health.js), as it reads the `storage` frame. */
  databaseWrite: WriteCheckSchema,
  mqtt: Type.Object({
    listening: Type.Boolean(),
    port: Type.Union([Type.Integer(), Type.Null()]),
    node: Type.String(),
  }),
  redis: Type.Union([Type.Boolean(), Type.Null()]),
  jobs: Type.Object({ leading: Type.Boolean() }),
  outboxPending: Type.Union([Type.Integer(), Type.Null()]),
  uptimeS: Type.Number(),
});

export const healthRoutes: FastifyPluginAsync<{ health: HealthProbe }> = async (app, options) => {
  app.get(
    "/health",
    {
      schema: {
        tags: ["health"],
        summary: "Liveness and readiness, no login needed: 503 with the reasons when degraded",
        security: [],
        response: {
          "2xx": HealthBody,
          503: HealthBody,
        },
      },
    },
    async (_request, reply) => {
      const report = await options.health.report();
      return reply.code(report.status === "ok" ? 200 : 503).send(report);
    },
  );
};
