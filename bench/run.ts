/**
 * `npm run bench`: the speed figures, printed, never asserted in `npm test`.
 * Options: `--presses N` (default 250), `--households N` for the bulk import (default 100000).
 * `npm run bench -- load [options]` runs the load bench instead (bench/load/, `--help` lists its options).
 * `npm run bench -- cluster [options]` runs the multi-node bench: 1, 2 and 3 hubs behind HAProxy (bench/cluster.ts).
 */
import os from "node:os";
import { parseArgs } from "node:util";
import { measureAlarmPath, printAlarmPathFigures } from "./alarm-path-queries.ts";
import { measureAvrEmulator, printAvrEmulatorFigures } from "./avr-emulator.ts";
import { measureConsoleBurst, printConsoleBurstFigures } from "./console-burst.ts";
import { measureConsoleQueue, printConsoleQueueFigures } from "./console-queue.ts";
import { measureDecodeAndProbe, printDecodeProbeFigures } from "./decode-and-probe.ts";
import { measureHouseholdImport, printImportFigures } from "./import-households.ts";
import { measureIncidentLookup, printIncidentLookupFigures } from "./incident-lookup.ts";
import { measureNearestDispatch, printNearestDispatchFigures } from "./nearest-dispatch.ts";
import { measurePressLatency } from "./press-latency.ts";
import { measureSmsFanout, printSmsFanoutFigures } from "./sms-fanout.ts";

if (process.argv[2] === "cluster") {
  const { runClusterBench } = await import("./cluster.ts");
  process.exit(await runClusterBench(process.argv.slice(3)));
}

if (process.argv[2] === "load") {
  const { runLoadBench } = await import("./load/index.ts");
  process.exit(await runLoadBench(process.argv.slice(3)));
}

const { values } = parseArgs({
  options: { presses: { type: "string", default: "250" }, households: { type: "string", default: "100000" } },
});
const presses = Number(values.presses);

console.log(`Anxin benchmarks — ${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, node ${process.version}`);
const latency = await measurePressLatency(presses);
console.log(`\npress → dashboard (WebSocket), ${latency.presses} single presses, one at a time:`);
console.log(
  `  median ${latency.dashboardMs.median} ms   p99 ${latency.dashboardMs.p99} ms   max ${latency.dashboardMs.max} ms`,
);
console.log("press → device ack (stored with synchronous=FULL, then acked):");
console.log(`  median ${latency.ackMs.median} ms   p99 ${latency.ackMs.p99} ms   max ${latency.ackMs.max} ms`);

printImportFigures(await measureHouseholdImport(Number(values.households)));
printNearestDispatchFigures(measureNearestDispatch());
printAlarmPathFigures(await measureAlarmPath());
printIncidentLookupFigures(await measureIncidentLookup());
printAvrEmulatorFigures(await measureAvrEmulator());
printConsoleQueueFigures(await measureConsoleQueue());
printConsoleBurstFigures(await measureConsoleBurst());
printDecodeProbeFigures(await measureDecodeAndProbe());
printSmsFanoutFigures(await measureSmsFanout());
