/** Which tone the console picks for the alarms waiting for an operator (dashboard/escalation.js, run in Node). */
import { describe, expect, it } from "vitest";

// The console is plain browser JavaScript without type declarations; this is the one function used here.
const consoleModule: string = "../dashboard/escalation.js";
const { alertLevel } = (await import(consoleModule)) as { alertLevel: (waiting: object[]) => string };

const alarm = (kind: string, extra: Record<string, unknown> = {}) => ({
  kind,
  escalation: 0,
  priority: "normal",
  ...extra,
});

describe("console alert level", () => {
  it("is none with nothing waiting, and test alarms never sound", () => {
    expect(alertLevel([])).toBe("none");
    expect(alertLevel([alarm("test"), alarm("test", { escalation: 2 })])).toBe("none");
  });

  it("is soft for a service call, normal for an SOS or a repeated press, escalated once any missed a deadline", () => {
    expect(alertLevel([alarm("service")])).toBe("service");
    expect(alertLevel([alarm("service"), alarm("sos")])).toBe("normal");
    expect(alertLevel([alarm("service", { priority: "high" })])).toBe("normal");
    expect(alertLevel([alarm("sos"), alarm("service", { escalation: 1 })])).toBe("escalated");
    expect(alertLevel([alarm("test"), alarm("service")])).toBe("service");
  });
});
