/**
 * `/api/devices`: device supervision for the command center. Faults (a device
 * offline, silent, low on battery, or failing its test) are not emergencies:
 * they are listed here and pushed on the realtime socket as `device_fault`,
 * apart from alarms. Operators, supervisors and administrators may read them
 * and order a drill (a test press) for one device.
 */

import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import Type from "typebox";
import {
  DeviceFaultListSchema,
  DeviceHealthSchema,
  DrillReplySchema,
  ErrorBody,
} from "../../../protocol/console/index.ts";
import { DEVICE_ID_PATTERN } from "../../../protocol/index.ts";
import type { SessionService } from "../../auth/session-service.ts";
import type { DeviceHealthViews } from "../../supervision/device-health.ts";
import type { TestAlarms } from "../../supervision/test-alarms.ts";
import { ALL_STAFF, currentUser, requireRole } from "../guard.ts";

export interface DeviceSupervisionRoutesOptions {
  sessions: SessionService;
  views: DeviceHealthViews;
  tests: TestAlarms;
}

const DeviceParams = Type.Object({ id: Type.String({ pattern: DEVICE_ID_PATTERN }) });
const tags = ["devices"];

export const deviceSupervisionRoutes: FastifyPluginAsyncTypebox<DeviceSupervisionRoutesOptions> = async (
  app,
  options,
) => {
  const { views, tests } = options;
  // onRequest: an anonymous caller gets 401, a community worker 403, before anything else is looked at.
  app.addHook("onRequest", requireRole(options.sessions, ALL_STAFF));

  app.get(
    "/faults",
    {
      schema: {
        tags,
        summary: "Device faults, newest first (open=true: only those not cleared yet)",
        querystring: Type.Object({
          open: Type.Boolean({ default: false }),
          deviceId: Type.Optional(Type.String({ pattern: DEVICE_ID_PATTERN })),
          limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
        }),
        response: { 200: DeviceFaultListSchema, 400: ErrorBody, 401: ErrorBody },
      },
    },
    async (request) => {
      const { open, deviceId, limit } = request.query;
      return { faults: await views.list({ openOnly: open, limit, ...(deviceId ? { deviceId } : {}) }) };
    },
  );

  app.get(
    "/:id/health",
    {
      schema: {
        tags,
        summary: "One device's health: last heard, battery, open and recent faults, tests, events",
        params: DeviceParams,
        response: { 200: DeviceHealthSchema, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody },
      },
    },
    async (request) => views.health(request.params.id),
  );

  app.post(
    "/:id/test",
    {
      schema: {
        tags,
        summary: "Drill: ask the device to make a test press now (its pending test, if one is pending)",
        params: DeviceParams,
        response: {
          202: DrillReplySchema,
          401: ErrorBody,
          403: ErrorBody,
          404: ErrorBody,
        },
      },
    },
    async (request, reply) => {
      const user = currentUser(request);
      const result = await tests.request(request.params.id, "drill", `user:${user.username}`);
      return reply.code(202).send(result);
    },
  );
};
