/** `/households`, `/residents` and `/relatives`: who lives where, and whom to call. */
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import Type from "typebox";
import {
  HouseholdCreateBody,
  HouseholdDetailSchema,
  HouseholdPage,
  HouseholdPatchBody,
  HouseholdSchema,
  IdParams,
  ListQuerystring,
  RelativeCreateBody,
  RelativeList,
  RelativeOrderBody,
  RelativePatchBody,
  RelativeSchema,
  ResidentCreateBody,
  ResidentDetailSchema,
  ResidentPage,
  ResidentPatchBody,
} from "../../../../protocol/console/index.ts";
import { currentUser } from "../../guard.ts";
import { adminOnly, READ_ERRORS, type RegistryResourceOptions, WRITE_ERRORS } from "./route-support.ts";

const tags = ["registry"];

export const householdRoutes: FastifyPluginAsyncTypebox<RegistryResourceOptions> = async (app, options) => {
  const { households, residents, relatives } = options.services;

  app.get(
    "/households",
    {
      schema: {
        tags,
        summary: "List households",
        querystring: Type.Object({
          ...ListQuerystring.properties,
          gridId: Type.Optional(Type.Integer({ minimum: 1 })),
        }),
        response: { 200: HouseholdPage, ...READ_ERRORS },
      },
    },
    async (request) => households.list(request.query),
  );

  app.get(
    "/households/:id",
    {
      schema: {
        tags,
        summary: "One household with residents, relatives and devices (health data for operators and supervisors)",
        params: IdParams,
        response: { 200: HouseholdDetailSchema, ...READ_ERRORS },
      },
    },
    async (request) => households.detail(request.params.id, currentUser(request)),
  );

  app.post(
    "/households",
    {
      onRequest: adminOnly,
      schema: {
        tags,
        summary: "Create a household; without lat/lng its address is looked up in the gazetteer",
        body: HouseholdCreateBody,
        response: { 201: HouseholdSchema, ...WRITE_ERRORS },
      },
    },
    async (request, reply) => reply.code(201).send(await households.create(request.body, currentUser(request))),
  );

  app.patch(
    "/households/:id",
    {
      onRequest: adminOnly,
      schema: {
        tags,
        summary: "Change a household",
        params: IdParams,
        body: HouseholdPatchBody,
        response: { 200: HouseholdSchema, ...WRITE_ERRORS },
      },
    },
    async (request) => households.update(request.params.id, request.body, currentUser(request)),
  );

  app.delete(
    "/households/:id",
    {
      onRequest: adminOnly,
      schema: {
        tags,
        summary: "Delete a household without alarm history or devices (with its residents and relatives)",
        params: IdParams,
        response: { 204: Type.Null(), ...WRITE_ERRORS },
      },
    },
    async (request, reply) => {
      await households.delete(request.params.id, currentUser(request));
      return reply.code(204).send(null);
    },
  );

  app.get(
    "/residents",
    {
      schema: {
        tags,
        summary: "List residents (no health data: open one resident to see it)",
        querystring: Type.Object({
          ...ListQuerystring.properties,
          householdId: Type.Optional(Type.Integer({ minimum: 1 })),
        }),
        response: { 200: ResidentPage, ...READ_ERRORS },
      },
    },
    async (request) => residents.list(request.query),
  );

  app.get(
    "/residents/:id",
    {
      schema: {
        tags,
        summary: "One resident with relatives (health data for operators and supervisors, audited)",
        params: IdParams,
        response: { 200: ResidentDetailSchema, ...READ_ERRORS },
      },
    },
    async (request) => residents.get(request.params.id, currentUser(request)),
  );

  app.post(
    "/households/:id/residents",
    {
      onRequest: adminOnly,
      schema: {
        tags,
        summary: "Add a resident to a household (health data needs a consent record)",
        params: IdParams,
        body: ResidentCreateBody,
        response: { 201: ResidentDetailSchema, ...WRITE_ERRORS },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await residents.create(request.params.id, request.body, currentUser(request))),
  );

  app.patch(
    "/residents/:id",
    {
      onRequest: adminOnly,
      schema: {
        tags,
        summary: "Change a resident",
        params: IdParams,
        body: ResidentPatchBody,
        response: { 200: ResidentDetailSchema, ...WRITE_ERRORS },
      },
    },
    async (request) => residents.update(request.params.id, request.body, currentUser(request)),
  );

  app.delete(
    "/residents/:id",
    {
      onRequest: adminOnly,
      schema: {
        tags,
        summary: "Delete a resident no alarm names",
        params: IdParams,
        response: { 204: Type.Null(), ...WRITE_ERRORS },
      },
    },
    async (request, reply) => {
      await residents.delete(request.params.id, currentUser(request));
      return reply.code(204).send(null);
    },
  );

  app.get(
    "/residents/:id/relatives",
    {
      schema: {
        tags,
        summary: "A resident's relatives, in the order they are contacted",
        params: IdParams,
        response: { 200: RelativeList, ...READ_ERRORS },
      },
    },
    async (request) => ({ items: await relatives.list(request.params.id) }),
  );

  app.post(
    "/residents/:id/relatives",
    {
      onRequest: adminOnly,
      schema: {
        tags,
        summary: "Add a relative (at `priority`, default last)",
        params: IdParams,
        body: RelativeCreateBody,
        response: { 201: RelativeSchema, ...WRITE_ERRORS },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await relatives.create(request.params.id, request.body, currentUser(request))),
  );

  app.put(
    "/residents/:id/relatives/order",
    {
      onRequest: adminOnly,
      schema: {
        tags,
        summary: "Reorder all of a resident's relatives; priorities become 1..n in the given order",
        params: IdParams,
        body: RelativeOrderBody,
        response: { 200: RelativeList, ...WRITE_ERRORS },
      },
    },
    async (request) => ({
      items: await relatives.reorder(request.params.id, request.body.relativeIds, currentUser(request)),
    }),
  );

  app.get(
    "/relatives/:id",
    { schema: { tags, summary: "One relative", params: IdParams, response: { 200: RelativeSchema, ...READ_ERRORS } } },
    async (request) => relatives.get(request.params.id),
  );

  app.patch(
    "/relatives/:id",
    {
      onRequest: adminOnly,
      schema: {
        tags,
        summary: "Change a relative; a new priority moves the others",
        params: IdParams,
        body: RelativePatchBody,
        response: { 200: RelativeSchema, ...WRITE_ERRORS },
      },
    },
    async (request) => relatives.update(request.params.id, request.body, currentUser(request)),
  );

  app.delete(
    "/relatives/:id",
    {
      onRequest: adminOnly,
      schema: {
        tags,
        summary: "Remove a relative; the others close the gap",
        params: IdParams,
        response: { 204: Type.Null(), ...WRITE_ERRORS },
      },
    },
    async (request, reply) => {
      await relatives.delete(request.params.id, currentUser(request));
      return reply.code(204).send(null);
    },
  );
};
