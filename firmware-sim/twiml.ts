/**
 * The hub's TwiML, parsed (fast-xml-parser) into a small tree: the call simulator
 * (firmware-sim/voice-call.ts) plays it as Twilio would, and tests assert
 * documents by their verbs and attributes as Twilio reads them, not by regex.
 */
import { XMLParser, XMLValidator } from "fast-xml-parser";

export interface TwimlNode {
  name: string;
  attrs: Record<string, string>;
  /** The node's own text (a `<Say>`'s words, a `<Number>`'s number). */
  text: string;
  children: TwimlNode[];
}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: "",
  parseAttributeValue: false,
  parseTagValue: false,
  trimValues: true,
});

type Parsed = Record<string, unknown> & { ":@"?: Record<string, string> };

function toNode(entry: Parsed): TwimlNode | null {
  const name = Object.keys(entry).find((key) => key !== ":@");
  if (name === undefined || name === "#text" || name === "?xml") return null;
  const content = (entry[name] ?? []) as Parsed[];
  const text = content
    .filter((c) => "#text" in c)
    .map((c) => String(c["#text"]))
    .join("");
  const children = content.map(toNode).filter((n): n is TwimlNode => n !== null);
  return { name, attrs: { ...(entry[":@"] ?? {}) }, text, children };
}

/** The `<Response>` of a TwiML document; throws on anything that is not one. */
export function parseTwiml(xml: string): TwimlNode {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new Error(`not well-formed XML: ${valid.err.msg}\n${xml}`);
  const nodes = (parser.parse(xml) as Parsed[]).map(toNode).filter((n): n is TwimlNode => n !== null);
  const response = nodes[0];
  if (nodes.length !== 1 || response?.name !== "Response") throw new Error(`not a TwiML Response:\n${xml}`);
  return response;
}

/** The verbs of a Response (or the nouns of a Dial), by name, in order. */
export function verbs(node: TwimlNode): string[] {
  return node.children.map((child) => child.name);
}

/** The first descendant named `name`; throws when there is none. */
export function find(node: TwimlNode, name: string): TwimlNode {
  const found = findAll(node, name)[0];
  if (!found) throw new Error(`no <${name}> in <${node.name}>`);
  return found;
}

export function findAll(node: TwimlNode, name: string): TwimlNode[] {
  return node.children.flatMap((child) => [...(child.name === name ? [child] : []), ...findAll(child, name)]);
}

/** Every word the document says, in order. */
export function spoken(node: TwimlNode): string {
  return findAll(node, "Say")
    .map((say) => say.text)
    .join(" ");
}
