/**
 * The registry API for tests, until the composition root registers it: a fresh
 * fastify app with the real plugin, the real services and the real session
 * service over a running test hub's database (so the hub's broker sees the
 * devices it provisions), and the hub's own error handler from `hub/http/app.ts`.
 */
import cookie from "@fastify/cookie";
import swagger from "@fastify/swagger";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import Fastify, { type FastifyInstance } from "fastify";
import { SessionService } from "../../hub/auth/session-service.ts";
import { errorHandler } from "../../hub/http/app.ts";
import { registryRoutes } from "../../hub/http/routes/registry-routes.ts";
import { createRegistryServices } from "../../hub/registry/registry-services.ts";
import { type Role, UserRepository } from "../../hub/storage/user-repo.ts";
import type { TestHub } from "./test-hub.ts";

export async function buildRegistryApp(th: TestHub): Promise<FastifyInstance> {
  const users = new UserRepository(th.hub.sql);
  const sessions = new SessionService({ users }, { ttlHours: 1 });
  const app = Fastify().withTypeProvider<TypeBoxTypeProvider>();
  app.decorateRequest("user", null);
  app.setErrorHandler(errorHandler);
  await app.register(cookie);
  await app.register(swagger, { openapi: { info: { title: "registry test", version: "0" } } });
  await app.register(registryRoutes, {
    prefix: "/api/registry",
    sessions,
    services: createRegistryServices({ sql: th.hub.sql, users, bus: th.hub.bus }),
  });
  await app.ready();
  return app;
}

/**
 * A hub user with the role, logged in (the session cookie is returned). Made
 * through the hub's own account service, never by writing `users` rows: as a
 * seeded account, its password is its own (no change required at first login).
 * A `worker` login is linked to a new worker row, as the service demands.
 */
export async function createUser(
  th: TestHub,
  username: string,
  role: Role,
  password = "password-123",
): Promise<string> {
  let workerId: number | null = null;
  if (role === "worker") {
    workerId = Number(
      th.hub.db
        .prepare("INSERT INTO workers (code, name, phone, skills, shifts) VALUES (?, ?, '+8613700000000', '[]', '[]')")
        .run(`W-${username}`, username).lastInsertRowid,
    );
  }
  await th.hub.accounts.create(
    { name: "test", userId: null },
    { username, displayName: username, role, workerId },
    { password, mustChange: false },
  );
  return th.login(username, password);
}

/** `inject` with a session cookie (none: anonymous); read the answer with `.statusCode` and `.json()`. */
export function caller(app: FastifyInstance) {
  return (method: "GET" | "POST" | "PATCH" | "PUT" | "DELETE", url: string, cookie: string | null, payload?: object) =>
    app.inject({ method, url, headers: cookie ? { cookie } : {}, ...(payload === undefined ? {} : { payload }) });
}

/** A GeoJSON square grid outline, `size` degrees on a side, from its south-west corner. */
export const square = (minLng: number, minLat: number, size: number) => ({
  type: "Polygon" as const,
  coordinates: [
    [
      [minLng, minLat],
      [minLng + size, minLat],
      [minLng + size, minLat + size],
      [minLng, minLat + size],
      [minLng, minLat],
    ],
  ],
});
