/**
 * Scraping a hub's `GET /metrics` in a test, as Prometheus would, and reading the answer with a strict
 * reader of the text format (prometheus-text.ts): a malformed exposition fails the test. A figure asked
 * for that the hub does not report fails the test too, rather than reading as 0.
 */
import { type Family, parsePrometheusText, type Sample } from "./prometheus-text.ts";

export type Labels = Readonly<Record<string, string>>;

export interface Scrape {
  /** The raw text, for a failing test's message. */
  text: string;
  families: Family[];
  /** The value of the series `name` whose labels are exactly `labels`. */
  value(name: string, labels?: Labels): number;
  /** The sum of the values of every series `name` whose labels include `labels` (0 when none does). */
  sum(name: string, labels?: Labels): number;
  /** A histogram's count and sum for the series whose labels (besides `le`) are exactly `labels`. */
  histogram(name: string, labels?: Labels): { count: number; sum: number };
  /** Every name a PromQL expression may use for what was exposed: sample names (a histogram's `_bucket`…). */
  seriesNames(): Set<string>;
}

export function parseScrape(text: string): Scrape {
  const families = parsePrometheusText(text);
  const samples = (name: string): Sample[] => {
    const found = families.flatMap((f) => f.samples).filter((s) => s.name === name);
    if (found.length === 0) throw new Error(`the scrape has no ${name}`);
    return found;
  };
  const exactly = (name: string, labels: Labels): number => {
    const sample = samples(name).find((s) => sameLabels(s.labels, labels));
    if (!sample) throw new Error(`the scrape has no ${name}${JSON.stringify(labels)}`);
    return sample.value;
  };
  return {
    text,
    families,
    value: (name, labels = {}) => exactly(name, labels),
    sum: (name, labels = {}) =>
      samples(name)
        .filter((s) => Object.entries(labels).every(([key, value]) => s.labels[key] === value))
        .reduce((total, s) => total + s.value, 0),
    histogram: (name, labels = {}) => ({
      count: exactly(`${name}_count`, labels),
      sum: exactly(`${name}_sum`, labels),
    }),
    seriesNames: () => new Set(families.flatMap((f) => [f.name, ...f.samples.map((s) => s.name)])),
  };
}

function sameLabels(actual: Labels, wanted: Labels): boolean {
  const keys = Object.keys(actual);
  return keys.length === Object.keys(wanted).length && keys.every((key) => actual[key] === wanted[key]);
}

/** `GET /metrics` over HTTP (from loopback: the test hub listens on 127.0.0.1); throws unless 200. */
export async function scrape(httpUrl: string, headers: Record<string, string> = {}): Promise<Scrape> {
  const response = await fetch(`${httpUrl}/metrics`, { headers });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`GET /metrics answered ${response.status}: ${text}`);
  return parseScrape(text);
}
