/**
 * The command-line tools' argument parsing (`npm run backup`, `restore`, `registry`, `users`): Node's
 * `parseArgs`, strict, with its complaint turned into a UsageError, which each tool prints with its help
 * and exit code 2.
 */
import { type ParseArgsConfig, parseArgs } from "node:util";

type Options = NonNullable<ParseArgsConfig["options"]>;

/** A command line the tool cannot run: printed with the usage, exit code 2. */
export class UsageError extends Error {}

export function parseCommandLine<T extends Options>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}
