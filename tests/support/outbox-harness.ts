/**
 * The outbox sender on its own, with real parts: a SQLite database on disk
 * (synchronous=FULL, every migration), the real twilio SDK through the SMS
 * and voice notifiers, and the Twilio stand-in (optionally a busy one). For
 * tests of how the sender paces, orders and retries; the hub's own tests
 * cover the same sender inside the hub.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { EventBus } from "../../hub/events.ts";
import { createLogger } from "../../hub/log.ts";
import { OutboxSender, type OutboxSenderOptions } from "../../hub/notify/outbox-sender.ts";
import { TwilioSmsNotifier } from "../../hub/notify/twilio-notifier.ts";
import { TwilioVoiceNotifier } from "../../hub/notify/twilio-voice-notifier.ts";
import { AlarmRepository } from "../../hub/storage/alarm-repo.ts";
import { type Db, openDatabase } from "../../hub/storage/database.ts";
import { type NewOutboxMessage, OutboxRepository, type OutboxRow } from "../../hub/storage/outbox-repo.ts";
import { SqliteSql } from "../../hub/storage/sql/sqlite-sql.ts";
import { type FakeTwilio, type FakeTwilioLimits, startFakeTwilio } from "./fake-twilio.ts";
import { TEST_TWILIO } from "./test-hub.ts";

const DEVICE = "outbox-test-0001";

export interface SenderSettings extends Partial<OutboxSenderOptions> {
  /** The notifiers' request deadline; long by default, so a busy machine never times a request out. */
  timeoutMs?: number;
}

export interface OutboxHarness {
  db: Db;
  dbFile: string;
  outbox: OutboxRepository;
  fake: FakeTwilio;
  /** A stored SOS alarm to hang messages on. */
  alarm(): Promise<number>;
  /** Queues messages as a pipeline stage does (one transaction), and wakes the sender. */
  queue(messages: NewOutboxMessage[]): Promise<void>;
  /** A sender with its own notifiers (not started). */
  sender(settings?: SenderSettings): OutboxSender;
  rows(): OutboxRow[];
  close(): Promise<void>;
}

export const sms = (to: string, alarmId: number | null, purpose: string, extra: Partial<NewOutboxMessage> = {}) => ({
  recipient: to,
  body: `【安心】test message to ${to} (${purpose})`,
  alarmId,
  purpose,
  dedupeKey: `test:${to}:${purpose}`,
  ...extra,
});

export async function startOutboxHarness(limits: FakeTwilioLimits = {}): Promise<OutboxHarness> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "anxin-outbox-"));
  const dbFile = path.join(dir, "hub.db");
  const logger = createLogger("silent");
  const db = openDatabase(dbFile, logger);
  db.prepare("INSERT INTO devices (id, secret_hash, created_at) VALUES (?, 'x', ?)").run(
    DEVICE,
    new Date().toISOString(),
  );
  const fake = await startFakeTwilio({ accountSid: TEST_TWILIO.accountSid, authToken: TEST_TWILIO.authToken, limits });
  const sql = new SqliteSql(db);
  const outbox = new OutboxRepository(sql);
  const alarms = new AlarmRepository(sql);
  const bus = new EventBus(logger);
  const senders: OutboxSender[] = [];
  return {
    db,
    dbFile,
    outbox,
    fake,
    alarm: () => alarms.insertAlarm(DEVICE, "sos", new Date().toISOString()),
    async queue(messages) {
      const added = await sql.transaction(() => outbox.enqueue(messages));
      bus.emit("outbox.enqueued", { count: added });
    },
    sender(settings = {}) {
      const { timeoutMs = 60_000, ...options } = settings;
      const account = { ...TEST_TWILIO, apiBaseUrl: fake.url, timeoutMs };
      const sender = new OutboxSender(
        {
          sql,
          outbox,
          alarms,
          notifier: new TwilioSmsNotifier(account),
          voice: new TwilioVoiceNotifier(account),
          bus,
          logger,
        },
        { pollMs: 200, maxBackoffMs: 30_000, ratePerS: 1000, concurrency: 8, ...options },
      );
      senders.push(sender);
      return sender;
    },
    rows: () => db.prepare("SELECT * FROM outbox ORDER BY id").all() as OutboxRow[],
    async close() {
      // The stand-in first: its held answers end with the connection, so no sender waits out a deadline.
      await fake.close();
      await Promise.all(senders.map((s) => s.stop()));
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
