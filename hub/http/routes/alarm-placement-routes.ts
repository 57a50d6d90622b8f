/**
 * Placing an unlocated alarm by hand (`POST /api/alarms/:id/place`, issue 14):
 * the household the operator learned on the phone; optionally the caller's
 * number kept in the registry. See hub/alarms/alarm-placement.ts.
 */

import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import Type from "typebox";
import { AlarmReply, ErrorBody, PlaceAlarmBody } from "../../../protocol/console/index.ts";
import type { AlarmPlacement } from "../../alarms/alarm-placement.ts";
import type { AlarmViews } from "../../alarms/alarm-views.ts";
import type { SessionService } from "../../auth/session-service.ts";
import { currentUser, requireRole } from "../guard.ts";

export interface AlarmPlacementRoutesOptions {
  sessions: SessionService;
  placement: AlarmPlacement;
  views: AlarmViews;
}

export const alarmPlacementRoutes: FastifyPluginAsyncTypebox<AlarmPlacementRoutesOptions> = async (app, options) => {
  app.addHook("onRequest", requireRole(options.sessions));

  app.post(
    "/:id/place",
    {
      schema: {
        tags: ["alarms"],
        summary:
          "Place an unlocated alarm (a call from an unknown or withheld number) at a household: its stages run again (relatives texted, a worker offered)",
        params: Type.Object({ id: Type.Integer({ minimum: 1 }) }),
        body: PlaceAlarmBody,
        response: {
          200: AlarmReply,
          400: ErrorBody,
          401: ErrorBody,
          403: ErrorBody,
          404: ErrorBody,
          409: ErrorBody,
        },
      },
    },
    async (request) => {
      const { householdId, rememberAs } = request.body;
      const placed = await options.placement.place(
        request.params.id,
        currentUser(request),
        householdId,
        rememberAs ?? null,
      );
      return { alarm: await options.views.summary(placed) };
    },
  );
};
