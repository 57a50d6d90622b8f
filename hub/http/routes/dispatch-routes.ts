/**
 * Operators' dispatch actions on an alarm (`/api/alarms/:id/dispatch`): pick a
 * worker by hand. Any open offer is withdrawn, the chosen worker is offered the
 * alarm with the usual deadline, and the offer records who chose.
 */

import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import Type from "typebox";
import { DispatchReply, ErrorBody } from "../../../protocol/console/index.ts";
import type { AlarmService } from "../../alarms/alarm-service.ts";
import type { AlarmViews } from "../../alarms/alarm-views.ts";
import type { SessionService } from "../../auth/session-service.ts";
import type { DispatchService } from "../../dispatch/dispatch-service.ts";
import type { DispatchViews } from "../../dispatch/dispatch-views.ts";
import type { WorkerActions } from "../../dispatch/worker-actions.ts";
import { currentUser, requireRole } from "../guard.ts";

/** What the hub hands the HTTP layer for dispatch: this plugin and the worker API share it. */
export interface DispatchHttpDeps {
  service: DispatchService;
  workerActions: WorkerActions;
  views: DispatchViews;
}

export interface DispatchRoutesOptions {
  sessions: SessionService;
  service: DispatchService;
  views: DispatchViews;
  alarmService: AlarmService;
  alarmViews: AlarmViews;
}

export const dispatchRoutes: FastifyPluginAsyncTypebox<DispatchRoutesOptions> = async (app, options) => {
  app.addHook("onRequest", requireRole(options.sessions));

  app.post(
    "/:id/dispatch",
    {
      schema: {
        tags: ["alarms"],
        summary: "Offer the alarm to a worker chosen by hand (withdraws any open offer)",
        params: Type.Object({ id: Type.Integer({ minimum: 1 }) }),
        body: Type.Object({ workerId: Type.Integer({ minimum: 1 }) }, { additionalProperties: false }),
        response: {
          200: DispatchReply,
          400: ErrorBody,
          401: ErrorBody,
          403: ErrorBody,
          404: ErrorBody,
          409: ErrorBody,
        },
      },
    },
    async (request) => {
      const offer = await options.service.dispatchByHand(
        request.params.id,
        request.body.workerId,
        currentUser(request),
      );
      return {
        alarm: await options.alarmViews.summary(await options.alarmService.get(request.params.id)),
        offer: await options.views.offer(offer),
      };
    },
  );
};
