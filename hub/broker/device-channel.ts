/**
 * What the hub says to devices: acks, retained feedback state, refusals and commands.
 * Feedback is retained so a device that reconnects learns at once where its
 * call stands, even if it missed the change.
 */

import type { Logger } from "pino";
import {
  type AckMessage,
  boundedText,
  type CommandMessage,
  type DeviceErrorCode,
  deviceTopic,
  type ErrorMessage,
  encodeMessage,
  type FeedbackMessage,
  type FeedbackState,
  LIMITS,
} from "../../protocol/index.ts";
import type { DevicePort } from "../alarms/device-port.ts";
import type { MqttBroker } from "./mqtt-broker.ts";

/** Reads a device's feedback state from storage at publish time (see hub/alarms/device-feedback.ts). */
export type FeedbackSource = (deviceId: string) => Promise<{ state: FeedbackState; alarmId: number | null } | null>;
/** The devices that pressed for an alarm (several when two buttons of one household did). */
export type DevicesOfAlarm = (alarmId: number) => Promise<readonly string[]>;

export class DeviceChannel implements DevicePort {
  private readonly broker: MqttBroker;
  private readonly logger: Logger;
  private readonly currentFeedback: FeedbackSource | null;
  private readonly devicesOfAlarm: DevicesOfAlarm | null;
  /** The last feedback publish queued per device: the next one waits for it, so they reach the broker in order. */
  private readonly feedbackQueue = new Map<string, Promise<void>>();

  constructor(deps: {
    broker: MqttBroker;
    logger: Logger;
    currentFeedback?: FeedbackSource;
    devicesOfAlarm?: DevicesOfAlarm;
  }) {
    this.broker = deps.broker;
    this.logger = deps.logger;
    this.currentFeedback = deps.currentFeedback ?? null;
    this.devicesOfAlarm = deps.devicesOfAlarm ?? null;
  }

  async ack(deviceId: string, ack: Omit<AckMessage, "hubTime">): Promise<void> {
    const message: AckMessage = { ...ack, hubTime: new Date().toISOString() };
    await this.broker.publish(deviceTopic(deviceId, "ack"), encodeMessage("ack", message), { qos: 1, retain: false });
  }

  /**
   * Says the device's call changed. With a feedback source the state published
   * is the one stored when this device's turn comes (the arguments are then only
   * a fallback), and publishes to one device go out one after another: so the
   * retained state a device ends with is the stored one, whatever order the
   * callers' commits and awaits interleaved in.
   */
  async feedback(deviceId: string | null, state: FeedbackState, alarmId: number | null): Promise<void> {
    // Every button that pressed for the incident (two in one household) shows how it stands.
    const pressed = alarmId === null || !this.devicesOfAlarm ? [] : await this.devicesOfAlarm(alarmId);
    const others = pressed.filter((id) => id !== deviceId);
    if (others.length === 0 && deviceId !== null) return this.feedbackOne(deviceId, state, alarmId);
    const all = deviceId === null ? others : [deviceId, ...others];
    await Promise.all(all.map((id) => this.feedbackOne(id, state, alarmId)));
  }

  private feedbackOne(deviceId: string, state: FeedbackState, alarmId: number | null): Promise<void> {
    const previous = this.feedbackQueue.get(deviceId) ?? Promise.resolve();
    const next = previous
      .catch(() => {}) // the caller of the earlier publish has its error; this one still goes
      .then(async () => {
        const current = (await this.currentFeedback?.(deviceId)) ?? { state, alarmId };
        return this.publishFeedback(deviceId, current.state, current.alarmId);
      });
    this.feedbackQueue.set(deviceId, next);
    next
      .catch(() => {})
      .finally(() => {
        if (this.feedbackQueue.get(deviceId) === next) this.feedbackQueue.delete(deviceId);
      });
    return next;
  }

  private async publishFeedback(deviceId: string, state: FeedbackState, alarmId: number | null): Promise<void> {
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
    // The protocol bounds both; a reason built from a device's own text must not break that bound.
    const message: ErrorMessage = {
      ...refusal,
      message: boundedText(refusal.message, LIMITS.errorMessageLength),
      topic: boundedText(refusal.topic, LIMITS.topicLength),
      hubTime: new Date().toISOString(),
    };
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
