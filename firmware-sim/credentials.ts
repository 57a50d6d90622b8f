/** The demo-device credentials file the hub writes on its first start, and the hub address it implies. */
import { readFile } from "node:fs/promises";
import path from "node:path";
import Type, { type Static } from "typebox";
import Compile from "typebox/compile";
import { CliError, type CommandLineValues } from "./cli-options.ts";

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
  mqttPort: Type.Integer(),
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

export function mqttUrl(values: CommandLineValues, credentials: CredentialsFile | null): string {
  const port = process.env.ANXIN_MQTT_PORT ?? credentials?.mqttPort ?? 1883;
  return values.url ?? `mqtt://127.0.0.1:${port}`;
}
