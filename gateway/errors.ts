/**
 * Coded gateway errors: the CLI prints the message, tests and supervisors match on `code`.
 * Each names the board or device it is about, so a gateway with several boards says which one.
 */
export const GATEWAY_ERROR_CODES = [
  /** The config file is missing, not JSON, or breaks the schema (`details.problems` lists every problem). */
  "CONFIG_INVALID",
  /** No serial port at the configured path, or none matches the configured USB ids. */
  "PORT_NOT_FOUND",
  /** The port opened but no Firmata handshake completed in time (wrong sketch, wrong baud, not an Arduino). */
  "BOARD_TIMEOUT",
  /** The port or the board failed while opening it. */
  "BOARD_FAILED",
  /** The hub refused the device's credentials (CONNACK 4 or 5). */
  "MQTT_REFUSED",
] as const;
export type GatewayErrorCode = (typeof GATEWAY_ERROR_CODES)[number];

export class GatewayError extends Error {
  override name = "GatewayError";
  constructor(
    readonly code: GatewayErrorCode,
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
  }
}

export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
