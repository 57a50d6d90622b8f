/** The console's command-center clock (dashboard/center-time.js, run in Node): days and wall times in the hub's zone. */
import { describe, expect, it } from "vitest";

interface CenterTime {
  setCenterZone(zone: unknown): void;
  centerZone(): string | undefined;
  centerDay(date?: Date): string;
  daysBefore(day: string, days: number): string;
  lastDays(days: number, now?: Date): { from: string; to: string };
  centerWallTime(date: Date): string;
  centerWallToIso(value: string): string | null;
}
// The console is plain browser JavaScript without type declarations.
const consoleModule: string = "../dashboard/center-time.js";
const time = (await import(consoleModule)) as CenterTime;

describe("the console's command-center clock", () => {
  it("counts days in the center's zone, whatever the machine's", () => {
    time.setCenterZone("Asia/Shanghai");
    const evening = new Date("2026-12-04T17:00:00Z"); // 01:00 on the 5th in Shanghai
    expect(time.centerDay(evening)).toBe("2026-12-05");
    expect(time.lastDays(7, evening)).toEqual({ from: "2026-11-29", to: "2026-12-05" });
    expect(time.daysBefore("2027-01-03", 6)).toBe("2026-12-28");
    expect(time.daysBefore("2028-03-01", 1)).toBe("2028-02-29");
  });

  it("keeps the zone it had when the hub names one this browser does not know", () => {
    time.setCenterZone("Asia/Shanghai");
    time.setCenterZone("Not/AZone");
    time.setCenterZone(undefined);
    expect(time.centerZone()).toBe("Asia/Shanghai");
  });

  it("reads and writes datetime-local values on the center's wall clock", () => {
    time.setCenterZone("Asia/Shanghai");
    expect(time.centerWallTime(new Date("2026-12-04T17:05:30Z"))).toBe("2026-12-05T01:05");
    expect(time.centerWallToIso("2026-12-05T01:05")).toBe("2026-12-04T17:05:00.000Z");
    expect(time.centerWallToIso("")).toBeNull();
    expect(time.centerWallToIso("tomorrow")).toBeNull();
  });

  it("round-trips every quarter hour across both of a year's offset changes", () => {
    time.setCenterZone("America/New_York");
    expect(time.centerWallToIso("2026-07-01T12:00")).toBe("2026-07-01T16:00:00.000Z");
    expect(time.centerWallToIso("2026-12-01T12:00")).toBe("2026-12-01T17:00:00.000Z");
    for (const start of ["2026-03-07T12:00:00Z", "2026-10-31T12:00:00Z"]) {
      for (let q = 0; q < 4 * 48; q++) {
        const instant = new Date(Date.parse(start) + q * 15 * 60_000);
        const wall = time.centerWallTime(instant);
        const back = time.centerWallToIso(wall);
        // The hour repeated in autumn has two instants; either is a faithful reading of the wall time.
        expect(time.centerWallTime(new Date(back ?? ""))).toBe(wall);
      }
    }
    // A wall time the spring change skips still gives an instant, not an error.
    expect(time.centerWallToIso("2026-03-08T02:30")).not.toBeNull();
  });
});
