/**
 * A strict reader of Prometheus' text exposition format (version 0.0.4, what `GET /metrics` answers), for
 * the tests. The npm parser at hand (parse-prometheus-text-format) drops every histogram series that has
 * labels, which are most of ours, so the tests read with this one, written from the format's
 * specification, and CI also runs Prometheus' own reader over a live hub's answer (`promtool check
 * metrics`, .ci/smoke-start.sh).
 *
 * It throws on what Prometheus would refuse or misread: a malformed line, a name or label name outside
 * the format's alphabet, a family's TYPE or HELP given twice or TYPE after its samples, a family whose
 * samples are not together, a series given twice, a sample that does not belong to its declared type
 * (a histogram's `_bucket` without `le`), and a histogram whose buckets are not cumulative or whose
 * `+Inf` bucket is not its count.
 */

export type MetricType = "counter" | "gauge" | "histogram" | "summary" | "untyped";

export interface Sample {
  /** The sample's own name (`x_bucket`, `x_sum`, `x_count` for a histogram `x`). */
  name: string;
  labels: Readonly<Record<string, string>>;
  value: number;
}

export interface Family {
  name: string;
  type: MetricType;
  help: string;
  samples: Sample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES: readonly MetricType[] = ["counter", "gauge", "histogram", "summary", "untyped"];

export function parsePrometheusText(text: string): Family[] {
  const families = new Map<string, Family>();
  const closed = new Set<string>();
  const series = new Set<string>();
  let current: Family | null = null;
  const lines = text.split("\n");
  lines.forEach((raw, index) => {
    const fail = (why: string): never => {
      throw new Error(`line ${index + 1}: ${why}: ${JSON.stringify(raw)}`);
    };
    const line = raw.trim();
    if (line === "") return;
    // Switching to another family closes the current one: its samples must all be together.
    const enter = (name: string): Family => {
      if (current?.name === name) return current;
      if (current) closed.add(current.name);
      if (closed.has(name)) fail(`${name} appears again after other families`);
      const family = families.get(name) ?? { name, type: "untyped" as MetricType, help: "", samples: [] };
      families.set(name, family);
      current = family;
      return family;
    };
    const meta = /^#\s+(HELP|TYPE)\s+(\S+)(?:\s+(.*))?$/.exec(line);
    if (meta) {
      const [, keyword, name = "", rest = ""] = meta;
      if (!METRIC_NAME.test(name)) fail("bad metric name");
      const family = enter(name);
      if (keyword === "TYPE") {
        if (!TYPES.includes(rest as MetricType)) fail("unknown type");
        if (family.samples.length > 0 || family.type !== "untyped") fail("TYPE after samples, or twice");
        family.type = rest as MetricType;
      } else {
        if (family.help !== "") fail("HELP twice");
        family.help = rest;
      }
      return;
    }
    if (line.startsWith("#")) return;
    const sample = readSample(line, fail);
    const family = enter(familyOf(sample.name, current, families));
    const suffix = sample.name.slice(family.name.length);
    const allowed: Record<MetricType, readonly string[]> = {
      counter: [""],
      gauge: [""],
      untyped: [""],
      histogram: ["_bucket", "_sum", "_count"],
      summary: ["", "_sum", "_count"],
    };
    if (!allowed[family.type].includes(suffix)) fail(`${sample.name} is not a sample of ${family.type} ${family.name}`);
    if (suffix === "_bucket" && sample.labels.le === undefined) fail("bucket without le");
    const key = `${sample.name}${JSON.stringify(Object.entries(sample.labels).sort())}`;
    if (series.has(key)) fail("series given twice");
    series.add(key);
    family.samples.push(sample);
  });
  for (const family of families.values()) if (family.type === "histogram") checkHistogram(family);
  return [...families.values()];
}

/** The family a sample line belongs to: the current one when its name is the family's (with a suffix), else its own. */
function familyOf(name: string, current: Family | null, families: Map<string, Family>): string {
  for (const suffix of ["_bucket", "_sum", "_count"]) {
    const base = name.endsWith(suffix) ? name.slice(0, -suffix.length) : null;
    const family = base === null ? undefined : base === current?.name ? current : families.get(base);
    if (family && (family.type === "histogram" || family.type === "summary")) return family.name;
  }
  return name;
}

function readSample(line: string, fail: (why: string) => never): Sample {
  const head = /^([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(line);
  if (!head?.[1]) return fail("bad sample name");
  const name = head[1];
  let at = name.length;
  const labels: Record<string, string> = {};
  if (line[at] === "{") {
    at += 1;
    for (;;) {
      while (line[at] === " ") at += 1;
      if (line[at] === "}") break;
      const label = /^([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"/.exec(line.slice(at));
      if (!label?.[1] || !LABEL_NAME.test(label[1])) return fail("bad label");
      at += label[0].length;
      let value = "";
      for (;;) {
        const char = line[at];
        if (char === undefined) return fail("unterminated label value");
        at += 1;
        if (char === '"') break;
        if (char === "\\") {
          const escaped = line[at];
          at += 1;
          if (escaped === "n") value += "\n";
          else if (escaped === "\\" || escaped === '"') value += escaped;
          else return fail("bad escape in a label value");
        } else value += char;
      }
      if (labels[label[1]] !== undefined) return fail("label given twice");
      labels[label[1]] = value;
      while (line[at] === " ") at += 1;
      if (line[at] === ",") at += 1;
      else if (line[at] !== "}") return fail("expected , or }");
    }
    at += 1;
  }
  const rest = line.slice(at).trim().split(/\s+/);
  if (rest.length < 1 || rest.length > 2 || rest[0] === "") return fail("expected a value and at most a timestamp");
  return { name, labels, value: readNumber(rest[0] ?? "", fail) };
}

/** A value as Prometheus reads it (Go's ParseFloat): a float, or Inf and NaN in any case (prom-client writes `Nan`). */
function readNumber(text: string, fail: (why: string) => never): number {
  const word = text.toLowerCase();
  if (word === "+inf" || word === "inf") return Number.POSITIVE_INFINITY;
  if (word === "-inf") return Number.NEGATIVE_INFINITY;
  if (word === "nan") return Number.NaN;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) return fail("bad value");
  return Number(text);
}

/** Each series of a histogram: buckets cumulative in `le` order, `+Inf` present and equal to `_count`. */
function checkHistogram(family: Family): void {
  const bySeries = new Map<string, { buckets: [number, number][]; count?: number; sum?: number }>();
  for (const sample of family.samples) {
    const { le, ...rest } = sample.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    const entry = bySeries.get(key) ?? { buckets: [] };
    bySeries.set(key, entry);
    if (sample.name.endsWith("_bucket")) entry.buckets.push([Number(le === "+Inf" ? Infinity : le), sample.value]);
    else if (sample.name.endsWith("_count")) entry.count = sample.value;
    else entry.sum = sample.value;
  }
  for (const [key, entry] of bySeries) {
    const sorted = [...entry.buckets].sort((a, b) => a[0] - b[0]);
    sorted.forEach(([, n], i) => {
      if (i > 0 && n < (sorted[i - 1]?.[1] ?? 0)) throw new Error(`${family.name}${key}: buckets not cumulative`);
    });
    const inf = sorted.at(-1);
    if (!inf || inf[0] !== Infinity || inf[1] !== entry.count || entry.sum === undefined)
      throw new Error(`${family.name}${key}: no +Inf bucket equal to its count, or no sum`);
  }
}
