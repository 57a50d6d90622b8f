import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { ConsoleSettingsSchema, ErrorBody } from "../../../protocol/console/index.ts";
import type { SessionService } from "../../auth/session-service.ts";
import { requireRole } from "../guard.ts";

/** The lifecycle deadlines (seconds after an alarm was received) the deadline watcher enforces. */
export interface ConsoleDeadlines {
  ackS: number;
  arrivalS: number;
  resolutionS: number;
}

export interface ConsoleRoutesOptions {
  sessions: SessionService;
  deadlines: ConsoleDeadlines;
}

/**
 * What the operator console needs from the hub's configuration. The queue shows
 * each alarm's time left to its next deadline; those must be the hub's own
 * numbers, or the console would count down to a moment at which nothing happens.
 */
export const consoleRoutes: FastifyPluginAsyncTypebox<ConsoleRoutesOptions> = async (app, options) => {
  app.addHook("onRequest", requireRole(options.sessions));
  const settings = { deadlines: { ...options.deadlines }, sessionTtlS: options.sessions.ttlSeconds };

  app.get(
    "/settings",
    {
      schema: {
        tags: ["console"],
        summary: "Deadlines and session lifetime, for the operator console",
        response: {
          200: ConsoleSettingsSchema,
          401: ErrorBody,
          403: ErrorBody,
        },
      },
    },
    async () => settings,
  );
};
