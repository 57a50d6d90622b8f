/** The simulator CLI's command line: parsing, and the checked readers its commands share. */
import { parseArgs } from "node:util";
import { ALARM_KINDS, type AlarmKind } from "../protocol/index.ts";

/** A failure the user can act on: printed without a stack trace. */
export class CliError extends Error {}

export type CommandLineValues = ReturnType<typeof parseCommandLine>["values"];

export function parseCommandLine(args: string[]) {
  const text = { type: "string" } as const;
  return parseArgs({
    args,
    allowPositionals: true,
    options: {
      help: { type: "boolean", short: "h" },
      kind: text,
      url: text,
      secret: text,
      wait: text,
      count: text,
      rate: text,
      duration: text,
      "data-dir": text,
      http: text,
      from: text,
      answer: { type: "boolean" },
      ca: text,
      cert: text,
      key: text,
    },
  });
}

export function alarmKind(values: CommandLineValues, fallback: AlarmKind): AlarmKind {
  const kind = values.kind ?? fallback;
  const known = ALARM_KINDS.find((k) => k === kind);
  if (!known) throw new CliError(`--kind must be one of ${ALARM_KINDS.join(", ")} (got ${JSON.stringify(kind)})`);
  return known;
}

export function positive(
  values: CommandLineValues,
  name: "wait" | "count" | "rate" | "duration",
  fallback: number,
): number {
  const text = values[name];
  const value = text === undefined ? fallback : Number(text);
  if (!(value > 0)) throw new CliError(`--${name} must be a positive number (got ${JSON.stringify(text)})`);
  return value;
}
