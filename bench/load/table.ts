/**
 * The one table the load bench prints: a row per measurement, a column per
 * system (Anxin hub, bare Aedes, Mosquitto), the hub's figure as a ratio to
 * Mosquitto's, and the goal with whether the hub met it. Also written as JSON.
 */
import fs from "node:fs";
import type { TargetKind } from "./options.ts";

/** A figure, or why there is none ("not done in 120 s", "skipped"). */
export type Cell = number | string | null;

export interface Row {
  scenario: string;
  measure: string;
  unit: string;
  hub: Cell;
  aedes: Cell;
  mosquitto: Cell;
  /** Readable goal, e.g. "≤ 20 ms". */
  goal: string;
  /** Checks the hub's figure; absent when the row has no goal. */
  check?: (value: number) => boolean;
}

export interface RowResult extends Omit<Row, "check"> {
  hubToMosquitto: number | null;
  met: boolean | null;
}

export class ResultTable {
  readonly rows: Row[] = [];

  add(row: Omit<Row, "hub" | "aedes" | "mosquitto"> & Partial<Record<TargetKind, Cell>>): void {
    this.rows.push({ hub: null, aedes: null, mosquitto: null, ...row });
  }

  /** Sets one system's figure of a row added before (rows are keyed by scenario and measure). */
  set(scenario: string, measure: string, target: TargetKind, value: Cell): void {
    const row = this.rows.find((r) => r.scenario === scenario && r.measure === measure);
    if (row) row[target] = value;
  }

  results(): RowResult[] {
    return this.rows.map(({ check, ...row }) => {
      const ratio =
        typeof row.hub === "number" && typeof row.mosquitto === "number" && row.mosquitto !== 0
          ? row.hub / row.mosquitto
          : null;
      return {
        ...row,
        hubToMosquitto: ratio === null ? null : Number(ratio.toPrecision(3)),
        met: check && typeof row.hub === "number" ? check(row.hub) : check && row.hub !== null ? false : null,
      };
    });
  }

  print(title: string): void {
    const results = this.results();
    const text = (cell: Cell | number | undefined): string => {
      if (cell === null || cell === undefined) return "–";
      if (typeof cell === "string") return cell;
      if (!Number.isFinite(cell)) return "–";
      const abs = Math.abs(cell);
      const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
      return cell.toLocaleString("en-US", { maximumFractionDigits: digits });
    };
    const header = ["scenario", "measure", "unit", "Anxin hub", "bare Aedes", "Mosquitto", "hub÷Mosq.", "goal", "met"];
    const lines = results.map((r) => [
      r.scenario,
      r.measure,
      r.unit,
      text(r.hub),
      text(r.aedes),
      text(r.mosquitto),
      r.hubToMosquitto === null ? "–" : text(r.hubToMosquitto),
      r.goal || "",
      r.met === null ? "" : r.met ? "yes" : "NO",
    ]);
    const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? "").length)));
    const numeric = new Set([3, 4, 5, 6]);
    const format = (cells: string[]) =>
      cells
        .map((cell, i) => (numeric.has(i) ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
        .join("  ")
        .trimEnd();
    console.log(`\n${title}\n`);
    console.log(format(header));
    console.log(widths.map((w) => "-".repeat(w)).join("  "));
    let previous = "";
    for (const [i, line] of lines.entries()) {
      const scenario = results[i]?.scenario ?? "";
      console.log(format(scenario === previous ? ["", ...line.slice(1)] : line));
      previous = scenario;
    }
  }

  writeJson(file: string, meta: Record<string, unknown>): void {
    fs.writeFileSync(file, `${JSON.stringify({ ...meta, rows: this.results() }, null, 2)}\n`);
  }
}
