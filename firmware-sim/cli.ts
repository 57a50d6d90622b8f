#!/usr/bin/env -S npx tsx
/**
 * `npm run sim -- <command>`: simulated buttons against a running hub, to try the
 * device protocol by hand (`press`), find credentials (`list`) and load the hub (`fleet`).
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import Type, { type Static } from "typebox";
import Compile from "typebox/compile";
import { type AckMessage, ALARM_KINDS, type AlarmKind, deviceTopic, type FeedbackState } from "../protocol/index.ts";
import { DeviceRefusedError, HubUnreachableError, SimulatedButton } from "./device.ts";

const HELP = `Usage: npm run sim -- <command> [options]

Commands:
  list                      demo devices and their secrets, from the hub's credentials file
  press <deviceId>          press one button and follow the alarm until it is closed
      --kind <kind>         sos | service | cancel | test (default sos)
      --secret <secret>     the device secret (default: from the credentials file)
      --wait <s>            stop following after this many seconds (default 30)
  fleet                     many buttons pressing at once, with ack latency
      --count <n>           devices to connect (default 50)
      --rate <n>            presses per second, over all devices (default 2)
      --duration <s>        how long to keep pressing (default 30)
      --kind <kind>         default test

Common options:
  --url <url>               hub MQTT URL (default mqtt://127.0.0.1:<ANXIN_MQTT_PORT or the file's port or 1883>)
  --data-dir <dir>          the hub's data directory (default $ANXIN_DATA_DIR or ./data)
  -h, --help                this text

The credentials file <data-dir>/demo-devices.json is written by the hub on its first start (npm start).
Exit status: 0 done; 1 a press was never acked; 2 usage, credential or connection error; 4 the hub refused the press.`;

const FEEDBACK_NAMES: Record<FeedbackState, string> = {
  idle: "待机 idle",
  received: "已收到 received",
  acknowledged: "已受理 acknowledged",
  dispatched: "已派人 dispatched",
  arrived: "已到达 arrived",
  closed: "已结束 closed",
};

const DemoDevice = Type.Object({
  deviceId: Type.String(),
  secret: Type.String(),
  household: Type.String(),
  address: Type.String(),
  resident: Type.String(),
});
const CredentialsFile = Type.Object({
  generatedAt: Type.String(),
  mqttPort: Type.Integer(),
  devices: Type.Array(DemoDevice),
});
type CredentialsFile = Static<typeof CredentialsFile>;
const credentialsValidator = Compile(CredentialsFile);

/** A failure the user can act on: printed without a stack trace. */
class CliError extends Error {}

type Values = ReturnType<typeof parseCommandLine>["values"];

function parseCommandLine(args: string[]) {
  const text = { type: "string" } as const;
  return parseArgs({
    args,
    allowPositionals: true,
    options: {
      help: { type: "boolean", short: "h" },
      kind: text,
      url: text,
      secret: text,
      wait: text,
      count: text,
      rate: text,
      duration: text,
      "data-dir": text,
    },
  });
}

async function main(args: string[]): Promise<number> {
  let parsed: ReturnType<typeof parseCommandLine>;
  try {
    parsed = parseCommandLine(args);
  } catch (error) {
    throw new CliError(`${error instanceof Error ? error.message : String(error)}\nSee --help.`);
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.help || command === undefined || command === "help") {
    console.log(HELP);
    return 0;
  }
  if (command === "list") return list(await loadCredentials(values));
  if (command === "press") return press(rest[0], values);
  if (command === "fleet") return fleet(await loadCredentials(values), values);
  throw new CliError(`unknown command ${JSON.stringify(command)}; expected list, press or fleet (see --help)`);
}

async function loadCredentials(values: Values): Promise<CredentialsFile> {
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

function mqttUrl(values: Values, credentials: CredentialsFile | null): string {
  const port = process.env.ANXIN_MQTT_PORT ?? credentials?.mqttPort ?? 1883;
  return values.url ?? `mqtt://127.0.0.1:${port}`;
}

function alarmKind(values: Values, fallback: AlarmKind): AlarmKind {
  const kind = values.kind ?? fallback;
  const known = ALARM_KINDS.find((k) => k === kind);
  if (!known) throw new CliError(`--kind must be one of ${ALARM_KINDS.join(", ")} (got ${JSON.stringify(kind)})`);
  return known;
}

function positive(values: Values, name: "wait" | "count" | "rate" | "duration", fallback: number): number {
  const text = values[name];
  const value = text === undefined ? fallback : Number(text);
  if (!(value > 0)) throw new CliError(`--${name} must be a positive number (got ${JSON.stringify(text)})`);
  return value;
}

/** Terminal columns of a string: CJK characters take two, so a table with names still lines up. */
function columns(text: string): number {
  return (
    [...text].length +
    (text.match(/[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\uff00-\uff60]/gu)?.length ?? 0)
  );
}

function list(credentials: CredentialsFile): number {
  const header = ["deviceId", "secret", "household", "resident", "address"];
  const rows = [header, ...credentials.devices.map((d) => [d.deviceId, d.secret, d.household, d.resident, d.address])];
  const widths = header.map((_, i) => Math.max(...rows.map((row) => columns(row[i] ?? ""))));
  const padded = (row: string[]) => row.map((cell, i) => cell + " ".repeat((widths[i] ?? 0) - columns(cell)));
  for (const row of rows) console.log(padded(row).join("  ").trimEnd());
  console.log(`\n${credentials.devices.length} devices, generated ${credentials.generatedAt}.`);
  const first = credentials.devices[0];
  if (!first) return 0;
  const id = first.deviceId;
  const now = new Date().toISOString();
  const alarm = { pressId: crypto.randomUUID(), kind: "test", deviceTime: now, seq: 0, battery: 100, attempt: 1 };
  const port = process.env.ANXIN_MQTT_PORT ?? credentials.mqttPort;
  const login = (clientId: string) => `-h 127.0.0.1 -p ${port} -i ${clientId} -u ${id} -P '${first.secret}'`;
  const topics = (["ack", "feedback", "error"] as const).map((kind) => `-t ${deviceTopic(id, kind)}`).join(" ");
  // A watcher needs its own client id, or it would take over the device's session; the hub accepts `<id>:<suffix>`.
  console.log(`\nWatch ${id} in one terminal:`);
  console.log(`  mosquitto_sub ${login(`${id}:watch`)} -q 1 -v ${topics}`);
  console.log("and press it by hand in another (a new pressId for every new press; the same one is the same press):");
  console.log(`  mosquitto_pub ${login(id)} -q 1 -t ${deviceTopic(id, "alarm")} -m '${JSON.stringify(alarm)}'`);
  return 0;
}

async function press(deviceId: string | undefined, values: Values): Promise<number> {
  if (!deviceId) throw new CliError("press needs a device id, e.g. `npm run sim -- press KL-0001` (ids: `list`)");
  const kind = alarmKind(values, "sos");
  const waitMs = positive(values, "wait", 30) * 1000;
  const credentials = values.secret === undefined ? await loadCredentials(values) : null;
  const secret = values.secret ?? credentials?.devices.find((d) => d.deviceId === deviceId)?.secret;
  if (secret === undefined) {
    const known = credentials?.devices.map((d) => d.deviceId) ?? [];
    const hint = known.length > 0 ? `known: ${known[0]} … ${known.at(-1)}` : "the file lists no devices";
    throw new CliError(`unknown device ${JSON.stringify(deviceId)} (${hint}); or pass --secret`);
  }
  const url = mqttUrl(values, credentials);
  const button = new SimulatedButton({ mqttUrl: url, deviceId, secret });
  const startedAt = performance.now();
  const log = (line: string) => console.log(`${elapsed(startedAt).padStart(7)} ms  ${line}`);

  let acked: AckMessage | null = null;
  let pressId: string | null = null;
  let finish: (code: number) => void = () => {};
  const finished = new Promise<number>((resolve) => {
    finish = resolve;
  });
  button.on("sent", (alarm) => {
    if (alarm.attempt === 1) pressId = alarm.pressId;
    log(alarm.attempt === 1 ? `sent ${kind} press ${alarm.pressId}` : `retry, attempt ${alarm.attempt}`);
  });
  button.on("disconnected", () => log("connection lost; reconnecting (pending presses are re-sent)"));
  button.on("connected", () => {
    // The first connect happens before the press; any later one is a reconnect.
    if (pressId !== null) log("reconnected");
  });
  button.on("invalidMessage", (r) => log(`ignored an invalid hub message on ${r.topic}: ${r.code} ${r.message}`));
  button.on("hubError", (e) => {
    log(`hub refused ${e.topic}: ${e.code} ${e.message}`);
    if (e.pressId !== undefined && e.pressId === pressId) finish(4);
  });
  button.on("feedback", (f) => {
    const ours = f.alarmId !== null && f.alarmId === acked?.alarmId;
    const about = f.alarmId === null ? "" : ` (alarm #${f.alarmId}${ours ? "" : ", an earlier one"})`;
    log(`feedback ${FEEDBACK_NAMES[f.state]}${about}`);
    if (ours && f.state === "closed") finish(0);
  });

  log(`connecting to ${url} as ${deviceId}`);
  try {
    await button.start({ timeoutMs: 5_000 });
  } catch (error) {
    if (error instanceof HubUnreachableError) throw new CliError(`${error.message}. Is the hub running (npm start)?`);
    if (error instanceof DeviceRefusedError) throw new CliError(error.message);
    throw error;
  }
  log("connected; status online published");
  process.once("SIGINT", () => finish(130));
  const waited = setTimeout(() => {
    if (acked === null) console.error(`no ack from the hub within ${waitMs / 1000} s`);
    else
      log(`stopped following after ${waitMs / 1000} s (--wait); feedback is ${FEEDBACK_NAMES[button.feedbackState]}`);
    finish(acked === null ? 1 : 0);
  }, waitMs);
  button.press(kind).then(
    (ack) => {
      acked = ack;
      const about = ack.alarmId === null ? "no open alarm to cancel" : `alarm #${ack.alarmId}`;
      log(`acked: ${about}${ack.duplicate ? " (duplicate: the hub already had this press)" : ""}`);
      // A cancel with nothing open has no alarm whose feedback could ever close.
      if (ack.alarmId === null) finish(0);
    },
    () => undefined,
  );
  const code = await finished;
  clearTimeout(waited);
  await button.stop();
  return code;
}

async function fleet(credentials: CredentialsFile, values: Values): Promise<number> {
  const count = positive(values, "count", 50);
  const rate = positive(values, "rate", 2);
  const durationMs = positive(values, "duration", 30) * 1000;
  const kind = alarmKind(values, "test");
  const url = mqttUrl(values, credentials);
  const devices = credentials.devices.slice(0, count);
  if (devices.length < count) console.error(`only ${devices.length} demo devices in the file; using all of them`);
  const buttons = devices.map((d) => new SimulatedButton({ mqttUrl: url, deviceId: d.deviceId, secret: d.secret }));
  const stats = { connected: 0, pressed: 0, retries: 0, acked: 0, duplicates: 0, latencies: [] as number[] };
  for (const button of buttons) {
    button.on("connected", () => stats.connected++);
    button.on("disconnected", () => stats.connected--);
    button.on("sent", (alarm) => {
      if (alarm.attempt !== 1) stats.retries++;
    });
  }
  console.log(`connecting ${buttons.length} devices to ${url} …`);
  const starts = await Promise.allSettled(buttons.map((b) => b.start({ timeoutMs: 10_000 })));
  const failures = starts.flatMap((s) => (s.status === "rejected" ? [String(s.reason)] : []));
  if (failures.length > 0) console.error(`${failures.length} devices failed to connect, e.g. ${failures[0]}`);
  const live = buttons.filter((_, i) => starts[i]?.status === "fulfilled");
  if (live.length === 0) throw new CliError("no device could connect; is the hub running (npm start)?");

  const line = () => {
    const { connected, pressed, acked, retries, latencies } = stats;
    const latency = `ack p50 ${percentile(latencies, 0.5)} ms  p99 ${percentile(latencies, 0.99)} ms`;
    return `connected ${connected}/${buttons.length}  sent ${pressed}  acked ${acked}  pending ${pressed - acked}  retries ${retries}  ${latency}`;
  };
  // Erase-to-end-of-line after \r, so a shorter line leaves no tail of the previous one.
  const progress = setInterval(() => process.stdout.isTTY && process.stdout.write(`\r${line()}\u001b[K`), 250);
  const presses: Promise<unknown>[] = [];
  let next = 0;
  const pressing = setInterval(() => {
    const button = live[next++ % live.length];
    if (!button) return;
    const sentAt = performance.now();
    stats.pressed++;
    const acked = button.press(kind).then((ack) => {
      stats.acked++;
      if (ack.duplicate) stats.duplicates++;
      stats.latencies.push(performance.now() - sentAt);
    });
    presses.push(acked.catch(() => undefined));
  }, 1000 / rate);

  let interrupted = false;
  await new Promise<void>((resolve) => {
    const done = setTimeout(resolve, durationMs);
    process.once("SIGINT", () => {
      interrupted = true;
      clearTimeout(done);
      resolve();
    });
  });
  clearInterval(pressing);
  // Presses still in flight get one full retry cycle (the 30 s backoff cap) to be acked before we give up.
  const drained = await Promise.race([Promise.all(presses).then(() => true), sleep(interrupted ? 0 : 30_000)]);
  clearInterval(progress);
  console.log(process.stdout.isTTY ? `\r${line()}\u001b[K` : line());
  const lost = stats.pressed - stats.acked;
  console.log(
    `${drained ? "every press was acked" : `${lost} presses never acked`}; ${stats.duplicates} duplicate acks.`,
  );
  await Promise.all(buttons.map((b) => b.stop()));
  return lost > 0 ? 1 : 0;
}

function elapsed(since: number): string {
  return Math.round(performance.now() - since).toString();
}

/** Nearest-rank percentile, in whole milliseconds. */
function percentile(values: number[], q: number): string {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1);
  return sorted.length === 0 ? "-" : Math.round(sorted[rank] ?? 0).toString();
}

function sleep(ms: number): Promise<false> {
  return new Promise((resolve) => setTimeout(() => resolve(false), ms));
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    const detail = error instanceof CliError ? error.message : error instanceof Error ? error.stack : String(error);
    console.error(`anxin-sim: ${detail}`);
    process.exit(2);
  },
);
