import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import Type from "typebox";
import { ErrorBody, SessionBody } from "../../../protocol/console/index.ts";
import type { SessionService } from "../../auth/session-service.ts";
import { ALL_STAFF, currentUser, requireRole, SESSION_COOKIE } from "../guard.ts";
import { userBody } from "../schemas.ts";

export interface AuthRoutesOptions {
  sessions: SessionService;
  loginRateLimitPerMinute: number;
  secureCookies: boolean;
  /** The command center's zone, told with the user: the console shows times and counts days in it. */
  timeZone: string;
}

/** Who is logged in, and the zone the center's days and times are in. */

export const authRoutes: FastifyPluginAsyncTypebox<AuthRoutesOptions> = async (app, options) => {
  const { sessions } = options;
  // Everyone with a session, community workers and monitor accounts included, may ask who they are and log out,
  // also before they have replaced a password an administrator set.
  const guard = requireRole(sessions, [...ALL_STAFF, "worker", "monitor"], { pendingPasswordChange: true });

  app.post(
    "/login",
    {
      config: { rateLimit: { max: options.loginRateLimitPerMinute, timeWindow: "1 minute" } },
      schema: {
        tags: ["auth"],
        summary: "Log in; sets the session cookie",
        body: Type.Object(
          {
            username: Type.String({ minLength: 1, maxLength: 64 }),
            password: Type.String({ minLength: 1, maxLength: 256 }),
          },
          { additionalProperties: false },
        ),
        response: { 200: SessionBody, 401: ErrorBody, 429: ErrorBody },
      },
    },
    async (request, reply) => {
      const { token, user } = await sessions.login(request.body.username, request.body.password, request.ip);
      reply.setCookie(SESSION_COOKIE, token, {
        path: "/",
        httpOnly: true,
        sameSite: "strict",
        secure: options.secureCookies,
        maxAge: sessions.ttlSeconds,
      });
      return { user: userBody(user), timeZone: options.timeZone };
    },
  );

  app.post(
    "/logout",
    {
      onRequest: guard,
      schema: { tags: ["auth"], summary: "End the session", response: { 204: Type.Null(), 401: ErrorBody } },
    },
    async (request, reply) => {
      await sessions.logout(request.cookies[SESSION_COOKIE] ?? "", currentUser(request));
      reply.clearCookie(SESSION_COOKIE, { path: "/" });
      return reply.code(204).send(null);
    },
  );

  app.get(
    "/me",
    {
      onRequest: guard,
      schema: {
        tags: ["auth"],
        summary: "The logged-in user",
        response: { 200: SessionBody, 401: ErrorBody },
      },
    },
    async (request) => ({ user: userBody(currentUser(request)), timeZone: options.timeZone }),
  );
};
