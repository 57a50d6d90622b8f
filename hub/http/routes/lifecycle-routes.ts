import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import Type from "typebox";
import { AlarmReply, ErrorBody, OverdueListSchema } from "../../../protocol/console/index.ts";
import type { AlarmViews } from "../../alarms/alarm-views.ts";
import type { LifecycleService } from "../../alarms/lifecycle-service.ts";
import type { SessionService } from "../../auth/session-service.ts";
import { currentUser, requireRole } from "../guard.ts";

export interface LifecycleRoutesOptions {
  sessions: SessionService;
  lifecycle: LifecycleService;
  views: AlarmViews;
}

const AlarmParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const IsoTime = Type.String({ format: "date-time" });
const Changed = {
  200: AlarmReply,
  400: ErrorBody,
  401: ErrorBody,
  404: ErrorBody,
  409: ErrorBody,
};

/** Cancel as accidental, the follow-up visit and its plan, and the overdue list (under `/api/alarms`). */
export const lifecycleRoutes: FastifyPluginAsyncTypebox<LifecycleRoutesOptions> = async (app, options) => {
  const { lifecycle, views } = options;
  app.addHook("onRequest", requireRole(options.sessions));

  app.get(
    "/overdue",
    {
      schema: {
        tags: ["alarms"],
        summary: "Alarms past their resolution deadline, and resolved alarms past their follow-up date",
        response: {
          200: OverdueListSchema,
          401: ErrorBody,
        },
      },
    },
    async () => {
      const rows = await lifecycle.overdue();
      // One query per table for the whole list, as the queue does.
      const summaries = await views.summaries(rows.map((row) => row.alarm));
      const overdue = rows.flatMap((row, i) => {
        const alarm = summaries[i];
        return alarm ? [{ kind: row.kind, dueAt: row.dueAt, alarm }] : [];
      });
      return { overdue };
    },
  );

  app.post(
    "/:id/cancel",
    {
      schema: {
        tags: ["alarms"],
        summary: "Close the alarm as accidental (a false alarm): offers withdrawn, relatives' cascade stopped",
        params: AlarmParams,
        body: Type.Object({ reason: Type.String({ minLength: 1, maxLength: 2000 }) }, { additionalProperties: false }),
        response: Changed,
      },
    },
    async (request) => ({
      alarm: await views.summary(
        await lifecycle.cancelByOperator(request.params.id, currentUser(request), request.body.reason),
      ),
    }),
  );

  app.post(
    "/:id/follow-up",
    {
      schema: {
        tags: ["alarms"],
        summary: "Record the follow-up visit of a resolved alarm",
        params: AlarmParams,
        body: Type.Object(
          { note: Type.String({ minLength: 1, maxLength: 2000 }), visitedAt: IsoTime },
          { additionalProperties: false },
        ),
        response: Changed,
      },
    },
    async (request) => {
      const { note, visitedAt } = request.body;
      const alarm = await lifecycle.followUp(request.params.id, currentUser(request), note, isoOf(visitedAt));
      return { alarm: await views.summary(alarm) };
    },
  );

  app.put(
    "/:id/follow-up-plan",
    {
      schema: {
        tags: ["alarms"],
        summary: "Plan when the follow-up visit of a resolved alarm is due",
        params: AlarmParams,
        body: Type.Object({ dueAt: IsoTime }, { additionalProperties: false }),
        response: Changed,
      },
    },
    async (request) => {
      const alarm = await lifecycle.planFollowUp(request.params.id, currentUser(request), isoOf(request.body.dueAt));
      return { alarm: await views.summary(alarm) };
    },
  );
};

/** Stored times are UTC ISO strings, so that they compare as text. */
function isoOf(text: string): string {
  return new Date(text).toISOString();
}
