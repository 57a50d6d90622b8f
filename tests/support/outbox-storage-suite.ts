/**
 * The outbox repository (hub/storage/outbox-repo.ts) on each engine: SQLite in
 * `npm test` (tests/outbox-storage.test.ts) and PostgreSQL in
 * `npm run test:postgres`. Enqueueing is idempotent by dedupe key; the next
 * row goes by priority then age, passing over rows in flight; an answered
 * retry gets a new idempotency key (a per-dialect random key); a delivery
 * status only moves forward, checked against the value it replaces.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OutboxRepository } from "../../hub/storage/outbox-repo.ts";
import type { SqlDatabase } from "../../hub/storage/sql/sql-port.ts";

export function describeOutboxStorage(name: string, open: () => Promise<{ sql: SqlDatabase; close(): Promise<void> }>) {
  describe(`the outbox repository on ${name}`, () => {
    let db: { sql: SqlDatabase; close(): Promise<void> };
    let outbox: OutboxRepository;
    const message = (to: string, purpose: string, dedupeKey: string) => ({
      recipient: to,
      body: `help ${dedupeKey}`,
      alarmId: null,
      purpose,
      dedupeKey,
    });

    beforeAll(async () => {
      db = await open();
      outbox = new OutboxRepository(db.sql);
    });
    afterAll(() => db?.close());

    it("enqueues once per dedupe key and sends by priority, then age, passing over rows in flight", async () => {
      expect(
        await outbox.enqueue(
          [
            message("+8613800000003", "family:all_well", "k-late"),
            message("+8613800000001", "relative:1", "k-first"),
            message("+8613800000002", "worker", "k-worker"),
          ],
          1_000,
        ),
      ).toBe(3);
      expect(await outbox.enqueue([message("+8613800000001", "relative:1", "k-first")], 1_000)).toBe(0);
      const order: string[] = [];
      const inFlight = new Set<number>();
      for (;;) {
        const row = await outbox.nextDue(2_000, inFlight);
        if (!row) break;
        order.push(row.dedupe_key);
        inFlight.add(row.id);
      }
      expect(new Set(order)).toEqual(new Set(["k-first", "k-worker", "k-late"]));
      expect(order[order.length - 1]).toBe("k-late");
      expect(await outbox.nextDue(500)).toBeUndefined();
      expect(await outbox.nextDueAt(-1)).toBe(1_000);
    });

    it("gives an answered retry a new idempotency key and keeps it for an unanswered one", async () => {
      const row = await outbox.byDedupeKey("k-worker");
      if (!row) throw new Error("not queued");
      expect(row.idempotency_key).toMatch(/^[0-9a-f]{32}$/);
      await outbox.markRetry(row.id, "network", 5_000, false);
      const unanswered = await outbox.byDedupeKey("k-worker");
      expect(unanswered).toMatchObject({ attempts: 1, next_attempt_at: 5_000, idempotency_key: row.idempotency_key });
      await outbox.markRetry(row.id, "429 20429 Too Many Requests", 6_000, true);
      const answered = await outbox.byDedupeKey("k-worker");
      expect(answered?.attempts).toBe(2);
      expect(answered?.idempotency_key).toMatch(/^[0-9a-f]{32}$/);
      expect(answered?.idempotency_key).not.toBe(row.idempotency_key);
    });

    it("records a delivery status only when it moves forward, and withdraws only what is pending", async () => {
      const row = await outbox.byDedupeKey("k-first");
      if (!row) throw new Error("not queued");
      await outbox.markSent(row.id, "SM0001");
      expect(await outbox.withdraw(row.id, "too late")).toBe(false);
      expect(await outbox.recordDeliveryStatus("SM0001", "sent", null)).toMatchObject({ found: true, changed: true });
      const delivered = await outbox.recordDeliveryStatus("SM0001", "delivered", null);
      expect(delivered).toMatchObject({ changed: true, previous: "sent", row: { delivery_status: "delivered" } });
      expect(await outbox.recordDeliveryStatus("SM0001", "sent", null)).toMatchObject({ changed: false });
      expect(await outbox.recordDeliveryStatus("SM9999", "sent", null)).toEqual({ found: false });
      const late = await outbox.byDedupeKey("k-late");
      expect(await outbox.withdraw(late?.id ?? 0, "the alarm was closed")).toBe(true);
      expect(await outbox.byDedupeKey("k-late")).toMatchObject({
        status: "failed",
        last_error: "the alarm was closed",
      });
    });
  });
}
