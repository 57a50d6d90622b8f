/**
 * Heartbeats and online/offline status (the offline one arrives as the Last
 * Will). They keep `last_seen_at`, battery and `online` current (in memory at
 * once, in the database within a second: hub/storage/presence-buffer.ts), then
 * hand the news to device supervision (hub/supervision/), which opens and
 * clears faults.
 *
 * A status counts only while its connection is the device's latest on any hub
 * (device-connections.ts): the Will of a connection that another hub took over
 * arrives after the device logged in there, and says nothing about the device.
 */
import type { Logger } from "pino";
import { type DecodeRefusal, decodeMessage } from "../../protocol/index.ts";
import type { EventBus } from "../events.ts";
import type { RegistryRepository } from "../storage/registry-repo.ts";
import type { DeviceChannel } from "./device-channel.ts";
import { type DeviceConnections, isLatest } from "./device-connections.ts";
import type { DeviceMessage } from "./device-intake.ts";

/** What supervision needs to hear from presence; `DeviceSupervisor` satisfies it. */
export interface PresenceSupervision {
  onHeartbeat(deviceId: string, at: Date, battery: number, connection: number | null): Promise<void>;
  onStatus(deviceId: string, online: boolean, at: Date): Promise<void>;
}

export class DevicePresence {
  private readonly registry: RegistryRepository;
  private readonly devices: DeviceChannel;
  private readonly bus: EventBus;
  private readonly logger: Logger;
  private readonly supervision: PresenceSupervision;
  private readonly connections: DeviceConnections;

  constructor(deps: {
    connections: DeviceConnections;
    registry: RegistryRepository;
    devices: DeviceChannel;
    bus: EventBus;
    logger: Logger;
    supervision: PresenceSupervision;
  }) {
    this.registry = deps.registry;
    this.devices = deps.devices;
    this.bus = deps.bus;
    this.logger = deps.logger;
    this.supervision = deps.supervision;
    this.connections = deps.connections;
  }

  readonly onHeartbeat = async (message: DeviceMessage): Promise<void> => {
    const decoded = decodeMessage("heartbeat", message.payload);
    if (!decoded.ok) return this.refuse(message, decoded);
    this.registry.markDeviceSeen(
      message.deviceId,
      message.receivedAt.toISOString(),
      decoded.value.battery,
      decoded.value.firmware ?? null,
    );
    const { deviceId, receivedAt, connection } = message;
    await this.supervision.onHeartbeat(deviceId, receivedAt, decoded.value.battery, connection.epoch);
  };

  readonly onStatus = async (message: DeviceMessage): Promise<void> => {
    const decoded = decodeMessage("status", message.payload);
    if (!decoded.ok) return this.refuse(message, decoded);
    const online = decoded.value.state === "online";
    const latest = await this.connections.latest(message.deviceId);
    if (!isLatest(message.connection, latest)) {
      this.logger.debug(
        { deviceId: message.deviceId, online, node: message.connection.node },
        "status of a connection the device has replaced; not taken",
      );
      return;
    }
    // A dead hub's Will has no epoch of its own: it speaks for the latest connection, which was the one it held.
    const epoch = message.connection.epoch ?? latest?.epoch ?? null;
    this.registry.setDeviceOnline(message.deviceId, online, message.receivedAt.toISOString(), epoch);
    // Debug, not info: a county's fleet reconnecting is 20,000 of these; the faults they open or clear are logged.
    this.logger.debug({ deviceId: message.deviceId, online }, online ? "device online" : "device offline");
    this.bus.emit("device.status", { deviceId: message.deviceId, online });
    await this.supervision.onStatus(message.deviceId, online, message.receivedAt);
  };

  /** One bounded log line (the payload's size and a short prefix, never the payload) and a coded error to the device. */
  private async refuse(message: DeviceMessage, { code, message: reason, bytes, excerpt }: DecodeRefusal) {
    this.logger.warn(
      { code, deviceId: message.deviceId, topic: message.topic, reason, bytes, excerpt },
      `${message.kind} message refused`,
    );
    await this.devices.refuse(message.deviceId, { code, message: reason, topic: message.topic });
  }
}
