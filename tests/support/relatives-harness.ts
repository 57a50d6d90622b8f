/**
 * A real hub for the relatives' cascade: the demo district with a resident's
 * relatives set by the test, the real twilio SDK against the local stand-in,
 * and a clock the test moves forward (the cascade's deadlines come from it;
 * the watcher still scans every real second).
 */

import { SimulatedButton } from "../../firmware-sim/device.ts";
import type { AlarmKind } from "../../protocol/index.ts";
import type { FakeTwilio, FakeTwilioCall, FakeTwilioMessage } from "./fake-twilio.ts";
import { startTestHub, type TestHub, type TestHubOptions, waitFor } from "./test-hub.ts";

export interface RelativeFixture {
  name: string;
  phone: string;
  language?: "zh-CN" | "en";
}

export interface CascadeHub {
  th: TestHub;
  twilio: FakeTwilio;
  /** Moves the hub's clock forward. */
  advance(seconds: number): void;
  /** Replaces the relatives of the resident of the n-th demo device; returns their ids in priority order. */
  giveRelatives(deviceIndex: number, relatives: readonly RelativeFixture[]): Promise<number[]>;
  /** Presses the n-th demo button and waits until every pipeline stage has run. */
  press(deviceIndex: number, kind?: AlarmKind): Promise<number>;
  smsTo(phone: string): FakeTwilioMessage[];
  callsTo(phone: string): FakeTwilioCall[];
  events(alarmId: number, prefix?: string): Promise<{ type: string; actor: string; detail: Record<string, unknown> }[]>;
  cascade(
    alarmId: number,
  ): Promise<{ status: string; step: number; wave: number; deadline_at: string | null } | undefined>;
  /** The provider sid of the outbox row to this number (SMS or call), once the sender has handed it over. */
  sidFor(alarmId: number, phone: string, channel?: "sms" | "voice"): Promise<string>;
  /** Waits this long, for assertions that something did not happen (the watcher scans every second). */
  quiet(ms?: number): Promise<void>;
  /** Waits until the outbox has nothing due and unsent, so a "nothing changed" snapshot starts at rest. */
  settled(): Promise<void>;
  stop(): Promise<void>;
}

export async function startCascadeHub(options: TestHubOptions = {}): Promise<CascadeHub> {
  let offsetMs = 0;
  const th = await startTestHub({ ...options, clock: () => new Date(Date.now() + offsetMs) });
  const twilio = th.twilio;
  if (!twilio) throw new Error("the cascade needs the Twilio stand-in");
  const buttons: SimulatedButton[] = [];
  // Through the storage port: the same on SQLite and PostgreSQL (`engine` in the options).
  const sql = () => th.hub.sql;

  return {
    th,
    twilio,
    advance(seconds) {
      offsetMs += seconds * 1000;
    },
    async giveRelatives(deviceIndex, relatives) {
      const device = th.demoDevices[deviceIndex];
      if (!device) throw new Error(`no demo device ${deviceIndex}`);
      const resident = await sql().get<{ id: number }>(
        "SELECT r.id FROM residents r JOIN devices d ON d.household_id = r.household_id WHERE d.id = ?",
        [device.deviceId],
      );
      if (!resident) throw new Error(`no resident for ${device.deviceId}`);
      await sql().run("DELETE FROM relatives WHERE resident_id = ?", [resident.id]);
      const ids: number[] = [];
      for (const [i, r] of relatives.entries()) {
        const row = await sql().get<{ id: number }>(
          `INSERT INTO relatives (resident_id, priority, name, relation, phone, language)
           VALUES (?, ?, ?, '子女', ?, ?) RETURNING id`,
          [resident.id, i + 1, r.name, r.phone, r.language ?? "zh-CN"],
        );
        ids.push(Number(row?.id));
      }
      return ids;
    },
    async press(deviceIndex, kind = "sos") {
      const credential = th.demoDevices[deviceIndex];
      if (!credential) throw new Error(`no demo device ${deviceIndex}`);
      const button = new SimulatedButton({
        mqttUrl: th.mqttUrl,
        deviceId: credential.deviceId,
        secret: credential.secret,
        retryInitialMs: 200,
      });
      buttons.push(button);
      await button.start({ timeoutMs: 5000 });
      const ack = await button.press(kind);
      await th.waitForPipeline(ack.alarmId);
      if (ack.alarmId === null) throw new Error("no alarm");
      return ack.alarmId;
    },
    smsTo: (phone) => twilio.messages.filter((m) => m.to === phone),
    callsTo: (phone) => twilio.calls.filter((c) => c.to === phone),
    async events(alarmId, prefix = "") {
      const rows = await sql().all<{ type: string; actor: string; detail: string | null }>(
        "SELECT type, actor, detail FROM alarm_events WHERE alarm_id = ? AND type LIKE ? ORDER BY id",
        [alarmId, `${prefix}%`],
      );
      return rows.map((r) => ({
        type: r.type,
        actor: r.actor,
        detail: r.detail ? (JSON.parse(r.detail) as Record<string, unknown>) : {},
      }));
    },
    cascade: (alarmId) =>
      sql().get<{ status: string; step: number; wave: number; deadline_at: string | null }>(
        "SELECT status, step, wave, deadline_at FROM relative_cascades WHERE alarm_id = ?",
        [alarmId],
      ),
    sidFor(alarmId, phone, channel = "sms") {
      return waitFor(
        async () =>
          (
            await sql().get<{ provider_ref: string }>(
              "SELECT provider_ref FROM outbox WHERE alarm_id = ? AND recipient = ? AND channel = ? AND status = 'sent'",
              [alarmId, phone, channel],
            )
          )?.provider_ref,
        4000,
        `${channel} to ${phone} handed to Twilio`,
      );
    },
    quiet: (ms = 1300) => new Promise((resolve) => setTimeout(resolve, ms)),
    async settled() {
      const due = async () =>
        (
          await sql().get<{ n: number }>(
            "SELECT COUNT(*) AS n FROM outbox WHERE status = 'pending' AND next_attempt_at <= ?",
            [Date.now() + offsetMs],
          )
        )?.n;
      await waitFor(async () => (await due()) === 0, 10_000, "the outbox to send everything due");
    },
    async stop() {
      for (const button of buttons) await button.stop();
      await th.stop();
    },
  };
}
