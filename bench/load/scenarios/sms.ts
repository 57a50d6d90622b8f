/**
 * P6, SMS fan-out: SOS alarms from distinct homes, each texting its three
 * relatives (first wave three) plus whoever else the hub texts (the offered
 * worker, a clinic), through the durable outbox to a rate-limited Twilio
 * stand-in that refuses a share of requests with 429. Every queued SMS must be
 * accepted exactly once; the rate achieved is compared with the allowed one.
 */
import { type BenchContext, problem } from "../context.ts";
import { outboxCounts, outboxRows } from "../db-check.ts";
import { pressPhase } from "../phases.ts";
import { Progress } from "../progress.ts";
import { closeSession, discardSession, openSession, type Session } from "../sessions.ts";
import { distribution, maxOf, minOf, sleep } from "../stats.ts";
import type { Cell, ResultTable } from "../table.ts";
import type { HubTarget } from "../targets.ts";
import { startTwilioStandIn, type TwilioStandIn } from "../twilio-standin.ts";
import { summary } from "./storm-latency.ts";

const P6 = "P6 SMS fan-out";

function measures(ctx: BenchContext) {
  const o = ctx.options;
  return {
    accepted: `${o.p6Alarms} SOS × 3 relatives (+ worker, clinic): SMS accepted by the stand-in`,
    queued: "SMS queued in the outbox for these alarms",
    lost: "SMS lost (queued, never accepted)",
    duplicated: "SMS duplicated (accepted twice)",
    rate: `achieved rate, % of the allowed ${o.smsRate}/s`,
    firstP50: "alarm stored → its first SMS request, p50",
    firstP99: "alarm stored → its first SMS request, p99",
    refused: `requests refused with 429 (${Math.round(o.smsRefuseShare * 100)}% at random, and over the rate)`,
    drained: "last SMS accepted after the first press",
  };
}

export function addSmsRows(ctx: BenchContext, table: ResultTable): void {
  if (!ctx.options.scenarios.includes("p6") || !ctx.options.targets.includes("hub")) return;
  const m = measures(ctx);
  table.add({ scenario: P6, measure: m.accepted, unit: "", goal: "" });
  table.add({ scenario: P6, measure: m.queued, unit: "", goal: "" });
  table.add({ scenario: P6, measure: m.lost, unit: "", goal: "0", check: (v) => v === 0 });
  table.add({ scenario: P6, measure: m.duplicated, unit: "", goal: "0", check: (v) => v === 0 });
  table.add({ scenario: P6, measure: m.rate, unit: "%", goal: "≥ 95%", check: (v) => v >= 95 });
  table.add({ scenario: P6, measure: m.firstP50, unit: "s", goal: "" });
  table.add({ scenario: P6, measure: m.firstP99, unit: "s", goal: "" });
  table.add({ scenario: P6, measure: m.refused, unit: "", goal: "" });
  table.add({ scenario: P6, measure: m.drained, unit: "s", goal: "" });
}

/**
 * An SMS is known by its recipient and text; links are left out, because the
 * outbox keeps a relative's family-page link redacted ("/f/…") and puts the
 * token in only when sending.
 */
const key = (to: string, body: string) =>
  `${to}\u0000${body.replace(/https?:\/\/[A-Za-z0-9._~:/?#@!$&'()*+,;=%\u2026-]+/g, "<link>")}`;

/** Waits until the outbox has nothing pending (or the phase times out). */
async function waitForOutbox(ctx: BenchContext, dbFile: string, twilio: TwilioStandIn): Promise<boolean> {
  const progress = new Progress(`${P6}, outbox`);
  const deadline = Date.now() + ctx.options.phaseTimeoutS * 1000;
  for (;;) {
    const counts = outboxCounts(dbFile);
    progress.update(
      `${counts.sent}/${counts.sms} SMS sent, ${counts.pending} pending, ${twilio.fake.messages.length} accepted`,
    );
    if (counts.pending === 0) {
      progress.done(
        `${counts.sent}/${counts.sms} SMS sent, ${counts.failed} failed, ${twilio.fake.messages.length} accepted`,
      );
      return true;
    }
    if (Date.now() > deadline) {
      progress.done(`${counts.pending} SMS still pending after ${ctx.options.phaseTimeoutS} s`);
      return false;
    }
    await sleep(500);
  }
}

export async function runSms(ctx: BenchContext): Promise<void> {
  const { options, table } = ctx;
  if (!options.targets.includes("hub")) return;
  const m = measures(ctx);
  const set = (measure: keyof typeof m, value: Cell) => table.set(P6, m[measure], "hub", value);
  const own = ctx.twilio
    ? null
    : await startTwilioStandIn({
        ratePerSecond: options.smsRate,
        refuseShare: options.smsRefuseShare,
        latencyMs: options.smsLatencyMs,
      });
  const twilio = ctx.twilio ?? (own as TwilioStandIn);
  const requestsBefore = twilio.requests.length;
  const messagesBefore = twilio.fake.messages.length;
  let session: Session | null = null;
  try {
    session = await openSession(ctx, "hub", {
      label: "p6",
      buttons: Math.min(options.fleet, options.p6Alarms),
      twilio,
    });
    const target = session.target as HubTarget;
    if (!session.connected) throw new Error("no connected fleet");
    const durationMs = Math.ceil((options.p6Alarms / options.p6Rate) * 1000);
    const outcome = await pressPhase(
      ctx,
      target,
      session.connected.fleet,
      { type: "open", rate: options.p6Rate, durationMs, kind: "sos" },
      P6,
    );
    const drained = await waitForOutbox(ctx, target.dbFile, twilio);
    await sleep(options.smsLatencyMs + 200);
    // The alarms of this phase: stored when their first press was acked.
    const storedAt = new Map<number, number>();
    outcome.report.alarmIds.forEach((id, i) => {
      const at = outcome.report.ackAt[i] ?? Number.NaN;
      if (id > 0 && !((storedAt.get(id) ?? Number.POSITIVE_INFINITY) <= at)) storedAt.set(id, at);
    });
    const rows = outboxRows(target.dbFile).filter((r) => r.alarmId !== null && storedAt.has(r.alarmId));
    const alarmOf = new Map(rows.map((r) => [key(r.recipient, r.body), r.alarmId as number]));
    const accepted = twilio.fake.messages.slice(messagesBefore).filter((msg) => alarmOf.has(key(msg.to, msg.body)));
    const acceptedCount = new Map<string, number>();
    for (const msg of accepted)
      acceptedCount.set(key(msg.to, msg.body), (acceptedCount.get(key(msg.to, msg.body)) ?? 0) + 1);
    const lost = rows.filter((r) => !acceptedCount.has(key(r.recipient, r.body))).length;
    const duplicated =
      [...acceptedCount.values()].reduce((n, c) => n + c - 1, 0) + outboxCounts(target.dbFile).duplicates;
    const requests = twilio.requests.slice(requestsBefore).filter((r) => alarmOf.has(key(r.to, r.body)));
    const firstRequest = new Map<number, number>();
    for (const request of requests) {
      const alarmId = alarmOf.get(key(request.to, request.body)) as number;
      if (!((firstRequest.get(alarmId) ?? Number.POSITIVE_INFINITY) <= request.at))
        firstRequest.set(alarmId, request.at);
    }
    const delays = [...firstRequest].map(([id, at]) => (at - (storedAt.get(id) ?? at)) / 1000);
    const first = distribution(delays);
    const acceptedTimes = accepted.map((msg) => msg.receivedAt.getTime());
    const spanS = (maxOf(acceptedTimes) - minOf(acceptedTimes)) / 1000;
    const rate = accepted.length > 1 && spanS > 0 ? (accepted.length - 1) / spanS : Number.NaN;
    set("accepted", accepted.length);
    set("queued", rows.length);
    set("lost", lost);
    set("duplicated", duplicated);
    set("rate", (100 * rate) / options.smsRate);
    set("firstP50", first.p50);
    set("firstP99", first.p99);
    set("refused", requests.filter((r) => r.status === 429).length);
    set(
      "drained",
      drained ? (maxOf(acceptedTimes) - outcome.startedAt) / 1000 : `not done in ${options.phaseTimeoutS} s`,
    );
    ctx.details.p6 = {
      ...summary(outcome),
      sms: { queued: rows.length, accepted: accepted.length, lost, duplicated, ratePerS: rate, first },
    };
    if (lost > 0 && (drained || options.smoke)) problem(ctx, `P6: ${lost} SMS queued but never accepted`);
    if (duplicated > 0) problem(ctx, `P6: ${duplicated} SMS accepted twice`);
    if (rows.length === 0) problem(ctx, "P6: no SMS was queued for the alarms");
    await closeSession(session);
  } catch (error) {
    if (session) await discardSession(session);
    problem(ctx, `P6 failed: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    await own?.close();
  }
}
