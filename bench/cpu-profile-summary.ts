/**
 * A V8 CPU profile (`.cpuprofile`, from `node --cpu-prof` or the load bench's `--hub-cpu-prof DIR`)
 * summed up as text: where the busy time went by area (a package under node_modules, a folder of
 * ours, the garbage collector, native code) and the functions with the most self time. This is the
 * "profile summary" docs/performance.md shows; a flame graph of the same file is one drag into
 * Chrome DevTools' Performance panel or speedscope.
 *
 *   npx tsx bench/cpu-profile-summary.ts PROFILE.cpuprofile [--top 25]
 */
import fs from "node:fs";
import { parseArgs } from "node:util";

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** What V8 names time that is not JavaScript of any file. */
const SPECIAL = new Set(["(garbage collector)", "(program)", "(idle)", "(root)"]);

/** The area a frame belongs to: `pkg:<name>` for node_modules, the first two folders of ours, node's own. */
export function areaOf(frame: CallFrame): string {
  if (SPECIAL.has(frame.functionName)) return frame.functionName;
  const url = frame.url;
  if (url === "") return "(native)";
  if (url.startsWith("node:")) return "node:internal";
  const modules = url.lastIndexOf("/node_modules/");
  if (modules >= 0) {
    const rest = url.slice(modules + "/node_modules/".length).split("/");
    return `pkg:${rest[0]?.startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0]}`;
  }
  const ours = url.match(/\/(hub|protocol|firmware-sim|gateway|bench)\/(.*)$/);
  if (ours) {
    const parts = (ours[2] ?? "").split("/");
    return parts.length > 1 ? `${ours[1]}/${parts[0]}` : `${ours[1]}/`;
  }
  return url.replace(/^.*\//, "");
}

function label(frame: CallFrame): string {
  const file = frame.url
    .replace(/^.*\/node_modules\//, "")
    .replace(/^.*\/(hub|protocol|firmware-sim|gateway)\//, "$1/");
  return `${frame.functionName || "(anonymous)"} ${file ? `${file.replace(/^file:\/\//, "")}:${frame.lineNumber + 1}` : ""}`.trim();
}

export interface ProfileSummary {
  wallMs: number;
  busyMs: number;
  idleMs: number;
  areas: { area: string; ms: number; share: number }[];
  functions: { name: string; area: string; ms: number; share: number }[];
}

export function summarize(profile: CpuProfile, top: number): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i] ?? 0;
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  }
  const areas = new Map<string, number>();
  const functions = new Map<string, { area: string; ms: number }>();
  let idleMs = 0;
  let totalMs = 0;
  for (const [id, ms] of self) {
    const frame = byId.get(id)?.callFrame;
    if (!frame) continue;
    totalMs += ms;
    if (frame.functionName === "(idle)") {
      idleMs += ms;
      continue;
    }
    const area = areaOf(frame);
    areas.set(area, (areas.get(area) ?? 0) + ms);
    const name = label(frame);
    const entry = functions.get(name) ?? { area, ms: 0 };
    entry.ms += ms;
    functions.set(name, entry);
  }
  const busyMs = totalMs - idleMs;
  const share = (ms: number) => (busyMs > 0 ? ms / busyMs : 0);
  return {
    wallMs: (profile.endTime - profile.startTime) / 1000,
    busyMs,
    idleMs,
    areas: [...areas].map(([area, ms]) => ({ area, ms, share: share(ms) })).sort((a, b) => b.ms - a.ms),
    functions: [...functions]
      .map(([name, f]) => ({ name, area: f.area, ms: f.ms, share: share(f.ms) }))
      .sort((a, b) => b.ms - a.ms)
      .slice(0, top),
  };
}

function print(summary: ProfileSummary): void {
  const pct = (x: number) => `${(x * 100).toFixed(1).padStart(5)} %`;
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  console.log(
    `wall ${s(summary.wallMs)}, busy ${s(summary.busyMs)} (${pct(summary.busyMs / Math.max(1, summary.wallMs)).trim()} of one core), idle ${s(summary.idleMs)}`,
  );
  console.log("\nself time by area (share of busy time):");
  for (const a of summary.areas.filter((x) => x.share >= 0.005)) console.log(`  ${pct(a.share)}  ${a.area}`);
  console.log("\nfunctions with the most self time:");
  for (const f of summary.functions) console.log(`  ${pct(f.share)}  ${f.name}`);
}

const isMain = process.argv[1]?.endsWith("cpu-profile-summary.ts");
if (isMain) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { top: { type: "string", default: "25" } },
  });
  const file = positionals[0];
  if (!file) {
    console.error("usage: npx tsx bench/cpu-profile-summary.ts PROFILE.cpuprofile [--top 25]");
    process.exit(2);
  }
  print(summarize(JSON.parse(fs.readFileSync(file, "utf8")) as CpuProfile, Number(values.top)));
}
