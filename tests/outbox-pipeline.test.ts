/**
 * The outbox as a pipeline (issue 12, P6): one slow request holds up nobody,
 * the provider never sees more than the configured rate, 429s are retried
 * until every message is sent exactly once, and a sender killed with requests
 * in flight loses and doubles nothing. Real SQLite on disk, the real twilio
 * SDK, the Twilio stand-in (busy where a test says so). No timing assertions:
 * the rate is checked as a count of requests per window at the stand-in.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { afterEach, describe, expect, it } from "vitest";
import { type OutboxHarness, sms, startOutboxHarness } from "./support/outbox-harness.ts";
import { repoRoot } from "./support/run-cli.ts";
import { waitFor } from "./support/test-hub.ts";

const phone = (n: number) => `+86139${String(n).padStart(8, "0")}`;
const LONG = 30_000;

/** Most requests that arrived within any `windowMs` (each request starts a window). */
function busiestWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while ((sorted[end] ?? 0) - (sorted[start] ?? 0) >= windowMs) start++;
    most = Math.max(most, end - start + 1);
  }
  return most;
}

/** Each recipient got exactly one message, and it is the one whose sid the outbox stored. */
function expectEachSentOnce(h: OutboxHarness): void {
  const rows = h.rows();
  expect(rows.every((row) => row.status === "sent")).toBe(true);
  expect(h.fake.messages).toHaveLength(rows.length);
  for (const row of rows) {
    expect(h.fake.messages.filter((m) => m.to === row.recipient).map((m) => m.sid)).toEqual([row.provider_ref]);
  }
}

describe("the outbox sender as a pipeline", () => {
  let h: OutboxHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it("sends everything else while one request waits for an answer", async () => {
    h = await startOutboxHarness();
    const harness = h;
    const alarmId = await h.alarm();
    // The first request is taken and never answered (the connection stays open): a very slow Twilio.
    h.fake.holdAnswers(1);
    await h.queue(Array.from({ length: 16 }, (_, i) => sms(phone(i), alarmId, "relative:1")));
    h.sender({ concurrency: 4 }).start();

    // More than any round of the old sender (10), with only 4 slots: the slow one holds a slot, not the rest.
    await waitFor(() => harness.rows().filter((r) => r.status === "sent").length === 15, LONG, "15 sent");
    const [slow] = harness.rows().filter((r) => r.status !== "sent");
    expect(slow).toMatchObject({ status: "pending", attempts: 0, provider_ref: null });
    expect(h.fake.requests.filter((r) => r.held).map((r) => r.to)).toEqual([slow?.recipient]);
    expect(h.fake.messages).toHaveLength(16);
  }, 60_000);

  it("never sends faster than the configured rate: requests per window at the stand-in stay within the bound", async () => {
    h = await startOutboxHarness();
    const harness = h;
    const alarmId = await h.alarm();
    const rate = 20;
    const concurrency = 4;
    await h.queue(Array.from({ length: 70 }, (_, i) => sms(phone(i), alarmId, `relative:${i}`)));
    h.sender({ ratePerS: rate, concurrency }).start();
    await waitFor(() => harness.rows().every((r) => r.status === "sent"), LONG, "all 70 sent");

    // A request arriving in a window was either given its token in that window (at most the burst plus
    // rate × window, RatePacer) or before it and still in flight when the window began (at most `concurrency`).
    const burst = 2;
    const times = h.fake.requests.map((r) => r.receivedAt.getTime());
    expect(times).toHaveLength(70);
    for (const windowMs of [500, 1000, 2000]) {
      const bound = burst + (rate * windowMs) / 1000 + concurrency + 1; // +1: the stand-in's clock counts whole ms
      expect(busiestWindow(times, windowMs)).toBeLessThanOrEqual(bound);
    }
    expectEachSentOnce(h);
  }, 60_000);

  it("retries 429s (honouring Retry-After) until each message is sent exactly once", async () => {
    h = await startOutboxHarness({ ratePerSecond: 25, throttleShare: 0.3, seed: 7 });
    const harness = h;
    const alarmId = await h.alarm();
    await h.queue(Array.from({ length: 40 }, (_, i) => sms(phone(i), alarmId, `relative:${i}`)));
    h.sender({ ratePerS: 40, concurrency: 6 }).start();
    await waitFor(() => harness.rows().every((r) => r.status === "sent"), LONG, "all 40 sent");

    const refused = h.fake.requests.filter((r) => r.status === 429);
    expect(refused.length).toBeGreaterThan(5);
    expectEachSentOnce(h);
    expect(h.rows().filter((r) => r.attempts > 1).length).toBeGreaterThan(0);
    // Every refusal said Retry-After: 1; that recipient's next request came no sooner.
    for (const refusal of refused) {
      const next = h.fake.requests.find((r) => r.to === refusal.to && r.receivedAt > refusal.receivedAt);
      expect(next, `a retry to ${refusal.to}`).toBeDefined();
      expect((next?.receivedAt.getTime() ?? 0) - refusal.receivedAt.getTime()).toBeGreaterThanOrEqual(1000);
    }
  }, 60_000);

  it("a sender killed with requests in flight loses nothing, and its successor sends nothing twice", async () => {
    h = await startOutboxHarness();
    const harness = h;
    const alarmId = await h.alarm();
    await h.queue(Array.from({ length: 12 }, (_, i) => sms(phone(i), alarmId, `relative:${i}`)));
    // Three creates Twilio takes but whose answers never reach the first sender.
    h.fake.holdAnswers(3);
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "tests/support/outbox-sender-process.ts", h.dbFile, h.fake.url],
      {
        cwd: repoRoot,
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    const exited = once(child, "exit");
    try {
      await waitFor(() => harness.rows().filter((r) => r.status === "sent").length === 9, LONG, "9 sent by the first");
      await waitFor(() => harness.fake.requests.filter((r) => r.held).length === 3, LONG, "3 taken, unanswered");
    } finally {
      child.kill("SIGKILL");
    }
    expect((await exited)[1]).toBe("SIGKILL");
    const inFlight = h.rows().filter((r) => r.status === "pending");
    expect(inFlight).toHaveLength(3);
    expect(h.fake.messages).toHaveLength(12);

    h.sender().start();
    await waitFor(() => harness.rows().every((r) => r.status === "sent"), LONG, "the rest sent after the restart");
    // The same idempotency keys: Twilio answered with the messages it had taken, and made none again.
    expect(
      h.fake.requests
        .filter((r) => r.replayed)
        .map((r) => r.to)
        .sort(),
    ).toEqual(inFlight.map((r) => r.recipient).sort());
    expectEachSentOnce(h);
  }, 60_000);
});
