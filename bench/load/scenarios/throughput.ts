/**
 * P2, sustained throughput: a closed loop (K presses outstanding; the bare
 * brokers relay with many more in flight, their QoS 1 relay figure), then an
 * open loop at a target rate for minutes, on the same fleet. Lost and
 * duplicated alarms are counted in the hub's database afterwards; memory is
 * sampled throughout.
 */
import { type BenchContext, problem } from "../context.ts";
import { lostAndDuplicated, unlessCrashed } from "../delivery.ts";
import type { TargetKind } from "../options.ts";
import { type PressOutcome, pressPhase } from "../phases.ts";
import { closeSession, discardSession, openSession, type Session } from "../sessions.ts";
import { maxOf } from "../stats.ts";
import type { Cell, ResultTable } from "../table.ts";
import { brokerKinds, TARGET_NAMES } from "../targets.ts";
import { summary } from "./storm-latency.ts";

const P2 = "P2 throughput";

type Measure =
  | "closedRate"
  | "closedP99"
  | "closedConsoles"
  | "closedCpu"
  | "openRate"
  | "openP99"
  | "openConsoles"
  | "processed"
  | "unacked"
  | "lost"
  | "duplicated"
  | "rssStart"
  | "rssEnd"
  | "rssGrowth"
  | "cpu"
  | "generatorCpu";

function measures(ctx: BenchContext): Record<Measure, string> {
  const o = ctx.options;
  return {
    closedRate: `closed loop, ${o.p2Inflight} in flight (bare brokers ${o.relayInflight}), ${o.p2ClosedDurationS} s: acks/s (bare brokers: QoS 1 relay msgs/s)`,
    closedP99: "closed loop: press → ack p99",
    closedConsoles: "closed loop: new alarms on every console, per s",
    closedCpu: "closed loop: CPU per acked press (bare brokers: per relayed press)",
    openRate: `open loop ${o.p2Rate}/s for ${o.p2DurationS} s (${o.p2Kind}): acks/s (acked / time to the last ack)`,
    openP99: "open loop: press → ack p99",
    openConsoles: "open loop: new alarms on every console, per s",
    processed: "alarms fully processed by the end (pipeline done)",
    unacked: "presses still unacked at the end of the phase",
    lost: "lost (acked but not stored)",
    duplicated: "duplicated",
    rssStart: "RSS at the start of the open loop",
    rssEnd: "RSS at the end of the open loop (after draining)",
    rssGrowth: "RSS growth over the open loop",
    cpu: "CPU during the open loop",
    generatorCpu: "load generator CPU during the open loop",
  };
}

export function addThroughputRows(ctx: BenchContext, table: ResultTable): void {
  if (!ctx.options.scenarios.includes("p2")) return;
  const m = measures(ctx);
  table.add({
    scenario: P2,
    measure: m.closedRate,
    unit: "/s",
    goal: "≥ 5,000/s (≈15% of Mosquitto)",
    check: (v) => v >= 5000,
  });
  table.add({ scenario: P2, measure: m.closedP99, unit: "ms", goal: "" });
  table.add({ scenario: P2, measure: m.closedConsoles, unit: "/s", goal: "" });
  table.add({ scenario: P2, measure: m.closedCpu, unit: "ms", goal: "" });
  table.add({ scenario: P2, measure: m.openRate, unit: "/s", goal: "≥ 2,000/s", check: (v) => v >= 2000 });
  table.add({ scenario: P2, measure: m.openP99, unit: "ms", goal: "" });
  table.add({ scenario: P2, measure: m.openConsoles, unit: "/s", goal: "" });
  table.add({ scenario: P2, measure: m.processed, unit: "%", goal: "100%", check: (v) => v >= 100 });
  table.add({ scenario: P2, measure: m.unacked, unit: "", goal: "0", check: (v) => v === 0 });
  table.add({ scenario: P2, measure: m.lost, unit: "", goal: "0", check: (v) => v === 0 });
  table.add({ scenario: P2, measure: m.duplicated, unit: "", goal: "0", check: (v) => v === 0 });
  table.add({ scenario: P2, measure: m.rssStart, unit: "MB", goal: "" });
  table.add({ scenario: P2, measure: m.rssEnd, unit: "MB", goal: "" });
  table.add({ scenario: P2, measure: m.rssGrowth, unit: "MB", goal: "± 50 MB", check: (v) => Math.abs(v) <= 50 });
  table.add({ scenario: P2, measure: m.cpu, unit: "cores", goal: "" });
  table.add({ scenario: P2, measure: m.generatorCpu, unit: "cores", goal: "" });
}

/** Closed loop: acks that arrived while pressing, per second of pressing. */
function ackRate(outcome: PressOutcome, windowS: number): number {
  const end = outcome.startedAt + windowS * 1000;
  return outcome.report.ackAt.filter((at) => at <= end).length / windowS;
}

/** Open loop: every press acked, over the time to the last ack (a hub that falls behind drains after pressing). */
function drainRate(outcome: PressOutcome, windowS: number): number {
  return outcome.report.acked / Math.max(windowS, (maxOf(outcome.report.ackAt) - outcome.startedAt) / 1000);
}

function consoleRate(outcome: PressOutcome, windowS: number): number | null {
  const c = outcome.consoles;
  if (!c) return null;
  const seen = c.latency.count;
  return seen / Math.max(windowS, (c.lastAt - outcome.startedAt) / 1000);
}

async function runOn(ctx: BenchContext, kind: TargetKind): Promise<void> {
  const { options, table } = ctx;
  const m = measures(ctx);
  const set = (measure: Measure, value: Cell) => table.set(P2, m[measure], kind, value);
  let session: Session | null = null;
  try {
    session = await openSession(ctx, kind, { label: "p2", buttons: options.fleet });
    const { target, connected } = session;
    if (!connected) throw new Error("no connected fleet");
    const relay = target.relay;
    const closed = await pressPhase(
      ctx,
      target,
      connected.fleet,
      {
        type: "closed",
        inflight: relay ? options.relayInflight : options.p2Inflight,
        durationMs: options.p2ClosedDurationS * 1000,
        kind: options.p2Kind,
      },
      `${P2}, closed loop`,
    );
    set("closedRate", unlessCrashed(closed, ackRate(closed, options.p2ClosedDurationS)));
    set("closedP99", closed.ack.p99);
    set("closedConsoles", consoleRate(closed, options.p2ClosedDurationS));
    set("closedCpu", closed.targetCpuMsPerAck);
    ctx.details[`p2.closed.${kind}`] = summary(closed);
    if (relay) {
      await closeSession(session);
      return;
    }
    const open = await pressPhase(
      ctx,
      target,
      connected.fleet,
      { type: "open", rate: options.p2Rate, durationMs: options.p2DurationS * 1000, kind: options.p2Kind },
      `${P2}, open loop`,
      true,
    );
    set("openRate", unlessCrashed(open, drainRate(open, options.p2DurationS)));
    set("openP99", open.drained ? open.ack.p99 : `${open.unacked} unacked`);
    set("openConsoles", consoleRate(open, options.p2DurationS));
    const counts = open.counts;
    set("processed", counts && counts.alarms > 0 ? (100 * counts.processed) / counts.alarms : null);
    set("unacked", open.unacked);
    const a = lostAndDuplicated(closed);
    const b = lostAndDuplicated(open);
    set("lost", a.lost + b.lost);
    set("duplicated", a.duplicated + b.duplicated);
    set("rssStart", open.rss.firstMb);
    set("rssEnd", open.rss.lastMb);
    set("rssGrowth", open.rss.lastMb - open.rss.firstMb);
    set("cpu", open.targetCores);
    set("generatorCpu", open.generatorCores);
    ctx.details[`p2.open.${kind}`] = summary(open);
    await closeSession(session);
  } catch (error) {
    if (session) await discardSession(session);
    problem(ctx, `P2 on ${TARGET_NAMES[kind]} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

export async function runThroughput(ctx: BenchContext): Promise<void> {
  const kinds = [...(ctx.options.targets.includes("hub") ? (["hub"] as const) : []), ...brokerKinds(ctx)];
  for (const kind of kinds) await runOn(ctx, kind);
}
