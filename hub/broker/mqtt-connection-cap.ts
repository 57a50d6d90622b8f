/**
 * The MQTT connection cap on a listening server, plain or TLS: past it Node accepts and at once closes
 * a socket, so the descriptors stay below the limit, and each refusal is logged (bounded, refusal-log.ts).
 */
import type net from "node:net";
import { addressKey } from "../net/address-key.ts";
import type { RefusalLog } from "../net/refusal-log.ts";

export function capMqttConnections(server: net.Server, cap: number, refusals: Pick<RefusalLog, "refused">): void {
  server.maxConnections = cap;
  server.on("drop", (data) =>
    refusals.refused(
      "MQTT_CONNECTIONS_FULL",
      addressKey(data?.remoteAddress),
      { cap },
      "MQTT connection refused: the broker is full",
    ),
  );
}
