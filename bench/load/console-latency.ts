/**
 * Press → every console: the alarms a phase made (each from its first press)
 * matched with the moment the last console first heard of them.
 */
import type { ConsoleReport } from "./consoles-main.ts";
import type { BenchContext } from "./context.ts";
import type { FleetReport } from "./fleet.ts";
import type { CpuMeter } from "./proc-stats.ts";
import { type Distribution, distribution, sleep } from "./stats.ts";
import type { HubTarget } from "./targets.ts";

export interface ConsoleOutcome {
  /** Press (the one that made the alarm) → the last console hearing of it, per new alarm. */
  latency: Distribution;
  /** New alarms not seen by every console by the end of the phase. */
  missing: number;
  /** Epoch ms when the last new alarm reached the last console. */
  lastAt: number;
  framesPerAlarmPerConsole: number;
  cores: number;
}

/** The alarms this phase made (their first press), matched with when every console had heard of them. */
export async function consoleLatency(
  ctx: BenchContext,
  consoles: NonNullable<HubTarget["consoles"]>,
  report: FleetReport,
  cpu: CpuMeter,
): Promise<ConsoleOutcome> {
  const made = new Map<number, number>();
  report.alarmIds.forEach((id, i) => {
    const at = report.pressAt[i] ?? Number.NaN;
    const known = made.get(id);
    if (id > 0 && (known === undefined || at < known)) made.set(id, at);
  });
  const wanted = ctx.options.consoles;
  let seen: ConsoleReport = await consoles.report();
  const deadline = Date.now() + ctx.options.phaseTimeoutS * 1000;
  const complete = (r: ConsoleReport) => {
    const everywhere = new Set(r.alarms.filter(([, , n]) => n >= wanted).map(([id]) => id));
    return [...made.keys()].every((id) => everywhere.has(id));
  };
  while (!complete(seen) && Date.now() < deadline) {
    await sleep(250);
    seen = await consoles.report();
  }
  const cores = cpu.read();
  const arrivals = new Map(seen.alarms.filter(([, , n]) => n >= wanted).map(([id, at]) => [id, at]));
  const latencies: number[] = [];
  let missing = 0;
  let lastAt = Number.NaN;
  for (const [id, pressedAt] of made) {
    const at = arrivals.get(id);
    if (at === undefined) missing += 1;
    else {
      latencies.push(at - pressedAt);
      if (!(lastAt >= at)) lastAt = at;
    }
  }
  return {
    latency: distribution(latencies),
    missing,
    lastAt,
    framesPerAlarmPerConsole: seen.alarms.length && wanted ? seen.frames / wanted / seen.alarms.length : Number.NaN,
    cores,
  };
}
