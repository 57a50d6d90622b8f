/**
 * SMS wording, zh-CN and English. Texts carry who, where, what and when plus a
 * link, and deliberately no medical details: an SMS can be read by anyone holding
 * the phone, and health data is shown only inside the authenticated console.
 */
import type { IncidentKind } from "../storage/alarm-repo.ts";

export type SmsLanguage = "zh-CN" | "en";

export interface AlarmSmsFacts {
  alarmId: number;
  kind: IncidentKind;
  residentName: string;
  address: string;
  receivedAt: Date;
  link: string;
  timeZone: string;
}

const KIND_NAMES: Record<SmsLanguage, Record<IncidentKind, string>> = {
  "zh-CN": { sos: "紧急呼叫", service: "服务请求", test: "测试呼叫" },
  en: { sos: "EMERGENCY call", service: "service request", test: "test call" },
};

function formatTime(date: Date, language: SmsLanguage, timeZone: string): string {
  return new Intl.DateTimeFormat(language === "zh-CN" ? "zh-CN" : "en-GB", {
    timeZone,
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    hour12: false,
  }).format(date);
}

export function relativeAlarmSms(facts: AlarmSmsFacts, language: SmsLanguage): string {
  const kind = KIND_NAMES[language][facts.kind];
  const time = formatTime(facts.receivedAt, language, facts.timeZone);
  if (language === "zh-CN") {
    return `【安心】${kind}：${facts.residentName}（${facts.address}）于${time}按下了一键呼叫按钮，指挥中心正在处理，已通知社区工作人员。详情：${facts.link}`;
  }
  return `[Anxin] ${kind}: ${facts.residentName} (${facts.address}) pressed the call button at ${time}. The command center is handling it and a community worker has been notified. Details: ${facts.link}`;
}

export function workerDispatchSms(facts: AlarmSmsFacts & { distanceM: number }, language: SmsLanguage): string {
  const kind = KIND_NAMES[language][facts.kind];
  const km = (facts.distanceM / 1000).toFixed(1);
  const time = formatTime(facts.receivedAt, language, facts.timeZone);
  if (language === "zh-CN") {
    return `【安心】派单（${kind}）：请立即前往 ${facts.address}，${facts.residentName} 于${time}呼叫，距您约${km}公里。详情：${facts.link}`;
  }
  return `[Anxin] Dispatch (${kind}): please go now to ${facts.address}; ${facts.residentName} called at ${time}, about ${km} km from you. Details: ${facts.link}`;
}
