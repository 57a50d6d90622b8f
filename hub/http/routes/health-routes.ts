import type { FastifyPluginAsync } from "fastify";
import Type from "typebox";

export interface HealthReport {
  status: "ok" | "degraded";
  database: boolean;
  mqtt: { listening: boolean; port: number | null };
  outboxPending: number;
  uptimeS: number;
}

export interface HealthProbe {
  report(): HealthReport;
}

export const healthRoutes: FastifyPluginAsync<{ health: HealthProbe }> = async (app, options) => {
  app.get(
    "/health",
    {
      schema: {
        tags: ["health"],
        summary: "Liveness and readiness, no login needed",
        security: [],
        response: {
          "2xx": Type.Object({
            status: Type.String(),
            database: Type.Boolean(),
            mqtt: Type.Object({ listening: Type.Boolean(), port: Type.Union([Type.Integer(), Type.Null()]) }),
            outboxPending: Type.Integer(),
            uptimeS: Type.Number(),
          }),
        },
      },
    },
    async (_request, reply) => {
      const report = options.health.report();
      return reply.code(report.status === "ok" ? 200 : 503).send(report);
    },
  );
};
