/**
 * `npm run bench -- load`: the county's-worst-day load bench of issue 12.
 * Builds the district once, then runs each scenario against a fresh hub (and
 * the bare brokers where they take part), and prints one table.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { findMosquitto, MOSQUITTO_MISSING } from "./brokers.ts";
import type { BenchContext } from "./context.ts";
import { buildDistrictTemplate } from "./district.ts";
import { LOAD_HELP, type LoadOptions, parseLoadOptions } from "./options.ts";
import { childFdLimit } from "./proc-stats.ts";
import { note, startClock } from "./progress.ts";
import { addBurstRows, runBurst } from "./scenarios/burst.ts";
import { addRestartRows, runRestart } from "./scenarios/restart.ts";
import { addSmsRows, runSms } from "./scenarios/sms.ts";
import { addStormAndLatencyRows, runStormAndLatency } from "./scenarios/storm-latency.ts";
import { addThroughputRows, runThroughput } from "./scenarios/throughput.ts";
import { closeSharedSessions } from "./sessions.ts";
import { round } from "./stats.ts";
import { ResultTable } from "./table.ts";
import { makeBenchTls } from "./tls-files.ts";
import { startTwilioStandIn } from "./twilio-standin.ts";

/** What differs between the three over TLS beyond the code: printed under a `--tls` table. */
const TLS_NOTE =
  "over TLS (--tls): TLS 1.3, one EC P-256 certificate for all three, a full handshake per connect (the buttons keep no " +
  "session); the hub's plain MQTT is off and a handshake must finish within ANXIN_MQTT_CONNECT_TIMEOUT_MS (5 s), the " +
  "bare Aedes has Node's default 120 s, Mosquitto none";

function districtSize(options: LoadOptions): number {
  const sizes = [options.fleet];
  if (options.scenarios.includes("storm")) sizes.push(Math.min(options.buttons, childFdLimit()));
  if (options.scenarios.includes("p6")) sizes.push(options.p6Alarms);
  return Math.max(...sizes);
}

/** Runs one scenario; a failure is recorded as a problem and the other scenarios still run. */
async function step(ctx: BenchContext, name: string, run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (error) {
    const text = `${name} failed: ${error instanceof Error ? error.message : String(error)}`;
    ctx.problems.push(text);
    process.stdout.write(`  !! ${text}\n`);
  }
}

/** Returns the process exit code: 0, or 1 when something was broken (never for speed). */
export async function runLoadBench(argv: string[]): Promise<number> {
  let options: LoadOptions | "help";
  try {
    options = parseLoadOptions(argv);
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n\n${LOAD_HELP}`);
    return 2;
  }
  if (options === "help") {
    process.stdout.write(LOAD_HELP);
    return 0;
  }
  const started = Date.now();
  startClock();
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "anxin-load-"));
  const mosquitto = findMosquitto();
  const table = new ResultTable();
  const households = districtSize(options);
  console.log(
    `Anxin load bench${options.smoke ? " (smoke)" : ""}${options.tls ? " over TLS" : ""} — ${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, node ${process.version}, load average ${os
      .loadavg()
      .map((l) => round(l, 1))
      .join(" ")}`,
  );
  console.log(`  work directory ${workDir}${options.keep ? " (kept)" : ""}`);
  if (!mosquitto && options.targets.includes("mosquitto")) note(MOSQUITTO_MISSING);
  if (options.tls)
    note(
      "MQTT over TLS (--tls): every target serves TLS only, with a throwaway certificate; buttons do full handshakes",
    );
  note(`district: ${households} households, one button each (imported before the hub starts)`);
  const buildStarted = Date.now();
  const template = await buildDistrictTemplate(path.join(workDir, "template"), households);
  note(`district ready in ${round((Date.now() - buildStarted) / 1000)} s`);
  const ctx: BenchContext = {
    options,
    workDir,
    template,
    mosquitto,
    tls: options.tls ? makeBenchTls(workDir) : null,
    table,
    problems: [],
    notes: [...(mosquitto ? [] : [MOSQUITTO_MISSING]), ...(options.tls ? [TLS_NOTE] : [])],
    details: {},
  };
  addStormAndLatencyRows(ctx, table);
  addThroughputRows(ctx, table);
  addBurstRows(ctx, table);
  addRestartRows(ctx, table);
  addSmsRows(ctx, table);
  if (options.smoke && options.scenarios.includes("p6")) {
    // The smoke's one hub sends its SMS here from the start (sessions.ts).
    ctx.twilio = await startTwilioStandIn({
      ratePerSecond: options.smsRate,
      refuseShare: options.smsRefuseShare,
      latencyMs: options.smsLatencyMs,
    });
  }
  try {
    await step(ctx, "connect storm / P1", () => runStormAndLatency(ctx));
    if (options.scenarios.includes("p2")) await step(ctx, "P2", () => runThroughput(ctx));
    if (options.scenarios.includes("p3")) await step(ctx, "P3", () => runBurst(ctx));
    if (options.scenarios.includes("p6")) await step(ctx, "P6", () => runSms(ctx));
    if (options.scenarios.includes("p4")) await step(ctx, "P4", () => runRestart(ctx));
  } finally {
    await step(ctx, "stopping", () => closeSharedSessions());
    await ctx.twilio?.close();
  }

  const minutes = round((Date.now() - started) / 60000, 1);
  const load = os
    .loadavg()
    .map((l) => round(l, 1))
    .join(" ");
  table.print(
    `Anxin load bench${options.tls ? " over TLS" : ""}, ${new Date().toISOString()}, ${minutes} min, load average at the end ${load}`,
  );
  for (const text of ctx.notes) console.log(`  note: ${text}`);
  if (options.json) {
    table.writeJson(options.json, {
      generatedAt: new Date().toISOString(),
      machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version, loadavg: os.loadavg() },
      options: { ...options, json: undefined },
      notes: ctx.notes,
      problems: ctx.problems,
      details: ctx.details,
    });
    console.log(`  written to ${options.json}`);
  }
  if (ctx.problems.length > 0) {
    console.log(`\n  ${ctx.problems.length} problem(s):`);
    for (const text of ctx.problems) console.log(`  - ${text}`);
  }
  // Logs and databases are the evidence of a problem: kept then, whatever --keep says.
  if (!options.keep && ctx.problems.length === 0) fs.rmSync(workDir, { recursive: true, force: true });
  else console.log(`  work directory kept: ${workDir}`);
  return ctx.problems.length > 0 ? 1 : 0;
}
