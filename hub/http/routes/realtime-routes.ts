import type { FastifyPluginAsync } from "fastify";
import type { Logger } from "pino";
import type { WebSocket } from "ws";
import type { AlarmViews } from "../../alarms/alarm-views.ts";
import { hashToken, SessionService } from "../../auth/session-service.ts";
import type { EventBus } from "../../events.ts";
import type { ClusterFeed } from "../../realtime/cluster-feed.ts";
import type { SqlDatabase } from "../../storage/sql/sql-port.ts";
import { encodeFrame } from "../console-frames.ts";
import { ConsolePush, type ConsolePushSettings, DEFAULT_CONSOLE_PUSH } from "../console-push.ts";
import { ALL_STAFF, currentUser, requireRole, SESSION_COOKIE } from "../guard.ts";

export interface RealtimeRoutesOptions {
  sessions: SessionService;
  bus: EventBus;
  commits: Pick<SqlDatabase, "afterCommit">;
  /** Changes to and from the other hubs of a cluster (nothing on SQLite). */
  cluster: ClusterFeed;
  views: Pick<AlarmViews, "summariesOf">;
  logger: Logger;
  /** How often every open socket's session is checked again (default 2 s). */
  sessionCheckMs?: number;
  /** The push window and the slow-console bound (console-push.ts); the hub's config sets them. */
  push?: ConsolePushSettings;
  /** Hands the hub's metrics a way to read how many consoles are open here (`anxin_console_clients`). */
  countConsoles?: (count: () => number) => void;
}

/** The close code a console sees when its session was ended under it (disabled, reset, expired). */
export const SESSION_ENDED_CLOSE = 4001;
export { SLOW_CONSOLE_CLOSE } from "../console-push.ts";

interface Holder {
  userId: number;
  tokenHash: string;
}

/**
 * Pushes every alarm change, device fault and test request change, and the
 * database's write state when it changes, to every logged-in console; alarms,
 * faults and tests in batches per push window (console-push.ts, frames in
 * console-frames.ts). A console that was away (network blip, hub restart, or
 * closed for falling behind) reloads the lists (and /health) over HTTP on
 * reconnect; the push channel carries only what changes from then on.
 *
 * A socket lives no longer than its session. When this hub ends a person's
 * sessions (account disabled, password reset or changed, role changed), or one
 * session logs out, the bus says so and those sockets close at once. Sessions can also end elsewhere: the
 * accounts CLI writes to the same database from another process, and sessions
 * expire. So every few seconds each socket's session is looked up again (one
 * indexed read per open console) and a socket whose session is gone is closed.
 */
export const realtimeRoutes: FastifyPluginAsync<RealtimeRoutesOptions> = async (app, options) => {
  const sockets = new Map<WebSocket, Holder>();
  options.countConsoles?.(() => sockets.size);
  const push = new ConsolePush(
    { bus: options.bus, commits: options.commits, views: options.views, logger: options.logger },
    options.push ?? DEFAULT_CONSOLE_PUSH,
  );
  push.start();
  // Other hubs' changes, for this hub's consoles; this hub's, for theirs (hub/realtime/cluster-feed.ts).
  await options.cluster.start({ bus: options.bus, commits: options.commits, sink: push });
  const forget = (socket: WebSocket) => {
    sockets.delete(socket);
    push.remove(socket);
  };
  const endSession = (socket: WebSocket) => {
    forget(socket);
    socket.close(SESSION_ENDED_CLOSE, "session ended");
  };

  // The database stopped or resumed taking writes: every console shows or clears its warning.
  const unsubscribeStorage = options.bus.on("storage.write", ({ check }) =>
    push.broadcast({ type: "storage", storage: check }),
  );
  const unsubscribeRevoked = options.bus.on("user.sessions_revoked", ({ userId, keepTokenHash }) => {
    for (const [socket, holder] of sockets) {
      if (holder.userId === userId && holder.tokenHash !== keepTokenHash) endSession(socket);
    }
  });
  const unsubscribeEnded = options.bus.on("session.ended", ({ tokenHash }) => {
    for (const [socket, holder] of sockets) if (holder.tokenHash === tokenHash) endSession(socket);
  });
  // One pass at a time: a pass slower than the period (a busy database) is not overlapped by the next.
  let checking = false;
  const checkSessions = async () => {
    for (const [socket, holder] of [...sockets]) {
      const user = await options.sessions.userForTokenHash(holder.tokenHash);
      const still =
        user !== undefined && SessionService.roleAllows(user.role, ALL_STAFF) && user.must_change_password === 0;
      if (!still && sockets.has(socket)) endSession(socket);
    }
  };
  const check = setInterval(() => {
    if (checking) return;
    checking = true;
    checkSessions()
      .catch((error: unknown) =>
        options.logger.error({ err: error, code: "STORAGE_FAILED" }, "could not check the live consoles' sessions"),
      )
      .finally(() => {
        checking = false;
      });
  }, options.sessionCheckMs ?? 2000);
  check.unref();

  app.addHook("onClose", async () => {
    clearInterval(check);
    unsubscribeRevoked();
    unsubscribeEnded();
    unsubscribeStorage();
    await options.cluster.stop();
    push.stop();
    for (const socket of sockets.keys()) socket.terminate();
  });

  app.get(
    "/",
    {
      websocket: true,
      onRequest: requireRole(options.sessions),
      schema: { tags: ["realtime"], summary: "WebSocket of alarm changes" },
    },
    (socket, request) => {
      const holder = { userId: currentUser(request).id, tokenHash: hashToken(request.cookies[SESSION_COOKIE] ?? "") };
      sockets.set(socket, holder);
      socket.on("close", () => forget(socket));
      socket.on("error", () => forget(socket));
      socket.send(encodeFrame({ type: "hello", serverTime: new Date().toISOString() }), { binary: false });
      push.add(socket);
    },
  );
};
