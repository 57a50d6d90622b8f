/**
 * `npm run sim` as a person uses it against a real hub: what `fleet --help`
 * says it sends, and that `press` names the kind of every press it makes,
 * including the test press the button makes on its own when the hub asks.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./support/run-cli.ts";
import { startTestHub, type TestHub, waitFor } from "./support/test-hub.ts";

describe("npm run sim", () => {
  let th: TestHub;
  beforeAll(async () => {
    th = await startTestHub({ twilio: false });
  });
  afterAll(async () => {
    await th?.stop();
  });

  it("says in fleet's help which kind it sends, and what the hub does with it", async () => {
    const { code, stdout } = await runCli("firmware-sim/cli.ts", ["--help"]);
    expect(code).toBe(0);
    const fleetHelp = stdout.slice(stdout.indexOf("  fleet "), stdout.indexOf("Common options"));
    expect(fleetHelp).toMatch(/--kind <kind>\s+test \(default\)/);
    expect(fleetHelp).toContain("closes it");
    expect(fleetHelp).toContain("manual test");
  });

  it("prints the kind each press really had: an sos press, and the test press answering the hub's request", async () => {
    const device = th.demoDevices[1];
    if (!device) throw new Error("no demo device");
    // A drill ordered while nobody is connected as the device: the hub sends it again when the device connects.
    const drill = await th.hub.app.inject({
      method: "POST",
      url: `/api/devices/${device.deviceId}/test`,
      headers: { cookie: await th.login() },
    });
    expect(drill.statusCode).toBe(202);
    const run = await runCli("firmware-sim/cli.ts", [
      "press",
      device.deviceId,
      "--kind",
      "sos",
      "--wait",
      "4",
      "--url",
      th.mqttUrl,
      "--data-dir",
      th.dataDir,
    ]);
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.split("\n");
    expect(lines.filter((l) => /sent test press \S+ answering the hub's test request/.test(l))).toHaveLength(1);
    expect(lines.filter((l) => /sent sos press \S+$/.test(l))).toHaveLength(1);
    // No line claims an sos press where a test press was sent.
    expect(lines.filter((l) => /sent sos press/.test(l))).toHaveLength(1);
    expect(run.stdout).toMatch(/acked: alarm #\d+/);
    await waitFor(
      () =>
        th.hub.db
          .prepare("SELECT 1 FROM device_tests WHERE device_id = ? AND status = 'completed'")
          .get(device.deviceId),
      5000,
      "the drill completed by the sim's test press",
    );
  });
});
