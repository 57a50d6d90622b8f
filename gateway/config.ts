/**
 * The gateway's config file: which hub, and for each Arduino board where to find it, whom it
 * speaks for and how it is wired. Validated as a whole, and every problem is reported at once,
 * each named by its JSON path, so a wrong file is fixed in one pass.
 */
import fs from "node:fs";
import path from "node:path";
import Type, { type Static } from "typebox";
import Compile from "typebox/compile";
import { Settings } from "typebox/system";
import type { DeviceTls } from "../firmware-sim/device-tls.ts";
import { DEVICE_ID_PATTERN } from "../protocol/index.ts";
import { GatewayError } from "./errors.ts";

/** Arduino Uno digital pins 2–13 and A0–A5 (14–19); 0 and 1 carry the serial link to the gateway. */
const Pin = Type.Integer({ minimum: 2, maximum: 19 });
const UsbId = Type.String({ pattern: "^[0-9A-Fa-f]{4}$", description: "4 hex digits, as `list-ports` shows" });
const Ms = (minimum: number) => Type.Integer({ minimum });

const BoardSchema = Type.Object(
  {
    deviceId: Type.String({ pattern: DEVICE_ID_PATTERN }),
    secret: Type.String({ minLength: 1 }),
    /** Serial port path (`/dev/ttyACM0`, `COM3`)… */
    path: Type.Optional(Type.String({ minLength: 1 })),
    /** …or the USB ids to look it up with, which survive re-enumeration after a replug. */
    usb: Type.Optional(
      Type.Object(
        { vendorId: UsbId, productId: UsbId, serialNumber: Type.Optional(Type.String({ minLength: 1 })) },
        { additionalProperties: false },
      ),
    ),
    pins: Type.Object(
      {
        button: Pin,
        led: Pin,
        /** An active buzzer, switched on and off like the LED. */
        buzzer: Pin,
        /** true: button to ground, the chip's pull-up on; false: button to 5 V with an external pull-down. */
        pullup: Type.Boolean(),
      },
      { additionalProperties: false },
    ),
    holdMs: Type.Optional(Ms(50)),
    cancelWindowMs: Type.Optional(Ms(100)),
    /** The device's own certificate and key (PEM, CN = deviceId), for a hub that asks for client certificates. */
    certFile: Type.Optional(Type.String({ minLength: 1 })),
    keyFile: Type.Optional(Type.String({ minLength: 1 })),
  },
  { additionalProperties: false },
);

export const GatewayConfigSchema = Type.Object(
  {
    mqttUrl: Type.String({ pattern: "^(mqtts?|wss?|tcp)://" }),
    /** With `mqtts://`: the CA (PEM) the hub's certificate must chain to; unset, the system's CAs. */
    caFile: Type.Optional(Type.String({ minLength: 1 })),
    dataDir: Type.String({ minLength: 1 }),
    heartbeatIntervalMs: Type.Optional(Ms(1000)),
    /** How often a missing or unplugged board is looked for again. */
    reconnectIntervalMs: Type.Optional(Ms(100)),
    /** How long an opened port has to complete the Firmata handshake. */
    readyTimeoutMs: Type.Optional(Ms(500)),
    retryInitialMs: Type.Optional(Ms(50)),
    retryMaxMs: Type.Optional(Ms(100)),
    /** Without a hub connection for this long the board shows the error pattern even with no call pending. */
    unreachableAfterMs: Type.Optional(Ms(0)),
    boards: Type.Array(BoardSchema, { minItems: 1 }),
  },
  { additionalProperties: false },
);
type RawConfig = Static<typeof GatewayConfigSchema>;
type RawBoard = Static<typeof BoardSchema>;

export type PortLocator = { path: string } | { usb: { vendorId: string; productId: string; serialNumber?: string } };

export interface BoardConfig {
  deviceId: string;
  secret: string;
  port: PortLocator;
  pins: { button: number; led: number; buzzer: number; pullup: boolean };
  holdMs: number;
  cancelWindowMs: number;
  /** The gateway's CA and this board's own certificate, read from the files the config names (none: plain or system CAs). */
  tls?: DeviceTls;
}

export interface GatewayConfig {
  mqttUrl: string;
  dataDir: string;
  heartbeatIntervalMs: number;
  reconnectIntervalMs: number;
  readyTimeoutMs: number;
  retryInitialMs: number;
  retryMaxMs: number;
  unreachableAfterMs: number;
  boards: BoardConfig[];
}

export const DEFAULTS = {
  heartbeatIntervalMs: 60_000,
  reconnectIntervalMs: 3_000,
  readyTimeoutMs: 10_000,
  retryInitialMs: 2_000,
  retryMaxMs: 30_000,
  unreachableAfterMs: 60_000,
  holdMs: 1_000,
  cancelWindowMs: 1_500,
} as const;

const validate = Compile(GatewayConfigSchema);

/** Reads and validates a config file; relative `dataDir` is resolved against the file's folder. */
export function loadGatewayConfig(file: string): GatewayConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : String(error);
    throw invalid(file, [`cannot read the config file: ${reason}`]);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw invalid(file, [`not JSON: ${error instanceof Error ? error.message : String(error)}`]);
  }
  return parseGatewayConfig(raw, path.dirname(path.resolve(file)), file);
}

/** Validates a parsed config; throws one CONFIG_INVALID listing every problem. */
export function parseGatewayConfig(raw: unknown, baseDir = process.cwd(), source = "config"): GatewayConfig {
  const problems: string[] = [];
  if (!validate.Check(raw)) {
    for (const error of allErrors(raw)) problems.push(...describe(raw, error));
    throw invalid(source, problems);
  }
  const config = raw as RawConfig;
  for (const [index, board] of config.boards.entries()) checkBoard(board, index, problems);
  const ca =
    config.caFile === undefined ? undefined : readPem(path.resolve(baseDir, config.caFile), "/caFile", problems);
  const tls = config.boards.map((board, index) => ({
    ...boardCertificate(board, index, baseDir, problems),
    ...(ca ? { ca } : {}),
  }));
  const seen = new Map<string, number>();
  config.boards.forEach((board, index) => {
    const first = seen.get(board.deviceId);
    if (first !== undefined) {
      problems.push(`/boards/${index}/deviceId: ${board.deviceId} is already used by /boards/${first}`);
    }
    seen.set(board.deviceId, index);
  });
  if (problems.length > 0) throw invalid(source, problems);
  return {
    mqttUrl: config.mqttUrl,
    dataDir: path.resolve(baseDir, config.dataDir),
    heartbeatIntervalMs: config.heartbeatIntervalMs ?? DEFAULTS.heartbeatIntervalMs,
    reconnectIntervalMs: config.reconnectIntervalMs ?? DEFAULTS.reconnectIntervalMs,
    readyTimeoutMs: config.readyTimeoutMs ?? DEFAULTS.readyTimeoutMs,
    retryInitialMs: config.retryInitialMs ?? DEFAULTS.retryInitialMs,
    retryMaxMs: config.retryMaxMs ?? DEFAULTS.retryMaxMs,
    unreachableAfterMs: config.unreachableAfterMs ?? DEFAULTS.unreachableAfterMs,
    boards: config.boards.map((board, index) => ({
      deviceId: board.deviceId,
      secret: board.secret,
      port: board.path !== undefined ? { path: board.path } : { usb: board.usb ?? { vendorId: "", productId: "" } },
      pins: board.pins,
      holdMs: board.holdMs ?? DEFAULTS.holdMs,
      cancelWindowMs: board.cancelWindowMs ?? DEFAULTS.cancelWindowMs,
      tls: tls[index] ?? {},
    })),
  };
}

/**
 * TypeBox stops after 8 errors by default (a guard against hostile input); a config file is the
 * operator's own, and "all problems at once" is the point, so the cap is lifted for this one call.
 */
function allErrors(raw: unknown) {
  const { maxErrors } = Settings.Get();
  Settings.Set({ maxErrors: 200 });
  try {
    return validate.Errors(raw);
  } finally {
    Settings.Set({ maxErrors });
  }
}

/** What the schema cannot say: exactly one way to find the port, and three different pins. */
function checkBoard(board: RawBoard, index: number, problems: string[]): void {
  const at = `/boards/${index}`;
  if ((board.path === undefined) === (board.usb === undefined)) {
    problems.push(`${at}: set exactly one of "path" (a serial port) or "usb" ({vendorId, productId, serialNumber?})`);
  }
  const { button, led, buzzer } = board.pins;
  if (new Set([button, led, buzzer]).size < 3) {
    problems.push(`${at}/pins: button, led and buzzer need three different pins (got ${button}, ${led}, ${buzzer})`);
  }
}

/** A board's own certificate and key, relative to the config file; both or neither. */
function boardCertificate(board: RawBoard, index: number, baseDir: string, problems: string[]): DeviceTls {
  const at = `/boards/${index}`;
  if (board.certFile === undefined && board.keyFile === undefined) return {};
  if (board.certFile === undefined || board.keyFile === undefined) {
    problems.push(`${at}: set both "certFile" and "keyFile", or neither`);
    return {};
  }
  const cert = readPem(path.resolve(baseDir, board.certFile), `${at}/certFile`, problems);
  const key = readPem(path.resolve(baseDir, board.keyFile), `${at}/keyFile`, problems);
  return cert && key ? { cert, key } : {};
}

/** A PEM file's bytes; a file that cannot be read is a problem named by its field. */
function readPem(file: string, field: string, problems: string[]): Buffer | undefined {
  try {
    return fs.readFileSync(file);
  } catch (error) {
    problems.push(`${field}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    return undefined;
  }
}

/** One schema error as lines that name the field: unknown and missing fields by their own path. */
function describe(raw: unknown, error: { instancePath: string; keyword: string; message: string; params: unknown }) {
  const params = (error.params ?? {}) as Record<string, unknown>;
  if (error.keyword === "additionalProperties" && Array.isArray(params.additionalProperties)) {
    return params.additionalProperties.map((name) => `${error.instancePath}/${String(name)}: unknown field`);
  }
  if (error.keyword === "required" && Array.isArray(params.requiredProperties)) {
    return params.requiredProperties.map((name) => `${error.instancePath}/${String(name)}: required`);
  }
  // `additionalProperties: false` also reports each unknown field as a failed `false` schema; said above.
  if (error.keyword === "boolean") return [];
  const got = readPath(raw, error.instancePath);
  return [`${error.instancePath || "/"}: ${error.message} (got ${JSON.stringify(got)})`];
}

function invalid(source: string, problems: string[]): GatewayError {
  return new GatewayError("CONFIG_INVALID", `invalid gateway config ${source}:\n  - ${problems.join("\n  - ")}`, {
    problems,
  });
}

function readPath(value: unknown, pointer: string): unknown {
  let current = value;
  for (const part of pointer.split("/").slice(1)) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}
