/**
 * The worker page's API (`/api/worker`): only logins with role `worker`, via
 * the same session cookie as the console. Operators get 403 here, as workers
 * do on the operators' routes; a worker acting on another worker's offer or
 * alarm gets 403 too.
 */

import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import Type from "typebox";
import {
  AssignmentReply,
  DeclineBody,
  DutyBody,
  ErrorBody,
  HealthDataReply,
  OfferReply,
  PositionBody,
  WorkerAlarmReply,
  type WorkerAlarmState,
  WorkerMeReply,
  WorkerReply,
  WorkerResolveBody,
} from "../../../protocol/console/index.ts";
import type { SessionService } from "../../auth/session-service.ts";
import type { DispatchAlarmRow } from "../../dispatch/dispatch-repo.ts";
import type { DispatchViews } from "../../dispatch/dispatch-views.ts";
import type { WorkerActions } from "../../dispatch/worker-actions.ts";
import { currentUser, requireRole } from "../guard.ts";
import { userBody } from "../schemas.ts";

export interface WorkerRoutesOptions {
  sessions: SessionService;
  workerActions: WorkerActions;
  views: DispatchViews;
  /** The command center's zone: the worker page shows times in it. */
  timeZone: string;
}

const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const Errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };
function alarmState(alarm: DispatchAlarmRow): WorkerAlarmState {
  return {
    id: alarm.id,
    status: alarm.status,
    outcome: alarm.outcome,
    acceptedAt: alarm.accepted_at,
    onSceneAt: alarm.on_scene_at,
    resolvedAt: alarm.resolved_at,
  };
}

export const workerRoutes: FastifyPluginAsyncTypebox<WorkerRoutesOptions> = async (app, options) => {
  const { workerActions: actions, views } = options;
  app.addHook("onRequest", requireRole(options.sessions, ["worker"]));
  const tags = ["worker"];

  app.get(
    "/me",
    {
      schema: {
        tags,
        summary: "The logged-in worker: profile, duty state, last position",
        response: {
          200: WorkerMeReply,
          ...Errors,
        },
      },
    },
    async (request) => {
      const user = currentUser(request);
      const worker = await actions.workerOf(user);
      return { user: userBody(user), worker: await views.profile(worker), timeZone: options.timeZone };
    },
  );

  app.post(
    "/duty",
    {
      schema: {
        tags,
        summary: "Go on or off duty (off duty declines an open offer; refused while an accepted alarm is open)",
        body: DutyBody,
        response: { 200: WorkerReply, ...Errors },
      },
    },
    async (request) => ({
      worker: await views.profile(await actions.setDuty(currentUser(request), request.body.onDuty)),
    }),
  );

  app.post(
    "/position",
    {
      schema: {
        tags,
        summary: "Report where the worker is (used for ranking)",
        body: PositionBody,
        response: { 200: WorkerReply, ...Errors },
      },
    },
    async (request) => {
      const { lat, lng, accuracyM } = request.body;
      const worker = await actions.setPosition(currentUser(request), { lat, lng, accuracyM: accuracyM ?? null });
      return { worker: await views.profile(worker) };
    },
  );

  app.get(
    "/assignment",
    {
      schema: {
        tags,
        summary:
          "The open offer, or the accepted alarm: address, map links, access notes, resident (health data once accepted)",
        response: { 200: AssignmentReply, ...Errors },
      },
    },
    async (request) => {
      const user = currentUser(request);
      return { assignment: await views.assignment(await actions.workerOf(user)) };
    },
  );

  app.get(
    "/alarms/:id/health",
    {
      schema: {
        tags,
        summary: "The resident's health data, for the worker the alarm is assigned to; every call is audited",
        params: IdParams,
        response: { 200: HealthDataReply, ...Errors },
      },
    },
    async (request) => {
      const user = currentUser(request);
      return { health: await views.health(await actions.workerOf(user), user, request.params.id) };
    },
  );

  app.post(
    "/offers/:id/accept",
    {
      schema: {
        tags,
        summary: "Accept the offer: the alarm is yours and the resident's button shows help is coming",
        params: IdParams,
        response: { 200: OfferReply, ...Errors },
      },
    },
    async (request) => ({ offer: await views.offer(await actions.accept(request.params.id, currentUser(request))) }),
  );

  app.post(
    "/offers/:id/decline",
    {
      schema: {
        tags,
        summary: "Decline the offer; the next ranked worker is asked at once",
        params: IdParams,
        body: Type.Optional(DeclineBody),
        response: { 200: OfferReply, ...Errors },
      },
    },
    async (request) => {
      const reason = request.body?.reason?.trim() || null;
      return { offer: await views.offer(await actions.decline(request.params.id, currentUser(request), reason)) };
    },
  );

  app.post(
    "/alarms/:id/arrived",
    {
      schema: {
        tags,
        summary: "Arrived at the household: the resident's button shows help has arrived",
        params: IdParams,
        response: { 200: WorkerAlarmReply, ...Errors },
      },
    },
    async (request) => ({ alarm: alarmState(await actions.arrived(request.params.id, currentUser(request))) }),
  );

  app.post(
    "/alarms/:id/resolve",
    {
      schema: {
        tags,
        summary: "Close the alarm with what happened",
        params: IdParams,
        body: WorkerResolveBody,
        response: { 200: WorkerAlarmReply, ...Errors },
      },
    },
    async (request) => {
      const { outcome, note } = request.body;
      return { alarm: alarmState(await actions.resolve(request.params.id, currentUser(request), outcome, note)) };
    },
  );
};
