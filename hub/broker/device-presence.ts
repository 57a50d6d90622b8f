/**
 * Heartbeats and online/offline status (the offline one arrives as the Last
 * Will). For now they keep `last_seen_at`, battery and `online` current; device
 * supervision (faults on silence) builds on them in its own issue.
 */
import type { Logger } from "pino";
import { decodeMessage } from "../../protocol/index.ts";
import type { EventBus } from "../events.ts";
import type { RegistryRepository } from "../storage/registry-repo.ts";
import type { DeviceChannel } from "./device-channel.ts";
import type { DeviceMessage } from "./mqtt-broker.ts";

export class DevicePresence {
  private readonly registry: RegistryRepository;
  private readonly devices: DeviceChannel;
  private readonly bus: EventBus;
  private readonly logger: Logger;

  constructor(deps: { registry: RegistryRepository; devices: DeviceChannel; bus: EventBus; logger: Logger }) {
    this.registry = deps.registry;
    this.devices = deps.devices;
    this.bus = deps.bus;
    this.logger = deps.logger;
  }

  readonly onHeartbeat = async (message: DeviceMessage): Promise<void> => {
    const decoded = decodeMessage("heartbeat", message.payload);
    if (!decoded.ok) return this.refuse(message, decoded.code, decoded.message);
    this.registry.markDeviceSeen(
      message.deviceId,
      message.receivedAt.toISOString(),
      decoded.value.battery,
      decoded.value.firmware ?? null,
    );
  };

  readonly onStatus = async (message: DeviceMessage): Promise<void> => {
    const decoded = decodeMessage("status", message.payload);
    if (!decoded.ok) return this.refuse(message, decoded.code, decoded.message);
    const online = decoded.value.state === "online";
    this.registry.setDeviceOnline(message.deviceId, online, message.receivedAt.toISOString());
    this.logger.info({ deviceId: message.deviceId, online }, online ? "device online" : "device offline");
    this.bus.emit("device.status", { deviceId: message.deviceId, online });
  };

  private async refuse(message: DeviceMessage, code: "MALFORMED_JSON" | "SCHEMA_VIOLATION", reason: string) {
    this.logger.warn(
      { code, deviceId: message.deviceId, topic: message.topic, reason },
      `${message.kind} message refused`,
    );
    await this.devices.refuse(message.deviceId, { code, message: reason, topic: message.topic });
  }
}
