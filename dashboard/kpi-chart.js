// @ts-check
// A tiny stacked bar chart in inline SVG (no chart library ships with the console):
// one bar per day, one coloured segment per series, the count on top of each bar.
// Colours come from CSS classes so the chart follows the console's palette.

const SVG = "http://www.w3.org/2000/svg";

/** One bar: its label and a count per series key. @typedef {{ label: string, values: Readonly<Record<string, number>> }} Bar */
/** One series (a coloured segment in every bar). @typedef {{ key: string, label: string, className: string }} Series */

/**
 * An SVG element with its attributes and children.
 * @template {keyof SVGElementTagNameMap} K
 * @param {K} tag
 * @param {Readonly<Record<string, string | number>>} attrs
 * @param {...(Node | string)} children
 * @returns {SVGElementTagNameMap[K]}
 */
function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  for (const c of children) el.append(c);
  return el;
}

/**
 * One bar per entry of `bars`, one segment per series; an <svg> sized by viewBox, so CSS decides its width.
 * @param {readonly Bar[]} bars
 * @param {readonly Series[]} series
 * @param {{ height?: number, title?: string }} [options]
 */
export function stackedBars(bars, series, { height = 220, title = "" } = {}) {
  const pad = { top: 18, right: 8, bottom: 30, left: 34 };
  const slot = Math.max(14, Math.min(60, 720 / Math.max(1, bars.length)));
  const width = pad.left + pad.right + slot * bars.length;
  const totals = bars.map((b) => series.reduce((n, ser) => n + (b.values[ser.key] ?? 0), 0));
  const max = Math.max(1, ...totals);
  const plotH = height - pad.top - pad.bottom;
  /** @param {number} v */
  const y = (v) => pad.top + plotH - (v / max) * plotH;
  const svg = s("svg", { viewBox: `0 0 ${width} ${height}`, class: "kpi-chart", role: "img", "aria-label": title });
  // Axis: zero line and the maximum, enough to read the scale without a grid.
  svg.append(
    s("line", { x1: pad.left, x2: width - pad.right, y1: y(0), y2: y(0), class: "axis" }),
    s("text", { x: pad.left - 4, y: y(max) + 4, class: "tick", "text-anchor": "end" }, String(max)),
    s("text", { x: pad.left - 4, y: y(0) + 4, class: "tick", "text-anchor": "end" }, "0"),
  );
  // Only every n-th date label when bars are narrow, so labels never overlap.
  const labelEvery = Math.ceil(44 / slot);
  bars.forEach((bar, i) => {
    const x = pad.left + i * slot + slot * 0.15;
    const w = slot * 0.7;
    let base = 0;
    const total = totals[i] ?? 0;
    const g = s("g", { class: "bar", "data-label": bar.label, "data-total": total });
    for (const ser of series) {
      const v = bar.values[ser.key] ?? 0;
      if (v > 0) {
        const rect = s("rect", { x, width: w, y: y(base + v), height: y(base) - y(base + v), class: ser.className });
        rect.append(s("title", {}, `${bar.label} ${ser.label}: ${v}`));
        g.append(rect);
      }
      base += v;
    }
    if (total > 0) {
      g.append(s("text", { x: x + w / 2, y: y(total) - 4, class: "count", "text-anchor": "middle" }, String(total)));
    }
    if (i % labelEvery === 0) {
      g.append(s("text", { x: x + w / 2, y: height - 10, class: "tick", "text-anchor": "middle" }, bar.label));
    }
    svg.append(g);
  });
  return svg;
}
