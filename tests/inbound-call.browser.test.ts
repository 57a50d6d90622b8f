/**
 * What an operator sees of alarms raised by phone calls (issue 14), in Debian's
 * Chromium at 1366×768, in both languages: an unplaced call shows its caller
 * ("unlocated: caller +86…", or that the number was withheld) instead of
 * "locating…", as text, and a placed call's detail names the caller, not a device;
 * a call an operator takes on their phone shows on the timeline, live.
 */
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, openConsole } from "./support/console-page.ts";
import { InboundCallPlayer } from "./support/inbound-call-player.ts";
import { startTestHub, type TestHub } from "./support/test-hub.ts";
import { find } from "./support/twiml.ts";

describe("the console shows who called", () => {
  let th: TestHub;
  let browser: Browser;
  beforeAll(async () => {
    th = await startTestHub();
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await th?.stop();
  });

  it("names an unplaced caller in the queue and the detail, in zh-CN and English", async () => {
    // A number no household has, written as an attacker might: it is a caller ID, shown only as text.
    const stranger = "+8613700004242";
    expect((await th.twilioWebhooks().inboundCall({ from: stranger })).status).toBe(200);
    expect((await th.twilioWebhooks().inboundCall({ from: "anonymous" })).status).toBe(200);
    const ids = await th.hub.sql.all<{ id: number; caller: string | null }>(
      "SELECT id, caller FROM alarms WHERE source = 'voice' ORDER BY id",
    );
    expect(ids.map((row) => row.caller)).toEqual([stranger, null]);
    for (const row of ids) await th.waitForPipeline(row.id, 15_000);

    const errors: string[] = [];
    const page = await openConsole(browser, th, errors);
    const rowText = (id: number) => page.textContent(`#queue .row[data-id="${id}"] .locating`);
    const [unplaced, withheld] = ids;
    if (!unplaced || !withheld) throw new Error("two voice alarms expected");
    await page.waitForSelector(`#queue .row[data-id="${unplaced.id}"]`);
    expect(await rowText(unplaced.id)).toBe(`未定位：来电 ${stranger}`);
    expect(await rowText(withheld.id)).toBe("未定位：来电 号码未显示");
    // Not "locating…": nothing is being located; an operator has to call back and place it.
    expect(await page.textContent(`#queue .row[data-id="${withheld.id}"] .c-where`)).toBe("请回电并人工定位");
    await page.click(`#queue .row[data-id="${unplaced.id}"]`);
    await page.waitForSelector(".card dd");
    const facts = await page.$$eval(".card dt, .card dd", (cells) => cells.map((cell) => cell.textContent ?? ""));
    expect(facts.join("|")).toContain(`来电号码|${stranger}`);

    await page.click(".topbar .lang-switch");
    await page.waitForFunction(`document.documentElement.lang === "en"`);
    expect(await rowText(unplaced.id)).toBe(`Unlocated: caller ${stranger}`);
    expect(await rowText(withheld.id)).toBe("Unlocated: caller number withheld");

    // The operator called back and learned where the caller lives: they place the alarm by hand.
    const home = await th.hub.sql.get<{ id: number; code: string; address: string }>(
      "SELECT h.id, h.code, h.address FROM households h JOIN devices d ON d.household_id = h.id WHERE d.id = ?",
      [th.demoDevices[12]?.deviceId ?? ""],
    );
    if (!home) throw new Error("no demo household");
    await page.waitForSelector("#place-card");
    expect(await page.textContent("#place-card h3")).toBe("Place this alarm");
    await page.click(".topbar .lang-switch");
    await page.waitForFunction(`document.documentElement.lang === "zh-CN"`);
    expect(await page.textContent("#place-card h3")).toBe("人工定位此警报");
    await page.fill("#place-search", home.code);
    await page.click(`.place-option[data-id="${home.id}"]`);
    expect(await page.textContent("#place-choice")).toBe(`已选：${home.code} · ${home.address}`);
    await page.selectOption("#place-remember", "landline");
    await page.click("#btn-place");
    // Placed: the card goes, the resident shows in the queue, and the timeline says who placed it where.
    await page.waitForSelector("#place-card", { state: "detached" });
    await page.waitForSelector(`#queue .row[data-id="${unplaced.id}"] .name`);
    await page.waitForSelector(".timeline .ev-placed");
    const placedEvent = await page.$eval(".timeline .ev-placed", (li) =>
      ["ev-type", "actor", "ev-detail"].map((part) => li.querySelector(`.${part}`)?.textContent ?? ""),
    );
    expect(placedEvent).toEqual(["人工定位", "admin", `住户 ${home.code} · 号码已存为家庭固话`]);
    const kept = await th.hub.sql.get<{ landline: string | null }>("SELECT landline FROM households WHERE id = ?", [
      home.id,
    ]);
    expect(kept?.landline).toBe(stranger);
    // The withheld caller's alarm offers no number to keep.
    await page.click(`#queue .row[data-id="${withheld.id}"]`);
    await page.waitForSelector("#place-card");
    expect(await page.isVisible("#place-remember")).toBe(false);
    expect(errors).toEqual([]);
  });

  it("shows live on the timeline who took a call on their phone, in zh-CN and English", async () => {
    const password = "browser-call-Passw0rd!";
    await th.hub.accounts.create(
      { name: "test", userId: null },
      { username: "op_phone", displayName: "值班员 Li", role: "operator", contact: "+8613900000011" },
      { password, mustChange: false },
    );
    await th.login("op_phone", password); // signed in: on duty
    const home = await th.hub.sql.get<{ phone: string }>(
      `SELECT r.phone FROM residents r JOIN devices d ON d.household_id = r.household_id
       WHERE d.id = ? ORDER BY r.id LIMIT 1`,
      [th.demoDevices[3]?.deviceId ?? ""],
    );
    if (!home) throw new Error("no demo resident");
    const errors: string[] = [];
    const page = await openConsole(browser, th, errors);
    const call = new InboundCallPlayer(th.twilioWebhooks(), home.phone);
    const dial = find((await call.ring()).twiml, "Dial");
    const stored = await th.hub.sql.get<{ alarm_id: number }>("SELECT alarm_id FROM inbound_calls WHERE call_sid = ?", [
      call.callSid,
    ]);
    const alarmId = stored?.alarm_id ?? 0;
    await page.click(`#queue .row[data-id="${alarmId}"]`);
    await page.waitForSelector(".timeline .ev-received");
    // The operator's phone picks up and they press a key: the console's timeline shows it without a reload.
    const line = dial.children[0];
    if (!line) throw new Error("nobody rung");
    const whisper = await call.pickUp(line);
    await call.press(whisper.twiml, whisper.childSid, line.text, "1");
    await page.waitForSelector(".timeline .ev-call_answered", { timeout: 10_000 });
    const event = async (type: string) =>
      page.$eval(`.timeline .ev-${type}`, (li) =>
        ["ev-type", "actor", "ev-detail"].map((part) => li.querySelector(`.${part}`)?.textContent ?? ""),
      );
    expect(await event("call_answered")).toEqual(["中心来电已接听", "op_phone", "值班员"]);
    expect(await event("received")).toEqual(["收到警报", `来电 ${home.phone}`, "电话呼入"]);
    await page.click(".topbar .lang-switch");
    await page.waitForFunction(`document.documentElement.lang === "en"`);
    expect(await event("call_answered")).toEqual(["Call to the center taken", "op_phone", "operators on duty"]);
    expect(await event("received")).toEqual(["Alarm received", `caller ${home.phone}`, "by phone"]);
    expect(errors).toEqual([]);
  });
});
