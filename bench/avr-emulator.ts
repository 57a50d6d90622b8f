/// <reference path="../types/firmata-io.d.ts" />
/**
 * The AVR emulator running the button firmware: how fast it simulates the 16 MHz Uno on this machine
 * (it must beat 16 MHz for the emulated boards to keep real time), what one real-time board costs in
 * CPU, and how long johnny-five's Firmata handshake with it takes. `npm run bench`, or alone:
 * `npx tsx bench/avr-emulator.ts`.
 */
import { performance } from "node:perf_hooks";
import firmataIo from "firmata-io";
import five from "johnny-five";
import { ensureFirmware } from "../firmware-sim/arduino/build-firmware.ts";
import { CLOCK_HZ, EmulatedBoard } from "../firmware-sim/arduino/emulated-board.ts";

export interface AvrEmulatorFigures {
  /**
   * Simulated MHz per second of this process's CPU time, flat out, every cycle executed (idle sleep
   * not skipped): the emulator's own speed, what an awake firmware gets.
   */
  mhzPerCpuSecond: number;
  /** The same per wall-clock second (lower when the machine is busy with other work). */
  mhzPerWallSecond: number;
  /** CPU share of one core taken by one idle board in real time, idle sleep skipped (the default). */
  realTimeCorePercent: number;
  /** The same with every cycle executed. */
  realTimeCorePercentNoSkip: number;
  handshakeMs: { cold: number; warmMedian: number };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const cpuSeconds = (since: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1e6;
};
const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

/** Runs a board flat out (no wall-clock pacing) for `ms`, after a warm-up for the JIT. */
async function flatOut(ms: number): Promise<{ cpu: number; wall: number }> {
  const board = new EmulatedBoard({ realTime: false, skipSleep: false });
  board.start().on("data", () => {});
  await sleep(1000);
  const startSim = board.simulatedMs;
  const startCpu = process.cpuUsage();
  const startWall = performance.now();
  await sleep(ms);
  const simulatedCycles = (board.simulatedMs - startSim) * (CLOCK_HZ / 1000);
  const cpu = cpuSeconds(startCpu);
  const wall = (performance.now() - startWall) / 1000;
  board.unplug();
  return { cpu: simulatedCycles / cpu / 1e6, wall: simulatedCycles / wall / 1e6 };
}

async function realTimeCost(ms: number, skipSleep: boolean): Promise<number> {
  const board = new EmulatedBoard({ skipSleep });
  board.start().on("data", () => {});
  await sleep(300);
  const start = process.cpuUsage();
  const startWall = performance.now();
  await sleep(ms);
  const share = cpuSeconds(start) / ((performance.now() - startWall) / 1000);
  board.unplug();
  return share * 100;
}

async function handshake(): Promise<number> {
  const board = new EmulatedBoard();
  const started = performance.now();
  const io = new firmataIo.Firmata(board.start());
  const options: five.BoardOption & { sigint: boolean } = { io, repl: false, debug: false, sigint: false };
  const j5 = new five.Board(options);
  await new Promise<void>((resolve, reject) => {
    j5.on("ready", () => resolve());
    j5.on("error", reject);
  });
  const elapsed = performance.now() - started;
  board.unplug();
  return elapsed;
}

export async function measureAvrEmulator(): Promise<AvrEmulatorFigures> {
  ensureFirmware();
  // Cold first: the JIT has not seen the instruction decoder yet.
  const cold = await handshake();
  const speed = await flatOut(3000);
  const corePercent = await realTimeCost(2000, true);
  const corePercentNoSkip = await realTimeCost(2000, false);
  const warm: number[] = [];
  for (let i = 0; i < 5; i++) warm.push(await handshake());
  warm.sort((a, b) => a - b);
  return {
    mhzPerCpuSecond: round(speed.cpu),
    mhzPerWallSecond: round(speed.wall),
    realTimeCorePercent: round(corePercent),
    realTimeCorePercentNoSkip: round(corePercentNoSkip),
    handshakeMs: { cold: round(cold), warmMedian: round(warm[2] ?? Number.NaN) },
  };
}

export function printAvrEmulatorFigures(f: AvrEmulatorFigures): void {
  console.log("\nAVR emulator (avr8js) running the button firmware, ATmega328P at 16 MHz:");
  console.log(`  flat out: ${f.mhzPerCpuSecond} simulated MHz per CPU second (${f.mhzPerWallSecond} per wall second)`);
  console.log("    (every cycle executed; real time needs 16)");
  console.log(
    `  one idle board in real time: ${f.realTimeCorePercent} % of a core (idle sleep skipped), ${f.realTimeCorePercentNoSkip} % executing every cycle`,
  );
  console.log(
    `  johnny-five handshake to 'ready': ${f.handshakeMs.cold} ms cold (JIT warm-up), ${f.handshakeMs.warmMedian} ms warm (median of 5)`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) printAvrEmulatorFigures(await measureAvrEmulator());
