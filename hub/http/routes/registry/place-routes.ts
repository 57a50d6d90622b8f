/** `/grids` and `/gazetteer`: the registry's map. */
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import Type from "typebox";
import {
  GazetteerCreateBody,
  GazetteerPage,
  GazetteerPatchBody,
  GazetteerSchema,
  GridCreateBody,
  GridPage,
  GridPatchBody,
  GridSchema,
  IdParams,
  ListQuerystring,
} from "../../../../protocol/console/index.ts";
import { currentUser } from "../../guard.ts";
import { adminOnly, READ_ERRORS, type RegistryResourceOptions, WRITE_ERRORS } from "./route-support.ts";

export const placeRoutes: FastifyPluginAsyncTypebox<RegistryResourceOptions> = async (app, options) => {
  const { grids, gazetteer } = options.services;

  app.get(
    "/grids",
    {
      schema: {
        tags: ["registry"],
        summary: "List grids",
        querystring: ListQuerystring,
        response: { 200: GridPage, ...READ_ERRORS },
      },
    },
    async (request) => grids.list(request.query),
  );

  app.get(
    "/grids/:id",
    {
      schema: {
        tags: ["registry"],
        summary: "One grid",
        params: IdParams,
        response: { 200: GridSchema, ...READ_ERRORS },
      },
    },
    async (request) => grids.get(request.params.id),
  );

  app.post(
    "/grids",
    {
      onRequest: adminOnly,
      schema: {
        tags: ["registry"],
        summary: "Create a grid (GeoJSON Polygon or MultiPolygon of [lng, lat])",
        body: GridCreateBody,
        response: { 201: GridSchema, ...WRITE_ERRORS },
      },
    },
    async (request, reply) => reply.code(201).send(await grids.create(request.body, currentUser(request))),
  );

  app.patch(
    "/grids/:id",
    {
      onRequest: adminOnly,
      schema: {
        tags: ["registry"],
        summary: "Change a grid; households the new outline leaves move to the grid that contains them",
        params: IdParams,
        body: GridPatchBody,
        response: { 200: GridSchema, ...WRITE_ERRORS },
      },
    },
    async (request) => grids.update(request.params.id, request.body, currentUser(request)),
  );

  app.delete(
    "/grids/:id",
    {
      onRequest: adminOnly,
      schema: {
        tags: ["registry"],
        summary: "Delete a grid no household or worker belongs to",
        params: IdParams,
        response: { 204: Type.Null(), ...WRITE_ERRORS },
      },
    },
    async (request, reply) => {
      await grids.delete(request.params.id, currentUser(request));
      return reply.code(204).send(null);
    },
  );

  app.get(
    "/gazetteer",
    {
      schema: {
        tags: ["registry"],
        summary: "List standard addresses",
        querystring: ListQuerystring,
        response: { 200: GazetteerPage, ...READ_ERRORS },
      },
    },
    async (request) => gazetteer.list(request.query),
  );

  app.get(
    "/gazetteer/:id",
    {
      schema: {
        tags: ["registry"],
        summary: "One standard address",
        params: IdParams,
        response: { 200: GazetteerSchema, ...READ_ERRORS },
      },
    },
    async (request) => gazetteer.get(request.params.id),
  );

  app.post(
    "/gazetteer",
    {
      onRequest: adminOnly,
      schema: {
        tags: ["registry"],
        summary: "Add a standard address (stored normalised)",
        body: GazetteerCreateBody,
        response: { 201: GazetteerSchema, ...WRITE_ERRORS },
      },
    },
    async (request, reply) => reply.code(201).send(await gazetteer.create(request.body, currentUser(request))),
  );

  app.patch(
    "/gazetteer/:id",
    {
      onRequest: adminOnly,
      schema: {
        tags: ["registry"],
        summary: "Change a standard address (households already placed keep their coordinates)",
        params: IdParams,
        body: GazetteerPatchBody,
        response: { 200: GazetteerSchema, ...WRITE_ERRORS },
      },
    },
    async (request) => gazetteer.update(request.params.id, request.body, currentUser(request)),
  );

  app.delete(
    "/gazetteer/:id",
    {
      onRequest: adminOnly,
      schema: {
        tags: ["registry"],
        summary: "Delete a standard address",
        params: IdParams,
        response: { 204: Type.Null(), ...WRITE_ERRORS },
      },
    },
    async (request, reply) => {
      await gazetteer.delete(request.params.id, currentUser(request));
      return reply.code(204).send(null);
    },
  );
};
