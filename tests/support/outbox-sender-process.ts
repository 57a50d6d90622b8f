/**
 * An outbox sender in a process of its own, for the test that kills it with
 * SIGKILL while requests are in flight (tests/outbox-pipeline.test.ts):
 * `node --import tsx tests/support/outbox-sender-process.ts <db file> <stand-in url>`.
 * Prints `started` once it sends.
 */
import { EventBus } from "../../hub/events.ts";
import { createLogger } from "../../hub/log.ts";
import { OutboxSender } from "../../hub/notify/outbox-sender.ts";
import { TwilioSmsNotifier } from "../../hub/notify/twilio-notifier.ts";
import { TwilioVoiceNotifier } from "../../hub/notify/twilio-voice-notifier.ts";
import { AlarmRepository } from "../../hub/storage/alarm-repo.ts";
import { openDatabase } from "../../hub/storage/database.ts";
import { OutboxRepository } from "../../hub/storage/outbox-repo.ts";
import { SqliteSql } from "../../hub/storage/sql/sqlite-sql.ts";
import { TEST_TWILIO } from "./test-hub.ts";

const [dbFile, apiBaseUrl] = process.argv.slice(2);
if (!dbFile || !apiBaseUrl) throw new Error("usage: outbox-sender-process.ts <db file> <stand-in url>");
const logger = createLogger("silent");
const db = openDatabase(dbFile, logger);
const account = { ...TEST_TWILIO, apiBaseUrl, timeoutMs: 60_000 };
const sql = new SqliteSql(db);
const sender = new OutboxSender(
  {
    sql,
    outbox: new OutboxRepository(sql),
    alarms: new AlarmRepository(sql),
    notifier: new TwilioSmsNotifier(account),
    voice: new TwilioVoiceNotifier(account),
    bus: new EventBus(logger),
    logger,
  },
  { pollMs: 100, maxBackoffMs: 30_000, ratePerS: 1000, concurrency: 8 },
);
sender.start();
console.log("started");
