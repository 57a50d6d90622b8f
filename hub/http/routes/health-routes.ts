import type { FastifyPluginAsync } from "fastify";
import { type HealthReport, HealthReportSchema } from "../../../protocol/console/index.ts";

export interface HealthProbe {
  report(): Promise<HealthReport>;
}

export const healthRoutes: FastifyPluginAsync<{ health: HealthProbe }> = async (app, options) => {
  app.get(
    "/health",
    {
      schema: {
        tags: ["health"],
        summary: "Liveness and readiness, no login needed: 503 with the reasons when degraded",
        security: [],
        response: {
          "2xx": HealthReportSchema,
          503: HealthReportSchema,
        },
      },
    },
    async (_request, reply) => {
      const report = await options.health.report();
      return reply.code(report.status === "ok" ? 200 : 503).send(report);
    },
  );
};
