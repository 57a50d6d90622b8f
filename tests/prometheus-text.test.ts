/**
 * The tests read `GET /metrics` with tests/support/prometheus-text.ts; it must refuse what Prometheus
 * would refuse or misread, or a broken exposition would pass them. Each rule, shown able to fail.
 */
import { describe, expect, it } from "vitest";
import { parsePrometheusText } from "./support/prometheus-text.ts";

const HISTOGRAM = `# HELP t_seconds Time.
# TYPE t_seconds histogram
t_seconds_bucket{le="0.1",stage="a"} 1
t_seconds_bucket{le="1",stage="a"} 3
t_seconds_bucket{le="+Inf",stage="a"} 4
t_seconds_sum{stage="a"} 2.5
t_seconds_count{stage="a"} 4
t_seconds_bucket{le="0.1",stage="b"} 0
t_seconds_bucket{le="1",stage="b"} 0
t_seconds_bucket{le="+Inf",stage="b"} 0
t_seconds_sum{stage="b"} 0
t_seconds_count{stage="b"} 0
`;

describe("the tests' reader of Prometheus' text format", () => {
  it("reads families, labels with escapes, histograms per label set, and Prometheus' words for Inf and NaN", () => {
    const families = parsePrometheusText(
      `${HISTOGRAM}# TYPE g gauge\ng{path="C:\\\\x",say="a \\"b\\"\\nc"} -1.5e3\n# TYPE n gauge\nn Nan\nn_untyped +Inf 1700000000000\n`,
    );
    expect(families.map((f) => [f.name, f.type])).toEqual([
      ["t_seconds", "histogram"],
      ["g", "gauge"],
      ["n", "gauge"],
      ["n_untyped", "untyped"],
    ]);
    expect(families[0]?.samples.filter((s) => s.labels.stage === "a")).toHaveLength(5);
    expect(families[1]?.samples[0]).toEqual({ name: "g", labels: { path: "C:\\x", say: 'a "b"\nc' }, value: -1500 });
    expect(families[2]?.samples[0]?.value).toBeNaN();
    expect(families[3]?.samples[0]?.value).toBe(Number.POSITIVE_INFINITY);
  });

  it("refuses what Prometheus would refuse or misread", () => {
    const broken: [string, RegExp][] = [
      ["x{a=1} 1", /bad label/],
      ['x{a="1} 1', /unterminated/],
      ['x{a="\\t"} 1', /bad escape/],
      ['x{a="1",a="2"} 1', /label given twice/],
      ["x one", /bad value/],
      ["x 1 2 3", /at most a timestamp/],
      ["# TYPE x gauge\n# TYPE x gauge\nx 1", /TYPE after samples, or twice/],
      ["x 1\n# TYPE x gauge", /TYPE after samples, or twice/],
      ["# TYPE x wobbly", /unknown type/],
      ["# TYPE x gauge\nx 1\n# TYPE y gauge\ny 1\nx 2", /appears again/],
      ['x{a="1"} 1\nx{a="1"} 2', /series given twice/],
      ["# TYPE h histogram\nh 1", /not a sample of histogram/],
      ["# TYPE h histogram\nh_bucket 1", /bucket without le/],
      [HISTOGRAM.replace('t_seconds_bucket{le="1",stage="a"} 3', 't_seconds_bucket{le="1",stage="a"} 0'), /cumulative/],
      [HISTOGRAM.replace('t_seconds_count{stage="a"} 4', 't_seconds_count{stage="a"} 5'), /equal to its count/],
    ];
    for (const [text, why] of broken) expect(() => parsePrometheusText(text), text).toThrow(why);
  });
});
