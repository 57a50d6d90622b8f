/**
 * `/devices`: provision, bind, rotate, revoke. A secret appears in exactly one
 * response (provision or rotate), marked `no-store` like every registry reply.
 */
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import Type from "typebox";
import {
  DeviceBindBody,
  DeviceListQuery,
  DevicePage,
  DeviceParams,
  DeviceProvisionBody,
  DeviceSchema,
  DeviceWithSecretSchema,
} from "../../../../protocol/console/index.ts";
import { currentUser } from "../../guard.ts";
import { adminOnly, READ_ERRORS, type RegistryResourceOptions, WRITE_ERRORS } from "./route-support.ts";

const tags = ["registry"];

export const deviceRoutes: FastifyPluginAsyncTypebox<RegistryResourceOptions> = async (app, options) => {
  const { devices } = options.services;

  app.get(
    "/devices",
    {
      schema: {
        tags,
        summary: "List devices with last seen, battery and online state",
        querystring: DeviceListQuery,
        response: { 200: DevicePage, ...READ_ERRORS },
      },
    },
    async (request) => devices.list(request.query),
  );

  app.get(
    "/devices/:id",
    { schema: { tags, summary: "One device", params: DeviceParams, response: { 200: DeviceSchema, ...READ_ERRORS } } },
    async (request) => devices.get(request.params.id),
  );

  app.post(
    "/devices",
    {
      onRequest: adminOnly,
      schema: {
        tags,
        summary: "Provision a device; the response carries its secret, shown this once",
        body: DeviceProvisionBody,
        response: { 201: DeviceWithSecretSchema, ...WRITE_ERRORS },
      },
    },
    async (request, reply) => reply.code(201).send(await devices.provision(request.body, currentUser(request))),
  );

  app.patch(
    "/devices/:id",
    {
      onRequest: adminOnly,
      schema: {
        tags,
        summary: "Bind the device to a household (null unbinds)",
        params: DeviceParams,
        body: DeviceBindBody,
        response: { 200: DeviceSchema, ...WRITE_ERRORS },
      },
    },
    async (request) => devices.bind(request.params.id, request.body.householdId, currentUser(request)),
  );

  app.post(
    "/devices/:id/rotate",
    {
      onRequest: adminOnly,
      schema: {
        tags,
        summary:
          "New secret (shown this once); the old one stops working, and sessions opened with it are closed at once",
        params: DeviceParams,
        response: { 200: DeviceWithSecretSchema, ...WRITE_ERRORS },
      },
    },
    async (request) => devices.rotate(request.params.id, currentUser(request)),
  );

  app.post(
    "/devices/:id/revoke",
    {
      onRequest: adminOnly,
      schema: {
        tags,
        summary: "Revoke the device: its open sessions are closed at once, every new connection refused",
        params: DeviceParams,
        response: { 200: DeviceSchema, ...WRITE_ERRORS },
      },
    },
    async (request) => devices.revoke(request.params.id, currentUser(request)),
  );

  app.delete(
    "/devices/:id",
    {
      onRequest: adminOnly,
      schema: {
        tags,
        summary: "Delete a device that never raised a press (otherwise revoke it)",
        params: DeviceParams,
        response: { 204: Type.Null(), ...WRITE_ERRORS },
      },
    },
    async (request, reply) => {
      await devices.delete(request.params.id, currentUser(request));
      return reply.code(204).send(null);
    },
  );
};
