/**
 * `npm run users -- <command>`: staff accounts from a shell, on the hub's own
 * database (PostgreSQL when ANXIN_DATABASE_URL is set, else its SQLite file:
 * cli-database.ts), through the same account service as the console's Users
 * page (same checks, same password policy, same audit rows, as `cli:<os user>`).
 * Safe while the hub runs (one transaction per change; SQLite's WAL and busy
 * timeout); the running hubs close the open consoles of a disabled or reset
 * account within seconds, when they next check their sessions. Exit codes: 0 done, 1 refused, 2 usage or database error.
 */
import fs from "node:fs";
import os from "node:os";
import { parseCommandLine, UsageError } from "../cli-args.ts";
import { DatabaseChoiceError, openCliDatabase } from "../cli-database.ts";
import { isAnxinError } from "../errors.ts";
import { createLogger } from "../log.ts";
import type { SqlDatabase } from "../storage/sql/sql-port.ts";
import { UserRepository } from "../storage/user-repo.ts";
import { type AccountActor, AccountService } from "./account-service.ts";
import type { AccountView } from "./account-view.ts";
import { MIN_PASSWORD_LENGTH } from "./password-policy.ts";

const HELP = `Anxin staff accounts (README: Staff accounts)

  npm run users -- list [--json]
  npm run users -- add <username> --role <role> --name <display name> [options]
  npm run users -- reset-password <username> [--password-stdin]
  npm run users -- disable <username>
  npm run users -- enable <username>

roles: operator, supervisor, admin, worker (a worker account needs --worker <worker code>),
       monitor (watches device traffic over MQTT; only admin and monitor accounts may log in to the broker)

add options:
  --role ROLE              required
  --name NAME              display name, required
  --language zh-CN|en      default zh-CN
  --contact CONTACT        E.164 phone (+8613912345678) or SIP address (sip:name@host)
  --worker CODE            for role worker: the worker record's code, e.g. KL-W001

passwords:
  By default a one-time password is generated and printed once on standard output.
  --password-stdin         read the password from the first line of standard input instead
                           (never as an argument: arguments show in ps and shell history)
  Either way the person must change it at first login. Policy: at least ${MIN_PASSWORD_LENGTH} characters,
  not a common password.

disable, reset-password: end the person's sessions; a running hub closes their open console.
The last enabled administrator cannot be disabled.

common options:
  --data-dir DIR           the hub's data directory (default: $ANXIN_DATA_DIR or ./data)
                           the SQLite file is there; with ANXIN_DATABASE_URL set, the tool works
                           on that PostgreSQL database instead, as the hub does
  -h, --help

exit codes: 0 done, 1 refused (the reason is printed with its code), 2 usage or database error
`;

const OPTIONS = {
  role: { type: "string" },
  name: { type: "string" },
  language: { type: "string" },
  contact: { type: "string" },
  worker: { type: "string" },
  "password-stdin": { type: "boolean" },
  json: { type: "boolean" },
  "data-dir": { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

type Values = ReturnType<typeof parseCommandLine<typeof OPTIONS>>["values"];

function osUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return process.env.USER ?? "unknown";
  }
}

function readPasswordFromStdin(): string {
  const line = fs.readFileSync(0, "utf8").split(/\r?\n/)[0] ?? "";
  if (line === "") throw new UsageError("--password-stdin: standard input held no password");
  return line;
}

function usernameArg(positionals: string[], command: string): string {
  const username = positionals[1];
  if (!username) throw new UsageError(`name the account: npm run users -- ${command} <username>`);
  if (positionals.length > 2) throw new UsageError(`unexpected argument "${positionals[2]}"`);
  return username;
}

function stateOf(account: AccountView): string {
  if (account.disabled) return "disabled";
  return account.mustChangePassword ? "must change password" : "enabled";
}

/** Columns line up on a terminal: CJK characters take two cells. */
function cells(text: string): number {
  let width = 0;
  for (const char of text)
    width += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\uff00-\uff60]/u.test(char) ? 2 : 1;
  return width;
}

function listText(accounts: AccountView[]): string {
  const rows = accounts.map((a) => [
    a.username,
    a.role,
    a.displayName,
    a.language,
    a.contact ?? "-",
    a.worker?.code ?? "-",
    stateOf(a),
  ]);
  const header = ["username", "role", "name", "language", "contact", "worker", "state"];
  const widths = header.map((h, i) => Math.max(cells(h), ...rows.map((r) => cells(r[i] ?? ""))));
  const line = (row: string[]) =>
    row
      .map((cell, i) => cell + " ".repeat((widths[i] ?? 0) - cells(cell)))
      .join("  ")
      .trimEnd();
  return `${[line(header), ...rows.map(line)].join("\n")}\n${accounts.length} accounts\n`;
}

function passwordLines(username: string, generated: string | null): string {
  if (generated === null) return `${username} must change this password at first login.\n`;
  return `one-time password for ${username} (shown once; they must change it at first login):\n${generated}\n`;
}

async function run(command: string, positionals: string[], values: Values, sql: SqlDatabase): Promise<void> {
  const users = new UserRepository(sql);
  const accounts = new AccountService({ sql, users, bus: null });
  const actor: AccountActor = { name: `cli:${osUser()}`, userId: null };
  const password = () => (values["password-stdin"] ? readPasswordFromStdin() : undefined);
  switch (command) {
    case "list": {
      const all = await accounts.list();
      process.stdout.write(values.json ? `${JSON.stringify(all, null, 2)}\n` : listText(all));
      return;
    }
    case "add": {
      const username = usernameArg(positionals, "add");
      if (!values.role) throw new UsageError("--role is required: operator, supervisor, admin, worker or monitor");
      if (!values.name) throw new UsageError("--name is required: the person's display name");
      if (values.role === "worker" && values.worker === undefined) {
        throw new UsageError("a worker account needs --worker <worker code>, e.g. --worker KL-W001");
      }
      let workerId: number | null = null;
      if (values.worker !== undefined) {
        workerId = (await users.workerIdByCode(values.worker)) ?? null;
        if (workerId === null) throw new UsageError(`no worker with code ${values.worker}`);
      }
      const created = await accounts.create(
        actor,
        {
          username,
          displayName: values.name,
          role: values.role,
          language: values.language,
          contact: values.contact,
          workerId,
        },
        { password: password() },
      );
      process.stderr.write(`created ${created.account.role} account ${username}\n`);
      process.stdout.write(passwordLines(username, created.generatedPassword));
      return;
    }
    case "reset-password": {
      const username = usernameArg(positionals, "reset-password");
      const reset = await accounts.resetPassword(actor, await accounts.idOf(username), { password: password() });
      process.stderr.write(`password of ${username} reset; their sessions are ended\n`);
      process.stdout.write(passwordLines(username, reset.generatedPassword));
      return;
    }
    case "disable":
    case "enable": {
      const username = usernameArg(positionals, command);
      const id = await accounts.idOf(username);
      const account = command === "disable" ? await accounts.disable(actor, id) : await accounts.enable(actor, id);
      process.stdout.write(`${username}: ${stateOf(account)}\n`);
      return;
    }
    default:
      throw new UsageError(`unknown command "${command}": list, add, reset-password, disable or enable`);
  }
}

async function main(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandLine(args, OPTIONS);
  const command = positionals[0];
  if (values.help || command === undefined) {
    process.stdout.write(HELP);
    return values.help ? 0 : 2;
  }
  const known = ["list", "add", "reset-password", "disable", "enable"];
  if (!known.includes(command)) {
    throw new UsageError(`unknown command "${command}": ${known.join(", ")}`);
  }
  // Never creates the database: accounts made before the first start would stop the first administrator being made.
  const db = await openCliDatabase({
    dataDir: values["data-dir"] ?? (process.env.ANXIN_DATA_DIR || "data"),
    databaseUrl: process.env.ANXIN_DATABASE_URL || null,
    mayCreate: false,
    missingHint:
      "start the hub once first, or point --data-dir or ANXIN_DATA_DIR at its data directory (ANXIN_DATABASE_URL at its PostgreSQL)",
    logger: createLogger("error", process.stderr),
  });
  try {
    await run(command, positionals, values, db.sql);
    return 0;
  } finally {
    await db.sql.close();
  }
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof UsageError || error instanceof DatabaseChoiceError) {
    process.stderr.write(`${message}\n\nnpm run users -- --help for the commands\n`);
    process.exitCode = 2;
  } else if (isAnxinError(error)) {
    process.stderr.write(`${error.code}: ${message}\nNothing was changed.\n`);
    process.exitCode = 1;
  } else {
    process.stderr.write(`failed, and nothing was changed: ${message}\n`);
    process.exitCode = 2;
  }
}
