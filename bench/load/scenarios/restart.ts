/**
 * P4, a hub restart with the fleet connected: the hub is stopped (SIGTERM, as
 * an operator or systemd would; then SIGKILL, a crash or power cut), stays
 * down for a few seconds while buttons press, and starts again on the same
 * database and ports. How long until every button is back, and whether every
 * press made during the outage was delivered exactly once.
 */
import { type BenchContext, problem } from "../context.ts";
import { alarmCounts } from "../db-check.ts";
import { lostAndDuplicated } from "../delivery.ts";
import { listenOverflows } from "../proc-stats.ts";
import { Progress } from "../progress.ts";
import { closeSession, discardSession, openSession, type Session } from "../sessions.ts";
import { type Distribution, distribution, epochMs, maxOf, round, sleep } from "../stats.ts";
import type { Cell, ResultTable } from "../table.ts";
import type { HubTarget } from "../targets.ts";

const P4 = "P4 restart";
const MODES = ["SIGTERM", "SIGKILL"] as const;
type Mode = (typeof MODES)[number];

function measures(ctx: BenchContext, mode: Mode) {
  const o = ctx.options;
  return {
    back: `${mode}: hub down ${o.p4OutageS} s, restarted: all ${o.fleet} buttons back, from the restart`,
    start: `${mode}: restart → MQTT accepting connections`,
    accepting: `${mode}: all buttons back, from MQTT accepting`,
    lastAck: `${mode}: ${o.p4OutagePresses} presses during the outage, last ack from MQTT accepting`,
    lost: `${mode}: outage presses lost`,
    duplicated: `${mode}: outage presses duplicated`,
    retries: `${mode}: device retries`,
    dropped: `${mode}: connections dropped, accept queue full (whole machine), from the restart`,
  };
}

export function addRestartRows(ctx: BenchContext, table: ResultTable): void {
  if (!ctx.options.scenarios.includes("p4") || !ctx.options.targets.includes("hub")) return;
  for (const mode of MODES) {
    const m = measures(ctx, mode);
    table.add({ scenario: P4, measure: m.back, unit: "s", goal: "≤ 15 s", check: (v) => v <= 15 });
    table.add({ scenario: P4, measure: m.start, unit: "s", goal: "" });
    table.add({ scenario: P4, measure: m.accepting, unit: "s", goal: "" });
    table.add({ scenario: P4, measure: m.lastAck, unit: "s", goal: "" });
    table.add({ scenario: P4, measure: m.lost, unit: "", goal: "0", check: (v) => v === 0 });
    table.add({ scenario: P4, measure: m.duplicated, unit: "", goal: "0", check: (v) => v === 0 });
    table.add({ scenario: P4, measure: m.retries, unit: "", goal: "" });
    table.add({ scenario: P4, measure: m.dropped, unit: "", goal: "" });
  }
}

interface RestartOutcome {
  /** From the restart (spawn); from MQTT accepting. */
  backSeconds: number | null;
  backFromMqttSeconds: number | null;
  startSeconds: number;
  lastAckSeconds: number | null;
  ack: Distribution;
  lost: number;
  duplicated: number;
  retries: number;
  unacked: number;
  /** Handshakes the kernel dropped for a full accept queue while the fleet came back: those retry 1, 3, 7, 15 s later. */
  dropped: number;
}

async function restartOnce(ctx: BenchContext, session: Session, mode: Mode): Promise<RestartOutcome> {
  const { options } = ctx;
  const target = session.target as HubTarget;
  const connected = session.connected;
  if (!connected) throw new Error("no connected fleet");
  const { fleet } = connected;
  const progress = new Progress(`${P4}, ${mode}`);
  fleet.phase();
  await sleep(200);
  progress.update("stopping the hub");
  if (mode === "SIGTERM") await target.hub.terminate();
  else await target.hub.kill();
  const downAt = Date.now();
  // The residents keep pressing while the hub is down: their presses wait on the buttons.
  fleet.press({
    type: "burst",
    windowMs: options.p4OutageS * 1000,
    kind: options.kind,
    count: options.p4OutagePresses,
  });
  await sleep(Math.max(0, options.p4OutageS * 1000 - (Date.now() - downAt)));
  progress.update("starting the hub again");
  const overflowsBefore = listenOverflows();
  await target.hub.start();
  const startAt = target.hub.spawnedAt;
  const upAt = target.hub.mqttUpAt;
  const deadline = Date.now() + options.phaseTimeoutS * 1000;
  let totals = await fleet.totals();
  while ((totals.readySincePhase < fleet.size || totals.pending > 0) && Date.now() < deadline) {
    progress.update(
      `${totals.readySincePhase}/${fleet.size} back (${totals.waiting} waiting to retry, ${totals.connecting} awaiting CONNACK, ${totals.subscribing} SUBACK), ${totals.pending} presses pending, ${round((epochMs() - startAt) / 1000)} s after the restart`,
    );
    totals = await fleet.totals();
  }
  const allBack = totals.readySincePhase >= fleet.size;
  const dropped = listenOverflows() - overflowsBefore;
  const report = await fleet.report(true);
  const verify = await fleet.verify(target.dbFile);
  const { lost, duplicated } = lostAndDuplicated({
    report,
    verify,
    counts: alarmCounts(target.dbFile),
    unacked: totals.pending,
  });
  const result: RestartOutcome = {
    backSeconds: allBack ? (totals.lastReadyAt - startAt) / 1000 : null,
    backFromMqttSeconds: allBack ? (totals.lastReadyAt - upAt) / 1000 : null,
    startSeconds: (upAt - startAt) / 1000,
    lastAckSeconds: report.ackAt.length && totals.pending === 0 ? (maxOf(report.ackAt) - upAt) / 1000 : null,
    ack: distribution(report.ackMs),
    lost,
    duplicated,
    retries: report.retries,
    unacked: totals.pending,
    dropped,
  };
  progress.done(
    `${totals.readySincePhase}/${fleet.size} back ${result.backSeconds === null ? `(not all within ${options.phaseTimeoutS} s)` : `${round(result.backSeconds, 2)} s after the restart`}; ${report.acked}/${report.presses} outage presses acked`,
  );
  if (verify.ackedNotStored > 0)
    problem(ctx, `P4 ${mode}: ${verify.ackedNotStored} outage presses acked but not stored`);
  if (duplicated > 0) problem(ctx, `P4 ${mode}: ${duplicated} outage presses duplicated`);
  // How long the buttons take to come back is speed; an outage press never delivered in a tiny run is not.
  if (options.smoke && totals.pending > 0) problem(ctx, `P4 ${mode}: ${totals.pending} outage presses never acked`);
  return result;
}

export async function runRestart(ctx: BenchContext): Promise<void> {
  if (!ctx.options.targets.includes("hub")) return;
  const { table } = ctx;
  let session: Session | null = null;
  try {
    session = await openSession(ctx, "hub", { label: "p4", buttons: ctx.options.fleet });
    for (const mode of MODES) {
      const m = measures(ctx, mode);
      const set = (measure: keyof typeof m, value: Cell) => table.set(P4, m[measure], "hub", value);
      const result = await restartOnce(ctx, session, mode);
      set("back", result.backSeconds ?? `not all back in ${ctx.options.phaseTimeoutS} s`);
      set("start", result.startSeconds);
      set("accepting", result.backFromMqttSeconds);
      set("lastAck", result.lastAckSeconds ?? `${result.unacked} unacked`);
      set("lost", result.lost);
      set("duplicated", result.duplicated);
      set("retries", result.retries);
      set("dropped", Number.isNaN(result.dropped) ? "–" : result.dropped);
      ctx.details[`p4.${mode}`] = result;
    }
    await closeSession(session);
  } catch (error) {
    if (session) await discardSession(session);
    problem(ctx, `P4 failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}
