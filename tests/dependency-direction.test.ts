/**
 * Dependencies point one way: protocol ← storage ← domain ← http / broker /
 * pipeline ← the hub's composition root. Every relative import in the shipped
 * code is read from the source and checked against the layer it starts in; a
 * wrong-way import (a repository that reaches for a domain rule, a domain
 * service that names the broker) is listed with its file.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "./support/run-cli.ts";

type Layer = "protocol" | "firmware" | "gateway" | "dashboard" | "kernel" | "storage" | "domain" | "edge" | "root";

/** What each layer may import, besides itself. */
const MAY_IMPORT: Record<Layer, readonly Layer[]> = {
  protocol: [],
  firmware: ["protocol"],
  gateway: ["protocol", "firmware"],
  // Types only, through JSDoc `@import` (tests/dashboard-typecheck.test.ts: never at run time; the hub serves dashboard/ alone).
  dashboard: ["protocol"],
  // Coded errors and small helpers every layer shares.
  kernel: ["protocol"],
  storage: ["protocol", "kernel"],
  domain: ["protocol", "kernel", "storage"],
  edge: ["protocol", "kernel", "storage", "domain"],
  root: ["protocol", "kernel", "storage", "domain", "edge"],
};

const KERNEL = new Set(["hub/errors.ts", "hub/chunked.ts", "hub/log.ts"]);
const EDGE = new Set(["http", "broker", "pipeline", "net"]);
const ROOT = new Set([
  "hub/hub.ts",
  "hub/hub-parts.ts",
  "hub/hub-storage.ts",
  "hub/hub-app.ts",
  "hub/health-report.ts",
  "hub/main.ts",
]);

/** The layer of a repo-relative file, or null for code outside the shipped tree (tests, bench). */
function layerOf(file: string): Layer | null {
  const [top, second] = file.split("/");
  if (top === "protocol") return "protocol";
  if (top === "firmware-sim") return "firmware";
  if (top === "gateway") return "gateway";
  if (top === "dashboard") return "dashboard";
  if (top !== "hub" || !second) return null;
  if (KERNEL.has(file)) return "kernel";
  if (ROOT.has(file)) return "root";
  if (second === "storage") return "storage";
  if (EDGE.has(second)) return "edge";
  // Folders of the domain, the event bus, config and the CLI's help text.
  return "domain";
}

/** Relative import specifiers of a source file: static imports, re-exports and dynamic imports. */
function importsOf(source: string): string[] {
  const found: string[] = [];
  const pattern = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)["'](\.{1,2}\/[^"']+)["']/g;
  for (let m = pattern.exec(source); m; m = pattern.exec(source)) if (m[1]) found.push(m[1]);
  return found;
}

/** Wrong-way imports among `files` (repo-relative path → its relative import specifiers). */
function violationsOf(files: Map<string, string[]>): string[] {
  const out: string[] = [];
  for (const [file, specifiers] of files) {
    const from = layerOf(file);
    if (!from) continue;
    for (const specifier of specifiers) {
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier));
      const to = layerOf(target);
      if (!to || to === from || MAY_IMPORT[from].includes(to)) continue;
      out.push(`${file} (${from}) imports ${target} (${to})`);
    }
  }
  return out.sort();
}

function sourceFiles(): Map<string, string[]> {
  const files = new Map<string, string[]>();
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(path.join(repoRoot, dir), { withFileTypes: true })) {
      const rel = `${dir}/${entry.name}`;
      if (entry.isDirectory()) {
        if (entry.name !== "node_modules") walk(rel);
      } else if (/\.(ts|js|mjs)$/.test(entry.name)) {
        files.set(rel, importsOf(fs.readFileSync(path.join(repoRoot, rel), "utf8")));
      }
    }
  };
  for (const top of ["protocol", "firmware-sim", "gateway", "dashboard", "hub"]) walk(top);
  return files;
}

describe("dependency direction", () => {
  it("finds a wrong-way import when there is one", () => {
    const planted = new Map([
      ["hub/storage/alarm-repo.ts", ["../alarms/alarm-service.ts", "../errors.ts", "../../protocol/index.ts"]],
      ["hub/alarms/alarm-service.ts", ["../broker/device-channel.ts", "../storage/alarm-repo.ts"]],
      ["protocol/index.ts", ["../hub/errors.ts"]],
      ["hub/broker/mqtt-broker.ts", ["../hub-parts.ts", "../alarms/device-port.ts"]],
    ]);
    expect(violationsOf(planted)).toEqual([
      "hub/alarms/alarm-service.ts (domain) imports hub/broker/device-channel.ts (edge)",
      "hub/broker/mqtt-broker.ts (edge) imports hub/hub-parts.ts (root)",
      "hub/storage/alarm-repo.ts (storage) imports hub/alarms/alarm-service.ts (domain)",
      "protocol/index.ts (protocol) imports hub/errors.ts (kernel)",
    ]);
  });

  it("holds in the shipped code: protocol ← storage ← domain ← http, broker, pipeline ← the hub's root", () => {
    const files = sourceFiles();
    expect(files.size).toBeGreaterThan(200);
    expect(violationsOf(files)).toEqual([]);
  });
});
