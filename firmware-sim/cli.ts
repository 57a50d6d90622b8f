#!/usr/bin/env -S npx tsx
/**
 * `npm run sim -- <command>`: simulated buttons against a running hub, to try the
 * device protocol by hand (`press`), find credentials (`list`), load the hub (`fleet`),
 * and ring the center without Twilio (`call`).
 */
import { type AckMessage, deviceTopic, type FeedbackState } from "../protocol/index.ts";
import { alarmKind, CliError, type CommandLineValues, parseCommandLine, positive } from "./cli-options.ts";
import { type CredentialsFile, deviceTls, hubPorts, loadCredentials, mqttUrl } from "./credentials.ts";
import { DeviceRefusedError, HubUnreachableError, SimulatedButton } from "./device.ts";
import { fleet } from "./fleet-command.ts";
import { simulateCall } from "./voice-call.ts";

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
      --kind <kind>         test (default) | sos | service. A test press travels the whole
                            path but texts nobody, offers no worker, and the hub closes it
                            as a manual test; sos and service presses alert real people.
  call <household>          a phone call to the center from the household resident's phone, without
                            Twilio (the hub must run without it): prints what the caller and the
                            staff hear as the hub routes the call
      --from <+86…>         call from this number instead (an unknown one raises an unplaced alarm)
      --answer              the first line rung picks up and takes the call (default: nobody does)
      --http <url>          hub HTTP URL (default http://127.0.0.1:<ANXIN_HTTP_PORT or 8080>)

Common options:
  --url <url>               hub MQTT URL (default mqtt://127.0.0.1:<ANXIN_MQTT_PORT or the file's port or 1883>;
                            with --ca, mqtts://localhost:<ANXIN_MQTT_TLS_PORT or the file's TLS port or 8883>)
  --ca <file>               connect over TLS, trusting the hub's certificate by this CA (PEM)
  --cert <file>, --key <file>
                            the device's own certificate and key (PEM; CN = the device id), for a hub
                            that asks for client certificates (ANXIN_MQTT_CLIENT_CA)
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
  if (command === "list") return list(await loadCredentials(values), values);
  if (command === "press") return press(rest[0], values);
  if (command === "fleet") return fleet(await loadCredentials(values), values);
  if (command === "call") return simulateCall(values, rest[0]);
  throw new CliError(`unknown command ${JSON.stringify(command)}; expected list, press, fleet or call (see --help)`);
}

/** Terminal columns of a string: CJK characters take two, so a table with names still lines up. */
function columns(text: string): number {
  return (
    [...text].length +
    (text.match(/[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\uff00-\uff60]/gu)?.length ?? 0)
  );
}

function list(credentials: CredentialsFile, values: CommandLineValues): number {
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
  // Plain MQTT when the hub serves it; else over TLS, trusting the CA given with --ca (or a file of your own).
  const { plain, tls } = hubPorts(credentials);
  const target =
    plain === null ? `-h localhost -p ${tls ?? 8883} --cafile ${values.ca ?? "ca.pem"}` : `-h 127.0.0.1 -p ${plain}`;
  const login = (clientId: string) => `${target} -i ${clientId} -u ${id} -P '${first.secret}'`;
  const topics = (["ack", "feedback", "error"] as const).map((kind) => `-t ${deviceTopic(id, kind)}`).join(" ");
  // A watcher needs its own client id, or it would take over the device's session; the hub accepts `<id>:<suffix>`.
  console.log(`\nWatch ${id} in one terminal:`);
  console.log(`  mosquitto_sub ${login(`${id}:watch`)} -q 1 -v ${topics}`);
  console.log("and press it by hand in another (a new pressId for every new press; the same one is the same press):");
  console.log(`  mosquitto_pub ${login(id)} -q 1 -t ${deviceTopic(id, "alarm")} -m '${JSON.stringify(alarm)}'`);
  return 0;
}

async function press(deviceId: string | undefined, values: CommandLineValues): Promise<number> {
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
  const button = new SimulatedButton({ mqttUrl: url, deviceId, secret, tls: deviceTls(values) });
  const startedAt = performance.now();
  const log = (line: string) => console.log(`${elapsed(startedAt).padStart(7)} ms  ${line}`);

  let acked: AckMessage | null = null;
  let pressId: string | null = null;
  let finish: (code: number) => void = () => {};
  const finished = new Promise<number>((resolve) => {
    finish = resolve;
  });
  // The button also answers the hub's test requests on its own; those presses are not the one we follow.
  const answering = new Map<string, string>();
  button.on("command", (c) => log(`hub asks for a test press (request ${c.requestId}); the button answers it`));
  button.on("sent", (alarm) => {
    const ours = pressId === null ? alarm.kind === kind : alarm.pressId === pressId;
    if (alarm.attempt === 1 && ours && pressId === null) pressId = alarm.pressId;
    else if (alarm.attempt === 1 && !ours) answering.set(alarm.pressId, alarm.kind);
    const what = ours ? "" : " answering the hub's test request";
    log(alarm.attempt === 1 ? `sent ${alarm.kind} press ${alarm.pressId}${what}` : `retry, attempt ${alarm.attempt}`);
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
  // Take the ack from the event, not from press()'s promise: the promise settles a
  // microtask later, after a feedback message read in the same TCP chunk has
  // already been handled, and that feedback would be misread as someone else's.
  button.on("ack", (ack) => {
    if (ack.pressId === pressId) acked = ack;
    const other = answering.get(ack.pressId);
    if (other !== undefined) log(`acked: the ${other} press answering the hub's request (alarm #${ack.alarmId})`);
  });
  button.on("feedback", (f) => {
    const ours = f.alarmId !== null && f.alarmId === acked?.alarmId;
    const about = f.alarmId === null ? "" : ` (alarm #${f.alarmId}${ours ? "" : ", another call"})`;
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

function elapsed(since: number): string {
  return Math.round(performance.now() - since).toString();
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    const detail = error instanceof CliError ? error.message : error instanceof Error ? error.stack : String(error);
    console.error(`anxin-sim: ${detail}`);
    process.exit(2);
  },
);
