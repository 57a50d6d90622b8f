/**
 * P3, a burst: every connected button presses once within a second (a mass
 * event). Time to the last ack and to the last alarm on every console, device
 * retries, and lost or duplicated alarms.
 */
import { type BenchContext, problem } from "../context.ts";
import { stageProgress } from "../db-check.ts";
import { lostAndDuplicated, unlessCrashed } from "../delivery.ts";
import type { TargetKind } from "../options.ts";
import { isHub, pressPhase } from "../phases.ts";
import { closeSession, discardSession, openSession, type Session } from "../sessions.ts";
import { maxOf, minOf, sleep } from "../stats.ts";
import type { Cell, ResultTable } from "../table.ts";
import { brokerKinds, TARGET_NAMES } from "../targets.ts";
import { summary } from "./storm-latency.ts";

const P3 = "P3 burst";

type Measure =
  | "lastAck"
  | "p50"
  | "lastConsole"
  | "lastProcessed"
  | "retries"
  | "unacked"
  | "lost"
  | "duplicated"
  | "frames"
  | "cpu"
  | "cpuPerAck";

function measures(ctx: BenchContext): Record<Measure, string> {
  const o = ctx.options;
  return {
    lastAck: `${o.fleet} buttons press within ${o.p3WindowS} s: last ack after the first press`,
    p50: "press → ack p50",
    lastConsole: "last alarm on every console after the first press",
    lastProcessed: "last alarm fully processed (located, relatives' SMS queued, worker offered)",
    retries: "device retries",
    unacked: "presses still unacked at the end of the phase",
    lost: "lost (acked but not stored)",
    duplicated: "duplicated",
    frames: "console frames per alarm per console",
    cpu: "CPU during the burst",
    cpuPerAck: "CPU per acked press (bare brokers: per relayed press)",
  };
}

export function addBurstRows(ctx: BenchContext, table: ResultTable): void {
  if (!ctx.options.scenarios.includes("p3")) return;
  const m = measures(ctx);
  table.add({ scenario: P3, measure: m.lastAck, unit: "s", goal: "≤ 2 s", check: (v) => v <= 2 });
  table.add({ scenario: P3, measure: m.p50, unit: "ms", goal: "" });
  table.add({ scenario: P3, measure: m.lastConsole, unit: "s", goal: "≤ 3 s", check: (v) => v <= 3 });
  table.add({ scenario: P3, measure: m.lastProcessed, unit: "s", goal: "" });
  table.add({ scenario: P3, measure: m.retries, unit: "", goal: "" });
  table.add({ scenario: P3, measure: m.unacked, unit: "", goal: "0", check: (v) => v === 0 });
  table.add({ scenario: P3, measure: m.lost, unit: "", goal: "0", check: (v) => v === 0 });
  table.add({ scenario: P3, measure: m.duplicated, unit: "", goal: "0", check: (v) => v === 0 });
  table.add({ scenario: P3, measure: m.frames, unit: "", goal: "batched" });
  table.add({ scenario: P3, measure: m.cpu, unit: "cores", goal: "" });
  table.add({ scenario: P3, measure: m.cpuPerAck, unit: "ms", goal: "" });
}

async function runOn(ctx: BenchContext, kind: TargetKind): Promise<void> {
  const { options, table } = ctx;
  const m = measures(ctx);
  const set = (measure: Measure, value: Cell) => table.set(P3, m[measure], kind, value);
  let session: Session | null = null;
  try {
    session = await openSession(ctx, kind, { label: "p3", buttons: options.fleet });
    const { target, connected } = session;
    if (!connected) throw new Error("no connected fleet");
    const outcome = await pressPhase(
      ctx,
      target,
      connected.fleet,
      { type: "burst", windowMs: options.p3WindowS * 1000, kind: options.kind },
      P3,
    );
    const firstPress = outcome.report.pressAt.length ? minOf(outcome.report.pressAt) : outcome.startedAt;
    const lastAck = maxOf(outcome.report.ackAt);
    set(
      "lastAck",
      outcome.crash
        ? unlessCrashed(outcome, 0)
        : outcome.drained
          ? (lastAck - firstPress) / 1000
          : `${outcome.unacked} unacked after ${options.phaseTimeoutS} s`,
    );
    set("p50", outcome.ack.p50);
    if (outcome.consoles) {
      set(
        "lastConsole",
        outcome.consoles.missing > 0
          ? `${outcome.consoles.missing} missing`
          : (outcome.consoles.lastAt - firstPress) / 1000,
      );
      set("frames", outcome.consoles.framesPerAlarmPerConsole);
    }
    if (isHub(target) && outcome.drained && !outcome.crash) {
      set("lastProcessed", await lastProcessed(ctx, target.dbFile, outcome.report.alarmIds, firstPress));
    }
    set("retries", outcome.report.retries);
    set("unacked", outcome.unacked);
    if (!target.relay) {
      const { lost, duplicated } = lostAndDuplicated(outcome);
      set("lost", lost);
      set("duplicated", duplicated);
    }
    set("cpu", outcome.targetCores);
    set("cpuPerAck", outcome.targetCpuMsPerAck);
    ctx.details[`p3.${kind}`] = summary(outcome);
    await closeSession(session);
  } catch (error) {
    if (session) await discardSession(session);
    problem(ctx, `P3 on ${TARGET_NAMES[kind]} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * The alarm stages run behind the acks in a burst (acks go first): seconds from the first press to the
 * last stage event of the burst's alarms, once every one of them ran all its stages.
 */
async function lastProcessed(
  ctx: BenchContext,
  dbFile: string,
  alarmIds: readonly number[],
  firstPress: number,
): Promise<Cell> {
  const ids = alarmIds.filter((id) => id > 0);
  const deadline = Date.now() + ctx.options.phaseTimeoutS * 1000;
  let progress = stageProgress(dbFile, ids);
  while (progress.unprocessed > 0 && Date.now() < deadline) {
    await sleep(200);
    progress = stageProgress(dbFile, ids);
  }
  if (progress.unprocessed > 0) return `${progress.unprocessed} not processed after ${ctx.options.phaseTimeoutS} s`;
  return (progress.lastStageEventAt - firstPress) / 1000;
}

export async function runBurst(ctx: BenchContext): Promise<void> {
  const kinds = [...(ctx.options.targets.includes("hub") ? (["hub"] as const) : []), ...brokerKinds(ctx)];
  for (const kind of kinds) await runOn(ctx, kind);
}
