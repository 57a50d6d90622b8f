/** The demo-device credentials file the hub writes on its first start, and the hub address it implies. */
import { readFile } from "node:fs/promises";
import path from "node:path";
import Type, { type Static } from "typebox";
import Compile from "typebox/compile";
import { CliError, type CommandLineValues } from "./cli-options.ts";
import { type DeviceTls, readDeviceTls } from "./device-tls.ts";

const DemoDevice = Type.Object({
  deviceId: Type.String(),
  secret: Type.String(),
  household: Type.String(),
  address: Type.String(),
  resident: Type.String(),
  /** The resident's phone (hubs seeded before it was written have none): `call` rings from it. */
  phone: Type.Optional(Type.String()),
});
const CredentialsFile = Type.Object({
  generatedAt: Type.String(),
  /** The hub's plain MQTT port when it wrote the file; null: plain MQTT off. */
  mqttPort: Type.Union([Type.Integer(), Type.Null()]),
  /** Its MQTT over TLS port (files written before TLS have none). */
  mqttTlsPort: Type.Optional(Type.Union([Type.Integer(), Type.Null()])),
  devices: Type.Array(DemoDevice),
});
export type CredentialsFile = Static<typeof CredentialsFile>;
const credentialsValidator = Compile(CredentialsFile);

export async function loadCredentials(values: CommandLineValues): Promise<CredentialsFile> {
  const dataDir = values["data-dir"] ?? process.env.ANXIN_DATA_DIR ?? "data";
  const file = path.join(dataDir, "demo-devices.json");
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    throw new CliError(
      `no credentials file at ${file}. Start the hub once with \`npm start\` (it writes the demo devices there), ` +
        "or point --data-dir / ANXIN_DATA_DIR at the hub's data directory.",
    );
  }
  let content: unknown;
  try {
    content = JSON.parse(text);
  } catch (error) {
    throw new CliError(`${file} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (credentialsValidator.Check(content)) return content;
  const [first] = credentialsValidator.Errors(content);
  throw new CliError(`${file} is not a credentials file: ${first?.instancePath || "/"} ${first?.message ?? ""}`);
}

/**
 * The hub's MQTT address: `--url`; else over TLS when `--ca`, `--cert` or `--key` is given (at localhost, the
 * name a development certificate carries), on ANXIN_MQTT_TLS_PORT or the file's TLS port or 8883; else plain,
 * on ANXIN_MQTT_PORT or the file's port or 1883.
 */
export function mqttUrl(values: CommandLineValues, credentials: CredentialsFile | null): string {
  if (values.url !== undefined) return values.url;
  const { plain, tls } = hubPorts(credentials);
  if (wantsTls(values)) return `mqtts://localhost:${tls ?? 8883}`;
  if (plain === null) {
    throw new CliError("plain MQTT is off at this hub (ANXIN_MQTT_PORT=off): pass --ca <file> to connect over TLS");
  }
  return `mqtt://127.0.0.1:${plain}`;
}

/** The hub's ports from the environment (as the hub reads it) or the credentials file; null: off or unknown. */
export function hubPorts(credentials: CredentialsFile | null): { plain: number | null; tls: number | null } {
  const port = (text: string | undefined, fallback: number | null | undefined): number | null => {
    if (text === undefined || text.trim() === "") return fallback ?? null;
    return /^off$/i.test(text.trim()) ? null : Number(text);
  };
  return {
    plain: port(process.env.ANXIN_MQTT_PORT, credentials === null ? 1883 : credentials.mqttPort),
    tls: port(process.env.ANXIN_MQTT_TLS_PORT, credentials?.mqttTlsPort),
  };
}

export function wantsTls(values: CommandLineValues): boolean {
  return values.ca !== undefined || values.cert !== undefined || values.key !== undefined;
}

/** `--ca`, `--cert`, `--key` read, for a button's `tls` option. */
export function deviceTls(values: CommandLineValues): DeviceTls {
  try {
    return readDeviceTls({ ca: values.ca, cert: values.cert, key: values.key });
  } catch (error) {
    throw new CliError(error instanceof Error ? error.message : String(error));
  }
}
