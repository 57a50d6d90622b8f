/**
 * Device messages into the hub, taken in Aedes' `authorizePublish` hook once
 * the ACL allowed them (mqtt-broker.ts says why not from Aedes' `publish`
 * event): one handler per message kind, and presses let in through the intake
 * gate (intake-gate.ts).
 */
import type { Client } from "aedes";
import type { Logger } from "pino";
import { clientIdBelongsTo, type DeviceToHubKind, isDeviceToHubKind, parseDeviceTopic } from "../../protocol/index.ts";
import type { BrokerAuth } from "./broker-auth.ts";
import type { ConnectionRef } from "./device-connections.ts";
import type { IntakeGate } from "./intake-gate.ts";

export interface DeviceMessage {
  deviceId: string;
  kind: DeviceToHubKind;
  topic: string;
  payload: Buffer;
  receivedAt: Date;
  /** The connection it came through (presence counts only the latest one: device-connections.ts). */
  connection: ConnectionRef;
}

/** A Last Will of a hub that died, published by a surviving hub's broker (Aedes adds who held it). */
export interface OrphanWill {
  topic: string;
  payload: Buffer | string;
  clientId: string;
  brokerId: string;
}

export type DeviceMessageHandler = (message: DeviceMessage) => void | Promise<void>;

export class DeviceIntake {
  private readonly deps: { auth: BrokerAuth; intake: IntakeGate; logger: Logger; node: string };
  private readonly handlers = new Map<DeviceToHubKind, DeviceMessageHandler>();
  /**
   * False while the broker stops: closing it closes every connection and so publishes every device's
   * Last Will. Those say "the hub went away", not "the device did"; supervision must not fault the
   * whole fleet.
   */
  private open = false;

  constructor(deps: { auth: BrokerAuth; intake: IntakeGate; logger: Logger; node: string }) {
    this.deps = deps;
  }

  /** One handler per message kind (aedes style); registering twice is a programming error. */
  handle(kind: DeviceToHubKind, handler: DeviceMessageHandler): void {
    if (this.handlers.has(kind)) throw new Error(`a handler for ${kind} is already registered`);
    this.handlers.set(kind, handler);
  }

  start(): void {
    this.open = true;
  }

  stop(): void {
    this.open = false;
  }

  /**
   * A publish the ACL allowed, in the hook: a device message goes to its handler now, and `answer` lets
   * Aedes go on with the publish. A press is let in through the intake gate: past its bound, the hook
   * (and so the reading of that socket) waits for room. While a connection's press waits, its further
   * alarm publishes (its re-sends, or a next press) are let on at once and not taken: Aedes parses a
   * whole socket read and hands every publish in it to the hook, so each would wait in the hub's heap
   * (2,000 new alarms/s held 74,000 of them, RSS +900 MB). Nothing is lost: the device re-sends every
   * press until acked (docs/protocol.md), and the waiting press's ack answers its copies.
   */
  take(topic: string, payload: Buffer | string, client: Client, answer: () => void): void {
    const message = this.deviceMessage(topic, payload, client);
    if (message?.kind !== "alarm") {
      if (message) this.dispatch(message, null);
      answer();
      return;
    }
    const { intake } = this.deps;
    if (intake.holds(client)) {
      answer();
      return;
    }
    intake.admit(() => {
      // Stopping: the gate lets everything waiting go; none of it is taken.
      if (this.open) this.dispatch(message, intake);
      else intake.leave();
      answer();
    }, client);
  }

  /**
   * The Will of a device whose hub died: a `status` on the device's own topic (its client id names the
   * device, as at its login), from a connection whose epoch died with that hub. Presence takes it only
   * if the device has not logged in anywhere since (device-presence.ts).
   */
  takeOrphanWill(will: OrphanWill): void {
    if (!this.open) return;
    const parsed = parseDeviceTopic(will.topic);
    if (parsed?.kind !== "status" || !clientIdBelongsTo(will.clientId, parsed.deviceId)) return;
    if (!this.handlers.has(parsed.kind)) return;
    this.dispatch(
      {
        deviceId: parsed.deviceId,
        kind: parsed.kind,
        topic: will.topic,
        payload: typeof will.payload === "string" ? Buffer.from(will.payload) : will.payload,
        receivedAt: new Date(),
        connection: { node: will.brokerId, epoch: null },
      },
      null,
    );
  }

  /** The message of a device publishing as itself on a device-to-hub topic with a handler; else null. */
  private deviceMessage(topic: string, payload: Buffer | string, client: Client): DeviceMessage | null {
    if (!this.open) return null;
    const parsed = parseDeviceTopic(topic);
    const identity = this.deps.auth.identity(client);
    // The ACL already checked this; checking again keeps a mis-wired hook from ever attributing a press to the wrong home.
    if (
      !parsed ||
      !isDeviceToHubKind(parsed.kind) ||
      identity?.type !== "device" ||
      identity.deviceId !== parsed.deviceId ||
      !this.handlers.has(parsed.kind)
    ) {
      return null;
    }
    return {
      deviceId: parsed.deviceId,
      kind: parsed.kind,
      topic,
      payload: typeof payload === "string" ? Buffer.from(payload) : payload,
      receivedAt: new Date(),
      connection: { node: this.deps.node, epoch: identity.connection },
    };
  }

  /** Runs the message's handler; a press leaves the intake gate once it settled. */
  private dispatch(message: DeviceMessage, intake: IntakeGate | null): void {
    const handler = this.handlers.get(message.kind);
    if (!handler) return;
    Promise.resolve()
      .then(() => handler(message))
      .catch((error: unknown) =>
        this.deps.logger.error(
          { err: error, deviceId: message.deviceId, kind: message.kind },
          "device message handler failed",
        ),
      )
      .finally(() => intake?.leave());
  }
}
