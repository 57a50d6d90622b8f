/**
 * `npm run bench -- load [options]`: the options, their defaults (the goals of
 * issue 12) and the `--smoke` sizes.
 */
import { parseArgs } from "node:util";
import type { PressKind } from "./button-types.ts";

export const SCENARIOS = ["storm", "p1", "p2", "p3", "p4", "p6"] as const;
export type Scenario = (typeof SCENARIOS)[number];
export const TARGETS = ["hub", "aedes", "mosquitto"] as const;
export type TargetKind = (typeof TARGETS)[number];

export interface LoadOptions {
  scenarios: Scenario[];
  targets: TargetKind[];
  /** Buttons in the connect storm. */
  buttons: number;
  /** Buttons connected for P1, P2, P3 and P4. */
  fleet: number;
  kind: PressKind;
  p1Rate: number;
  p1DurationS: number;
  p2Rate: number;
  p2DurationS: number;
  p2Inflight: number;
  p2ClosedDurationS: number;
  p2Kind: PressKind;
  relayInflight: number;
  p3WindowS: number;
  p4OutageS: number;
  p4OutagePresses: number;
  p6Alarms: number;
  p6Rate: number;
  smsRate: number;
  smsRefuseShare: number;
  smsLatencyMs: number;
  consoles: number;
  generators: number;
  keepaliveS: number;
  heartbeatS: number;
  reconnect: "protocol" | "fixed";
  reconnectMs: number;
  phaseTimeoutS: number;
  overloadS: number;
  hubEnv: Record<string, string>;
  /** Directory for V8 CPU profiles of every hub started. */
  hubCpuProf: string | null;
  json: string | null;
  keep: boolean;
  smoke: boolean;
  /** Every target serves MQTT over TLS only, with a throwaway certificate; the buttons do full handshakes. */
  tls: boolean;
}

export const LOAD_HELP = `npm run bench -- load [options]

Starts the Anxin hub (tsx hub/main.ts, as npm start does), a bare Aedes and Mosquitto, drives them with
buttons that follow docs/protocol.md and 10 console WebSockets, and prints one table (docs/performance.md).

  --scenarios LIST      storm,p1,p2,p3,p4,p6 (default: all)
  --targets LIST        hub,aedes,mosquitto (default: all; the bare brokers take part in storm, p1, p2, p3)
  --smoke               a tiny run of everything on one hub (test presses, SOS in p6), well under a minute;
                        exits 1 only when something is broken (lost or duplicated alarms, a part not starting)
  --buttons N           buttons in the connect storm (5000; the P4 goal is 20000)
  --fleet N             buttons connected for p1..p4 (5000)
  --kind K              press kind for p1, p3, p4: sos, service or test (sos)
  --p1-rate R           P1 presses/s (100)             --p1-duration S   (60)
  --p2-rate R           P2 open-loop presses/s (2000)  --p2-duration S   (180)
  --p2-inflight K       P2 closed loop, presses outstanding at the hub (16)   --p2-closed-duration S (30)
  --p2-kind K           press kind for p2 (sos; test makes every press its own alarm)
  --relay-inflight K    closed loop for the bare brokers' QoS 1 relay (1000)
  --p3-window S         P3: every button presses once within S seconds (1)
  --p4-outage S         P4: seconds the hub stays down (5)  --p4-outage-presses N (100)
  --p6-alarms N         P6 SOS alarms (1000)  --p6-rate R presses/s (50)
  --sms-rate R          the Twilio stand-in's allowed rate, SMS/s (100)
  --sms-429 F           share of requests it refuses at random with 429 (0.05)
  --sms-latency MS      its answer time (150)
  --consoles N          console WebSockets (10)
  --generators N        button worker processes (2)
  --keepalive S         MQTT keep-alive (30)          --heartbeat S   heartbeat interval, 0 = none (60)
  --reconnect MODE      protocol (docs/protocol.md "Reconnecting": random waits, bound 2 s growing 1.5x to 30 s)
                        or fixed (every --reconnect-ms, as devices did before issue 12)   (protocol; 1000)
  --phase-timeout S     longest wait for a phase (connecting, draining); past it the row says "not done" (120)
  --overload S          P2's open loop stops pressing once S seconds of presses are pending unacked (30)
  --hub-env KEY=VALUE   extra hub setting, repeatable (e.g. --hub-env ANXIN_OUTBOX_POLL_MS=100)
  --hub-cpu-prof DIR    run each hub as node --cpu-prof --import tsx hub/main.ts; a .cpuprofile per hub lands in DIR
  --tls                 MQTT over TLS: a throwaway CA and server certificate (EC P-256) in the work directory;
                        the hub with ANXIN_MQTT_TLS_PORT and plain MQTT off, the bare Aedes on tls.createServer,
                        Mosquitto with a TLS listener; every button connect is a full handshake (no resumption)
  --json FILE           also write the table as JSON
  --keep                keep the work directory (databases, logs)
`;

function list<T extends string>(text: string, allowed: readonly T[], what: string): T[] {
  const items = text
    .split(",")
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  for (const item of items) {
    if (!allowed.includes(item as T))
      throw new Error(`unknown ${what} ${JSON.stringify(item)}; one of ${allowed.join(", ")}`);
  }
  return items as T[];
}

function kind(text: string): PressKind {
  if (text === "sos" || text === "service" || text === "test") return text;
  throw new Error(`unknown press kind ${JSON.stringify(text)}; sos, service or test`);
}

const NUMBERS = {
  buttons: 5000,
  fleet: 5000,
  "p1-rate": 100,
  "p1-duration": 60,
  "p2-rate": 2000,
  "p2-duration": 180,
  "p2-inflight": 16,
  "p2-closed-duration": 30,
  "relay-inflight": 1000,
  "p3-window": 1,
  "p4-outage": 5,
  "p4-outage-presses": 100,
  "p6-alarms": 1000,
  "p6-rate": 50,
  "sms-rate": 100,
  "sms-429": 0.05,
  "sms-latency": 150,
  consoles: 10,
  generators: 2,
  keepalive: 30,
  heartbeat: 60,
  "reconnect-ms": 1000,
  "phase-timeout": 120,
  overload: 30,
} as const;

type NumberOption = keyof typeof NUMBERS;

/** The sizes of `--smoke`: every scenario, a few seconds each. */
const SMOKE: Partial<Record<NumberOption, number>> = {
  buttons: 200,
  fleet: 200,
  "p1-rate": 20,
  "p1-duration": 3,
  "p2-rate": 50,
  "p2-duration": 3,
  "p2-closed-duration": 3,
  "relay-inflight": 50,
  "p4-outage": 1,
  "p4-outage-presses": 10,
  "p6-alarms": 20,
  "p6-rate": 20,
  "phase-timeout": 60,
};

export function parseLoadOptions(argv: string[]): LoadOptions | "help" {
  const numberOptions = Object.fromEntries(Object.keys(NUMBERS).map((k) => [k, { type: "string" as const }]));
  const { values } = parseArgs({
    args: argv,
    options: {
      ...numberOptions,
      scenarios: { type: "string" },
      targets: { type: "string" },
      kind: { type: "string" },
      "p2-kind": { type: "string" },
      reconnect: { type: "string" },
      "hub-env": { type: "string", multiple: true },
      "hub-cpu-prof": { type: "string" },
      json: { type: "string" },
      keep: { type: "boolean" },
      smoke: { type: "boolean" },
      tls: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return "help";
  const smoke = values.smoke === true;
  const raw = values as Record<string, unknown>;
  const num = (name: NumberOption): number => {
    const given = raw[name];
    const value = typeof given === "string" ? Number(given) : ((smoke ? SMOKE[name] : undefined) ?? NUMBERS[name]);
    if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} must be a number ≥ 0, not ${String(given)}`);
    return value;
  };
  const hubEnv: Record<string, string> = {};
  for (const pair of (values["hub-env"] as string[] | undefined) ?? []) {
    const at = pair.indexOf("=");
    if (at <= 0) throw new Error(`--hub-env wants KEY=VALUE, not ${JSON.stringify(pair)}`);
    hubEnv[pair.slice(0, at)] = pair.slice(at + 1);
  }
  const reconnect = values.reconnect ?? "protocol";
  if (reconnect !== "protocol" && reconnect !== "fixed") throw new Error("--reconnect is protocol or fixed");
  return {
    scenarios: values.scenarios ? list(values.scenarios, SCENARIOS, "scenario") : [...SCENARIOS],
    targets: values.targets ? list(values.targets, TARGETS, "target") : [...TARGETS],
    buttons: Math.round(num("buttons")),
    fleet: Math.round(num("fleet")),
    // The smoke shares one hub between scenarios: test presses leave every home free for P6's SOS.
    kind: kind(values.kind ?? (smoke ? "test" : "sos")),
    p1Rate: num("p1-rate"),
    p1DurationS: num("p1-duration"),
    p2Rate: num("p2-rate"),
    p2DurationS: num("p2-duration"),
    p2Inflight: Math.max(1, Math.round(num("p2-inflight"))),
    p2ClosedDurationS: num("p2-closed-duration"),
    p2Kind: kind(values["p2-kind"] ?? (smoke ? "test" : "sos")),
    relayInflight: Math.max(1, Math.round(num("relay-inflight"))),
    p3WindowS: num("p3-window"),
    p4OutageS: num("p4-outage"),
    p4OutagePresses: Math.round(num("p4-outage-presses")),
    p6Alarms: Math.round(num("p6-alarms")),
    p6Rate: num("p6-rate"),
    smsRate: num("sms-rate"),
    smsRefuseShare: num("sms-429"),
    smsLatencyMs: num("sms-latency"),
    consoles: Math.round(num("consoles")),
    generators: Math.max(1, Math.round(num("generators"))),
    keepaliveS: Math.max(5, Math.round(num("keepalive"))),
    heartbeatS: num("heartbeat"),
    reconnect,
    reconnectMs: num("reconnect-ms"),
    phaseTimeoutS: num("phase-timeout"),
    overloadS: num("overload"),
    hubEnv,
    hubCpuProf: values["hub-cpu-prof"] ?? null,
    json: values.json ?? null,
    keep: values.keep === true,
    smoke,
    tls: values.tls === true,
  };
}
