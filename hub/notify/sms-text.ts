/**
 * SMS wording, zh-CN and English. Texts carry who, where, what and when plus a
 * link, and deliberately no medical details: an SMS can be read by anyone holding
 * the phone, and health data is shown only inside the authenticated console and
 * worker page. The one exception is the clinic's alert: a care provider about to
 * receive the patient gets a short medical summary, only when the resident's
 * consent allows it, and that disclosure is written to the audit log.
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
  /** How the alarm came: a button press (the default) or a phone call to the center; the text says which. */
  source?: "button" | "voice";
}

const KIND_NAMES: Record<SmsLanguage, Record<IncidentKind, string>> = {
  "zh-CN": { sos: "紧急呼叫", service: "服务请求", test: "测试呼叫" },
  en: { sos: "EMERGENCY call", service: "service request", test: "test call" },
};

/**
 * One formatter per language and time zone, built once: constructing an
 * Intl.DateTimeFormat loads locale and zone data, and doing it for every SMS was
 * 4% of the hub's CPU at 100 presses/s (issue 12). The map holds at most
 * 2 languages × the zones configured, a handful.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

export function formatTime(date: Date, language: SmsLanguage, timeZone: string): string {
  const key = `${language}\u0000${timeZone}`;
  let format = formatters.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(language === "zh-CN" ? "zh-CN" : "en-GB", {
      timeZone,
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      hour12: false,
    });
    formatters.set(key, format);
  }
  return format.format(date);
}

/** A registry language as an SMS language: a relative's own when the hub speaks it, else the hub's default. */
export function smsLanguageOf(language: string, fallback: SmsLanguage): SmsLanguage {
  return language === "en" || language === "zh-CN" ? language : fallback;
}

/**
 * The first SMS to a relative. `link` is the relative's own family status page
 * (`/f/<token>`) and must stay the last thing in the text: once the SMS has
 * left the outbox, a trigger (migration 12) blanks the token at the end of the
 * stored body.
 */
export function relativeAlarmSms(facts: AlarmSmsFacts, language: SmsLanguage): string {
  const kind = KIND_NAMES[language][facts.kind];
  const time = formatTime(facts.receivedAt, language, facts.timeZone);
  if (language === "zh-CN") {
    const how = facts.source === "voice" ? "拨打了紧急呼叫电话" : "按下了一键呼叫按钮";
    return `【安心】${kind}：${facts.residentName}（${facts.address}）于${time}${how}，指挥中心正在处理，已通知社区工作人员。收到请回复1。进展请看：${facts.link}`;
  }
  const how = facts.source === "voice" ? "phoned the emergency center" : "pressed the call button";
  return `[Anxin] ${kind}: ${facts.residentName} (${facts.address}) ${how} at ${time}. The command center is handling it and a community worker has been notified. Reply 1 to confirm you got this. Follow it here: ${facts.link}`;
}

export interface WorkerOfferFacts extends AlarmSmsFacts {
  /** Great-circle distance from the worker; null when the worker's position is unknown. */
  distanceM: number | null;
  keyHolder?: string | null;
  accessNotes?: string | null;
  /** Minutes the worker has to accept before the next one is asked. */
  respondWithinMin?: number;
}

export function workerDispatchSms(facts: WorkerOfferFacts, language: SmsLanguage): string {
  const kind = KIND_NAMES[language][facts.kind];
  const km = facts.distanceM === null ? null : (facts.distanceM / 1000).toFixed(1);
  const time = formatTime(facts.receivedAt, language, facts.timeZone);
  if (language === "zh-CN") {
    return [
      `【安心】派单（${kind}）：请立即前往 ${facts.address}，${facts.residentName} 于${time}呼叫`,
      km === null ? "。" : `，距您约${km}公里。`,
      facts.keyHolder ? `钥匙：${facts.keyHolder}。` : "",
      facts.accessNotes ? `进门：${facts.accessNotes}。` : "",
      facts.respondWithinMin ? `请在${facts.respondWithinMin}分钟内接单或拒绝：` : "详情：",
      facts.link,
    ].join("");
  }
  return [
    `[Anxin] Dispatch (${kind}): please go now to ${facts.address}; ${facts.residentName} called at ${time}`,
    km === null ? ". " : `, about ${km} km from you. `,
    facts.keyHolder ? `Key: ${facts.keyHolder}. ` : "",
    facts.accessNotes ? `Access: ${facts.accessNotes}. ` : "",
    facts.respondWithinMin ? `Accept or decline within ${facts.respondWithinMin} min: ` : "Details: ",
    facts.link,
  ].join("");
}

export interface ClinicAlertFacts extends Omit<AlarmSmsFacts, "link"> {
  age: number | null;
  sex: "F" | "M" | "X" | null;
  /** Null when the resident's consent does not allow sharing health data. */
  medical: { conditions: string | null; medications: string | null; allergies: string | null } | null;
}

const SEX_NAMES: Record<SmsLanguage, Record<"F" | "M" | "X", string>> = {
  "zh-CN": { F: "女", M: "男", X: "其他" },
  en: { F: "female", M: "male", X: "other" },
};

export function clinicAlertSms(facts: ClinicAlertFacts, language: SmsLanguage): string {
  const kind = KIND_NAMES[language][facts.kind];
  const time = formatTime(facts.receivedAt, language, facts.timeZone);
  const who = [facts.sex ? SEX_NAMES[language][facts.sex] : null, facts.age === null ? null : facts.age]
    .filter((part) => part !== null)
    .map((part) => (typeof part === "number" ? (language === "zh-CN" ? `${part}岁` : String(part)) : part));
  const none = language === "zh-CN" ? "无记录" : "none recorded";
  const m = facts.medical;
  if (language === "zh-CN") {
    const summary = m
      ? `病情摘要：病史 ${m.conditions || none}；用药 ${m.medications || none}；过敏 ${m.allergies || none}。`
      : "病情摘要：未记录居民同意，不提供健康信息。";
    return `【安心】急救通知（${kind}）：${facts.residentName}${who.length > 0 ? `（${who.join("，")}）` : ""}，地址：${facts.address}，于${time}呼叫，指挥中心正在派遣社区工作人员。${summary}`;
  }
  const summary = m
    ? `Medical summary: conditions ${m.conditions || none}; medications ${m.medications || none}; allergies ${m.allergies || none}.`
    : "Medical summary: consent not recorded, no health data shared.";
  return `[Anxin] Emergency alert (${kind}): ${facts.residentName}${who.length > 0 ? ` (${who.join(", ")})` : ""} at ${facts.address} called at ${time}; the command center is sending a community worker. ${summary}`;
}

export function workerStandDownSms(
  facts: { alarmId: number; address: string; reason: "resolved" | "reassigned" },
  language: SmsLanguage,
): string {
  if (language === "zh-CN") {
    return facts.reason === "resolved"
      ? `【安心】警情#${facts.alarmId}（${facts.address}）已由指挥中心结案，您无需再前往。`
      : `【安心】派单已撤回：警情#${facts.alarmId}（${facts.address}）已改派他人，您无需前往。`;
  }
  return facts.reason === "resolved"
    ? `[Anxin] Alarm #${facts.alarmId} (${facts.address}) was closed by the command center; you are no longer needed.`
    : `[Anxin] Offer withdrawn: alarm #${facts.alarmId} (${facts.address}) went to someone else; you need not go.`;
}
