/**
 * The contract's lists of event types and reason codes (protocol/console/events.ts,
 * device-events.ts, reasons.ts) against what they list and what the hub writes:
 * - each list names exactly the members of its map (the compile-time checks
 *   beside the lists are the guard; this says it where a test can be read);
 * - every `appendEvent` call in hub/ passes a literal type or a union of
 *   literals (never a string), each of them in its list, and every listed type
 *   is written by some call: the list is what the hub writes, no more;
 * - `reasonOf` reads a stored reason, and anything else as the hub's own words.
 */
import fs from "node:fs";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import {
  ALARM_EVENT_TYPES,
  DEVICE_EVENT_TYPES,
  RANKING_REASON_CODES,
  REASON_CODES,
  reasonOf,
  storedReason,
} from "../protocol/console/index.ts";
import { repoRoot } from "./support/run-cli.ts";

/** The property names of an interface or object type alias declared in a contract file. */
function membersOf(file: string, name: string): string[] {
  const source = ts.createSourceFile(file, fs.readFileSync(path.join(repoRoot, file), "utf8"), ts.ScriptTarget.Latest);
  for (const statement of source.statements) {
    const members =
      ts.isInterfaceDeclaration(statement) && statement.name.text === name
        ? statement.members
        : ts.isTypeAliasDeclaration(statement) && statement.name.text === name && ts.isTypeLiteralNode(statement.type)
          ? statement.type.members
          : undefined;
    if (members) return members.flatMap((m) => (m.name && ts.isIdentifier(m.name) ? [m.name.text] : []));
  }
  throw new Error(`${name} is not declared in ${file}`);
}

interface AppendCall {
  where: string;
  /** alarm-repo.ts or fault-repo.ts: the writer the call reaches; another file: a typed forwarder. */
  writer: "alarm" | "device" | "forwarder";
  /** The event types the call's type argument can be; null when it is not literals (a string). */
  types: string[] | null;
}

/** Every `….appendEvent(…)` call in hub/, with the types its second argument can be. */
function appendCalls(): AppendCall[] {
  const config = ts.getParsedCommandLineOfConfigFile(
    path.join(repoRoot, "tsconfig.json"),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, "\n"));
      },
    },
  );
  if (!config) throw new Error("tsconfig.json could not be read");
  const hubFiles = config.fileNames.filter((f) => path.relative(repoRoot, f).startsWith(`hub${path.sep}`));
  const program = ts.createProgram({ rootNames: hubFiles, options: config.options });
  const checker = program.getTypeChecker();
  const literals = (type: ts.Type): string[] | null => {
    const resolved = type.isTypeParameter() ? checker.getBaseConstraintOfType(type) : type;
    if (!resolved) return null;
    const parts = resolved.isUnion() ? resolved.types : [resolved];
    return parts.every((p) => p.isStringLiteral()) ? parts.map((p) => (p as ts.StringLiteralType).value) : null;
  };
  const calls: AppendCall[] = [];
  for (const file of program.getSourceFiles()) {
    const rel = path.relative(repoRoot, file.fileName).split(path.sep).join("/");
    if (!rel.startsWith("hub/")) continue;
    const visit = (node: ts.Node) => {
      if (
        ts.isCallExpression(node) &&
        ts.isPropertyAccessExpression(node.expression) &&
        node.expression.name.text === "appendEvent"
      ) {
        const declared = checker.getResolvedSignature(node)?.declaration?.getSourceFile().fileName ?? "";
        const writer = declared.endsWith("storage/alarm-repo.ts")
          ? "alarm"
          : declared.endsWith("supervision/fault-repo.ts")
            ? "device"
            : "forwarder";
        const type = node.arguments[1];
        const { line } = file.getLineAndCharacterOfPosition(node.getStart());
        calls.push({
          where: `${rel}:${line + 1}`,
          writer,
          types: type ? literals(checker.getTypeAtLocation(type)) : null,
        });
      }
      ts.forEachChild(node, visit);
    };
    visit(file);
  }
  return calls;
}

describe("the console contract's event types and reason codes", () => {
  it("lists exactly the members of each map, once each", () => {
    const same = (list: readonly string[], members: string[]) => {
      expect(new Set(list).size).toBe(list.length);
      expect([...list].sort()).toEqual([...members].sort());
    };
    same(ALARM_EVENT_TYPES, membersOf("protocol/console/events.ts", "AlarmEventDetails"));
    same(DEVICE_EVENT_TYPES, membersOf("protocol/console/device-events.ts", "DeviceEventDetails"));
    same(REASON_CODES, membersOf("protocol/console/reasons.ts", "ReasonParams"));
    for (const code of RANKING_REASON_CODES) expect(REASON_CODES).toContain(code);
  });

  describe("the hub's appendEvent calls", () => {
    const calls = appendCalls();
    const written = (writer: AppendCall["writer"]) =>
      new Set(calls.filter((c) => c.writer === writer).flatMap((c) => c.types ?? []));

    it("pass a literal type or a union of literals, never a string", () => {
      expect(calls.length).toBeGreaterThan(60);
      expect(calls.filter((c) => c.types === null).map((c) => c.where)).toEqual([]);
    });

    it("write only listed types, and every listed type is written somewhere", () => {
      const alarm: readonly string[] = ALARM_EVENT_TYPES;
      const device: readonly string[] = DEVICE_EVENT_TYPES;
      expect([...written("forwarder")].filter((t) => !alarm.includes(t))).toEqual([]);
      expect([...written("alarm")].sort()).toEqual([...alarm].sort());
      expect([...written("device")].sort()).toEqual([...device].sort());
    });
  });

  describe("reasonOf", () => {
    it("reads a stored reason back as it was", () => {
      const reason = { code: "worker_became_busy", params: { busyAlarmId: 12 } } as const;
      expect(reasonOf(storedReason(reason))).toEqual(reason);
      expect(reasonOf(reason)).toEqual(reason);
      expect(reasonOf(null)).toBeNull();
      expect(reasonOf(undefined)).toBeNull();
    });

    it("reads an older hub's sentence, and anything it cannot read as a known code, as the hub's words", () => {
      expect(reasonOf("household has no map position")).toEqual({
        code: "text",
        params: { text: "household has no map position" },
      });
      const unknown = JSON.stringify({ code: "from_a_later_hub", params: {} });
      expect(reasonOf(unknown)).toEqual({ code: "text", params: { text: unknown } });
      const nested = JSON.stringify({ code: "no_relatives", params: { deep: { a: 1 } } });
      expect(reasonOf(nested)).toEqual({ code: "text", params: { text: nested } });
      expect(reasonOf("{not json")).toEqual({ code: "text", params: { text: "{not json" } });
    });

    it("reads a known code outside the ones expected there as text too", () => {
      const ranking = storedReason({ code: "no_route", params: { distanceM: 900 } });
      expect(reasonOf(ranking, RANKING_REASON_CODES)).toEqual({ code: "no_route", params: { distanceM: 900 } });
      const clinic = storedReason({ code: "clinic_none", params: { sos: 1, night: 0 } });
      expect(reasonOf(clinic, RANKING_REASON_CODES)).toEqual({ code: "text", params: { text: clinic } });
    });
  });
});
