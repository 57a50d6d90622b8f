/**
 * Decoding of raw MQTT payloads into typed protocol messages. Shared by the hub,
 * the simulator and the gateway, so every side refuses exactly the same things:
 * a payload over LIMITS.payloadBytes, text that is not UTF-8 JSON, an object with
 * a duplicate key, and anything the schema (with its bounds) does not allow.
 */

import type { TSchema } from "typebox";
import type { Validator } from "typebox/compile";
import Compile from "typebox/compile";
import { findDuplicateKey } from "./duplicate-keys.ts";
import {
  AckMessage,
  AlarmMessage,
  CommandMessage,
  type DecodeErrorCode,
  ErrorMessage,
  FeedbackMessage,
  HeartbeatMessage,
  LIMITS,
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

/** How much of a refused payload a log line may quote. */
export const EXCERPT_LENGTH = 200;

/**
 * A refusal. `message` is at most LIMITS.errorMessageLength characters; `bytes`
 * and `excerpt` (at most EXCERPT_LENGTH characters, control characters escaped)
 * are what a log line may say about the payload, never the payload itself.
 */
export interface DecodeRefusal {
  ok: false;
  code: DecodeErrorCode;
  message: string;
  bytes: number;
  excerpt: string;
}

export type DecodeResult<T> = { ok: true; value: T } | DecodeRefusal;

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Parses and validates one payload. Never throws: a refusal carries a bounded, readable reason. */
export function decodeMessage<K extends TopicKind>(kind: K, payload: Buffer | string): DecodeResult<MessageByKind[K]> {
  const bytes = typeof payload === "string" ? Buffer.byteLength(payload, "utf8") : payload.byteLength;
  const refuse = (code: DecodeErrorCode, message: string, text: string): DecodeRefusal => ({
    ok: false,
    code,
    message: boundedText(message, LIMITS.errorMessageLength),
    bytes,
    excerpt: excerptOf(text),
  });
  if (bytes > LIMITS.payloadBytes) {
    // Only the prefix is ever decoded: the rest of an oversized payload is not read at all.
    const head = typeof payload === "string" ? payload.slice(0, EXCERPT_LENGTH) : payload.subarray(0, EXCERPT_LENGTH);
    return refuse("PAYLOAD_TOO_LARGE", `payload is ${bytes} bytes; at most ${LIMITS.payloadBytes}`, String(head));
  }
  let text: string;
  try {
    text = typeof payload === "string" ? payload : utf8.decode(payload);
  } catch {
    return refuse("MALFORMED_JSON", "payload is not UTF-8", (payload as Buffer).toString("latin1"));
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return refuse("MALFORMED_JSON", `payload is not JSON: ${reason}`, text);
  }
  const duplicate = findDuplicateKey(text);
  if (duplicate !== null) {
    return refuse("DUPLICATE_KEY", `duplicate key ${JSON.stringify(boundedText(duplicate, 64))}`, text);
  }
  const validator = validators[kind] as Validator<Record<string, never>, TSchema, MessageByKind[K]>;
  if (validator.Check(raw)) return { ok: true, value: raw };
  return refuse("SCHEMA_VIOLATION", describeErrors(validator, raw), text);
}

/** Up to five problems, each naming its field; a field name is the sender's text, so it is cut short too. */
function describeErrors(validator: Validator, value: unknown): string {
  const errors = validator.Errors(value).slice(0, 5);
  return errors.map((e) => `${boundedText(e.instancePath || "/", 64)}: ${e.message}`).join("; ");
}

/** `text` cut to `max` characters, ending in `…` when it was cut. */
export function boundedText(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** The start of a payload for a log line: control and line-separator characters escaped, then cut. */
export function excerptOf(text: string): string {
  const head = text.slice(0, EXCERPT_LENGTH * 2);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is escaped here.
  const escaped = head.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => {
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;
  });
  return boundedText(escaped, EXCERPT_LENGTH);
}

export function encodeMessage<K extends TopicKind>(_kind: K, message: MessageByKind[K]): string {
  return JSON.stringify(message);
}
