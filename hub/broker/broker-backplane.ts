/**
 * What the embedded Aedes broker shares with the other hubs' brokers.
 *
 * - Alone (the embedded default): Aedes' in-memory persistence with the
 *   retained tree (broker-persistence.ts), its in-process bus, and connection
 *   epochs counted in this process (device-connections.ts).
 * - With Redis (`ANXIN_REDIS_URL`), the hubs' brokers are one MQTT service:
 *   the bus is `mqemitter-redis` (a publish on any hub reaches the subscriber
 *   on whichever hub it is connected to: the ack of a press goes out from the
 *   hub that stored it), the persistence `aedes-persistence-redis` (retained
 *   feedback, QoS 1 sessions and Last Wills, found wherever a device
 *   reconnects), and epochs are counted in Redis. Aedes' own cluster protocol
 *   does the rest: a login on one hub closes the same client on the others,
 *   and the Wills of a hub that stopped heart-beating are published by the
 *   survivors (mqtt-broker.ts takes those for presence).
 */
import { randomBytes } from "node:crypto";
import os from "node:os";
import { createBrokerPersistence } from "./broker-persistence.ts";
import { type DeviceConnections, LocalConnections } from "./device-connections.ts";

/** What Aedes is created with (`Aedes.createBroker`), besides the hooks. */
export interface BackplaneAedesOptions {
  id: string;
  persistence: unknown;
  mq?: unknown;
  heartbeatInterval?: number;
}

export interface BrokerBackplane {
  /** This hub's broker among the others (Aedes' `id`): in logs, Redis keys and `$SYS` topics. */
  readonly node: string;
  /** True where the hubs share Redis; `/health` then also asks Redis. */
  readonly shared: boolean;
  readonly connections: DeviceConnections;
  start(): Promise<void>;
  /** After `start()`. */
  aedesOptions(): BackplaneAedesOptions;
  /** Why the broker cannot serve as one of the service now, in words for whoever is on call; null when it can. */
  problem(): Promise<string | null>;
  /** After Aedes closed. */
  stop(): Promise<void>;
}

/** A name for this hub's broker: host, process and a random part (a restarted hub is a new broker). */
export function brokerNodeId(): string {
  const host =
    os
      .hostname()
      .replace(/[^A-Za-z0-9._-]/g, "_")
      .slice(0, 40) || "hub";
  return `${host}-${process.pid}-${randomBytes(3).toString("hex")}`;
}

/** One hub alone: nothing shared. */
export class SoleBroker implements BrokerBackplane {
  readonly node: string;
  readonly shared = false;
  readonly connections: DeviceConnections;

  constructor(node: string) {
    this.node = node;
    this.connections = new LocalConnections(node);
  }

  start(): Promise<void> {
    return Promise.resolve();
  }

  aedesOptions(): BackplaneAedesOptions {
    // Retained messages indexed by topic level: a subscription must not scan the whole fleet's feedback.
    return { id: this.node, persistence: createBrokerPersistence().persistence };
  }

  problem(): Promise<string | null> {
    return Promise.resolve(null);
  }

  stop(): Promise<void> {
    return Promise.resolve();
  }
}
