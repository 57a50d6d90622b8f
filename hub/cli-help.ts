/**
 * `npm start -- --help`: what the hub does and every setting it reads, with its
 * default and, when set in this environment, its value (secrets only as "set").
 * Printing it touches nothing: no data directory, no database, no password.
 */
import { ENV_SETTINGS } from "./config-settings.ts";

const TWILIO_LINES: readonly (readonly [string, string, string])[] = [
  ["TWILIO_ACCOUNT_SID", "unset", "all three TWILIO_* set: SMS and relatives' calls through Twilio;"],
  ["TWILIO_AUTH_TOKEN", "unset", "  none set: both are written to the log instead (a console sink)"],
  ["TWILIO_FROM", "unset", "  the sender number, E.164"],
  ["ANXIN_TWILIO_API_BASE", "unset", "send Twilio requests to another base URL (a proxy or a test stand-in)"],
];
const SECRET = new Set(["TWILIO_AUTH_TOKEN"]);

export function hubHelp(env: NodeJS.ProcessEnv): string {
  const rows: [string, string, string][] = ENV_SETTINGS.map((s) => [
    s.env,
    s.fallback ?? "unset",
    withValue(s.help, env[s.env], s.secret === true),
  ]);
  for (const [name, fallback, help] of TWILIO_LINES)
    rows.push([name, fallback, withValue(help, env[name], SECRET.has(name))]);
  const nameWidth = Math.max(...rows.map(([name]) => name.length));
  const defaultWidth = Math.max(...rows.map(([, fallback]) => fallback.length));
  const table = rows.map(
    ([name, fallback, help]) => `  ${name.padEnd(nameWidth)}  ${fallback.padEnd(defaultWidth)}  ${help}`,
  );
  return [
    "Usage: npm start              start the hub",
    "       npm start -- --help    this text",
    "",
    "The hub is the MQTT broker the buttons and gateways connect to, the pipeline that stores,",
    "acknowledges, locates and dispatches every alarm, the SMS and call outbox, and the operator",
    "console and API. It keeps everything in SQLite under ANXIN_DATA_DIR. On its first start it",
    "creates the administrator `admin` (the password is printed once unless ANXIN_ADMIN_PASSWORD",
    "is set) and, unless ANXIN_SEED_DEMO=false, a demo district with buttons and workers.",
    "",
    'Settings, all from the environment (README.md, "Configuration", says more):',
    "",
    `  ${"variable".padEnd(nameWidth)}  ${"default".padEnd(defaultWidth)}  meaning`,
    ...table,
    "",
    "Examples:",
    "  ANXIN_HTTP_PORT=9000 ANXIN_MQTT_PORT=1884 npm start",
    "  ANXIN_SEED_DEMO=false ANXIN_DATA_DIR=/var/lib/anxin npm start",
    "",
    "Next to it: npm run sim (simulated buttons), npm run gateway (Arduino buttons),",
    "npm run registry (import and export the registry), npm run users (staff accounts),",
    "npm run backup and npm run restore (the SQLite database; docs/operations.md).",
  ].join("\n");
}

function withValue(help: string, value: string | undefined, secret: boolean): string {
  if (value === undefined || value === "") return help;
  return `${help} [set${secret ? "" : `: ${value.length > 40 ? `${value.slice(0, 37)}…` : value}`}]`;
}
