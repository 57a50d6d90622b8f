/** Escalation SMS wording (zh-CN and English): who must act, on which alarm, where. No medical details. */
import { formatTime, type SmsLanguage } from "../notify/sms-text.ts";

export interface EscalationSmsFacts {
  alarmId: number;
  reason: "ack" | "arrival";
  address: string | null;
  receivedAt: Date;
  minutes: number;
  timeZone: string;
}

export function escalationSms(facts: EscalationSmsFacts, language: SmsLanguage): string {
  const time = formatTime(facts.receivedAt, language, facts.timeZone);
  const where = facts.address ?? (language === "zh-CN" ? "地址未知" : "address unknown");
  if (language === "zh-CN") {
    const what = facts.reason === "ack" ? `${facts.minutes}分钟无人确认` : `${facts.minutes}分钟仍无人到场`;
    return `【安心】升级提醒：警情#${facts.alarmId}（${time}，${where}）${what}，请立即处理。`;
  }
  const what =
    facts.reason === "ack"
      ? `not acknowledged after ${facts.minutes} min`
      : `nobody on scene after ${facts.minutes} min`;
  return `[Anxin] Escalation: alarm #${facts.alarmId} (${time}, ${where}) ${what}. Please act now.`;
}
