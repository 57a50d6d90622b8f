/** What every registry route file shares: the admin-only hook, error responses, options. */

import type { FastifyReply, FastifyRequest } from "fastify";
import { ErrorBody } from "../../../../protocol/console/index.ts";
import { AnxinError } from "../../../errors.ts";
import type { RegistryServices } from "../../../registry/registry-services.ts";
import { currentUser } from "../../guard.ts";

export interface RegistryResourceOptions {
  services: RegistryServices;
}

/**
 * Route-level onRequest hook for writes. It runs after the plugin's session
 * check, and before the body is validated: an operator gets 403, never a 400
 * that would confirm what a valid body looks like.
 */
export async function adminOnly(request: FastifyRequest, _reply: FastifyReply): Promise<void> {
  const user = currentUser(request);
  if (user.role !== "admin") {
    throw new AnxinError("AUTH_FORBIDDEN", `role ${user.role} may read the registry but only admin may change it`, {
      role: user.role,
    });
  }
}

export const READ_ERRORS = { 401: ErrorBody, 403: ErrorBody, 404: ErrorBody } as const;
export const WRITE_ERRORS = {
  400: ErrorBody,
  401: ErrorBody,
  403: ErrorBody,
  404: ErrorBody,
  409: ErrorBody,
  422: ErrorBody,
} as const;
