/**
 * Nothing is lost: SMS survive provider throttling and outages, a refused
 * number is recorded rather than retried forever, and an alarm whose
 * post-storage stage fails (here: the outbox table refusing inserts, injected
 * with a real SQLite trigger) stays stored, acked and visible, and is completed
 * once the fault clears — also across a hub restart.
 */

import path from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { SimulatedButton } from "../firmware-sim/device.ts";
import { type Scrape, scrape } from "./support/scrape.ts";
import { startTestHub, type TestHub, waitFor } from "./support/test-hub.ts";

const count = (th: TestHub, sql: string, ...params: unknown[]) =>
  (th.hub.db.prepare(sql).get(...params) as { n: number }).n;

describe("delivery and recovery", () => {
  let th: TestHub | undefined;
  let button: SimulatedButton | undefined;
  afterEach(async () => {
    await button?.stop();
    await th?.stop();
    th = undefined;
    button = undefined;
  });

  async function pressAs(hub: TestHub, index: number) {
    const credential = hub.demoDevices[index];
    if (!credential) throw new Error("missing demo device");
    button = new SimulatedButton({
      mqttUrl: hub.mqttUrl,
      deviceId: credential.deviceId,
      secret: credential.secret,
      retryInitialMs: 200,
    });
    await button.start({ timeoutMs: 5000 });
    return { credential, ack: await button.press("sos") };
  }

  it("retries SMS through 429 and 5xx until sent, and records a number Twilio refuses", async () => {
    th = await startTestHub();
    const hub = th;
    const twilio = hub.twilio;
    if (!twilio) throw new Error("no Twilio stand-in");
    // Make the first relative's number invalid so Twilio refuses it for good (21211).
    const credential = hub.demoDevices[10];
    const resident = hub.hub.db
      .prepare("SELECT r.id FROM residents r JOIN devices d ON d.household_id = r.household_id WHERE d.id = ?")
      .get(credential?.deviceId) as { id: number };
    hub.hub.db.prepare("UPDATE relatives SET phone = '+0123' WHERE resident_id = ? AND priority = 1").run(resident.id);
    twilio.failNext(429, 2);
    twilio.failNext(503, 1);
    twilio.failNext(500, 1);

    const { ack } = await pressAs(hub, 10);
    await hub.waitForPipeline(ack.alarmId);
    const total = count(hub, "SELECT COUNT(*) AS n FROM outbox WHERE alarm_id = ?", ack.alarmId);
    await waitFor(
      () =>
        count(hub, "SELECT COUNT(*) AS n FROM outbox WHERE alarm_id = ? AND status != 'pending'", ack.alarmId) ===
        total,
      10_000,
      "every SMS settled",
    );
    const rows = hub.hub.db
      .prepare("SELECT recipient, status, attempts, last_error FROM outbox WHERE alarm_id = ?")
      .all(ack.alarmId) as {
      recipient: string;
      status: string;
      attempts: number;
      last_error: string | null;
    }[];
    const refused = rows.filter((r) => r.status === "failed");
    expect(refused).toHaveLength(1);
    expect(refused[0]?.recipient).toBe("+0123");
    expect(refused[0]?.last_error).toContain("21211");
    expect(rows.filter((r) => r.status === "sent")).toHaveLength(total - 1);
    // The four injected failures were all absorbed by retries: nothing else failed.
    const injected = twilio.requests.filter((r) => [429, 500, 503].includes(r.status));
    expect(injected).toHaveLength(4);
    expect(rows.reduce((sum, r) => sum + r.attempts, 0)).toBeGreaterThanOrEqual(total + 4);
    const events = hub.hub.db
      .prepare("SELECT type FROM alarm_events WHERE alarm_id = ? AND type = 'sms_failed'")
      .all(ack.alarmId);
    expect(events).toHaveLength(1);

    // /metrics counts each answer once (issue 16): the sent SMS as the table holds them, the refused number,
    // and the four injected refusals that were tried again.
    const sms = (s: Scrape, outcome: string) => s.value("anxin_outbox_messages_total", { channel: "sms", outcome });
    const figures = await waitFor(
      async () => {
        const s = await scrape(hub.httpUrl);
        const sentRows = count(hub, "SELECT COUNT(*) AS n FROM outbox WHERE channel = 'sms' AND status = 'sent'");
        return sms(s, "sent") === sentRows ? s : null;
      },
      15_000,
      "every sent SMS counted",
    );
    expect(sms(figures, "failed")).toBe(1);
    expect(sms(figures, "retried")).toBe(4);
  });

  it("keeps and completes an alarm whose stage fails, and resumes it after a restart", async () => {
    th = await startTestHub();
    const hub = th;
    hub.hub.db.exec(
      "CREATE TRIGGER outbox_broken BEFORE INSERT ON outbox BEGIN SELECT RAISE(ABORT, 'simulated storage fault'); END",
    );
    const cookie = await hub.login();
    const { ack } = await pressAs(hub, 20);
    // Stored and acked despite the fault…
    expect(count(hub, "SELECT COUNT(*) AS n FROM alarms WHERE id = ?", ack.alarmId)).toBe(1);
    await hub.waitForLog((l) => l.code === "PIPELINE_STAGE_FAILED" && l.alarmId === ack.alarmId);
    // …and visible to operators, flagged as incomplete, with the failure on its timeline.
    const listed = await hub.hub.app.inject({ method: "GET", url: "/api/alarms", headers: { cookie } });
    const summary = (
      listed.json().alarms as { id: number; pipelineComplete: boolean; stageError: string | null }[]
    ).find((a) => a.id === ack.alarmId);
    expect(summary?.pipelineComplete).toBe(false);
    expect(summary?.stageError).toContain("simulated storage fault");
    expect(
      count(hub, "SELECT COUNT(*) AS n FROM alarm_events WHERE alarm_id = ? AND type = 'stage_failed'", ack.alarmId),
    ).toBe(1);

    // The hub goes down while the fault persists; the fault is repaired; the hub comes back.
    await button?.stop();
    button = undefined;
    const dataDir = hub.dataDir;
    await hub.hub.stop();
    const db = new Database(path.join(dataDir, "anxin.db"));
    db.exec("DROP TRIGGER outbox_broken");
    db.close();
    await hub.restart();

    await waitFor(
      () =>
        (
          hub.hub.db.prepare("SELECT stages_done FROM alarms WHERE id = ?").get(ack.alarmId) as { stages_done: string }
        ).stages_done.includes("publish_dashboards"),
      5000,
      "pipeline resumed after restart",
    );
    const twilio = hub.twilio;
    if (!twilio) throw new Error("no Twilio stand-in");
    const expected = count(hub, "SELECT COUNT(*) AS n FROM outbox WHERE alarm_id = ?", ack.alarmId);
    expect(expected).toBeGreaterThan(1);
    // Relatives, the offered worker and the clinic: each outbox row sent, and received by Twilio exactly once.
    await waitFor(
      () => {
        const sids = new Set(
          (
            hub.hub.db
              .prepare("SELECT provider_ref FROM outbox WHERE alarm_id = ? AND status = 'sent'")
              .all(ack.alarmId) as { provider_ref: string }[]
          ).map((r) => r.provider_ref),
        );
        return sids.size === expected && twilio.messages.filter((m) => sids.has(m.sid)).length === expected;
      },
      5000,
      "SMS after recovery",
    );
    const types = (
      hub.hub.db.prepare("SELECT type FROM alarm_events WHERE alarm_id = ? ORDER BY id").all(ack.alarmId) as {
        type: string;
      }[]
    ).map((e) => e.type);
    expect(types.slice(0, 5)).toEqual([
      "received",
      "located",
      "stage_failed",
      "relatives_wave_sent",
      "dispatch_ranked",
    ]);
  });

  it("resumes an alarm closed while its stages were failing without texting, alerting or offering anyone", async () => {
    th = await startTestHub();
    const hub = th;
    hub.hub.db.exec(
      "CREATE TRIGGER outbox_broken BEFORE INSERT ON outbox BEGIN SELECT RAISE(ABORT, 'simulated storage fault'); END",
    );
    const cookie = await hub.login();
    const { ack } = await pressAs(hub, 21);
    await hub.waitForLog((l) => l.code === "PIPELINE_STAGE_FAILED" && l.alarmId === ack.alarmId);
    // While the relatives' stage keeps failing, an operator learns it was an accident and closes it.
    const cancelled = await hub.hub.app.inject({
      method: "POST",
      url: `/api/alarms/${ack.alarmId}/cancel`,
      headers: { cookie },
      payload: { reason: "resident phoned: pressed by mistake" },
    });
    expect(cancelled.statusCode).toBe(200);
    hub.hub.db.exec("DROP TRIGGER outbox_broken");

    await waitFor(
      () =>
        (
          hub.hub.db.prepare("SELECT stages_done FROM alarms WHERE id = ?").get(ack.alarmId) as { stages_done: string }
        ).stages_done.includes("publish_dashboards"),
      5000,
      "the pipeline resumed once the fault cleared",
    );
    // Nobody is told about an alarm that is over: no relative, no worker, no clinic.
    expect(count(hub, "SELECT COUNT(*) AS n FROM outbox WHERE alarm_id = ?", ack.alarmId)).toBe(0);
    expect(count(hub, "SELECT COUNT(*) AS n FROM dispatch_offers WHERE alarm_id = ?", ack.alarmId)).toBe(0);
    expect(hub.hub.db.prepare("SELECT status, clinic_id FROM alarms WHERE id = ?").get(ack.alarmId)).toEqual({
      status: "cancelled",
      clinic_id: null,
    });
    const skipped = hub.hub.db
      .prepare("SELECT detail FROM alarm_events WHERE alarm_id = ? AND type = 'stage_skipped' ORDER BY id")
      .all(ack.alarmId) as { detail: string }[];
    expect(skipped.map((e) => JSON.parse(e.detail))).toEqual([
      { stage: "notify_relatives", reason: { code: "alarm_closed", params: { status: "cancelled" } } },
      { stage: "dispatch", reason: { code: "alarm_closed", params: { status: "cancelled" } } },
    ]);
  });
});
