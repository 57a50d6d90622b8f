import type { FastifyPluginAsync } from "fastify";
import type { WebSocket } from "ws";
import type { AlarmViews } from "../../alarms/alarm-views.ts";
import type { SessionService } from "../../auth/session-service.ts";
import type { EventBus } from "../../events.ts";
import type { AlarmRepository } from "../../storage/alarm-repo.ts";
import { requireRole } from "../guard.ts";

export interface RealtimeRoutesOptions {
  sessions: SessionService;
  bus: EventBus;
  views: AlarmViews;
  alarms: AlarmRepository;
}

/**
 * Pushes every alarm change, device fault and test request change to every
 * logged-in console. A console that was away (network blip, hub restart)
 * reloads the list over HTTP on reconnect; the push channel carries only what
 * changes from then on.
 */
export const realtimeRoutes: FastifyPluginAsync<RealtimeRoutesOptions> = async (app, options) => {
  const sockets = new Set<WebSocket>();

  const unsubscribe = options.bus.on("alarm.changed", ({ alarmId }) => {
    if (sockets.size === 0) return;
    const row = options.alarms.get(alarmId);
    if (!row) return;
    const frame = JSON.stringify({ type: "alarm", alarm: options.views.summary(row) });
    for (const socket of sockets) {
      if (socket.readyState === socket.OPEN) socket.send(frame);
    }
  });
  // Device supervision: faults (not emergencies) and test requests, pushed as they are committed.
  const broadcast = (frame: string) => {
    for (const socket of sockets) if (socket.readyState === socket.OPEN) socket.send(frame);
  };
  const unsubscribeFaults = options.bus.on("device.fault", ({ fault }) =>
    broadcast(JSON.stringify({ type: "device_fault", fault })),
  );
  const unsubscribeTests = options.bus.on("device.test", ({ test }) =>
    broadcast(JSON.stringify({ type: "device_test", test })),
  );
  app.addHook("onClose", async () => {
    unsubscribeFaults();
    unsubscribeTests();
    unsubscribe();
    for (const socket of sockets) socket.terminate();
  });

  app.get(
    "/",
    {
      websocket: true,
      onRequest: requireRole(options.sessions),
      schema: { tags: ["realtime"], summary: "WebSocket of alarm changes" },
    },
    (socket) => {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
      socket.on("error", () => sockets.delete(socket));
      socket.send(JSON.stringify({ type: "hello", serverTime: new Date().toISOString() }));
    },
  );
};
