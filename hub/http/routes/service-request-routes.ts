/**
 * Service requests over HTTP (registered under `/api`), as two encapsulated
 * plugins with their own guards:
 * - `/api/service-requests`: operators, supervisors and administrators list,
 *   read, assign or re-assign, and mark done;
 * - `/api/worker/service-requests`: a community worker's own open requests, and
 *   marking one done (only their own: AUTH_FORBIDDEN otherwise).
 * Every change is also an alarm event and an audit row (written by the service).
 */

import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import Type from "typebox";
import {
  ErrorBody,
  SERVICE_REQUEST_STATUSES,
  ServiceAssignBody,
  ServiceCandidatesReply,
  ServiceDoneBody,
  ServiceRequestListReply,
  ServiceRequestReply,
} from "../../../protocol/console/index.ts";
import type { SessionService } from "../../auth/session-service.ts";
import type { ServiceRequestService } from "../../service/service-requests.ts";
import type { ServiceRequestViews } from "../../service/service-views.ts";
import { currentUser, requireRole } from "../guard.ts";

export interface ServiceRequestRoutesOptions {
  sessions: SessionService;
  service: ServiceRequestService;
  views: ServiceRequestViews;
}

const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const Errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };
const DoneBody = Type.Optional(ServiceDoneBody);

const staffRoutes: FastifyPluginAsyncTypebox<ServiceRequestRoutesOptions> = async (app, options) => {
  const { service, views } = options;
  app.addHook("onRequest", requireRole(options.sessions));
  const tags = ["service requests"];

  app.get(
    "/",
    {
      schema: {
        tags,
        summary: "Service requests, newest first; `status` filters (open, assigned, done, cancelled)",
        querystring: Type.Object({
          status: Type.Optional(Type.Enum(SERVICE_REQUEST_STATUSES)),
          limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
        }),
        response: { 200: ServiceRequestListReply, ...Errors },
      },
    },
    async (request) => {
      const { status, limit } = request.query;
      return { serviceRequests: await views.list(status ? [status] : [], limit) };
    },
  );

  app.get(
    "/:id",
    {
      schema: {
        tags,
        summary: "One service request",
        params: IdParams,
        response: { 200: ServiceRequestReply, ...Errors },
      },
    },
    async (request) => ({ serviceRequest: await views.view(request.params.id) }),
  );

  app.get(
    "/:id/candidates",
    {
      schema: {
        tags,
        summary: "Workers to assign it to: the household's grid first, then on duty, then nearest",
        params: IdParams,
        response: { 200: ServiceCandidatesReply, ...Errors },
      },
    },
    async (request) => ({ workers: await views.candidates(request.params.id) }),
  );

  app.post(
    "/:id/assign",
    {
      schema: {
        tags,
        summary: "Assign the request to a worker, or re-assign it (the previous worker is texted to stand down)",
        params: IdParams,
        body: ServiceAssignBody,
        response: { 200: ServiceRequestReply, ...Errors },
      },
    },
    async (request) => {
      await service.assign(request.params.id, request.body.workerId, currentUser(request));
      return { serviceRequest: await views.view(request.params.id) };
    },
  );

  app.post(
    "/:id/done",
    {
      schema: {
        tags,
        summary: "Mark the request done: its alarm is resolved as real",
        params: IdParams,
        body: DoneBody,
        response: { 200: ServiceRequestReply, ...Errors },
      },
    },
    async (request) => {
      const note = request.body?.note?.trim() || null;
      await service.done(request.params.id, currentUser(request), note, false);
      return { serviceRequest: await views.view(request.params.id) };
    },
  );
};

const workerServiceRoutes: FastifyPluginAsyncTypebox<ServiceRequestRoutesOptions> = async (app, options) => {
  const { service, views } = options;
  app.addHook("onRequest", requireRole(options.sessions, ["worker"]));
  const tags = ["worker"];

  app.get(
    "/",
    {
      schema: {
        tags,
        summary: "The worker's own service requests still to do",
        response: { 200: ServiceRequestListReply, ...Errors },
      },
    },
    async (request) => ({ serviceRequests: await views.forWorker(currentUser(request)) }),
  );

  app.post(
    "/:id/done",
    {
      schema: {
        tags,
        summary: "Mark your own service request done",
        params: IdParams,
        body: DoneBody,
        response: { 200: ServiceRequestReply, ...Errors },
      },
    },
    async (request) => {
      const note = request.body?.note?.trim() || null;
      await service.done(request.params.id, currentUser(request), note, true);
      return { serviceRequest: await views.view(request.params.id) };
    },
  );
};

export const serviceRequestRoutes: FastifyPluginAsyncTypebox<ServiceRequestRoutesOptions> = async (app, options) => {
  await app.register(staffRoutes, { ...options, prefix: "/service-requests" });
  await app.register(workerServiceRoutes, { ...options, prefix: "/worker/service-requests" });
};
