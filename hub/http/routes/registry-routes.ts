/**
 * The registry API (`/api/registry/...`): grids, gazetteer, households,
 * residents, relatives, devices, workers, clinics. Reading needs an operator,
 * supervisor or admin session; writing needs admin. Every reply is `no-store`:
 * some carry health data or a device secret, and none should sit in a cache.
 */
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { SessionService } from "../../auth/session-service.ts";
import type { RegistryServices } from "../../registry/registry-services.ts";
import type { Role } from "../../storage/user-repo.ts";
import { requireRole } from "../guard.ts";
import { deviceRoutes } from "./registry/device-routes.ts";
import { householdRoutes } from "./registry/household-routes.ts";
import { placeRoutes } from "./registry/place-routes.ts";
import { registryValidatorCompiler } from "./registry/registry-validation.ts";
import { responderRoutes } from "./registry/responder-routes.ts";

export interface RegistryRoutesOptions {
  sessions: SessionService;
  services: RegistryServices;
}

/** Community workers (role `worker`) have their own API and never see the registry. */
export const REGISTRY_READERS: readonly Role[] = ["operator", "supervisor", "admin"];

export const registryRoutes: FastifyPluginAsyncTypebox<RegistryRoutesOptions> = async (app, options) => {
  app.setValidatorCompiler(registryValidatorCompiler);
  // onRequest, not preHandler: an anonymous caller gets 401 before its body is even validated.
  app.addHook("onRequest", requireRole(options.sessions, REGISTRY_READERS));
  app.addHook("onSend", async (_request, reply, payload) => {
    reply.header("cache-control", "no-store");
    return payload;
  });
  const resources = { services: options.services };
  await app.register(placeRoutes, resources);
  await app.register(householdRoutes, resources);
  await app.register(deviceRoutes, resources);
  await app.register(responderRoutes, resources);
};
