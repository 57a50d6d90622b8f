/**
 * Heartbeats and online/offline status (the offline one arrives as the Last
 * Will). They keep `last_seen_at`, battery and `online` current (in memory at
 * once, in SQLite within a second: hub/storage/presence-buffer.ts), then hand
 * the news to device supervision (hub/supervision/), which opens and clears faults.
 */
import type { Logger } from "pino";
import { type DecodeRefusal, decodeMessage } from "../../protocol/index.ts";
import type { EventBus } from "../events.ts";
import type { RegistryRepository } from "../storage/registry-repo.ts";
import type { DeviceChannel } from "./device-channel.ts";
import type { DeviceMessage } from "./device-intake.ts";

/** What supervision needs to hear from presence; `DeviceSupervisor` satisfies it. */
export interface PresenceSupervision {
  onHeartbeat(deviceId: string, at: Date, battery: number): Promise<void>;
  onStatus(deviceId: string, online: boolean, at: Date): Promise<void>;
}

export class DevicePresence {
  private readonly registry: RegistryRepository;
  private readonly devices: DeviceChannel;
  private readonly bus: EventBus;
  private readonly logger: Logger;
  private readonly supervision: PresenceSupervision;

  constructor(deps: {
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
    await this.supervision.onHeartbeat(message.deviceId, message.receivedAt, decoded.value.battery);
  };

  readonly onStatus = async (message: DeviceMessage): Promise<void> => {
    const decoded = decodeMessage("status", message.payload);
    if (!decoded.ok) return this.refuse(message, decoded);
    const online = decoded.value.state === "online";
    this.registry.setDeviceOnline(message.deviceId, online, message.receivedAt.toISOString());
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
