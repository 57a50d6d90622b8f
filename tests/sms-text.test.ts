import { describe, expect, it } from "vitest";
import { relativeCallTwiml } from "../hub/notify/relative-texts.ts";
import { formatTime, relativeAlarmSms, workerDispatchSms } from "../hub/notify/sms-text.ts";

const facts = {
  alarmId: 42,
  kind: "sos" as const,
  residentName: "王秀英",
  address: "垦利区胜兴路12号3单元201室",
  receivedAt: new Date("2026-11-23T00:05:00Z"),
  link: "https://anxin.example/#/alarms/42",
  timeZone: "Asia/Shanghai",
};

describe("SMS wording", () => {
  it("tells relatives who, where, what, when and where to look, in zh-CN", () => {
    const text = relativeAlarmSms(facts, "zh-CN");
    expect(text).toContain("王秀英");
    expect(text).toContain("垦利区胜兴路12号3单元201室");
    expect(text).toContain("紧急呼叫");
    expect(text).toContain("08:05"); // 00:05 UTC is 08:05 in Shanghai
    expect(text).toContain("https://anxin.example/#/alarms/42");
  });

  it("does the same in English", () => {
    const text = relativeAlarmSms({ ...facts, kind: "service" }, "en");
    expect(text).toMatch(/^\[Anxin\] service request: 王秀英/);
    expect(text).toContain("08:05");
    expect(text).not.toMatch(/[紧急呼叫]/);
  });

  it("says how the alarm came: a press of the button, or a call to the center (which says who, not where)", () => {
    expect(relativeAlarmSms(facts, "zh-CN")).toContain("按下了一键呼叫按钮");
    expect(relativeAlarmSms({ ...facts, source: "voice" }, "zh-CN")).toContain("08:05拨打了紧急呼叫电话");
    expect(relativeAlarmSms({ ...facts, source: "voice" }, "en")).toMatch(/phoned the emergency center at [^.]*08:05/);
    const spoken = (source: "button" | "voice", language: "zh-CN" | "en") =>
      relativeCallTwiml({ ...facts, source }, language, "https://anxin.example/api/twilio/voice/gather");
    expect(spoken("voice", "zh-CN")).toContain("王秀英（住垦利区胜兴路12号3单元201室），于");
    expect(spoken("voice", "zh-CN")).not.toContain("按下了");
    expect(spoken("voice", "en")).toContain("王秀英, of 垦利区胜兴路12号3单元201室, phoned the emergency center");
    expect(spoken("button", "en")).toContain("pressed the emergency call button at 垦利区胜兴路12号3单元201室");
  });

  it("tells the worker where to go and how far it is", () => {
    expect(workerDispatchSms({ ...facts, distanceM: 1234 }, "zh-CN")).toContain("约1.2公里");
    expect(workerDispatchSms({ ...facts, distanceM: 1234 }, "en")).toContain("about 1.2 km");
  });

  it("formats each time in the language and time zone asked for, however often the formatter is reused", () => {
    const at = new Date("2026-11-23T00:05:00Z");
    for (let round = 0; round < 2; round += 1) {
      expect(formatTime(at, "en", "Asia/Shanghai")).toBe("23/11, 08:05");
      expect(formatTime(at, "en", "America/New_York")).toBe("22/11, 19:05");
      expect(formatTime(at, "zh-CN", "Asia/Shanghai")).toBe("11/23 08:05");
    }
  });
});
