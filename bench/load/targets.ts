/**
 * The systems under load: the Anxin hub (with its consoles) or one of the two
 * bare brokers, each started fresh for a scenario on its own ports.
 */
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { startBareAedes, startMosquitto } from "./brokers.ts";
import { Consoles } from "./consoles.ts";
import type { BenchContext } from "./context.ts";
import { freshDataDir } from "./district.ts";
import { BENCH_ADMIN_PASSWORD, HubProcess } from "./hub-process.ts";
import type { TargetKind } from "./options.ts";
import type { BenchTls } from "./tls-files.ts";

export const TARGET_NAMES: Record<TargetKind, string> = {
  hub: "Anxin hub",
  aedes: "bare Aedes",
  mosquitto: "Mosquitto",
};

export interface Target {
  kind: TargetKind;
  name: string;
  mqttPort: number;
  /** Bare brokers do not ack: a press counts as done when the broker relays it back (QoS 1). */
  relay: boolean;
  pid(): number;
  /** Set when the system exited without being stopped (a crash), saying how. */
  crashReport(): string | null;
  stop(): Promise<void>;
}

export interface HubTarget extends Target {
  kind: "hub";
  hub: HubProcess;
  dataDir: string;
  dbFile: string;
  httpPort: number;
  consoles: Consoles | null;
}

/**
 * A free port below the kernel's ephemeral range, never one handed out before in this run. A port the
 * kernel hands out (listen on 0) is in that range, and between choosing it and the hub binding it (or
 * binding it again after a restart) a connection made from 127.0.0.1 without a chosen port (the bench's
 * own probes, the hub's requests to the Twilio stand-in, another process on the machine) can take it
 * as its local port: the hub once failed to start with EADDRINUSE. Ports below the range are never
 * given to outgoing connections.
 */
export async function freePort(): Promise<number> {
  const low = ephemeralLow();
  for (let attempt = 0; low !== null && attempt < 50; attempt++) {
    const port = 10_000 + Math.floor(Math.random() * (low - 10_000));
    if (handedOut.has(port) || !(await bindable(port))) continue;
    handedOut.add(port);
    return port;
  }
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return address.port;
}

const handedOut = new Set<number>();

function ephemeralLow(): number | null {
  try {
    const low = Number(fs.readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > 11_000 ? low : null;
  } catch {
    return null;
  }
}

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

let started = 0;

export async function startHub(
  ctx: BenchContext,
  label: string,
  options: { env?: Record<string, string>; consoles?: boolean } = {},
): Promise<HubTarget> {
  started += 1;
  const dir = path.join(ctx.workDir, `${String(started).padStart(2, "0")}-${label}`);
  const dataDir = freshDataDir(ctx.template, dir);
  const [httpPort, mqttPort] = [await freePort(), await freePort()];
  const { buttons, fleet } = ctx.options;
  const hub = new HubProcess({
    dataDir,
    httpPort,
    mqttPort,
    logFile: path.join(dir, "hub.log"),
    ...(ctx.options.hubCpuProf ? { cpuProfDir: path.resolve(ctx.options.hubCpuProf) } : {}),
    env: {
      ANXIN_MQTT_MAX_CONNECTIONS: String(Math.max(buttons, fleet) + 1000),
      ...(ctx.tls ? hubTlsEnv(ctx.tls, mqttPort) : {}),
      ...options.env,
      ...ctx.options.hubEnv,
    },
  });
  await hub.start();
  let consoles: Consoles | null = null;
  if (options.consoles !== false && ctx.options.consoles > 0) {
    try {
      consoles = await Consoles.start(httpPort, "admin", BENCH_ADMIN_PASSWORD, ctx.options.consoles);
    } catch (error) {
      await hub.terminate();
      throw error;
    }
  }
  return {
    kind: "hub",
    name: TARGET_NAMES.hub,
    mqttPort,
    relay: false,
    hub,
    dataDir,
    dbFile: path.join(dataDir, "anxin.db"),
    httpPort,
    consoles,
    pid: () => hub.pid,
    crashReport: () => hub.crashReport(),
    async stop() {
      await consoles?.close();
      if ((await hub.terminate()) === null) await hub.kill();
    },
  };
}

/**
 * `--tls`: the hub serves MQTT over TLS on the port the bench gave MQTT, and plain MQTT is off, as once every
 * device speaks TLS (docs/operations.md, ## TLS): no button can end up on plain MQTT by mistake.
 */
function hubTlsEnv(tls: BenchTls, mqttPort: number): Record<string, string> {
  return {
    ANXIN_MQTT_PORT: "off",
    ANXIN_MQTT_TLS_PORT: String(mqttPort),
    ANXIN_TLS_CERT: tls.certFile,
    ANXIN_TLS_KEY: tls.keyFile,
  };
}

export async function startBroker(ctx: BenchContext, kind: "aedes" | "mosquitto"): Promise<Target> {
  const port = await freePort();
  const broker =
    kind === "aedes"
      ? await startBareAedes(port, ctx.workDir, ctx.tls)
      : await startMosquitto(ctx.mosquitto ?? "mosquitto", port, ctx.workDir, ctx.tls);
  return {
    kind,
    name: TARGET_NAMES[kind],
    mqttPort: port,
    relay: true,
    pid: () => broker.pid,
    crashReport: () => broker.crashReport(),
    stop: () => broker.stop(),
  };
}

/** The targets a scenario runs against, in the order asked for; Mosquitto only when installed. */
export function brokerKinds(ctx: BenchContext): ("aedes" | "mosquitto")[] {
  return ctx.options.targets.filter(
    (t): t is "aedes" | "mosquitto" => (t === "aedes" || t === "mosquitto") && (t !== "mosquitto" || !!ctx.mosquitto),
  );
}
