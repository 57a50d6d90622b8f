/**
 * `GET /metrics` (issue 16) on a real hub, on SQLite (tests/metrics.e2e.test.ts) or PostgreSQL
 * (tests/postgres/metrics.e2e.test.ts): simulated buttons over MQTT, SMS through the real Twilio SDK to
 * the local stand-in, a console's WebSocket. Each figure is read with a strict text-format reader before
 * and after something happens, and must move by what happened: alarms stored by kind and source, presses
 * acked, each stage run, alarms open by status, the outbox drained (its counts equal to the table's),
 * consoles open and closed, an operator's acknowledgement timed, alarms gone past their acknowledgement
 * deadline, devices connected and gone, and the device faults they leave.
 *
 * The hub's clock (deadlines, ages) runs `aheadMs` ahead of the wall clock once a test sets it, so an
 * alarm can be made late without waiting for it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SimulatedButton } from "../../firmware-sim/device.ts";
import { openConsoleFeed } from "./console-feed.ts";
import { createUser } from "./registry-app.ts";
import { parseScrape, type Scrape, scrape } from "./scrape.ts";
import { startTestHub, type TestHub, waitFor } from "./test-hub.ts";

const INTAKE = ["validate", "dedupe", "persist", "ack"];
const ALARM_STAGES = ["locate", "notify_relatives", "dispatch", "publish_dashboards"];

export function describeMetrics(engine: "sqlite" | "postgres"): void {
  let th: TestHub;
  let aheadMs = 0;
  const buttons: SimulatedButton[] = [];

  beforeAll(async () => {
    th = await startTestHub({
      engine,
      clock: () => new Date(Date.now() + aheadMs),
      // Nothing moves on by itself while the figures are compared: no offer or relatives' wave times out.
      env: { ANXIN_ACCEPT_TIMEOUT_S: "3600", ANXIN_RELATIVE_CONFIRM_S: "3600", ANXIN_ACK_DEADLINE_S: "60" },
    });
  }, 60_000);

  afterAll(async () => {
    for (const button of buttons) button.kill();
    await th?.stop();
  });

  /** Scrapes until `ready` holds (figures read at a scrape may trail the event by a turn or a send). */
  function scrapeUntil(ready: (s: Scrape) => boolean, what: string): Promise<Scrape> {
    return waitFor(
      async () => {
        const s = await scrape(th.httpUrl);
        return ready(s) ? s : null;
      },
      15_000,
      what,
    );
  }

  async function startButton(index: number): Promise<SimulatedButton> {
    const credential = th.demoDevices[index];
    if (!credential) throw new Error(`the demo district has no device ${index}`);
    const button = new SimulatedButton({
      mqttUrl: th.mqttUrl,
      deviceId: credential.deviceId,
      secret: credential.secret,
    });
    buttons.push(button);
    await button.start({ timeoutMs: 5000 });
    return button;
  }

  async function count(sql: string, params: unknown[] = []): Promise<number> {
    return (await th.hub.sql.get<{ n: number }>(sql, params as never))?.n ?? 0;
  }

  describe(`GET /metrics (${engine})`, () => {
    it("answers Prometheus' text format, with the process's standard metrics, and SQLite's log on SQLite", async () => {
      const response = await fetch(`${th.httpUrl}/metrics`);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
      const s = parseScrape(await response.text());
      expect(s.value("process_cpu_user_seconds_total")).toBeGreaterThan(0);
      expect(s.value("nodejs_eventloop_lag_p99_seconds")).toBeGreaterThanOrEqual(0);
      expect(s.value("process_resident_memory_bytes")).toBeGreaterThan(0);
      if (engine === "sqlite") {
        // The seeded district was written through the log.
        expect(s.value("anxin_sqlite_wal_bytes")).toBeGreaterThan(0);
      } else {
        // PostgreSQL's log is the server's, not the hub's.
        expect(s.families.some((f) => f.name === "anxin_sqlite_wal_bytes")).toBe(false);
      }
      // A hub alone leads the jobs (on PostgreSQL once it holds the advisory lock, a moment after the start).
      await scrapeUntil((later) => later.value("anxin_jobs_leader") === 1, "this hub to lead the jobs");
      expect(s.value("anxin_alarm_ack_deadline_seconds")).toBe(60);
      // Every known series is there from the start, at zero: an alert sees 0, not nothing.
      expect(s.value("anxin_alarms_received_total", { kind: "sos", source: "voice" })).toBe(0);
      expect(s.value("anxin_outbox_pending", { channel: "voice" })).toBe(0);
      expect(s.value("anxin_device_faults_open", { kind: "test_failed" })).toBe(0);
      expect(s.histogram("anxin_pipeline_stage_seconds", { stage: "dispatch" }).count).toBe(0);
    });

    it("counts SOS and service presses as they are stored, acked and run through every stage", async () => {
      const before = await scrape(th.httpUrl);
      const sos = [await startButton(10), await startButton(11)];
      const service = await startButton(12);
      await scrapeUntil(
        (s) => s.value("anxin_devices_connected") === before.value("anxin_devices_connected") + 3,
        "three devices connected",
      );

      const acks = await Promise.all([...sos.map((b) => b.press("sos")), service.press("service")]);
      for (const ack of acks) await th.waitForPipeline(ack.alarmId);
      const after = await scrape(th.httpUrl);

      const moved = (name: string, labels: Record<string, string>) =>
        after.value(name, labels) - before.value(name, labels);
      expect(moved("anxin_alarms_received_total", { kind: "sos", source: "button" })).toBe(2);
      expect(moved("anxin_alarms_received_total", { kind: "service", source: "button" })).toBe(1);
      expect(moved("anxin_alarms_received_total", { kind: "test", source: "button" })).toBe(0);

      const acked = (s: Scrape, kind: string) => s.histogram("anxin_press_ack_seconds", { kind }).count;
      // At least: a press the device sent again before its ack came (a busy machine) is acked again.
      expect(acked(after, "sos") - acked(before, "sos")).toBeGreaterThanOrEqual(2);
      expect(acked(after, "service") - acked(before, "service")).toBeGreaterThanOrEqual(1);
      expect(after.histogram("anxin_press_ack_seconds", { kind: "sos" }).sum).toBeGreaterThan(0);

      const runs = (s: Scrape, stage: string) => s.histogram("anxin_pipeline_stage_seconds", { stage }).count;
      for (const stage of INTAKE) expect(runs(after, stage) - runs(before, stage), stage).toBeGreaterThanOrEqual(3);
      // Each alarm runs each post-storage stage once, and none failed.
      for (const stage of ALARM_STAGES) {
        expect(runs(after, stage) - runs(before, stage), stage).toBe(3);
        expect(after.value("anxin_pipeline_stage_failures_total", { stage }), stage).toBe(0);
      }

      // Open, by kind and status: an SOS is offered to a worker at once, a service call to its grid's worker.
      const open = (s: Scrape, kind: string) => s.sum("anxin_alarms_open", { kind });
      expect(open(after, "sos") - open(before, "sos")).toBe(2);
      expect(open(after, "service") - open(before, "service")).toBe(1);
      const offered = await count("SELECT COUNT(*) AS n FROM alarms WHERE kind = 'sos' AND status = 'offered'");
      expect(after.value("anxin_alarms_open", { kind: "sos", status: "offered" })).toBe(offered);
      expect(offered).toBeGreaterThanOrEqual(2);
      expect(after.value("anxin_alarms_unacknowledged_oldest_age_seconds", { kind: "sos" })).toBeGreaterThanOrEqual(0);
      expect(after.value("anxin_alarms_unacknowledged_overdue", { kind: "sos" })).toBe(0);
    });

    it("counts a call to the center as a voice SOS, once however often Twilio sends it", async () => {
      const before = await scrape(th.httpUrl);
      const received = (s: Scrape) => s.value("anxin_alarms_received_total", { kind: "sos", source: "voice" });
      const callSid = `CA${"7".repeat(32)}`;
      // A number no household has: an unplaced alarm showing the caller, for an operator to place.
      for (let i = 0; i < 2; i += 1) {
        expect((await th.twilioWebhooks().inboundCall({ from: "+8613912345678", callSid })).status).toBe(200);
      }
      const after = await scrape(th.httpUrl);
      expect(received(after) - received(before)).toBe(1);
      expect(after.value("anxin_alarms_received_total", { kind: "sos", source: "button" })).toBe(
        before.value("anxin_alarms_received_total", { kind: "sos", source: "button" }),
      );
    });

    it("counts the SMS sent, and shows the outbox's depth and age as the table holds them", async () => {
      // The stand-in takes every SMS: once nothing is pending, the counter equals the table's sent rows. The
      // counter moves just after the commit that marks a row sent (on PostgreSQL a scrape may fall between).
      const { drained, sent } = await waitFor(
        async () => {
          const s = await scrape(th.httpUrl);
          if (s.value("anxin_outbox_pending", { channel: "sms" }) !== 0) return null;
          const rows = await count("SELECT COUNT(*) AS n FROM outbox WHERE channel = 'sms' AND status = 'sent'");
          const counted = s.value("anxin_outbox_messages_total", { channel: "sms", outcome: "sent" });
          return counted === rows ? { drained: s, sent: rows } : null;
        },
        15_000,
        "the outbox drained, each SMS sent counted once",
      );
      expect(sent).toBeGreaterThan(2);
      expect(drained.value("anxin_outbox_messages_total", { channel: "sms", outcome: "failed" })).toBe(0);
      expect(drained.value("anxin_outbox_oldest_pending_age_seconds", { channel: "sms" })).toBe(0);

      // A message waiting 90 s for its retry: depth 1, and old enough for the "outbox stuck" alert.
      const createdAt = new Date(Date.now() - 90_000).toISOString();
      await th.hub.sql.run(
        `INSERT INTO outbox (channel, recipient, body, alarm_id, purpose, dedupe_key, next_attempt_at, created_at)
         VALUES ('sms', '+8613800000001', 'waiting', NULL, 'test', 'metrics-test-waiting', ?, ?)`,
        [Date.now() + 3_600_000, createdAt],
      );
      try {
        const waiting = await scrape(th.httpUrl);
        expect(waiting.value("anxin_outbox_pending", { channel: "sms" })).toBe(1);
        expect(waiting.value("anxin_outbox_oldest_pending_age_seconds", { channel: "sms" })).toBeGreaterThanOrEqual(90);
        expect(waiting.value("anxin_outbox_pending", { channel: "voice" })).toBe(0);
      } finally {
        await th.hub.sql.run("DELETE FROM outbox WHERE dedupe_key = 'metrics-test-waiting'");
      }
    });

    it("counts the consoles whose WebSocket is open", async () => {
      const cookie = await th.login();
      const before = (await scrape(th.httpUrl)).value("anxin_console_clients");
      const feed = await openConsoleFeed(th.wsUrl, cookie);
      await scrapeUntil((s) => s.value("anxin_console_clients") === before + 1, "one more console");
      feed.close();
      await scrapeUntil((s) => s.value("anxin_console_clients") === before, "the console gone");
    });

    it("times an operator's acknowledgement, and counts what is left unacknowledged", async () => {
      const cookie = await createUser(th, "metrics.operator", "operator", "metrics-operator-pass");
      const before = await scrape(th.httpUrl);
      const alarmId = await count(
        "SELECT MIN(id) AS n FROM alarms WHERE kind = 'sos' AND acknowledged_at IS NULL AND status = 'offered'",
      );
      const response = await fetch(`${th.httpUrl}/api/alarms/${alarmId}/acknowledge`, {
        method: "POST",
        headers: { cookie },
      });
      expect(response.status).toBe(200);
      const after = await scrapeUntil(
        (s) =>
          s.histogram("anxin_alarm_acknowledge_seconds", { kind: "sos" }).count ===
          before.histogram("anxin_alarm_acknowledge_seconds", { kind: "sos" }).count + 1,
        "the acknowledgement timed",
      );
      expect(after.histogram("anxin_alarm_acknowledge_seconds", { kind: "sos" }).sum).toBeGreaterThan(0);

      // Two minutes on (the hub's clock): every SOS and service call still unacknowledged is past its deadline.
      aheadMs = 120_000;
      const late = await scrape(th.httpUrl);
      for (const kind of ["sos", "service"]) {
        const unacknowledged = await count(
          `SELECT COUNT(*) AS n FROM alarms
            WHERE kind = ? AND acknowledged_at IS NULL AND status IN ('unassigned', 'offered', 'accepted', 'on_scene')`,
          [kind],
        );
        expect(unacknowledged, kind).toBeGreaterThanOrEqual(1);
        expect(late.value("anxin_alarms_unacknowledged_overdue", { kind }), kind).toBe(unacknowledged);
        expect(late.value("anxin_alarms_unacknowledged_oldest_age_seconds", { kind }), kind).toBeGreaterThan(120);
      }
    });

    it("counts devices as they disconnect, and the offline faults their Wills open", async () => {
      const before = await scrape(th.httpUrl);
      const connected = before.value("anxin_devices_connected");
      expect(connected).toBe(buttons.length);
      // Power cut: no goodbye, the broker publishes the Will, supervision opens an `offline` fault.
      buttons[0]?.kill();
      await buttons[1]?.stop();
      const after = await scrapeUntil(
        (s) =>
          s.value("anxin_devices_connected") === connected - 2 &&
          s.value("anxin_device_faults_open", { kind: "offline" }) ===
            before.value("anxin_device_faults_open", { kind: "offline" }) + 2,
        "two devices gone and faulted",
      );
      expect(after.value("anxin_device_faults_open", { kind: "offline" })).toBe(
        await count("SELECT COUNT(*) AS n FROM device_faults WHERE kind = 'offline' AND cleared_at IS NULL"),
      );
    });
  });
}
