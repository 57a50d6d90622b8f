/**
 * `GET /api/alarms/:id/resident`: the resident card's health data, key holder
 * and access notes. Its own plugin (not part of `GET /api/alarms/:id`) because
 * the detail is re-read on every push, and each answer carrying health data is
 * an audited view: the console fetches this once per opened alarm.
 */

import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import Type from "typebox";
import { AlarmResidentReplySchema, ErrorBody } from "../../../protocol/console/index.ts";
import type { AlarmResident } from "../../alarms/alarm-resident.ts";
import type { SessionService } from "../../auth/session-service.ts";
import { currentUser, requireRole } from "../guard.ts";

export interface AlarmResidentRoutesOptions {
  sessions: SessionService;
  residents: AlarmResident;
}

const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });

export const alarmResidentRoutes: FastifyPluginAsyncTypebox<AlarmResidentRoutesOptions> = async (app, options) => {
  app.addHook("onRequest", requireRole(options.sessions));

  app.get(
    "/:id/resident",
    {
      schema: {
        tags: ["alarms"],
        summary:
          "The alarm's resident: health data (operators and supervisors; redacted for admins), key holder, access notes. Each answer with health data is audited",
        params: IdParams,
        response: {
          200: AlarmResidentReplySchema,
          400: ErrorBody,
          401: ErrorBody,
          403: ErrorBody,
          404: ErrorBody,
          409: ErrorBody,
        },
      },
    },
    async (request) => ({ resident: await options.residents.forAlarm(request.params.id, currentUser(request)) }),
  );
};
