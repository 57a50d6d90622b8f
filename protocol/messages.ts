/**
 * Payload schemas of the device↔hub contract (JSON, UTF-8), as TypeBox schemas so
 * devices, the gateway and the hub validate against the very same definition.
 */
import Type, { type Static } from "typebox";

/** The kinds of press a one-touch button can make. */
export const ALARM_KINDS = ["sos", "service", "cancel", "test"] as const;
export type AlarmKind = (typeof ALARM_KINDS)[number];

/**
 * A press id identifies one physical press for its whole life, across every
 * retry. 8–64 characters of letters, digits, `-`, `_` (a UUID fits).
 */
export const PRESS_ID_PATTERN = "^[A-Za-z0-9_-]{8,64}$";

/** device → hub, QoS 1, not retained: one press of the button. */
export const AlarmMessage = Type.Object(
  {
    pressId: Type.String({ pattern: PRESS_ID_PATTERN, description: "unique per press, the same on every retry" }),
    kind: Type.Enum(ALARM_KINDS, {
      description: "sos = emergency, service = non-emergency help, cancel = undo, test = end-to-end test",
    }),
    deviceTime: Type.String({ format: "date-time", description: "device clock at the press, RFC 3339" }),
    seq: Type.Integer({ minimum: 0, description: "device-local press counter; helps spot lost presses" }),
    battery: Type.Integer({ minimum: 0, maximum: 100, description: "battery level in percent" }),
    attempt: Type.Optional(Type.Integer({ minimum: 1, description: "1 for the first send, 2 for the first retry, …" })),
  },
  { additionalProperties: false },
);
export type AlarmMessage = Static<typeof AlarmMessage>;

/** device → hub, QoS 0: proof of life. */
export const HeartbeatMessage = Type.Object(
  {
    deviceTime: Type.String({ format: "date-time" }),
    battery: Type.Integer({ minimum: 0, maximum: 100 }),
    rssi: Type.Optional(Type.Integer({ minimum: -150, maximum: 0, description: "radio signal, dBm" })),
    firmware: Type.Optional(Type.String({ maxLength: 64 })),
  },
  { additionalProperties: false },
);
export type HeartbeatMessage = Static<typeof HeartbeatMessage>;

/** device → hub, QoS 1, retained; `offline` is registered as the MQTT Last Will. */
export const StatusMessage = Type.Object(
  {
    state: Type.Union([Type.Literal("online"), Type.Literal("offline")]),
    firmware: Type.Optional(Type.String({ maxLength: 64 })),
  },
  { additionalProperties: false },
);
export type StatusMessage = Static<typeof StatusMessage>;

/** hub → device, QoS 1: the press is durably stored. Sent again for every retry of the same press. */
export const AckMessage = Type.Object(
  {
    pressId: Type.String({ pattern: PRESS_ID_PATTERN }),
    alarmId: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()], {
      description: "the incident this press belongs to; null for a cancel when nothing was open",
    }),
    duplicate: Type.Boolean({ description: "true when this press had already been stored" }),
    hubTime: Type.String({ format: "date-time" }),
  },
  { additionalProperties: false },
);
export type AckMessage = Static<typeof AckMessage>;

/**
 * What the resident should be shown on the LED and buzzer, in the order help
 * progresses. `idle` means no open alarm.
 */
export const FEEDBACK_STATES = ["idle", "received", "acknowledged", "dispatched", "arrived", "closed"] as const;
export type FeedbackState = (typeof FEEDBACK_STATES)[number];

/** hub → device, QoS 1, retained: the device's current feedback state. */
export const FeedbackMessage = Type.Object(
  {
    state: Type.Enum(FEEDBACK_STATES),
    alarmId: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()]),
    at: Type.String({ format: "date-time" }),
  },
  { additionalProperties: false },
);
export type FeedbackMessage = Static<typeof FeedbackMessage>;

/** Codes a hub uses to refuse a device message. */
export const DEVICE_ERROR_CODES = ["MALFORMED_JSON", "SCHEMA_VIOLATION", "UNKNOWN_DEVICE", "DEVICE_REVOKED"] as const;
export type DeviceErrorCode = (typeof DEVICE_ERROR_CODES)[number];

/** hub → device, QoS 1: a message the device sent was refused, and why. */
export const ErrorMessage = Type.Object(
  {
    code: Type.Enum(DEVICE_ERROR_CODES),
    message: Type.String(),
    topic: Type.String({ description: "the topic of the refused message" }),
    pressId: Type.Optional(Type.String()),
    hubTime: Type.String({ format: "date-time" }),
  },
  { additionalProperties: false },
);
export type ErrorMessage = Static<typeof ErrorMessage>;

/** What the hub may ask a device to do. */
export const COMMAND_TYPES = ["test_press"] as const;
export type CommandType = (typeof COMMAND_TYPES)[number];

/**
 * hub → device, QoS 1, not retained: a request. `test_press` asks the device to
 * make a `test` press (a new pressId, sent and retried like any press) before
 * `deadline`; the hub sends the same `requestId` again when the device
 * reconnects before the deadline, and the device answers each `requestId` once.
 */
export const CommandMessage = Type.Object(
  {
    type: Type.Enum(COMMAND_TYPES),
    requestId: Type.String({ pattern: PRESS_ID_PATTERN, description: "the hub's id of this request" }),
    deadline: Type.String({ format: "date-time", description: "after this the hub counts the test as failed" }),
  },
  { additionalProperties: false },
);
export type CommandMessage = Static<typeof CommandMessage>;
