/**
 * The gateway when things go away: the hub down at the moment of a press (the press waits on disk,
 * survives a gateway restart and is delivered once), and a board unplugged and plugged back while
 * a second board on the same gateway keeps working. Real firmware in avr8js, real hub.
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
  deviceOnline,
  EmulatedPorts,
  gatewayConfig,
  holdButton,
  openOfflineFault,
  pressesOf,
  startGateway,
  tempDir,
} from "./gateway-support.ts";
import { startTestHub, type TestHub } from "./support/test-hub.ts";

let th: TestHub;
const gateways: Gateway[] = [];
const portSets: EmulatedPorts[] = [];

beforeAll(async () => {
  ensureFirmware();
  th = await startTestHub({ twilio: false });
});

afterAll(async () => {
  await th?.stop();
});

afterEach(async () => {
  for (const gateway of gateways.splice(0)) await gateway.stop();
  for (const ports of portSets.splice(0)) ports.unplugAll();
});

function device(index: number): { deviceId: string; secret: string } {
  const credential = th.demoDevices[index];
  if (!credential) throw new Error(`no demo device ${index}`);
  return credential;
}

function emulatedPorts(): EmulatedPorts {
  const ports = new EmulatedPorts();
  portSets.push(ports);
  return ports;
}

async function ready(gateway: Gateway, deviceId: string, ports: EmulatedPorts, path: string): Promise<void> {
  await vi.waitFor(() => expect(gateway.board(deviceId).boardReady).toBe(true), { timeout: 5000 });
  const board = ports.all.findLast((b) => b.path === path);
  await vi.waitFor(() => expect(board?.pinState(BUTTON)).toBe(PinState.InputPullUp));
}

describe("the gateway when the hub or a board goes away", () => {
  it("keeps a press made while the hub is down on disk, across a gateway restart, and delivers it once", async () => {
    const { deviceId, secret } = device(10);
    const dataDir = tempDir();
    await th.hub.stop();
    try {
      const ports = emulatedPorts();
      const board = ports.plug("emulated:down");
      const config = gatewayConfig(th.mqttUrl, [boardConfig(deviceId, secret, board.path)], dataDir);
      const first = await startGateway(config, ports);
      gateways.push(first);
      await ready(first, deviceId, ports, board.path);
      expect(first.board(deviceId).hubConnected).toBe(false);

      await holdButton(board);
      await vi.waitFor(() => expect(first.board(deviceId).pendingPresses).toBe(1));
      // The resident is told the call has not gone through: the error pattern, with the chirp.
      expect(first.board(deviceId).display()).toEqual({ state: "unreachable", callWaiting: true });
      await first.stop();
      gateways.length = 0;
      board.unplug();

      const onDisk = new PressStore(dataDir);
      onDisk.open();
      const [queued] = onDisk.pendingFor(deviceId);
      onDisk.close();
      expect(queued).toMatchObject({ kind: "sos", battery: 100 });

      // A new gateway process on the same data dir, and only then the hub comes back.
      const ports2 = emulatedPorts();
      const board2 = ports2.plug("emulated:down");
      const second = await startGateway(config, ports2);
      gateways.push(second);
      expect(second.board(deviceId).pendingPresses).toBe(1);
      await ready(second, deviceId, ports2, board2.path);
    } finally {
      await th.restart();
    }
    const gateway = gateways[0];
    await vi.waitFor(() => expect(gateway?.board(deviceId).pendingPresses).toBe(0), { timeout: 8000 });
    expect(alarmsOf(th, deviceId)).toMatchObject([{ kind: "sos" }]);
    expect(pressesOf(th, deviceId)).toHaveLength(1);
  });

  it("reports an unplugged board offline, finds it again when plugged back, and leaves the other board alone", async () => {
    const a = device(11);
    const b = device(12);
    const ports = emulatedPorts();
    ports.plug("emulated:a");
    const boardB = ports.plug("emulated:b");
    const config = gatewayConfig(th.mqttUrl, [
      boardConfig(a.deviceId, a.secret, "emulated:a"),
      boardConfig(b.deviceId, b.secret, "emulated:b"),
    ]);
    const gateway = await startGateway(config, ports);
    gateways.push(gateway);
    await ready(gateway, a.deviceId, ports, "emulated:a");
    await ready(gateway, b.deviceId, ports, "emulated:b");
    await vi.waitFor(() => expect(deviceOnline(th, a.deviceId)).toBe(true));

    ports.unplug("emulated:a");
    await vi.waitFor(() => expect(openOfflineFault(th, a.deviceId)).toBe(true), { timeout: 5000 });
    expect(deviceOnline(th, a.deviceId)).toBe(false);
    expect(gateway.board(a.deviceId).boardReady).toBe(false);

    // Board B never noticed.
    await holdButton(boardB);
    await vi.waitFor(() => expect(alarmsOf(th, b.deviceId)).toHaveLength(1), { timeout: 5000 });
    expect(openOfflineFault(th, b.deviceId)).toBe(false);

    const replugged = ports.plug("emulated:a");
    await ready(gateway, a.deviceId, ports, "emulated:a");
    await vi.waitFor(() => expect(deviceOnline(th, a.deviceId)).toBe(true), { timeout: 5000 });
    expect(openOfflineFault(th, a.deviceId)).toBe(false);
    await holdButton(replugged);
    await vi.waitFor(() => expect(alarmsOf(th, a.deviceId)).toHaveLength(1), { timeout: 5000 });
    expect(alarmsOf(th, b.deviceId)).toHaveLength(1);
  });
});
