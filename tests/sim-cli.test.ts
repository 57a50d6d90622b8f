/**
 * `npm run sim` as a person uses it against a real hub: what `fleet --help`
 * says it sends, and that `press` names the kind of every press it makes,
 * including the test press the button makes on its own when the hub asks.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./support/run-cli.ts";
import { startTestHub, TEST_TWILIO, type TestHub, waitFor } from "./support/test-hub.ts";
import { twilioSignature } from "./support/twilio-webhooks.ts";

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

  it("rings the center without Twilio: `call <household>` raises a located voice alarm and plays the routing", async () => {
    const device = th.demoDevices[6];
    if (!device) throw new Error("no demo device");
    const args = ["call", device.household, "--http", th.httpUrl, "--data-dir", th.dataDir];
    const nobody = await runCli("firmware-sim/cli.ts", args);
    expect(nobody.code, nobody.stderr).toBe(0);
    // Nobody on the staff has a phone on record here: the caller hears that help is being sent.
    expect(nobody.stdout).toContain("The caller hears: 这里是安心紧急呼叫中心。已收到您的求助，我们正在通知您的家人");
    const alarm = th.hub.db
      .prepare(
        `SELECT a.source, a.caller, h.code FROM alarms a JOIN households h ON h.id = a.household_id
         WHERE a.source = 'voice' ORDER BY a.id DESC LIMIT 1`,
      )
      .get() as { source: string; caller: string; code: string } | undefined;
    expect(alarm).toEqual({ source: "voice", caller: device.phone, code: device.household });

    // An operator on duty with a phone: `--answer` picks up the first line rung and takes the call.
    const password = "sim-call-Passw0rd!";
    const op = await th.hub.accounts.create(
      { name: "test", userId: null },
      { username: "op_sim", displayName: "op_sim", role: "operator", contact: "+8613900000041" },
      { password, mustChange: false },
    );
    await th.login("op_sim", password);
    const answered = await runCli("firmware-sim/cli.ts", [...args, "--answer"]);
    expect(answered.code, answered.stderr).toBe(0);
    expect(answered.stdout).toContain("Ringing for 20 s: +8613900000041");
    expect(answered.stdout).toContain(
      `+8613900000041 hears: 安心紧急来电，住户 ${[...device.household].join(" ")}。按任意键接听。`,
    );
    expect(answered.stdout).toContain("+8613900000041 took the call");
    const acknowledged = th.hub.db
      .prepare("SELECT acknowledged_by FROM alarms WHERE source = 'voice' ORDER BY id DESC LIMIT 1")
      .get() as { acknowledged_by: number | null };
    expect(acknowledged.acknowledged_by).toBe(op.account.id);
  });

  it("refuses a call signed with anything but the hub's own simulation key, and says how to start one", async () => {
    // Signed with another key (someone who cannot read the hub's data directory): refused, nothing stored.
    const before = th.hub.db.prepare("SELECT COUNT(*) AS n FROM alarms").get();
    const params = {
      AccountSid: TEST_TWILIO.accountSid,
      CallSid: `CA${"1".repeat(32)}`,
      From: "+8613700000321",
      To: "+15005550006",
      Direction: "inbound",
    };
    const url = "/api/twilio/voice/inbound";
    const forged = await fetch(`${th.httpUrl}${url}`, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "x-twilio-signature": twilioSignature(TEST_TWILIO.authToken, `http://anxin.test${url}`, params),
      },
      body: new URLSearchParams(params).toString(),
    });
    expect(forged.status).toBe(403);
    expect(th.hub.db.prepare("SELECT COUNT(*) AS n FROM alarms").get()).toEqual(before);
    const missing = await runCli("firmware-sim/cli.ts", ["call", "KL-H0001", "--data-dir", "/nonexistent-anxin"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("voice-sim.json");
  });
});
