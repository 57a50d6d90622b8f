/**
 * A real hub for the alarm lifecycle: the relatives' cascade harness (real
 * MQTT, SQLite, Twilio stand-in, a clock the test moves) plus one simulated
 * button kept across presses, so its retained feedback can be read, and an
 * operator's session for the HTTP API.
 */
import { SimulatedButton } from "../../firmware-sim/device.ts";
import type { AckMessage, AlarmKind } from "../../protocol/index.ts";
import { type CascadeHub, startCascadeHub } from "./relatives-harness.ts";
import type { TestHubOptions } from "./test-hub.ts";

export interface LifecycleHub extends CascadeHub {
  button: SimulatedButton;
  deviceId: string;
  /** Presses the kept button; waits for the pipeline of a new alarm. */
  pressButton(kind: AlarmKind): Promise<AckMessage>;
  api(method: string, url: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }>;
  alarm(alarmId: number): Promise<Record<string, unknown>>;
}

export async function startLifecycleHub(deviceIndex: number, options: TestHubOptions = {}): Promise<LifecycleHub> {
  const h = await startCascadeHub(options);
  const credential = h.th.demoDevices[deviceIndex];
  if (!credential) throw new Error(`no demo device ${deviceIndex}`);
  const button = new SimulatedButton({
    mqttUrl: h.th.mqttUrl,
    deviceId: credential.deviceId,
    secret: credential.secret,
    retryInitialMs: 200,
  });
  await button.start({ timeoutMs: 5000 });
  const cookie = await h.th.login();
  return {
    ...h,
    button,
    deviceId: credential.deviceId,
    async pressButton(kind) {
      const ack = await button.press(kind);
      if (ack.alarmId !== null) await h.th.waitForPipeline(ack.alarmId);
      return ack;
    },
    async api(method, url, body) {
      const response = await fetch(`${h.th.httpUrl}${url}`, {
        method,
        headers: { cookie, ...(body === undefined ? {} : { "content-type": "application/json" }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: response.status, json: (await response.json()) as Record<string, unknown> };
    },
    alarm: async (alarmId) =>
      (await h.th.hub.sql.get<Record<string, unknown>>("SELECT * FROM alarms WHERE id = ?", [alarmId])) ?? {},
    async stop() {
      await button.stop();
      await h.stop();
    },
  };
}
