/**
 * The gateway end to end, with no hardware and no mock: the button firmware's own hex runs in the
 * avr8js emulator, johnny-five drives it over firmata-io, and the gateway speaks MQTT to a real hub.
 * The test presses pin 2 and reads the LED on pin 13 off the emulated chip.
 */
import { PinState } from "avr8js";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { ensureFirmware } from "../firmware-sim/arduino/build-firmware.ts";
import type { Gateway } from "../gateway/gateway.ts";
import { PressStore } from "../gateway/press-store.ts";
import {
  alarmsOf,
  BUTTON,
  boardConfig,
  EmulatedPorts,
  gatewayConfig,
  holdButton,
  LED,
  LedReader,
  pressesOf,
  sleep,
  startGateway,
  tapButton,
  waitForBoard,
} from "./gateway-support.ts";
import { startTestHub, type TestHub } from "./support/test-hub.ts";

let th: TestHub;
let ports: EmulatedPorts;
const gateways: Gateway[] = [];

beforeAll(async () => {
  ensureFirmware();
  th = await startTestHub({ twilio: false });
  // With a worker on duty the dispatch stage offers the call at once, and the alarm jumps from
  // `received` to `acknowledged` before an operator does anything; off duty, the operator decides.
  th.hub.db.prepare("UPDATE workers SET on_duty = 0").run();
});

afterAll(async () => {
  await th?.stop();
});

afterEach(async () => {
  for (const gateway of gateways.splice(0)) await gateway.stop();
  ports?.unplugAll();
});

function device(index: number): { deviceId: string; secret: string } {
  const credential = th.demoDevices[index];
  if (!credential) throw new Error(`no demo device ${index}`);
  return credential;
}

async function acknowledge(alarmId: number): Promise<void> {
  const cookie = await th.login();
  const response = await fetch(`${th.httpUrl}/api/alarms/${alarmId}/acknowledge`, {
    method: "POST",
    headers: { cookie },
  });
  expect(response.status).toBe(200);
}

describe("the gateway with an emulated Arduino and a real hub", () => {
  it("turns a held press into exactly one alarm, and shows received, acknowledged, dispatched, arrived on pin 13", async () => {
    const { deviceId, secret } = device(0);
    ports = new EmulatedPorts();
    const board = ports.plug("emulated:ttyACM0");
    const config = gatewayConfig(th.mqttUrl, [boardConfig(deviceId, secret, "emulated:ttyACM0")]);
    const gateway = await startGateway(config, ports);
    gateways.push(gateway);
    // The handshake is done once johnny-five has set the button's pull-up and the LED's pin mode.
    await vi.waitFor(() => expect(gateway.board(deviceId).boardReady).toBe(true), { timeout: 5000 });
    await vi.waitFor(() => expect(board.pinState(BUTTON)).toBe(PinState.InputPullUp));
    expect(board.isOutput(LED)).toBe(true);
    expect(gateway.board(deviceId).hubConnected).toBe(true);

    const led = new LedReader(board);
    await holdButton(board);
    await vi.waitFor(() => expect(alarmsOf(th, deviceId)).toHaveLength(1), { timeout: 5000 });
    const [alarm] = alarmsOf(th, deviceId);
    expect(alarm).toMatchObject({ kind: "sos", status: "unassigned" });
    await vi.waitFor(() => expect(gateway.board(deviceId).pendingPresses).toBe(0));
    led.reset();
    await waitForBoard(board, () => led.blinking() === "received", {
      simulatedMs: 5000,
      wallMs: 5000,
      seen: () => led.describe(),
    });

    await acknowledge(alarm?.id ?? 0);
    led.reset();
    await waitForBoard(board, () => led.blinking() === "acknowledged", {
      simulatedMs: 6000,
      wallMs: 6000,
      seen: () => led.describe(),
    });

    // A worker takes the call: `dispatched`, two blinks every 2 s; on scene: `arrived`, steady on.
    const workerId = 1;
    const admin = await th.login();
    const dispatched = await fetch(`${th.httpUrl}/api/alarms/${alarm?.id}/dispatch`, {
      method: "POST",
      headers: { cookie: admin, "content-type": "application/json" },
      body: JSON.stringify({ workerId }),
    });
    expect(dispatched.status).toBe(200);
    const offer = th.hub.db
      .prepare("SELECT id FROM dispatch_offers WHERE alarm_id = ? AND status = 'offered'")
      .get(alarm?.id) as { id: number };
    const code = (th.hub.db.prepare("SELECT code FROM workers WHERE id = ?").get(workerId) as { code: string }).code;
    const worker = await th.login(code, th.workerPassword(code));
    const post = (url: string) => fetch(`${th.httpUrl}${url}`, { method: "POST", headers: { cookie: worker } });
    expect((await post(`/api/worker/offers/${offer.id}/accept`)).status).toBe(200);
    led.reset();
    await waitForBoard(board, () => led.shows("dispatched"), {
      simulatedMs: 8000,
      wallMs: 8000,
      seen: () => led.describe(),
    });
    expect(led.shows("acknowledged")).toBe(false);
    expect((await post(`/api/worker/alarms/${alarm?.id}/arrived`)).status).toBe(200);
    // Steady: lit, with no edge at all for over a second of the board's time (a blink is never that long).
    await waitForBoard(board, () => led.steadyLitFor(1200), { simulatedMs: 8000, wallMs: 8000 });
    expect(board.level(LED)).toBe(true);
    led.stop();
    // Retries crossed by the ack are harmless: still one alarm and one stored press.
    expect(alarmsOf(th, deviceId)).toHaveLength(1);
    expect(pressesOf(th, deviceId)).toHaveLength(1);
    // Acked, so gone from the durable queue: a gateway starting on this data dir has nothing to send.
    await gateway.stop();
    const store = new PressStore(config.dataDir);
    store.open();
    expect(store.pendingFor(deviceId)).toEqual([]);
    store.close();
  });

  it("sends nothing for a brush, and cancels an alarm with a double short press", async () => {
    const { deviceId, secret } = device(1);
    ports = new EmulatedPorts();
    const board = ports.plug("emulated:ttyACM1");
    const gateway = await startGateway(gatewayConfig(th.mqttUrl, [boardConfig(deviceId, secret, board.path)]), ports);
    gateways.push(gateway);
    await vi.waitFor(() => expect(board.pinState(BUTTON)).toBe(PinState.InputPullUp), { timeout: 5000 });

    await tapButton(board);
    // Past the hold time and the double-press window: a brush must have raised nothing at all.
    await sleep(1_800);
    expect(pressesOf(th, deviceId)).toEqual([]);
    expect(gateway.board(deviceId).pendingPresses).toBe(0);

    await holdButton(board);
    await vi.waitFor(() => expect(alarmsOf(th, deviceId)).toHaveLength(1), { timeout: 5000 });
    await tapButton(board);
    await tapButton(board);
    await vi.waitFor(() => expect(alarmsOf(th, deviceId)).toMatchObject([{ status: "cancelled" }]), {
      timeout: 5000,
    });
    expect(pressesOf(th, deviceId)).toHaveLength(2);
  });
});
