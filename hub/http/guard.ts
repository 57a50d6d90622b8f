import type { FastifyReply, FastifyRequest } from "fastify";
import { SessionService } from "../auth/session-service.ts";
import { AnxinError } from "../errors.ts";
import type { Role, UserRow } from "../storage/user-repo.ts";

export const SESSION_COOKIE = "anxin_session";

declare module "fastify" {
  interface FastifyRequest {
    user: UserRow | null;
  }
}

export const ALL_STAFF: readonly Role[] = ["operator", "supervisor", "admin"];

export interface GuardOptions {
  /**
   * Admit a session whose password must still be changed. Only who-am-I, logout
   * and the password change itself do: everything else answers
   * `AUTH_PASSWORD_CHANGE_REQUIRED` until the person has chosen their own.
   */
  pendingPasswordChange?: boolean;
}

/** An onRequest hook that admits a request only with a live session whose role is allowed. */
export function requireRole(sessions: SessionService, roles: readonly Role[] = ALL_STAFF, options: GuardOptions = {}) {
  return async function guard(request: FastifyRequest, _reply: FastifyReply): Promise<void> {
    const user = await sessions.userForToken(request.cookies[SESSION_COOKIE]);
    if (!user) throw new AnxinError("AUTH_REQUIRED", "log in first");
    if (!SessionService.roleAllows(user.role, roles)) {
      throw new AnxinError("AUTH_FORBIDDEN", `role ${user.role} may not do this`, { role: user.role });
    }
    if (user.must_change_password !== 0 && !options.pendingPasswordChange) {
      throw new AnxinError(
        "AUTH_PASSWORD_CHANGE_REQUIRED",
        "your password was set by an administrator: change it first (POST /api/auth/password)",
      );
    }
    request.user = user;
  };
}

export function currentUser(request: FastifyRequest): UserRow {
  if (!request.user) throw new AnxinError("AUTH_REQUIRED", "log in first");
  return request.user;
}
