/**
 * `POST /api/auth/password`: anyone logged in (operators, supervisors,
 * administrators, community workers) changes their own password, giving the
 * current one. It is the one route a session whose password must be changed
 * may use besides who-am-I and logout. Rate-limited like the login: a stolen
 * session must not become a way to guess the password behind it.
 */

import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { ErrorBody, OwnPasswordBody, OwnPasswordReplySchema } from "../../../protocol/console/index.ts";
import type { AccountService } from "../../accounts/account-service.ts";
import { hashToken, type SessionService } from "../../auth/session-service.ts";
import { ALL_STAFF, currentUser, requireRole, SESSION_COOKIE } from "../guard.ts";
import { userBody } from "../schemas.ts";
import { registryValidatorCompiler } from "./registry/registry-validation.ts";

export interface PasswordRoutesOptions {
  sessions: SessionService;
  accounts: AccountService;
  rateLimitPerMinute: number;
}

export const passwordRoutes: FastifyPluginAsyncTypebox<PasswordRoutesOptions> = async (app, options) => {
  app.setValidatorCompiler(registryValidatorCompiler);
  app.post(
    "/password",
    {
      onRequest: requireRole(options.sessions, [...ALL_STAFF, "worker", "monitor"], { pendingPasswordChange: true }),
      config: { rateLimit: { max: options.rateLimitPerMinute, timeWindow: "1 minute" } },
      schema: {
        tags: ["auth"],
        summary: "Change your own password (ends your other sessions)",
        body: OwnPasswordBody,
        response: {
          200: OwnPasswordReplySchema,
          400: ErrorBody,
          401: ErrorBody,
          403: ErrorBody,
          429: ErrorBody,
        },
      },
    },
    async (request) => {
      const user = currentUser(request);
      const token = request.cookies[SESSION_COOKIE];
      await options.accounts.changeOwnPassword(
        user,
        { current: request.body.currentPassword, next: request.body.newPassword },
        token ? hashToken(token) : null,
      );
      // Read back through the session: the flag is cleared and this session is the one kept.
      const fresh = (await options.sessions.userForToken(token)) ?? user;
      return { user: userBody(fresh) };
    },
  );
};
