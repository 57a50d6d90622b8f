import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import Type from "typebox";
import {
  AlarmDetailReply,
  AlarmListReply,
  AlarmReply,
  ErrorBody,
  ResolveBody,
} from "../../../protocol/console/index.ts";
import type { AlarmService } from "../../alarms/alarm-service.ts";
import type { AlarmViews } from "../../alarms/alarm-views.ts";
import type { SessionService } from "../../auth/session-service.ts";
import type { AlarmRepository } from "../../storage/alarm-repo.ts";
import { currentUser, requireRole } from "../guard.ts";

export interface AlarmRoutesOptions {
  sessions: SessionService;
  service: AlarmService;
  views: AlarmViews;
  alarms: AlarmRepository;
}

const AlarmParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });

export const alarmRoutes: FastifyPluginAsyncTypebox<AlarmRoutesOptions> = async (app, options) => {
  const { service, views, alarms } = options;
  // onRequest, not preHandler: an anonymous caller gets 401 before its body is even validated.
  app.addHook("onRequest", requireRole(options.sessions));

  app.get(
    "/",
    {
      schema: {
        tags: ["alarms"],
        summary: "List alarms, newest first",
        querystring: Type.Object({
          status: Type.Union([Type.Literal("open"), Type.Literal("all")], { default: "open" }),
          limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
          /** The next page: alarms with a lower id than the last one of the page before. */
          beforeId: Type.Optional(Type.Integer({ minimum: 1 })),
        }),
        response: { 200: AlarmListReply, 401: ErrorBody },
      },
    },
    async (request) => {
      const { status, limit, beforeId } = request.query;
      const rows = await alarms.list({
        openOnly: status === "open",
        limit,
        ...(beforeId === undefined ? {} : { beforeId }),
      });
      return { alarms: await views.summaries(rows) };
    },
  );

  app.get(
    "/:id",
    {
      schema: {
        tags: ["alarms"],
        summary: "One alarm with relatives, timeline and SMS status",
        params: AlarmParams,
        response: { 200: AlarmDetailReply, 401: ErrorBody, 404: ErrorBody },
      },
    },
    async (request) => ({ alarm: await views.detail(await service.get(request.params.id)) }),
  );

  app.post(
    "/:id/acknowledge",
    {
      schema: {
        tags: ["alarms"],
        summary: "Take the alarm: stops the sound on every console and tells the resident's device",
        params: AlarmParams,
        response: { 200: AlarmReply, 401: ErrorBody, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (request) => ({
      alarm: await views.summary(await service.acknowledge(request.params.id, currentUser(request))),
    }),
  );

  app.post(
    "/:id/resolve",
    {
      schema: {
        tags: ["alarms"],
        summary: "Close the alarm with its outcome",
        params: AlarmParams,
        body: ResolveBody,
        response: {
          200: AlarmReply,
          400: ErrorBody,
          401: ErrorBody,
          404: ErrorBody,
          409: ErrorBody,
        },
      },
    },
    async (request) => {
      const { outcome, note } = request.body;
      return {
        alarm: await views.summary(await service.resolve(request.params.id, currentUser(request), outcome, note)),
      };
    },
  );
};
