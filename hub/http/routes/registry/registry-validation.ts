/**
 * The registry API's validator: TypeBox's own compiler, with its errors made
 * readable for an administrator. Each error names one field: a missing field
 * is reported at its own path ("body.name: is required", not "body: must have
 * required properties name"), an unknown field is refused by name, a nullable
 * field's two branches become one message, and patterns are explained in words.
 * Query strings and params are converted (strings → numbers) and get defaults.
 */
import type { FastifySchemaCompiler, FastifySchemaValidationError } from "fastify";
import type { TSchema } from "typebox";
import { Compile } from "typebox/compile";
import { Value } from "typebox/value";
import { FORMAT_MESSAGES, PATTERN_MESSAGES } from "./validation-messages.ts";

interface RawError {
  keyword: string;
  schemaPath: string;
  instancePath: string;
  params: Record<string, unknown>;
  message: string;
}

function problem(instancePath: string, message: string): FastifySchemaValidationError {
  return { keyword: "registry", instancePath, schemaPath: "", params: {}, message };
}

function listParam(params: Record<string, unknown>, name: string): string[] {
  const value = params[name];
  return Array.isArray(value) ? value.map(String) : [];
}

/** One raw error in words; `null` drops it (it only repeats another error). */
function readable(error: RawError): FastifySchemaValidationError[] | null {
  const { keyword, instancePath, params } = error;
  switch (keyword) {
    case "required":
      return listParam(params, "requiredProperties").map((name) => problem(`${instancePath}/${name}`, "is required"));
    case "additionalProperties":
      return listParam(params, "additionalProperties").map((name) =>
        problem(`${instancePath}/${name}`, "is not a known field"),
      );
    case "boolean":
      // TypeBox reports an unknown field twice: as `additionalProperties` and as a failed `false` schema.
      return null;
    case "pattern":
      return [problem(instancePath, PATTERN_MESSAGES[String(params.pattern)] ?? error.message)];
    case "format":
      return [problem(instancePath, FORMAT_MESSAGES[String(params.format)] ?? error.message)];
    case "enum":
      return [problem(instancePath, `must be one of: ${listParam(params, "allowedValues").join(", ")}`)];
    default:
      return [problem(instancePath, error.message)];
  }
}

/**
 * For a union (in practice `T | null`): when a branch failed deeper inside the
 * value, that deeper error is the useful one; otherwise the branches' messages
 * are joined ("must be string or must be null").
 */
function collapseUnions(errors: readonly RawError[]): RawError[] {
  const unions = errors.filter((e) => e.keyword === "anyOf");
  const inBranch = (e: RawError, union: RawError) => e.schemaPath.startsWith(`${union.schemaPath}/anyOf/`);
  const result = errors.filter((e) => e.keyword !== "anyOf" && !unions.some((u) => inBranch(e, u)));
  for (const union of unions) {
    const branches = errors.filter((e) => inBranch(e, union));
    const deeper = branches.filter((e) => e.instancePath.startsWith(`${union.instancePath}/`));
    if (deeper.length > 0) {
      result.push(...deeper);
    } else {
      const messages = [...new Set(branches.map((e) => readable(e)?.[0]?.message ?? e.message))];
      result.push({ ...union, keyword: "union", message: messages.join(" or ") || union.message });
    }
  }
  return result;
}

export function readableErrors(errors: readonly RawError[]): FastifySchemaValidationError[] {
  const seen = new Set<string>();
  const out: FastifySchemaValidationError[] = [];
  for (const error of collapseUnions(errors)) {
    for (const item of readable(error) ?? []) {
      const key = `${item.instancePath}\u0000${item.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(item);
    }
  }
  return out;
}

export const registryValidatorCompiler: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  const validator = Compile(schema);
  return (input: unknown) => {
    // A body is taken as sent; query strings and params arrive as text and may rely on defaults.
    const value = httpPart === "body" ? input : Value.Default(schema, Value.Convert(schema, input));
    if (validator.Check(value)) return { value };
    return { error: readableErrors(validator.Errors(value) as unknown as RawError[]) };
  };
};
