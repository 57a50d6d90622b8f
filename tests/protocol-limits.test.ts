/**
 * The protocol's own bounds (issue 11, part 2), checked on the shared decoder
 * every side uses: the hub for device messages, the simulator and the gateway
 * for hub messages. The hub end to end is in bounded-input.e2e.test.ts.
 */
import { describe, expect, it } from "vitest";
import { findDuplicateKey } from "../protocol/duplicate-keys.ts";
import {
  AckMessage,
  AlarmMessage,
  CommandMessage,
  decodeMessage,
  ErrorMessage,
  EXCERPT_LENGTH,
  FeedbackMessage,
  HeartbeatMessage,
  LIMITS,
  StatusMessage,
  type TopicKind,
} from "../protocol/index.ts";

const SCHEMAS = {
  alarm: AlarmMessage,
  heartbeat: HeartbeatMessage,
  status: StatusMessage,
  ack: AckMessage,
  feedback: FeedbackMessage,
  error: ErrorMessage,
  command: CommandMessage,
} satisfies Record<TopicKind, unknown>;

interface JsonSchema {
  type?: string;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  properties?: Record<string, JsonSchema>;
}

/** Every leaf of a schema with its path: strings need a maximum length, numbers a range. */
function unbounded(schema: JsonSchema, path: string): string[] {
  if (schema.anyOf) return schema.anyOf.flatMap((s) => unbounded(s, path));
  if (schema.properties) return Object.entries(schema.properties).flatMap(([k, s]) => unbounded(s, `${path}/${k}`));
  if (schema.enum || schema.const !== undefined || schema.type === "null" || schema.type === "boolean") return [];
  if (schema.type === "string") return schema.maxLength === undefined ? [`${path}: string without maxLength`] : [];
  if (schema.type === "integer" || schema.type === "number") {
    return schema.minimum === undefined || schema.maximum === undefined ? [`${path}: number without a range`] : [];
  }
  return [`${path}: unexpected schema ${JSON.stringify(schema)}`];
}

const now = "2026-11-23T08:00:00Z";
const alarm = (fields: Record<string, unknown> = {}) =>
  JSON.stringify({ pressId: "press-0001", kind: "sos", deviceTime: now, seq: 1, battery: 90, ...fields });

describe("protocol limits", () => {
  it("gives every string of every message a maximum length and every number a range", () => {
    const problems = Object.entries(SCHEMAS).flatMap(([kind, schema]) => unbounded(schema as JsonSchema, kind));
    expect(problems).toEqual([]);
  });

  it("accepts each bound itself and refuses one past it", () => {
    const longest = `2026-11-23T08:00:00.${"1".repeat(LIMITS.dateTimeLength - 21)}Z`;
    expect(longest).toHaveLength(LIMITS.dateTimeLength);
    expect(decodeMessage("alarm", alarm({ deviceTime: longest })).ok).toBe(true);
    expect(decodeMessage("alarm", alarm({ deviceTime: longest.replace("Z", "1Z") })).ok).toBe(false);
    expect(decodeMessage("alarm", alarm({ seq: LIMITS.counterMax, attempt: LIMITS.counterMax })).ok).toBe(true);
    for (const fields of [{ seq: LIMITS.counterMax + 1 }, { seq: 1e300 }, { attempt: LIMITS.counterMax + 1 }]) {
      expect(decodeMessage("alarm", alarm(fields))).toMatchObject({ ok: false, code: "SCHEMA_VIOLATION" });
    }
    const heartbeat = (firmware: string) => JSON.stringify({ deviceTime: now, battery: 50, firmware });
    expect(decodeMessage("heartbeat", heartbeat("x".repeat(LIMITS.firmwareLength))).ok).toBe(true);
    expect(decodeMessage("heartbeat", heartbeat("x".repeat(LIMITS.firmwareLength + 1))).ok).toBe(false);
    expect(decodeMessage("heartbeat", heartbeat("kl-btn/2.3.1\u001b[31m")).ok).toBe(false);
    const feedback = (alarmId: number) => JSON.stringify({ state: "received", alarmId, at: now });
    expect(decodeMessage("feedback", feedback(LIMITS.alarmIdMax)).ok).toBe(true);
    expect(decodeMessage("feedback", feedback(1e300)).ok).toBe(false);
  });

  it("refuses a payload over LIMITS.payloadBytes without parsing it, and text that is not UTF-8", () => {
    const big = Buffer.from(alarm({ pad: "x".repeat(LIMITS.payloadBytes) }));
    const refused = decodeMessage("alarm", big);
    expect(refused).toMatchObject({ ok: false, code: "PAYLOAD_TOO_LARGE", bytes: big.byteLength });
    expect(decodeMessage("alarm", Buffer.from([0x7b, 0xff, 0xfe, 0x7d]))).toMatchObject({
      ok: false,
      code: "MALFORMED_JSON",
      message: "payload is not UTF-8",
    });
  });

  it("bounds what a refusal says: the reason, the excerpt, the size", () => {
    const hugeKey = "K".repeat(3000);
    const refusals = [
      decodeMessage("alarm", `{${JSON.stringify(hugeKey)}:1,${alarm().slice(1)}`),
      decodeMessage("alarm", `{"a":"${"\u0007".repeat(3000)}`),
      decodeMessage(
        "alarm",
        `{${JSON.stringify(hugeKey.slice(0, 1800))}:1,${JSON.stringify(hugeKey.slice(0, 1800))}:2}`,
      ),
    ];
    for (const refusal of refusals) {
      if (refusal.ok) throw new Error("expected a refusal");
      expect(refusal.message.length).toBeLessThanOrEqual(LIMITS.errorMessageLength);
      expect(refusal.excerpt.length).toBeLessThanOrEqual(EXCERPT_LENGTH);
      // biome-ignore lint/suspicious/noControlCharactersInRegex: proving none is left.
      expect(refusal.excerpt).not.toMatch(/[\u0000-\u001f]/);
      expect(refusal.bytes).toBeGreaterThan(3000);
    }
    expect(refusals.map((r) => (r.ok ? "ok" : r.code))).toEqual([
      "SCHEMA_VIOLATION",
      "MALFORMED_JSON",
      "DUPLICATE_KEY",
    ]);
  });
});

describe("duplicate JSON keys", () => {
  it("refuses a key given twice, however it is spelled, so a test never becomes an SOS", () => {
    const refused = decodeMessage(
      "alarm",
      `{"kind":"test",${alarm().slice(1, -1).replace('"kind":"sos",', "")},"kind":"sos"}`,
    );
    expect(refused).toMatchObject({ ok: false, code: "DUPLICATE_KEY", message: 'duplicate key "kind"' });
    expect(findDuplicateKey(`{"kind":1,"\\u006bind":2}`)).toBe("kind");
    expect(findDuplicateKey(`{"k\\"":1,"k\\u0022":2}`)).toBe('k"');
  });

  it.each([
    ["flat", `{"a":1,"b":2,"a":3}`, "a"],
    ["nested object", `{"x":{"a":1,"a":2}}`, "a"],
    ["object in an array", `[{"a":1},{"a":1,"b":[1,{"c":1,"c":2}]}]`, "c"],
    ["after a nested object", `{"a":{"b":1},"b":2,"a":3}`, "a"],
    ["keys that look like values", `{"a":"b","b":"a","a":"{"}`, "a"],
  ])("finds the duplicate: %s", (_name, text, key) => {
    JSON.parse(text); // the scanner is only ever given text JSON.parse accepted
    expect(findDuplicateKey(text)).toBe(key);
  });

  it.each([
    ["same key in sibling objects", `{"a":{"x":1},"b":{"x":1}}`],
    ["same key at two depths", `{"a":{"a":{"a":1}}}`],
    ["strings with braces, commas and escaped quotes", `{"a":"},{\\"a\\":1","b":["a","a"],"c":"\\\\"}`],
    ["keys differing only in case", `{"Kind":1,"kind":2}`],
    ["empty containers", `{"a":{},"b":[],"c":[{}],"d":""}`],
    ["scalars and arrays", `[1,"a","a",true,null]`],
    ["deep nesting", `${"[".repeat(5000)}{"a":1}${"]".repeat(5000)}`],
  ])("accepts: %s", (_name, text) => {
    JSON.parse(text);
    expect(findDuplicateKey(text)).toBeNull();
  });
});
