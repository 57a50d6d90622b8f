/**
 * The connect storm (N buttons connect at once: time until all are connected
 * and subscribed, memory per button) and P1 (100 alarms/s from 5,000
 * connected buttons: press → ack and press → every console), against each
 * system in turn. When the storm's fleet is P1's size, P1 runs on it.
 */
import { type BenchContext, problem } from "../context.ts";
import { lostAndDuplicated, unlessCrashed } from "../delivery.ts";
import { type ConnectResult, connectFleet, pressPhase } from "../phases.ts";
import { childFdLimit, listenOverflows, rssBytes } from "../proc-stats.ts";
import { closeSession, discardSession, openSession, type Session } from "../sessions.ts";
import { maxOf, sleep } from "../stats.ts";
import type { ResultTable } from "../table.ts";
import { brokerKinds, TARGET_NAMES, type Target } from "../targets.ts";

const STORM = "connect storm";
const P1 = "P1 latency";

/** Sockets a child may hold beside its own files, HTTP and the consoles. */
const FD_HEADROOM = 300;

function stormButtons(ctx: BenchContext): number {
  const wanted = ctx.options.buttons;
  const cap = childFdLimit() - FD_HEADROOM;
  if (wanted <= cap) return wanted;
  const note = `connect storm: ${wanted} buttons asked, ${cap} used: the file-descriptor limit of this machine is ${childFdLimit()} (raising it needs root with CAP_SYS_RESOURCE)`;
  if (!ctx.notes.includes(note)) ctx.notes.push(note);
  return cap;
}

export function addStormAndLatencyRows(ctx: BenchContext, table: ResultTable): void {
  const { options } = ctx;
  if (options.scenarios.includes("storm")) {
    const n = stormButtons(ctx);
    table.add({
      scenario: STORM,
      measure: `${n} buttons at once: all connected and subscribed`,
      unit: "s",
      goal: "≤ 10 s (at 20,000)",
      check: (v) => v <= 10,
    });
    table.add({ scenario: STORM, measure: "connect rate", unit: "buttons/s", goal: "" });
    table.add({
      scenario: STORM,
      measure: "memory per connected button (RSS delta / N)",
      unit: "KB",
      goal: "≤ 15 KB",
      check: (v) => v <= 15,
    });
    table.add({ scenario: STORM, measure: "RSS with the fleet connected", unit: "MB", goal: "" });
    table.add({ scenario: STORM, measure: "CPU while connecting", unit: "cores", goal: "" });
    table.add({ scenario: STORM, measure: "load generator CPU while connecting", unit: "cores", goal: "" });
    table.add({
      scenario: STORM,
      measure: "connections dropped, accept queue full (whole machine)",
      unit: "",
      goal: "",
    });
    // CPU time per button depends less on what else the machine runs than the storm's duration does.
    table.add({ scenario: STORM, measure: "CPU per connected button", unit: "ms", goal: "" });
  }
  if (options.scenarios.includes("p1")) {
    const what = `${options.p1Rate}/s for ${options.p1DurationS} s, ${options.fleet} buttons`;
    table.add({ scenario: P1, measure: `${what}: press → ack p50`, unit: "ms", goal: "" });
    table.add({ scenario: P1, measure: "press → ack p99", unit: "ms", goal: "≤ 20 ms", check: (v) => v <= 20 });
    table.add({ scenario: P1, measure: "press → ack p99.9", unit: "ms", goal: "≤ 50 ms", check: (v) => v <= 50 });
    table.add({
      scenario: P1,
      measure: "press → every console p99 (new alarms)",
      unit: "ms",
      goal: "≤ 50 ms",
      check: (v) => v <= 50,
    });
    table.add({
      scenario: P1,
      measure: "acks/s (acked / time to the last ack)",
      unit: "/s",
      goal: `${options.p1Rate}/s`,
      check: (v) => v >= options.p1Rate * 0.98,
    });
    table.add({ scenario: P1, measure: "device retries", unit: "", goal: "" });
    table.add({
      scenario: P1,
      measure: "lost (acked but not stored)",
      unit: "",
      goal: "0",
      check: (v) => v === 0,
    });
    table.add({ scenario: P1, measure: "duplicated", unit: "", goal: "0", check: (v) => v === 0 });
    table.add({ scenario: P1, measure: "CPU while pressing", unit: "cores", goal: "" });
    table.add({ scenario: P1, measure: "load generator CPU while pressing", unit: "cores", goal: "" });
    table.add({ scenario: P1, measure: "CPU per acked press (bare brokers: per relayed press)", unit: "ms", goal: "" });
  }
}

async function runStorm(ctx: BenchContext, target: Target): Promise<ConnectResult> {
  const n = stormButtons(ctx);
  const settleMs = ctx.options.smoke ? 200 : 1000;
  await sleep(settleMs);
  const before = rssBytes(target.pid());
  const overflowsBefore = listenOverflows();
  const result = await connectFleet(ctx, target, n, STORM);
  const overflows = listenOverflows() - overflowsBefore;
  await sleep(2 * settleMs);
  const after = rssBytes(target.pid());
  const { table } = ctx;
  const rows = table.rows.filter((r) => r.scenario === STORM);
  const set = (i: number, value: number | string | null) => {
    const row = rows[i];
    if (row) table.set(STORM, row.measure, target.kind, value);
  };
  set(0, result.seconds ?? `not done in ${ctx.options.phaseTimeoutS} s (${result.connected}/${n})`);
  set(1, result.seconds ? n / result.seconds : null);
  set(2, result.seconds ? (after - before) / n / 1024 : null);
  set(3, after / 1048576);
  set(4, result.targetCores);
  set(5, result.generatorCores);
  set(6, overflows);
  set(7, result.seconds ? result.targetCpuMs / n : null);
  ctx.details[`storm.${target.kind}`] = {
    buttons: n,
    ...result,
    fleet: undefined,
    rssBeforeMb: before / 1048576,
    rssAfterMb: after / 1048576,
  };
  return result;
}

async function runLatency(ctx: BenchContext, target: Target, connected: ConnectResult): Promise<void> {
  const { options, table } = ctx;
  const outcome = await pressPhase(
    ctx,
    target,
    connected.fleet,
    { type: "open", rate: options.p1Rate, durationMs: options.p1DurationS * 1000, kind: options.kind },
    P1,
  );
  const rows = table.rows.filter((r) => r.scenario === P1);
  const set = (i: number, value: number | string | null) => {
    const row = rows[i];
    if (row) table.set(P1, row.measure, target.kind, value);
  };
  const ackSpanS = Math.max(options.p1DurationS, (maxOf(outcome.report.ackAt) - outcome.startedAt) / 1000);
  const { lost, duplicated } = lostAndDuplicated(outcome);
  set(0, outcome.ack.p50);
  set(1, unlessCrashed(outcome, outcome.drained ? outcome.ack.p99 : `${outcome.unacked} unacked`));
  set(2, outcome.drained ? outcome.ack.p999 : `${outcome.unacked} unacked`);
  set(3, outcome.consoles ? outcome.consoles.latency.p99 : null);
  set(4, outcome.report.acked / ackSpanS);
  set(5, outcome.report.retries);
  set(6, target.relay ? null : lost);
  set(7, target.relay ? null : duplicated);
  set(8, outcome.targetCores);
  set(9, outcome.generatorCores);
  set(10, outcome.targetCpuMsPerAck);
  ctx.details[`p1.${target.kind}`] = summary(outcome);
}

/** What goes to the JSON file of a press phase (no per-press arrays). */
export function summary(outcome: Awaited<ReturnType<typeof pressPhase>>): Record<string, unknown> {
  const { report, ...rest } = outcome;
  const { pressAt: _p, ackMs: _a, alarmIds: _i, ackAt: _t, ...counters } = report;
  return { ...rest, report: counters };
}

export async function runStormAndLatency(ctx: BenchContext): Promise<void> {
  const { options } = ctx;
  const storm = options.scenarios.includes("storm");
  const latency = options.scenarios.includes("p1");
  const kinds = [...(options.targets.includes("hub") ? (["hub"] as const) : []), ...brokerKinds(ctx)];
  for (const kind of kinds) {
    let session: Session | null = null;
    try {
      if (storm) {
        session = await openSession(ctx, kind, { label: "storm", buttons: 0 });
        session.connected ??= await runStorm(ctx, session.target);
        // P1 runs on the storm's fleet when it has P1's size: the buttons are connected already.
        if (!latency || session.connected.count !== options.fleet) {
          await closeSession(session);
          session = null;
        }
      }
      if (latency) {
        session ??= await openSession(ctx, kind, { label: "p1", buttons: options.fleet });
        if (!session.connected) throw new Error("P1 has no connected fleet");
        await runLatency(ctx, session.target, session.connected);
      }
      if (session) await closeSession(session);
    } catch (error) {
      if (session) await discardSession(session);
      problem(
        ctx,
        `connect storm / P1 on ${TARGET_NAMES[kind]} failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
}
