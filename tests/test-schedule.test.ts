/** The test-alarm schedule spreads a fleet evenly over the interval and keeps every device in its own slot. */
import { describe, expect, it } from "vitest";
import { nextSlotAfter, slotOffsetMs } from "../hub/supervision/test-schedule.ts";

const DAY_MS = 24 * 3_600_000;

describe("test alarm schedule", () => {
  const ids = Array.from({ length: 10_000 }, (_, i) => `KL-${String(i + 1).padStart(5, "0")}`);

  it("spreads 10,000 devices over the day: no hour gets more than a fair share plus a margin", () => {
    const perHour = new Array<number>(24).fill(0);
    for (const id of ids) {
      const hour = Math.floor(slotOffsetMs(id, DAY_MS) / 3_600_000);
      perHour[hour] = (perHour[hour] ?? 0) + 1;
    }
    // A fair share is 417 an hour; binomial spread keeps every hour well within ±20 %.
    expect(Math.max(...perHour)).toBeLessThan(500);
    expect(Math.min(...perHour)).toBeGreaterThan(334);
    // And within one minute at most a handful press at once.
    const perMinute = new Map<number, number>();
    for (const id of ids) {
      const minute = Math.floor(slotOffsetMs(id, DAY_MS) / 60_000);
      perMinute.set(minute, (perMinute.get(minute) ?? 0) + 1);
    }
    expect(Math.max(...perMinute.values())).toBeLessThan(25);
  });

  it("gives each device the same slot in every cycle, strictly after now and at most one interval away", () => {
    const now = Date.parse("2026-11-23T08:00:00Z");
    for (const id of ids.slice(0, 500)) {
      const next = nextSlotAfter(id, now, DAY_MS).getTime();
      expect(next).toBeGreaterThan(now);
      expect(next - now).toBeLessThanOrEqual(DAY_MS);
      expect(next % DAY_MS).toBe(slotOffsetMs(id, DAY_MS));
      // Asked again at its own slot, the device is due one whole interval later.
      expect(nextSlotAfter(id, next, DAY_MS).getTime()).toBe(next + DAY_MS);
    }
  });
});
