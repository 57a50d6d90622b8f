/**
 * Clock and summaries shared by every process of the load bench. Times cross
 * process boundaries (a button worker stamps a press, the orchestrator's
 * console sees the alarm), so they are epoch milliseconds with the
 * sub-millisecond part of the monotonic clock, comparable between processes
 * on one machine.
 */
import { performance } from "node:perf_hooks";

/** Epoch milliseconds, fractional. */
export function epochMs(): number {
  return performance.timeOrigin + performance.now();
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Nearest-rank percentile of an already sorted array; NaN when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

export interface Distribution {
  count: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
}

export function distribution(values: readonly number[]): Distribution {
  const sorted = Float64Array.from(values).sort();
  const list = Array.from(sorted);
  return {
    count: list.length,
    p50: percentile(list, 50),
    p99: percentile(list, 99),
    p999: percentile(list, 99.9),
    max: list.at(-1) ?? Number.NaN,
  };
}

/** Waits until `probe` is true, polling; false when `timeoutMs` passed first. */
export async function waitUntil(probe: () => boolean, timeoutMs: number, pollMs = 50): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) return false;
    await sleep(pollMs);
  }
  return true;
}

export function round(value: number, digits = 1): number {
  if (!Number.isFinite(value)) return value;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** Smallest and largest value (NaN when empty), without spreading a huge array into arguments. */
export function minOf(values: readonly number[]): number {
  let min = Number.NaN;
  for (const v of values) if (!(min <= v)) min = v;
  return min;
}

export function maxOf(values: readonly number[]): number {
  let max = Number.NaN;
  for (const v of values) if (!(max >= v)) max = v;
  return max;
}
