/**
 * Staff accounts (`/api/users`), for administrators only: list, read, create,
 * edit, reset the password, disable and enable. The work is the account
 * service's (hub/accounts/account-service.ts), shared with the CLI. Answers are
 * `no-store`: a created or reset account's answer carries its one-time password,
 * shown once and never kept by the hub.
 */

import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import {
  AccountChangesBody,
  AccountListSchema,
  AccountReplySchema,
  AccountWithPasswordSchema,
  ErrorBody,
  IdParams,
  NewAccountBody,
  ResetPasswordBody,
} from "../../../protocol/console/index.ts";
import { type AccountService, actorOf } from "../../accounts/account-service.ts";
import type { SessionService } from "../../auth/session-service.ts";
import { currentUser, requireRole } from "../guard.ts";
import { registryValidatorCompiler } from "./registry/registry-validation.ts";

export interface UserRoutesOptions {
  sessions: SessionService;
  accounts: AccountService;
}

const Errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };
const tags = ["users"];

export const userRoutes: FastifyPluginAsyncTypebox<UserRoutesOptions> = async (app, options) => {
  const { accounts } = options;
  // The registry's validator: one readable message per wrong field, which the console puts beside it.
  app.setValidatorCompiler(registryValidatorCompiler);
  app.addHook("onRequest", requireRole(options.sessions, ["admin"]));
  app.addHook("onSend", async (_request, reply, payload) => {
    reply.header("cache-control", "no-store");
    return payload;
  });

  app.get(
    "/",
    {
      schema: {
        tags,
        summary: "Every account: staff and community workers",
        response: { 200: AccountListSchema, ...Errors },
      },
    },
    async () => ({ users: await accounts.list() }),
  );

  app.get(
    "/:id",
    { schema: { tags, summary: "One account", params: IdParams, response: { 200: AccountReplySchema, ...Errors } } },
    async (request) => ({ user: await accounts.get(request.params.id) }),
  );

  app.post(
    "/",
    {
      schema: {
        tags,
        summary:
          "Create an account; its password (typed, or generated and answered once) must be changed at first login",
        body: NewAccountBody,
        response: { 201: AccountWithPasswordSchema, ...Errors },
      },
    },
    async (request, reply) => {
      const { password, ...input } = request.body;
      const created = await accounts.create(actorOf(currentUser(request)), input, { password });
      return reply.code(201).send({ user: created.account, oneTimePassword: created.generatedPassword });
    },
  );

  app.patch(
    "/:id",
    {
      schema: {
        tags,
        summary: "Change display name, role, language, contact or worker link (a role change ends the sessions)",
        params: IdParams,
        body: AccountChangesBody,
        response: { 200: AccountReplySchema, ...Errors },
      },
    },
    async (request) => ({
      user: await accounts.update(actorOf(currentUser(request)), request.params.id, request.body),
    }),
  );

  app.post(
    "/:id/reset-password",
    {
      schema: {
        tags,
        summary: "Set a one-time password (typed, or generated and answered once); ends the person's sessions",
        params: IdParams,
        body: ResetPasswordBody,
        response: { 200: AccountWithPasswordSchema, ...Errors },
      },
    },
    async (request) => {
      const reset = await accounts.resetPassword(actorOf(currentUser(request)), request.params.id, {
        password: request.body.password,
      });
      return { user: reset.account, oneTimePassword: reset.generatedPassword };
    },
  );

  app.post(
    "/:id/disable",
    {
      schema: {
        tags,
        summary: "Disable the account; ends its sessions and open consoles at once",
        params: IdParams,
        response: { 200: AccountReplySchema, ...Errors },
      },
    },
    async (request) => ({ user: await accounts.disable(actorOf(currentUser(request)), request.params.id) }),
  );

  app.post(
    "/:id/enable",
    {
      schema: {
        tags,
        summary: "Enable a disabled account",
        params: IdParams,
        response: { 200: AccountReplySchema, ...Errors },
      },
    },
    async (request) => ({ user: await accounts.enable(actorOf(currentUser(request)), request.params.id) }),
  );
};
