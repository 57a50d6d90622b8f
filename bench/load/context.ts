/** What every scenario of the load bench shares. */
import { randomBytes } from "node:crypto";
import type { DistrictTemplate } from "./district.ts";
import type { LoadOptions } from "./options.ts";
import type { ResultTable } from "./table.ts";
import type { BenchTls } from "./tls-files.ts";
import type { TwilioStandIn } from "./twilio-standin.ts";

export interface BenchContext {
  options: LoadOptions;
  workDir: string;
  template: DistrictTemplate;
  /** The mosquitto binary, or null when it is not installed (its column is skipped). */
  mosquitto: string | null;
  table: ResultTable;
  /** Broken things (lost or duplicated alarms, a part that did not start): `--smoke` fails on these. */
  problems: string[];
  /** Remarks printed under the table (limits that shaped a run, skipped columns). */
  notes: string[];
  /** Details per scenario for the JSON file. */
  details: Record<string, unknown>;
  /** `--tls`: the certificate every target serves and the CA the buttons trust; null: plain MQTT. */
  tls: BenchTls | null;
  /** The Twilio stand-in of `--smoke`'s shared hub (P6 starts its own otherwise). */
  twilio?: TwilioStandIn;
}

/** A short random tag that keeps press ids unique between fleets on one database. */
export function runTag(): string {
  return randomBytes(3).toString("hex");
}

/** Records a broken guarantee or failure (and prints it at once). */
export function problem(ctx: BenchContext, text: string): void {
  ctx.problems.push(text);
  process.stdout.write(`  !! ${text}\n`);
}
