/**
 * The console's queue drops a pushed alarm whose progress is behind the one it shows
 * (dashboard/queue-order.js, run in Node): pushes can overtake HTTP answers, and an older
 * state must never overwrite a newer one. That is only right while no status change the
 * hub makes (hub/storage/alarm-transitions.ts) lowers the progress: a move back, say from
 * offered to unassigned, would be dropped and the queue would keep showing the old state.
 */
import { describe, expect, it } from "vitest";
import { LEGAL_TRANSITIONS } from "../hub/storage/alarm-transitions.ts";
import { ALARM_STATUSES, type AlarmStatus, CLOSED_STATUSES } from "../protocol/console/index.ts";

interface Shown {
  status: AlarmStatus;
  acknowledgedAt: string | null;
}
// The console is plain browser JavaScript; these are the functions used here.
const consoleModule: string = "../dashboard/queue-order.js";
const order = (await import(consoleModule)) as {
  isClosed(alarm: Pick<Shown, "status">): boolean;
  progress(alarm: Shown): number;
};

const ACK = "2026-01-01T00:00:00.000Z";
const states = (status: AlarmStatus): Shown[] => [
  { status, acknowledgedAt: null },
  { status, acknowledgedAt: ACK },
];

/** Every status reachable from `from` through the hub's transitions, `from` included. */
function reachable(from: AlarmStatus): Set<AlarmStatus> {
  const seen = new Set<AlarmStatus>([from]);
  for (const status of seen) for (const next of LEGAL_TRANSITIONS[status]) seen.add(next);
  return seen;
}

describe("the console queue's order of an alarm's states", () => {
  it("tells open from closed as the contract does", () => {
    for (const status of ALARM_STATUSES) {
      expect(order.isClosed({ status }), status).toBe(CLOSED_STATUSES.includes(status));
    }
  });

  it("never ranks a later state of an alarm below an earlier one, so no real change is dropped as stale", () => {
    for (const from of ALARM_STATUSES) {
      for (const to of reachable(from)) {
        for (const before of states(from)) {
          // The acknowledgement is set once and never taken back.
          const later = states(to).filter((after) => before.acknowledgedAt === null || after.acknowledgedAt !== null);
          for (const after of later) {
            expect(
              order.progress(after),
              `${JSON.stringify(before)} → ${JSON.stringify(after)}`,
            ).toBeGreaterThanOrEqual(order.progress(before));
          }
        }
      }
    }
  });

  it("ranks an earlier status below every later one, so a stale push is dropped", () => {
    for (const from of ALARM_STATUSES) {
      for (const to of reachable(from)) {
        if (to === from || order.isClosed({ status: to })) continue; // a closed alarm leaves the queue for good
        // Even acknowledged, the earlier status is behind the later one unacknowledged.
        expect(order.progress({ status: from, acknowledgedAt: ACK })).toBeLessThan(
          order.progress({ status: to, acknowledgedAt: null }),
        );
      }
    }
  });
});
