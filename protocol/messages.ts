/**
 * Payload schemas of the device↔hub contract (JSON, UTF-8), as TypeBox schemas so
 * devices, the gateway and the hub validate against the very same definition.
 */
import Type, { type Static } from "typebox";

/**
 * Every field has a bound, so a message can never carry more than its purpose
 * needs into storage, logs or a screen (issue 11: a 20 MB `deviceTime` and a
 * `seq` of 1e300 were once stored). docs/protocol.md states each one.
 */
export const LIMITS = {
  /** The most bytes a payload may have (UTF-8). Real messages are under 400 bytes. */
  payloadBytes: 4096,
  /** RFC 3339 with nanoseconds and an RFC 9557 zone suffix fits: `2026-11-23T16:00:00.123456789+08:00[Asia/Shanghai]`. */
  dateTimeLength: 64,
  /** `firmware` version strings. */
  firmwareLength: 64,
  /** `seq` and `attempt` are device counters: an unsigned 32-bit integer, as firmware keeps them. */
  counterMax: 4_294_967_295,
  /** Alarm ids: SQLite row ids that JavaScript still holds exactly. */
  alarmIdMax: Number.MAX_SAFE_INTEGER,
  /** A refusal's readable reason (`error.message`); longer reasons are cut with `…`. */
  errorMessageLength: 512,
  /** Topics named in a refusal: a device topic is at most 91 characters. */
  topicLength: 128,
} as const;

/** The kinds of press a one-touch button can make. */
export const ALARM_KINDS = ["sos", "service", "cancel", "test"] as const;
export type AlarmKind = (typeof ALARM_KINDS)[number];

/**
 * A press id identifies one physical press for its whole life, across every
 * retry. 8–64 characters of letters, digits, `-`, `_` (a UUID fits).
 */
export const PRESS_ID_PATTERN = "^[A-Za-z0-9_-]{8,64}$";

/** RFC 3339 date-time, bounded. */
const DateTime = (description?: string) =>
  Type.String({ format: "date-time", maxLength: LIMITS.dateTimeLength, ...(description ? { description } : {}) });

const Counter = (minimum: number, description: string) =>
  Type.Integer({ minimum, maximum: LIMITS.counterMax, description });

const AlarmId = (description?: string) =>
  Type.Union([Type.Integer({ minimum: 1, maximum: LIMITS.alarmIdMax }), Type.Null()], {
    ...(description ? { description } : {}),
  });

const PressId = (description?: string) =>
  Type.String({ pattern: PRESS_ID_PATTERN, minLength: 8, maxLength: 64, ...(description ? { description } : {}) });

/** Shown on the console and written to logs: printable text only, no control characters. */
const Firmware = () =>
  Type.String({
    maxLength: LIMITS.firmwareLength,
    pattern: "^[^\\u0000-\\u001F\\u007F]*$",
    description: "firmware version",
  });

/** device → hub, QoS 1, not retained: one press of the button. */
export const AlarmMessage = Type.Object(
  {
    pressId: PressId("unique per press, the same on every retry"),
    kind: Type.Enum(ALARM_KINDS, {
      description: "sos = emergency, service = non-emergency help, cancel = undo, test = end-to-end test",
    }),
    deviceTime: DateTime("device clock at the press, RFC 3339"),
    seq: Counter(0, "device-local press counter; helps spot lost presses"),
    battery: Type.Integer({ minimum: 0, maximum: 100, description: "battery level in percent" }),
    attempt: Type.Optional(Counter(1, "1 for the first send, 2 for the first retry, …")),
  },
  { additionalProperties: false },
);
export type AlarmMessage = Static<typeof AlarmMessage>;

/** device → hub, QoS 0: proof of life. */
export const HeartbeatMessage = Type.Object(
  {
    deviceTime: DateTime(),
    battery: Type.Integer({ minimum: 0, maximum: 100 }),
    rssi: Type.Optional(Type.Integer({ minimum: -150, maximum: 0, description: "radio signal, dBm" })),
    firmware: Type.Optional(Firmware()),
  },
  { additionalProperties: false },
);
export type HeartbeatMessage = Static<typeof HeartbeatMessage>;

/** device → hub, QoS 1, retained; `offline` is registered as the MQTT Last Will. */
export const StatusMessage = Type.Object(
  {
    state: Type.Union([Type.Literal("online"), Type.Literal("offline")]),
    firmware: Type.Optional(Firmware()),
  },
  { additionalProperties: false },
);
export type StatusMessage = Static<typeof StatusMessage>;

/** hub → device, QoS 1: the press is durably stored. Sent again for every retry of the same press. */
export const AckMessage = Type.Object(
  {
    pressId: PressId(),
    alarmId: AlarmId("the incident this press belongs to; null for a cancel when nothing was open"),
    duplicate: Type.Boolean({ description: "true when this press had already been stored" }),
    hubTime: DateTime(),
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
    alarmId: AlarmId(),
    at: DateTime(),
  },
  { additionalProperties: false },
);
export type FeedbackMessage = Static<typeof FeedbackMessage>;

/**
 * Codes a hub uses to refuse a device message. The first four are also what
 * `decodeMessage` answers on either side (DECODE_ERROR_CODES).
 */
export const DECODE_ERROR_CODES = ["PAYLOAD_TOO_LARGE", "MALFORMED_JSON", "DUPLICATE_KEY", "SCHEMA_VIOLATION"] as const;
export type DecodeErrorCode = (typeof DECODE_ERROR_CODES)[number];
export const DEVICE_ERROR_CODES = [...DECODE_ERROR_CODES, "UNKNOWN_DEVICE", "DEVICE_REVOKED"] as const;
export type DeviceErrorCode = (typeof DEVICE_ERROR_CODES)[number];

/** hub → device, QoS 1: a message the device sent was refused, and why. */
export const ErrorMessage = Type.Object(
  {
    code: Type.Enum(DEVICE_ERROR_CODES),
    message: Type.String({ maxLength: LIMITS.errorMessageLength }),
    topic: Type.String({ maxLength: LIMITS.topicLength, description: "the topic of the refused message" }),
    pressId: Type.Optional(PressId()),
    hubTime: DateTime(),
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
    requestId: PressId("the hub's id of this request"),
    deadline: DateTime("after this the hub counts the test as failed"),
  },
  { additionalProperties: false },
);
export type CommandMessage = Static<typeof CommandMessage>;
