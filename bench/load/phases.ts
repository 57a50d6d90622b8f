/**
 * The two things every scenario does: connect a fleet (timed), and run a
 * press plan until every press is acked or the phase times out, measuring
 * the hub (CPU, memory), the load generator's own CPU, the consoles, and
 * afterwards the database.
 */
import type { PressPlan } from "./button-types.ts";
import { type ConsoleOutcome, consoleLatency } from "./console-latency.ts";
import { type BenchContext, problem, runTag } from "./context.ts";
import { type AlarmCounts, alarmCounts } from "./db-check.ts";
import { checkDelivery } from "./delivery.ts";
import { ButtonFleet, type FleetReport, type FleetVerify } from "./fleet.ts";
import { CpuMeter } from "./proc-stats.ts";
import { Progress } from "./progress.ts";
import { RssSampler } from "./sampler.ts";
import { type Distribution, distribution, epochMs, maxOf, round, sleep } from "./stats.ts";
import type { HubTarget, Target } from "./targets.ts";

export interface ConnectResult {
  fleet: ButtonFleet;
  /** Seconds from the connect command to the last button subscribed; null when not all made it in time. */
  seconds: number | null;
  connected: number;
  count: number;
  generatorCores: number;
  targetCores: number;
  /** The system's CPU time over the phase (NaN if it restarted or crashed). */
  targetCpuMs: number;
}

export function isHub(target: Target): target is HubTarget {
  return target.kind === "hub";
}

export async function connectFleet(
  ctx: BenchContext,
  target: Target,
  count: number,
  label: string,
): Promise<ConnectResult> {
  const { options } = ctx;
  const fleet = await ButtonFleet.start({
    host: "127.0.0.1",
    port: target.mqttPort,
    tlsCa: ctx.tls?.caPem ?? null,
    relay: target.relay,
    credentials: ctx.template.credentials.slice(0, count),
    workers: options.generators,
    keepaliveS: options.keepaliveS,
    heartbeatS: options.heartbeatS,
    reconnect: { mode: options.reconnect, fixedMs: options.reconnectMs },
    runTag: runTag(),
    addressOffset: 0,
  });
  const generatorCpu = new CpuMeter(() => fleet.pids);
  const targetCpu = new CpuMeter(() => [target.pid()]);
  const progress = new Progress(`${label}, ${target.name}`);
  fleet.phase();
  await sleep(50);
  generatorCpu.start();
  targetCpu.start();
  const started = epochMs();
  fleet.connect();
  const deadline = Date.now() + options.phaseTimeoutS * 1000;
  let totals = await fleet.totals();
  while (totals.readySincePhase < count && Date.now() < deadline && !target.crashReport()) {
    progress.update(
      `${totals.readySincePhase}/${count} connected and subscribed (${totals.waiting} waiting to retry, ${totals.connecting} awaiting CONNACK, ${totals.subscribing} SUBACK), ${round((epochMs() - started) / 1000)} s`,
    );
    totals = await fleet.totals();
  }
  const done = totals.readySincePhase >= count;
  const crashed = target.crashReport();
  if (crashed) problem(ctx, `${label}: ${target.name} crashed while the fleet connected: ${crashed}`);
  const seconds = done ? (totals.lastReadyAt - started) / 1000 : null;
  progress.done(
    done
      ? `${count} connected and subscribed in ${round(seconds ?? Number.NaN, 2)} s`
      : `only ${totals.readySincePhase}/${count} after ${options.phaseTimeoutS} s`,
  );
  return {
    fleet,
    seconds,
    connected: totals.readySincePhase,
    count,
    generatorCores: generatorCpu.read(),
    targetCores: targetCpu.read(),
    targetCpuMs: targetCpu.readMs(),
  };
}

export interface PressOutcome {
  report: FleetReport;
  ack: Distribution;
  /** Seconds from the first press to the end of pressing, and to the last ack (or the timeout). */
  pressingSeconds: number;
  drainedSeconds: number;
  drained: boolean;
  unacked: number;
  /** Open loop stopped early (seconds into it) because too many presses were pending. */
  overloadedAfterS: number | null;
  /** The system exited during the phase: how, and about when (seconds into the phase). */
  crash: { report: string; afterS: number } | null;
  targetCores: number;
  /** CPU milliseconds the system spent per acked press over the phase (relay: per relayed message). */
  targetCpuMsPerAck: number;
  generatorCores: number;
  rss: { firstMb: number; lastMb: number; maxMb: number };
  startedAt: number;
  /** Hub only: */
  consoles: ConsoleOutcome | null;
  verify: FleetVerify | null;
  counts: AlarmCounts | null;
}

export async function pressPhase(
  ctx: BenchContext,
  target: Target,
  fleet: ButtonFleet,
  plan: PressPlan,
  label: string,
  /** Stop an open loop once --overload seconds of presses are pending (P2: minutes at 2,000/s would only pile up). */
  overloadGuard = false,
): Promise<PressOutcome> {
  const hub = isHub(target) ? target : null;
  const consoles = hub?.consoles ?? null;
  fleet.phase();
  consoles?.phase();
  await sleep(200);
  const targetCpu = new CpuMeter(() => [target.pid()]);
  const generatorCpu = new CpuMeter(() => fleet.pids);
  const consoleCpu = new CpuMeter(() => (consoles ? [consoles.pid] : []));
  const rss = new RssSampler(() => target.pid());
  for (const meter of [targetCpu, generatorCpu, consoleCpu]) meter.start();
  rss.start();
  const progress = new Progress(`${label}, ${target.name}`);
  const startedAt = epochMs();
  fleet.press(plan);
  const planMs = plan.type === "burst" ? plan.windowMs : plan.durationMs;
  const deadline = Date.now() + planMs + ctx.options.phaseTimeoutS * 1000;
  let pressingEndedAt = Number.NaN;
  let overloadedAfterS: number | null = null;
  let crash: PressOutcome["crash"] = null;
  const overloadAt =
    overloadGuard && plan.type === "open"
      ? Math.max(1000, plan.rate * ctx.options.overloadS)
      : Number.POSITIVE_INFINITY;
  let totals = await fleet.totals();
  for (;;) {
    const crashed = target.crashReport();
    if (crashed) {
      crash = { report: crashed, afterS: (epochMs() - startedAt) / 1000 };
      fleet.stopPressing();
      break;
    }
    if (overloadedAfterS === null && !totals.pressingDone && totals.pending > overloadAt) {
      // The hub cannot keep up: pressing on only piles up retries; the row says so instead of running for minutes.
      fleet.stopPressing();
      overloadedAfterS = (epochMs() - startedAt) / 1000;
      totals = await fleet.totals();
      continue;
    }
    if (totals.pressingDone && Number.isNaN(pressingEndedAt)) pressingEndedAt = epochMs();
    if ((totals.pressingDone && totals.pending === 0) || Date.now() > deadline) break;
    progress.update(
      `${totals.presses} presses, ${totals.acked} acked, ${totals.pending} pending, ${totals.retries} retries, ${round((epochMs() - startedAt) / 1000)} s`,
    );
    totals = await fleet.totals();
  }
  const drained = totals.pressingDone && totals.pending === 0;
  const targetCores = targetCpu.read();
  const targetCpuMs = targetCpu.readMs();
  const generatorCores = generatorCpu.read();
  const report = await fleet.report(true);
  const lastAckAt = report.ackAt.length ? maxOf(report.ackAt) : epochMs();
  const drainedSeconds = ((drained ? lastAckAt : epochMs()) - startedAt) / 1000;
  const unacked = totals.pending;
  progress.done(
    `${report.presses} presses, ${report.acked} acked, ${report.retries} retries${overloadedAfterS === null ? "" : `; stopped pressing after ${round(overloadedAfterS)} s, overloaded`}${drained ? "" : `, ${unacked} still pending after the ${ctx.options.phaseTimeoutS} s timeout`}`,
  );
  const consoleOutcome = consoles ? await consoleLatency(ctx, consoles, report, consoleCpu) : null;
  const outcome: PressOutcome = {
    report,
    ack: distribution(report.ackMs),
    pressingSeconds: ((Number.isNaN(pressingEndedAt) ? epochMs() : pressingEndedAt) - startedAt) / 1000,
    drainedSeconds,
    drained,
    unacked,
    overloadedAfterS,
    crash,
    targetCores,
    targetCpuMsPerAck: report.acked > 0 ? targetCpuMs / report.acked : Number.NaN,
    generatorCores,
    rss: rss.stop(),
    startedAt,
    consoles: consoleOutcome,
    verify: hub ? await fleet.verify(hub.dbFile) : null,
    counts: hub ? alarmCounts(hub.dbFile) : null,
  };
  if (crash)
    problem(ctx, `${label}: ${target.name} crashed about ${round(crash.afterS)} s into the phase: ${crash.report}`);
  if (hub) checkDelivery(ctx, label, outcome);
  if (overloadedAfterS !== null) {
    ctx.notes.push(
      `${label}, ${target.name}: stopped pressing after ${round(overloadedAfterS)} s of ${round(planMs / 1000)} s, with more than ${ctx.options.overloadS} s of presses pending (--overload)`,
    );
  }
  return outcome;
}
