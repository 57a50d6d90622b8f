/**
 * `npm start`: reads the configuration from the environment, starts the hub,
 * and stops it cleanly on SIGINT/SIGTERM. SIGHUP re-reads the TLS certificate
 * files (`systemctl reload`), and never stops the hub. `npm start -- --help`
 * prints the usage and every setting, and creates nothing.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { hubHelp } from "./cli-help.ts";
import { loadConfig } from "./config.ts";
import { isAnxinError } from "./errors.ts";
import { Hub } from "./hub.ts";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.includes("--help") || args.includes("-h")) {
    // Before anything is read or created: help must never make a data directory or print a password.
    process.stdout.write(`${hubHelp(process.env)}\n`);
    return;
  }
  if (args.length > 0) {
    process.stderr.write(
      `unknown argument ${JSON.stringify(args[0])}; the hub is configured by environment variables (npm start -- --help)\n`,
    );
    process.exit(2);
  }
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (isAnxinError(error)) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const hub = new Hub(config, { dashboardDir: path.join(repoRoot, "dashboard") });
  // Before the start, which may take a while (migrations): SIGHUP's default action ends the process, and
  // systemd takes `systemctl reload` as soon as the process runs. A reload asked meanwhile is done once started.
  let started = false;
  let reloadAsked = false;
  let stopping = false;
  const reload = () => {
    hub.logger.info({ signal: "SIGHUP" }, "reloading the TLS certificate");
    hub.reloadTls();
  };
  process.on("SIGHUP", () => {
    if (stopping) return;
    if (started) return reload();
    reloadAsked = true;
    hub.logger.info({ signal: "SIGHUP" }, "reload asked while starting: done once started");
  });
  let report: Awaited<ReturnType<Hub["start"]>>;
  try {
    report = await hub.start();
  } catch (error) {
    // A coded refusal (a certificate file that cannot be used) is the operator's to fix: its words, no stack.
    if (isAnxinError(error)) {
      process.stderr.write(`Anxin hub failed to start: ${error.code}: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const mqtt = config.mqttPort === null ? null : hub.mqttPort;
  const mqtts = hub.mqttTlsPort;
  const lines = [
    "",
    "  安心 Anxin hub is running",
    `  Operator console:  ${config.publicUrl}/`,
    `  API docs:          ${config.publicUrl}/docs`,
  ];
  if (mqtt !== null) lines.push(`  MQTT broker:       mqtt://localhost:${mqtt}`);
  if (mqtts !== null) lines.push(`  MQTT over TLS:     mqtts://localhost:${mqtts}`);
  if (report.httpsUrl !== null) {
    lines.push(
      `  Plain HTTP:        port ${hub.httpPort} redirects to ${config.publicUrl} (except /health and loopback's /metrics)`,
    );
  }
  if (mqtts !== null || report.httpsUrl !== null) {
    // This process, not npm's or tsx's: they do not pass SIGHUP on, and npm would die of it.
    lines.push(`  New certificate:   kill -HUP ${process.pid}`);
  }
  if (report.generatedAdminPassword) {
    lines.push(
      "",
      "  First start: administrator account created",
      "    username: admin",
      `    password: ${report.generatedAdminPassword}`,
      "  (shown once, and to be replaced at the first sign-in; set ANXIN_ADMIN_PASSWORD before",
      "   the first start to choose it instead. Operator logins: README, Staff accounts)",
    );
  }
  if (report.demoDevicesFile) {
    lines.push(
      "",
      "  Demo devices and their credentials: npm run sim -- list",
      "  Press a button:  npm run sim -- press KL-0001",
    );
  }
  if (report.demoWorkersFile) {
    lines.push(`  Demo worker logins (username = worker code, each its own password): ${report.demoWorkersFile}`);
  }
  process.stdout.write(`${lines.join("\n")}\n\n`);

  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    hub.logger.info({ signal }, "stopping");
    hub.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        hub.logger.error({ err: error }, "unclean stop");
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", () => shutdown("SIGINT"));
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  // Reload, as daemons do (the handler above): new certificate files for new TLS connections; a broken one is
  // logged and the old one stays.
  started = true;
  if (reloadAsked) reload();
}

main().catch((error: unknown) => {
  process.stderr.write(
    `Anxin hub failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
