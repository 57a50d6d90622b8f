/**
 * Calling back from the console (issue 14), in Debian's Chromium at 1366×768:
 * an operator clicks "call the resident", the stand-in answers (Twilio's
 * signed callbacks about the callee's leg), the call shows on the alarm's
 * timeline and in its calls card live, and the operator marks "spoke to the
 * resident: OK", in zh-CN and English.
 */
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConsoleCallPlayer } from "./support/console-call-player.ts";
import { launchChromium, openConsole } from "./support/console-page.ts";
import type { FakeTwilioCall } from "./support/fake-twilio-resources.ts";
import { newSid } from "./support/fake-twilio-resources.ts";
import { startTestHub, type TestHub, waitFor } from "./support/test-hub.ts";

const PASSWORD = "browser-callback-Passw0rd!";
const OPERATOR_PHONE = "+8613900000031";

describe("an operator calls back from the console", () => {
  let th: TestHub;
  let browser: Browser;
  beforeAll(async () => {
    th = await startTestHub();
    browser = await launchChromium();
    await th.hub.accounts.create(
      { name: "test", userId: null },
      { username: "op_cb", displayName: "值班员 Zhao", role: "operator", contact: OPERATOR_PHONE },
      { password: PASSWORD, mustChange: false },
    );
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await th?.stop();
  });

  it("calls the resident, shows the call as Twilio reports it, and marks the resident OK", async () => {
    const resident = await th.hub.sql.get<{ phone: string; name: string }>(
      `SELECT r.phone, r.name FROM residents r JOIN devices d ON d.household_id = r.household_id
       WHERE d.id = ? ORDER BY r.id LIMIT 1`,
      [th.demoDevices[30]?.deviceId ?? ""],
    );
    if (!resident) throw new Error("no demo resident");
    const callSid = newSid("CA");
    await th.twilioWebhooks().inboundCall({ from: resident.phone, callSid });
    const alarmId = Number(
      (await th.hub.sql.get<{ alarm_id: number }>("SELECT alarm_id FROM inbound_calls WHERE call_sid = ?", [callSid]))
        ?.alarm_id,
    );
    await th.waitForPipeline(alarmId, 15_000);

    const errors: string[] = [];
    const page = await openConsole(browser, th, errors, { username: "op_cb", password: PASSWORD });
    await page.click(`#queue .row[data-id="${alarmId}"]`);
    await page.waitForSelector("#calls-card");
    expect(await page.textContent('#calls-card .call-btn[data-target="resident"]')).toBe("呼叫居民");
    const before = th.twilio?.calls.length ?? 0;
    await page.click('#calls-card .call-btn[data-target="resident"]');
    // The hub rings the operator's own phone; the console lists the call at once.
    const call = (await waitFor(
      () => th.twilio?.calls.find((c, i) => i >= before && c.to === OPERATOR_PHONE),
      10_000,
      "the operator's phone rung",
    )) as FakeTwilioCall;
    await page.waitForSelector("#calls-card .call");
    // The stand-in answers: the resident's phone rings, is answered, and the call ends after 83 s.
    const play = new ConsoleCallPlayer(th.twilioWebhooks(), call);
    await play.calleeStatus("ringing");
    const state = () => page.textContent("#calls-card .call .call-state");
    await expect.poll(state, { timeout: 10_000 }).toBe("振铃中");
    await play.calleeStatus("in-progress");
    await play.calleeStatus("completed", { durationS: 83 });
    await expect.poll(state, { timeout: 10_000 }).toBe("通话结束 · 1分23秒");
    expect(await page.textContent("#calls-card .call .call-who")).toBe(`op_cb → ${resident.name}（居民）`);
    const timeline = await page.$$eval(".timeline .ev-callback_status .ev-detail", (els) =>
      els.map((el) => el.textContent ?? ""),
    );
    expect(timeline).toEqual([
      `${resident.name} · 振铃中`,
      `${resident.name} · 已接通`,
      `${resident.name} · 通话结束 · 83秒`,
    ]);

    await page.click('#calls-card .mark-btn[data-mark="resident_ok"]');
    await page.waitForSelector("#calls-card .call-mark");
    expect(await page.textContent("#calls-card .call-mark")).toBe("居民安好 · op_cb");
    const mark = await th.hub.sql.get<{ mark: string }>("SELECT mark FROM console_calls WHERE alarm_id = ?", [alarmId]);
    expect(mark?.mark).toBe("resident_ok");

    await page.click(".topbar .lang-switch");
    await page.waitForFunction(`document.documentElement.lang === "en"`);
    expect(await page.textContent("#calls-card .call .call-state")).toBe("ended · 1 min 23 s");
    expect(await page.textContent("#calls-card .call-mark")).toBe("Resident OK · op_cb");
    expect(await page.textContent('#calls-card .call-btn[data-target="resident"]')).toBe("Call the resident");
    expect(errors).toEqual([]);
  });
});
