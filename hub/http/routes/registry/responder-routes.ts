/** `/workers` and `/clinics`: the responders dispatch chooses from. */
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import Type from "typebox";
import {
  ClinicCreateBody,
  ClinicPage,
  ClinicPatchBody,
  ClinicSchema,
  IdParams,
  ListQuerystring,
  WorkerCreateBody,
  WorkerListQuery,
  WorkerPage,
  WorkerPatchBody,
  WorkerSchema,
} from "../../../../protocol/console/index.ts";
import { currentUser } from "../../guard.ts";
import { adminOnly, READ_ERRORS, type RegistryResourceOptions, WRITE_ERRORS } from "./route-support.ts";

const tags = ["registry"];

export const responderRoutes: FastifyPluginAsyncTypebox<RegistryResourceOptions> = async (app, options) => {
  const { workers, clinics } = options.services;

  app.get(
    "/workers",
    {
      schema: {
        tags,
        summary: "List community workers",
        querystring: WorkerListQuery,
        response: { 200: WorkerPage, ...READ_ERRORS },
      },
    },
    async (request) => workers.list(request.query),
  );

  app.get(
    "/workers/:id",
    {
      schema: {
        tags,
        summary: "One community worker",
        params: IdParams,
        response: { 200: WorkerSchema, ...READ_ERRORS },
      },
    },
    async (request) => workers.get(request.params.id),
  );

  app.post(
    "/workers",
    {
      onRequest: adminOnly,
      schema: {
        tags,
        summary: "Add a community worker",
        body: WorkerCreateBody,
        response: { 201: WorkerSchema, ...WRITE_ERRORS },
      },
    },
    async (request, reply) => reply.code(201).send(await workers.create(request.body, currentUser(request))),
  );

  app.patch(
    "/workers/:id",
    {
      onRequest: adminOnly,
      schema: {
        tags,
        summary: "Change a worker: duty, position (time defaults to now), shifts, skills, grid",
        params: IdParams,
        body: WorkerPatchBody,
        response: { 200: WorkerSchema, ...WRITE_ERRORS },
      },
    },
    async (request) => workers.update(request.params.id, request.body, currentUser(request)),
  );

  app.delete(
    "/workers/:id",
    {
      onRequest: adminOnly,
      schema: {
        tags,
        summary: "Delete a worker never dispatched and without a login (otherwise set off duty)",
        params: IdParams,
        response: { 204: Type.Null(), ...WRITE_ERRORS },
      },
    },
    async (request, reply) => {
      await workers.delete(request.params.id, currentUser(request));
      return reply.code(204).send(null);
    },
  );

  app.get(
    "/clinics",
    {
      schema: {
        tags,
        summary: "List clinics",
        querystring: ListQuerystring,
        response: { 200: ClinicPage, ...READ_ERRORS },
      },
    },
    async (request) => clinics.list(request.query),
  );

  app.get(
    "/clinics/:id",
    { schema: { tags, summary: "One clinic", params: IdParams, response: { 200: ClinicSchema, ...READ_ERRORS } } },
    async (request) => clinics.get(request.params.id),
  );

  app.post(
    "/clinics",
    {
      onRequest: adminOnly,
      schema: {
        tags,
        summary: "Add a clinic; without lat/lng its address is looked up in the gazetteer",
        body: ClinicCreateBody,
        response: { 201: ClinicSchema, ...WRITE_ERRORS },
      },
    },
    async (request, reply) => reply.code(201).send(await clinics.create(request.body, currentUser(request))),
  );

  app.patch(
    "/clinics/:id",
    {
      onRequest: adminOnly,
      schema: {
        tags,
        summary: "Change a clinic",
        params: IdParams,
        body: ClinicPatchBody,
        response: { 200: ClinicSchema, ...WRITE_ERRORS },
      },
    },
    async (request) => clinics.update(request.params.id, request.body, currentUser(request)),
  );

  app.delete(
    "/clinics/:id",
    {
      onRequest: adminOnly,
      schema: {
        tags,
        summary: "Delete a clinic no alarm was referred to",
        params: IdParams,
        response: { 204: Type.Null(), ...WRITE_ERRORS },
      },
    },
    async (request, reply) => {
      await clinics.delete(request.params.id, currentUser(request));
      return reply.code(204).send(null);
    },
  );
};
