/**
 * SMS fan-out of a mass event (issue 12, P6): 1,000 SOS alarms, each texting
 * its 3 relatives, through the real outbox sender and the real twilio SDK to
 * the Twilio stand-in playing a provider that allows 50 requests/s, refuses
 * 5 % at random with 429 and answers in 150 ms. SQLite on disk with
 * `synchronous=FULL`, as the hub runs it. The alarms arrive at 100/s, each
 * with its outbox rows in one transaction, as the pipeline writes them.
 *
 * Printed: the rate of accepted messages against the allowed rate, messages
 * lost (a row not sent, or a text that never reached the provider) and
 * duplicated (one text accepted twice), and alarm → first SMS at the provider.
 * Standalone: `npx tsx bench/sms-fanout.ts [--alarms N] [--rate N]`.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { EventBus } from "../hub/events.ts";
import { createLogger } from "../hub/log.ts";
import { OutboxSender } from "../hub/notify/outbox-sender.ts";
import { TwilioSmsNotifier } from "../hub/notify/twilio-notifier.ts";
import { TwilioVoiceNotifier } from "../hub/notify/twilio-voice-notifier.ts";
import { AlarmRepository } from "../hub/storage/alarm-repo.ts";
import { openDatabase } from "../hub/storage/database.ts";
import { relativeSmsPriority } from "../hub/storage/outbox-priority.ts";
import { OutboxRepository } from "../hub/storage/outbox-repo.ts";
import { SqliteSql } from "../hub/storage/sql/sqlite-sql.ts";
import { startFakeTwilio } from "../tests/support/fake-twilio.ts";

export interface SmsFanoutOptions {
  alarms: number;
  relatives: number;
  /** Requests/s the stand-in allows (and the sender is told). */
  allowedPerS: number;
  throttleShare: number;
  latencyMs: number;
  /** Alarms arriving per second. */
  arrivalsPerS: number;
}

export interface SmsFanoutFigures extends SmsFanoutOptions {
  messages: number;
  accepted: number;
  lost: number;
  duplicated: number;
  requests: number;
  refusedByRate: number;
  refusedAtRandom: number;
  /** Accepted messages per second, from the first accepted until 99 % were (the backlog). */
  achievedPerS: number;
  /** The same, first to last accepted: with the last refused ones waiting out `Retry-After` after the backlog. */
  overallPerS: number;
  firstSmsMs: { p50: number; p99: number; max: number };
  allSmsMs: { p50: number; p99: number; max: number };
  wallS: number;
}

const ACCOUNT = { accountSid: `AC${"0123456789abcdef".repeat(2)}`, authToken: "fedcba9876543210".repeat(2) };
const FROM = "+15005550006";
const DEVICE = "bench-sms-0001";

export const DEFAULT_SMS_FANOUT: SmsFanoutOptions = {
  alarms: 1000,
  relatives: 3,
  allowedPerS: 50,
  throttleShare: 0.05,
  latencyMs: 150,
  arrivalsPerS: 100,
};

const phoneOf = (alarm: number, relative: number) => `+86139${String(alarm * 10 + relative).padStart(8, "0")}`;

function quantiles(values: number[]): { p50: number; p99: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  return { p50: Math.round(at(0.5)), p99: Math.round(at(0.99)), max: Math.round(sorted.at(-1) ?? Number.NaN) };
}

export async function measureSmsFanout(options: SmsFanoutOptions = DEFAULT_SMS_FANOUT): Promise<SmsFanoutFigures> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "anxin-sms-fanout-"));
  const logger = createLogger("silent");
  const db = openDatabase(path.join(dir, "hub.db"), logger);
  const fake = await startFakeTwilio({
    ...ACCOUNT,
    limits: { ratePerSecond: options.allowedPerS, throttleShare: options.throttleShare, delayMs: options.latencyMs },
  });
  const bus = new EventBus(logger);
  const sql = new SqliteSql(db);
  const outbox = new OutboxRepository(sql);
  const alarms = new AlarmRepository(sql);
  const twilio = { ...ACCOUNT, from: FROM, apiBaseUrl: fake.url };
  const sender = new OutboxSender(
    {
      sql,
      outbox,
      alarms,
      notifier: new TwilioSmsNotifier(twilio),
      voice: new TwilioVoiceNotifier(twilio),
      bus,
      logger,
    },
    { pollMs: 500, maxBackoffMs: 300_000, ratePerS: options.allowedPerS, concurrency: 20 },
  );
  db.prepare("INSERT INTO devices (id, secret_hash, created_at) VALUES (?, 'x', ?)").run(
    DEVICE,
    new Date().toISOString(),
  );
  const raisedAt = new Map<number, number>();
  const alarmOfPhone = new Map<string, number>();
  const storeAlarm = (index: number) =>
    sql.transaction(async () => {
      const alarmId = await alarms.insertAlarm(DEVICE, "sos", new Date().toISOString());
      const messages = Array.from({ length: options.relatives }, (_, r) => ({
        recipient: phoneOf(index, r),
        body: `【安心】bench alarm ${alarmId}: relative ${r + 1}, please call your mother.`,
        alarmId,
        purpose: `relative:${r + 1}`,
        dedupeKey: `alarm:${alarmId}:relative:${r + 1}`,
        // As the relatives' cascade queues a first wave of all three.
        priority: relativeSmsPriority(1, r),
      }));
      for (const m of messages) alarmOfPhone.set(m.recipient, alarmId);
      return { alarmId, added: await outbox.enqueue(messages) };
    });

  const started = performance.now();
  const startedAtMs = Date.now();
  sender.start();
  const total = options.alarms * options.relatives;
  try {
    for (let i = 0; i < options.alarms; i++) {
      const due = startedAtMs + (i * 1000) / options.arrivalsPerS;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const { alarmId, added } = await storeAlarm(i);
      raisedAt.set(alarmId, Date.now());
      bus.emit("outbox.enqueued", { count: added });
    }
    const deadline = Date.now() + Math.max(120_000, (4 * total * 1000) / options.allowedPerS);
    const pending = db.prepare("SELECT COUNT(*) AS n FROM outbox WHERE status = 'pending'");
    while ((pending.get() as { n: number }).n > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    await sender.stop();
  }
  const wallS = (performance.now() - started) / 1000;
  const sentRows = (db.prepare("SELECT COUNT(*) AS n FROM outbox WHERE status = 'sent'").get() as { n: number }).n;
  const texts = new Map<string, number>();
  for (const m of fake.messages) texts.set(`${m.to} ${m.body}`, (texts.get(`${m.to} ${m.body}`) ?? 0) + 1);
  const duplicated = [...texts.values()].reduce((sum, n) => sum + n - 1, 0);
  const lost = Math.max(total - sentRows, total - texts.size);

  const firstAt = new Map<number, number>();
  const lastAt = new Map<number, number>();
  for (const m of fake.messages) {
    const alarmId = alarmOfPhone.get(m.to);
    if (alarmId === undefined) continue;
    const at = m.receivedAt.getTime();
    firstAt.set(alarmId, Math.min(firstAt.get(alarmId) ?? at, at));
    lastAt.set(alarmId, Math.max(lastAt.get(alarmId) ?? at, at));
  }
  const delays = (times: Map<number, number>) =>
    [...raisedAt].map(([alarmId, at]) => (times.get(alarmId) ?? Number.POSITIVE_INFINITY) - at);
  const acceptedTimes = fake.messages.map((m) => m.receivedAt.getTime()).sort((a, b) => a - b);
  const first = acceptedTimes[0] ?? 0;
  const at99 = Math.ceil(acceptedTimes.length * 0.99) - 1;
  const perS = (count: number, until: number) => (until > first ? ((count - 1) * 1000) / (until - first) : 0);
  const figures: SmsFanoutFigures = {
    ...options,
    messages: total,
    accepted: fake.messages.length,
    lost,
    duplicated,
    requests: fake.requests.length,
    refusedByRate: fake.requests.filter((r) => r.throttled === "rate limit").length,
    refusedAtRandom: fake.requests.filter((r) => r.throttled === "random throttle").length,
    achievedPerS: perS(at99 + 1, acceptedTimes[at99] ?? first),
    overallPerS: perS(acceptedTimes.length, acceptedTimes.at(-1) ?? first),
    firstSmsMs: quantiles(delays(firstAt)),
    allSmsMs: quantiles(delays(lastAt)),
    wallS,
  };
  await fake.close();
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
  return figures;
}

export function printSmsFanoutFigures(f: SmsFanoutFigures): void {
  const pct = (f.achievedPerS / f.allowedPerS) * 100;
  console.log(
    `\nSMS fan-out: ${f.alarms} alarms × ${f.relatives} relatives arriving at ${f.arrivalsPerS}/s; provider allows ` +
      `${f.allowedPerS}/s, ${Math.round(f.throttleShare * 100)} % random 429s, answers in ${f.latencyMs} ms:`,
  );
  console.log(
    `  accepted ${f.accepted}/${f.messages}, lost ${f.lost}, duplicated ${f.duplicated}; ${f.wallS.toFixed(1)} s in all`,
  );
  console.log(
    `  rate while backlogged (first accepted → 99 % accepted) ${f.achievedPerS.toFixed(1)}/s = ${pct.toFixed(1)} % ` +
      `of the allowed rate; first → last accepted ${f.overallPerS.toFixed(1)}/s = ` +
      `${((f.overallPerS / f.allowedPerS) * 100).toFixed(1)} %`,
  );
  console.log(`  requests ${f.requests}: 429 over the rate ${f.refusedByRate}, 429 at random ${f.refusedAtRandom}`);
  console.log(
    `  alarm → first SMS at the provider: p50 ${f.firstSmsMs.p50} ms   p99 ${f.firstSmsMs.p99} ms   max ${f.firstSmsMs.max} ms`,
  );
  console.log(
    `  alarm → all its SMS at the provider: p50 ${f.allSmsMs.p50} ms   p99 ${f.allSmsMs.p99} ms   max ${f.allSmsMs.max} ms`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      alarms: { type: "string", default: String(DEFAULT_SMS_FANOUT.alarms) },
      rate: { type: "string", default: String(DEFAULT_SMS_FANOUT.allowedPerS) },
    },
  });
  printSmsFanoutFigures(
    await measureSmsFanout({ ...DEFAULT_SMS_FANOUT, alarms: Number(values.alarms), allowedPerS: Number(values.rate) }),
  );
}
