/**
 * Decoding of raw MQTT payloads into typed protocol messages. Shared by the hub,
 * the simulator and the gateway, so every side refuses exactly the same things.
 */

import type { TSchema } from "typebox";
import type { Validator } from "typebox/compile";
import Compile from "typebox/compile";
import {
  AckMessage,
  AlarmMessage,
  CommandMessage,
  ErrorMessage,
  FeedbackMessage,
  HeartbeatMessage,
  StatusMessage,
} from "./messages.ts";
import type { TopicKind } from "./topics.ts";

const validators = {
  alarm: Compile(AlarmMessage),
  heartbeat: Compile(HeartbeatMessage),
  status: Compile(StatusMessage),
  ack: Compile(AckMessage),
  feedback: Compile(FeedbackMessage),
  error: Compile(ErrorMessage),
  command: Compile(CommandMessage),
} satisfies Record<TopicKind, Validator>;

export interface MessageByKind {
  alarm: AlarmMessage;
  heartbeat: HeartbeatMessage;
  status: StatusMessage;
  ack: AckMessage;
  feedback: FeedbackMessage;
  error: ErrorMessage;
  command: CommandMessage;
}

export type DecodeResult<T> =
  | { ok: true; value: T }
  | { ok: false; code: "MALFORMED_JSON" | "SCHEMA_VIOLATION"; message: string; raw: unknown };

/** Parses and validates one payload. Never throws: a refusal carries a readable reason. */
export function decodeMessage<K extends TopicKind>(kind: K, payload: Buffer | string): DecodeResult<MessageByKind[K]> {
  const text = typeof payload === "string" ? payload : payload.toString("utf8");
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { ok: false, code: "MALFORMED_JSON", message: `payload is not JSON: ${reason}`, raw: text.slice(0, 200) };
  }
  const validator = validators[kind] as Validator<Record<string, never>, TSchema, MessageByKind[K]>;
  if (validator.Check(raw)) return { ok: true, value: raw };
  return { ok: false, code: "SCHEMA_VIOLATION", message: describeErrors(validator, raw), raw };
}

function describeErrors(validator: Validator, value: unknown): string {
  const errors = validator.Errors(value).slice(0, 5);
  return errors.map((e) => `${e.instancePath || "/"}: ${e.message}`).join("; ");
}

export function encodeMessage<K extends TopicKind>(_kind: K, message: MessageByKind[K]): string {
  return JSON.stringify(message);
}
