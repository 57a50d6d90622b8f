/**
 * The console and the worker page are typechecked against the hub↔console
 * contract (tsconfig.dashboard.json, JSDoc types; `npm run typecheck` runs it):
 * - a field renamed in the contract fails the typecheck in the dashboard file that reads it;
 * - no value in a checked file is of type `any` (JSON.parse, an untyped parameter, a bare
 *   `@type {any}`): `strict` alone lets those through;
 * - every file is checked (`checkJs`), and none opts out: each starts with `// @ts-check` (so an
 *   editor or a tool that opens one file without the project's config checks it too), and none
 *   silences the checker (`@ts-nocheck`, `@ts-ignore`, `@ts-expect-error`).
 */
import fs from "node:fs";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { repoRoot } from "./support/run-cli.ts";

function dashboardFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(path.join(repoRoot, dir), { withFileTypes: true })) {
      const rel = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(rel);
      else if (entry.name.endsWith(".js")) out.push(rel);
    }
  };
  walk("dashboard");
  return out.sort();
}

/** The dashboard's program, with `replace` standing in for the text of some files. */
function dashboardProgram(replace: ReadonlyMap<string, string> = new Map()): ts.Program {
  const configPath = path.join(repoRoot, "tsconfig.dashboard.json");
  const config = ts.getParsedCommandLineOfConfigFile(
    configPath,
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, "\n"));
      },
    },
  );
  if (!config) throw new Error("tsconfig.dashboard.json could not be read");
  const host = ts.createCompilerHost(config.options);
  const readFile = host.readFile.bind(host);
  host.readFile = (file) => {
    const rel = path.relative(repoRoot, file).split(path.sep).join("/");
    return replace.get(rel) ?? readFile(file);
  };
  return ts.createProgram({ rootNames: config.fileNames, options: config.options, host });
}

function errorsOf(program: ts.Program): string[] {
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file ? path.relative(repoRoot, d.file.fileName).split(path.sep).join("/") : "";
    return `${where}: ${ts.flattenDiagnosticMessageText(d.messageText, " ")}`;
  });
}

/** Every expression or declared name in `file` whose type is `any`, as `file:line text`. */
function anysIn(program: ts.Program, file: ts.SourceFile): string[] {
  const checker = program.getTypeChecker();
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isIdentifier(node) || ts.isCallExpression(node) || ts.isPropertyAccessExpression(node)) {
      const type = checker.getTypeAtLocation(node);
      if (type.flags & ts.TypeFlags.Any) {
        const { line } = file.getLineAndCharacterOfPosition(node.getStart());
        found.push(`${path.relative(repoRoot, file.fileName)}:${line + 1} ${node.getText().slice(0, 60)}`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

// Each program is a full typecheck of the dashboard and the contract: seconds alone, far more on a busy machine.
const TYPECHECK_MS = 180_000;

describe("dashboard typecheck", { timeout: TYPECHECK_MS }, () => {
  const program = dashboardProgram();

  it("passes: the console and the worker page agree with the contract", () => {
    expect(errorsOf(program)).toEqual([]);
  });

  it("fails when a field the console reads is renamed in the contract", () => {
    const contract = "protocol/console/alarms.ts";
    const text = fs.readFileSync(path.join(repoRoot, contract), "utf8");
    const summary = text.indexOf("export const AlarmSummarySchema = Type.Object({\n  id: Type.Integer(),");
    expect(summary).toBeGreaterThan(0);
    const renamed = `${text.slice(0, summary)}${text.slice(summary).replace("  id: Type.Integer(),", "  alarmId: Type.Integer(),")}`;
    const errors = errorsOf(dashboardProgram(new Map([[contract, renamed]])));
    expect(errors.some((e) => e.startsWith("dashboard/") && e.includes("'id'"))).toBe(true);
  });

  it("fails when the contract's status lists change and the console's copy of them does not", () => {
    // The queue keeps its own copy (dashboard/queue-order.js: no runtime import of protocol/).
    const contract = "protocol/console/statuses.ts";
    const text = fs.readFileSync(path.join(repoRoot, contract), "utf8");
    const variants = {
      reordered: text.replace("  offered: 1,\n  accepted: 2,", "  offered: 2,\n  accepted: 1,"),
      closedMore: text
        .replace('"on_scene",\n  "resolved"', '"on_scene",\n  "closed_by_phone",\n  "resolved"')
        .replace('"cancelled"] as const', '"cancelled", "closed_by_phone"] as const'),
    };
    for (const [name, changed] of Object.entries(variants)) {
      expect(changed, name).not.toBe(text);
      const errors = errorsOf(dashboardProgram(new Map([[contract, changed]])));
      // The changed contract is sound in itself; the console's copy is what fails.
      expect(
        errors.filter((e) => e.startsWith("protocol/")),
        name,
      ).toEqual([]);
      expect(
        errors.some((e) => e.startsWith("dashboard/queue-order.js")),
        name,
      ).toBe(true);
    }
  });

  it("has no value of type any in a dashboard file", () => {
    const checked = program.getSourceFiles().filter((f) => f.fileName.includes("/dashboard/"));
    expect(checked.length).toBe(dashboardFiles().length);
    expect(checked.flatMap((f) => anysIn(program, f))).toEqual([]);
  });

  it("names the contract in types only: no module outside dashboard/ is imported at run time", () => {
    // The hub serves dashboard/ alone; a runtime import of protocol/ would 404 in the browser.
    const runtime = /^\s*import\b[^;]*?from\s*["']([^"']+)["']/gm;
    const outside = dashboardFiles().flatMap((file) => {
      const source = fs.readFileSync(path.join(repoRoot, file), "utf8");
      return [...source.matchAll(runtime)]
        .map((m) => path.posix.normalize(path.posix.join(path.posix.dirname(file), m[1] ?? "")))
        .filter((target) => !target.startsWith("dashboard/"))
        .map((target) => `${file} imports ${target}`);
    });
    expect(outside).toEqual([]);
  });

  it("checks every dashboard file, and none silences the checker", () => {
    expect(program.getCompilerOptions().checkJs).toBe(true);
    const problems = dashboardFiles().flatMap((file) => {
      const source = fs.readFileSync(path.join(repoRoot, file), "utf8");
      const found = source.startsWith("// @ts-check") ? [] : [`${file}: does not start with // @ts-check`];
      for (const directive of source.match(/@ts-(nocheck|ignore|expect-error)\b/g) ?? [])
        found.push(`${file}: ${directive}`);
      return found;
    });
    expect(problems).toEqual([]);
  });
});
