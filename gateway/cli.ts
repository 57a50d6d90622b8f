#!/usr/bin/env -S npx tsx
/**
 * The household gateway: `npm run gateway -- --config gateway.json` runs it until Ctrl-C;
 * `npm run gateway -- list-ports` shows the serial ports with the USB ids a config can match.
 */
import { parseArgs } from "node:util";
import type { PortAccess } from "./board-session.ts";
import { loadGatewayConfig } from "./config.ts";
import { describeError, GatewayError } from "./errors.ts";
import { Gateway, type LogLevel } from "./gateway.ts";

const USAGE = `usage:
  npm run gateway -- --config <file>   run the gateway for the boards in <file> (see gateway/gateway.example.json)
  npm run gateway -- list-ports        list serial ports with their USB vendorId, productId and serialNumber`;

/** Exit codes: 0 stopped cleanly, 1 runtime failure (e.g. refused credentials), 2 bad usage or config. */
export async function main(argv: string[], ports?: PortAccess): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    console.error(`${describeError(error)}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const access = ports ?? (await import("./serial.ts")).serialPorts;
  if (positionals[0] === "list-ports") return listPorts(access);
  if (positionals.length > 0 || !values.config) {
    console.error(`${positionals.length > 0 ? `unknown command ${positionals[0]}` : "--config is required"}\n${USAGE}`);
    return 2;
  }
  let gateway: Gateway;
  try {
    const config = loadGatewayConfig(values.config);
    gateway = new Gateway({ config, ports: access, log });
    log(
      "info",
      `gateway starting: ${config.boards.length} board(s), hub ${config.mqttUrl}, queue in ${config.dataDir}`,
    );
    await gateway.start();
  } catch (error) {
    console.error(describeError(error));
    return error instanceof GatewayError && error.code === "CONFIG_INVALID" ? 2 : 1;
  }
  log("info", "gateway running; Ctrl-C to stop");
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  log("info", "stopping: telling the hub every board is offline");
  await gateway.stop();
  return 0;
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: { config: { type: "string", short: "c" }, help: { type: "boolean", short: "h" } },
  });
}

async function listPorts(ports: PortAccess): Promise<number> {
  const list = await ports.listPorts();
  if (list.length === 0) {
    console.log("no serial ports found (is the board plugged in? on Linux, is the user in the dialout group?)");
    return 0;
  }
  for (const port of list) {
    const usb = port.vendorId ? `usb ${port.vendorId}:${port.productId ?? "????"}` : "usb -";
    const serial = port.serialNumber ? `serialNumber ${port.serialNumber}` : "";
    console.log([port.path, usb, serial, port.manufacturer ?? ""].filter(Boolean).join("  "));
  }
  return 0;
}

function log(level: LogLevel, message: string, fields?: Record<string, unknown>): void {
  const extra = fields && Object.keys(fields).length > 0 ? ` ${JSON.stringify(fields)}` : "";
  const line = `${new Date().toISOString()} ${level.toUpperCase().padEnd(5)} ${message}${extra}`;
  if (level === "info") console.log(line);
  else console.error(line);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(describeError(error));
      process.exit(1);
    },
  );
}
