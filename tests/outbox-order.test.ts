/**
 * In what order the outbox sends when it cannot send everything at once, how
 * it finds the next row (an index walk, whatever the backlog), and how the
 * pacer answers 429s. Real SQLite; the order test sends through the real
 * twilio SDK to the stand-in, one request at a time.
 */
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { createLogger } from "../hub/log.ts";
import { RatePacer } from "../hub/notify/rate-pacer.ts";
import { migrate } from "../hub/storage/database.ts";
import { OUTBOX_PRIORITY, priorityOfPurpose, relativeSmsPriority } from "../hub/storage/outbox-priority.ts";
import { OUTBOX_NEXT_DUE_AT_SQL, outboxDueSql } from "../hub/storage/outbox-repo.ts";
import { type OutboxHarness, sms, startOutboxHarness } from "./support/outbox-harness.ts";
import { waitFor } from "./support/test-hub.ts";

describe("the order the outbox sends in", () => {
  let h: OutboxHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it("sends every alarm's first contact before anyone's second, and updates last; oldest first within each", async () => {
    h = await startOutboxHarness();
    const harness = h;
    const [early, late] = [await h.alarm(), await h.alarm()];
    // Queued in the order a busy hub would: the early alarm's whole story first, then a new alarm.
    await h.queue([
      sms("+8613900000011", early, "relative:1", { priority: relativeSmsPriority(1, 0) }),
      sms("+8613900000012", early, "relative:2", { priority: relativeSmsPriority(1, 1) }),
      sms("+8613900000013", early, "clinic"),
      sms("+8613900000014", early, "relative:3", { priority: relativeSmsPriority(2, 0) }),
      sms("+8613900000015", early, "family:worker_coming"),
      sms("+8613900000016", early, "worker_stand_down"),
      sms("+8613900000017", null, "worker_service"),
      sms("+8613900000021", late, "relative:1", { priority: relativeSmsPriority(1, 0) }),
      sms("+8613900000022", late, "relative:2", { priority: relativeSmsPriority(1, 1) }),
      sms("+8613900000023", late, "worker"),
      sms("+8613900000024", late, "escalation_supervisor"),
    ]);
    h.sender({ concurrency: 1 }).start();
    await waitFor(() => harness.rows().every((r) => r.status === "sent"), 30_000, "all sent");

    expect(h.fake.messages.map((m) => m.to.slice(-2))).toEqual([
      // first contacts: the early alarm's first relative, then the late alarm's first relative, worker, supervisor
      "11",
      "21",
      "23",
      "24",
      // the rest of both first waves and the clinic
      "12",
      "13",
      "22",
      // a later wave, a service request
      "14",
      "17",
      // updates
      "15",
      "16",
    ]);
  }, 60_000);

  it("gives each purpose the hub uses its priority", () => {
    const { firstContact, alarm, followUp, update } = OUTBOX_PRIORITY;
    const expected: [string, number][] = [
      ["worker", firstContact],
      ["escalation_supervisor", firstContact],
      ["escalation_grid_leader", firstContact],
      ["relative_call:2", firstContact],
      ["relative:1", alarm],
      ["clinic", alarm],
      ["something_new", alarm],
      ["worker_service", followUp],
      ["family:resolved", update],
      ["worker_stand_down", update],
      ["clinic_stand_down", update],
    ];
    expect(expected.map(([purpose]) => [purpose, priorityOfPurpose(purpose)])).toEqual(expected);
    expect([relativeSmsPriority(1, 0), relativeSmsPriority(1, 2), relativeSmsPriority(3, 0)]).toEqual([
      firstContact,
      alarm,
      followUp,
    ]);
  });

  it("finds the next due row by walking an index, never by sorting the backlog", () => {
    const db = new Database(":memory:");
    migrate(db, createLogger("silent"));
    const plan = (sql: string, ...params: number[]) =>
      (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail).join("; ");
    expect(plan(outboxDueSql("sqlite"), 0, 1)).toBe("SCAN outbox USING COVERING INDEX outbox_send_order");
    expect(plan(OUTBOX_NEXT_DUE_AT_SQL, 0)).toMatch(
      /^SEARCH outbox USING COVERING INDEX outbox_due \(status=\? AND next_attempt_at>\?\)$/,
    );
    db.close();
  });
});

describe("the rate pacer", () => {
  it("hands out the rate plus a small burst, and says how long to wait for the next token", () => {
    const pacer = new RatePacer({ ratePerS: 50 }, 0);
    const taken = Array.from({ length: 10 }, () => pacer.take(0)).filter((wait) => wait === 0).length;
    expect(taken).toBe(5); // a tenth of a second's worth
    expect(pacer.take(0)).toBe(20);
    expect(pacer.take(21)).toBe(0);
    // Idle for a minute: still only the burst.
    expect(Array.from({ length: 10 }, () => pacer.take(60_000)).filter((wait) => wait === 0)).toHaveLength(5);
  });

  it("slows down on 429s and climbs back to the configured rate once they stop", () => {
    const pacer = new RatePacer({ ratePerS: 50 }, 0);
    for (let i = 0; i < 40; i++) pacer.answered(true, 100);
    expect(pacer.ratePerS).toBeLessThan(30);
    expect(pacer.ratePerS).toBeGreaterThanOrEqual(5);
    pacer.answered(false, 1100);
    expect(pacer.ratePerS).toBeLessThan(50);
    pacer.answered(false, 10_000);
    expect(pacer.ratePerS).toBe(50);
  });

  it("gives a refused request's token back while 429s are rare, not when they are the rule", () => {
    const rare = new RatePacer({ ratePerS: 10 }, 0);
    expect([rare.take(0), rare.take(0), rare.take(0)]).toEqual([0, 0, 100]);
    for (let i = 0; i < 19; i++) rare.answered(false, 0);
    rare.answered(true, 0); // 1 of 20
    expect(rare.take(0)).toBe(0);

    const frequent = new RatePacer({ ratePerS: 10 }, 0);
    expect([frequent.take(0), frequent.take(0)]).toEqual([0, 0]);
    for (let i = 0; i < 5; i++) frequent.answered(true, 0);
    expect(frequent.take(0)).toBeGreaterThan(0);
  });
});
