/**
 * What the hub says to devices: acks, retained feedback state, refusals and commands.
 * Feedback is retained so a device that reconnects learns at once where its
 * call stands, even if it missed the change.
 */
import type { Logger } from "pino";
import {
  type AckMessage,
  type CommandMessage,
  type DeviceErrorCode,
  deviceTopic,
  type ErrorMessage,
  encodeMessage,
  type FeedbackMessage,
  type FeedbackState,
} from "../../protocol/index.ts";
import type { MqttBroker } from "./mqtt-broker.ts";

export class DeviceChannel {
  private readonly broker: MqttBroker;
  private readonly logger: Logger;

  constructor(deps: { broker: MqttBroker; logger: Logger }) {
    this.broker = deps.broker;
    this.logger = deps.logger;
  }

  async ack(deviceId: string, ack: Omit<AckMessage, "hubTime">): Promise<void> {
    const message: AckMessage = { ...ack, hubTime: new Date().toISOString() };
    await this.broker.publish(deviceTopic(deviceId, "ack"), encodeMessage("ack", message), { qos: 1, retain: false });
  }

  async feedback(deviceId: string, state: FeedbackState, alarmId: number | null): Promise<void> {
    const message: FeedbackMessage = { state, alarmId, at: new Date().toISOString() };
    await this.broker.publish(deviceTopic(deviceId, "feedback"), encodeMessage("feedback", message), {
      qos: 1,
      retain: true,
    });
  }

  /** A request to the device (QoS 1, not retained: a device that is away gets it again when it comes back). */
  async command(deviceId: string, command: CommandMessage): Promise<void> {
    await this.broker.publish(deviceTopic(deviceId, "command"), encodeMessage("command", command), {
      qos: 1,
      retain: false,
    });
  }

  /** Tells a device why its message was refused; never throws, since the refusal is already logged. */
  async refuse(deviceId: string, refusal: { code: DeviceErrorCode; message: string; topic: string; pressId?: string }) {
    const message: ErrorMessage = { ...refusal, hubTime: new Date().toISOString() };
    try {
      await this.broker.publish(deviceTopic(deviceId, "error"), encodeMessage("error", message), {
        qos: 1,
        retain: false,
      });
    } catch (error) {
      this.logger.warn({ err: error, deviceId }, "could not tell the device about a refused message");
    }
  }
}
