/**
 * What a relative hears and reads beyond the first SMS: the voice call's TwiML
 * when nobody has confirmed, and the short answers to a reply. Like the SMS,
 * these carry who, where and when, never medical details: a call can be
 * answered by anyone holding the phone.
 */
import twilio from "twilio";
import { type AlarmSmsFacts, formatTime, type SmsLanguage } from "./sms-text.ts";

export type CallFacts = Omit<AlarmSmsFacts, "link" | "kind">;

const SAY_LANGUAGE = { "zh-CN": "zh-CN", en: "en-US" } as const;

/** The call's TwiML: the alarm read twice, in the relative's language, then the call ends. */
export function relativeCallTwiml(facts: CallFacts, language: SmsLanguage): string {
  const time = formatTime(facts.receivedAt, language, facts.timeZone);
  const text =
    language === "zh-CN"
      ? `这里是安心紧急呼叫中心。您的家人${facts.residentName}，于${time}在${facts.address}按下了一键呼叫按钮。指挥中心正在处理，已通知社区工作人员。请回复我们的短信，数字1，确认您已收到。`
      : `This is the Anxin emergency call center. Your relative ${facts.residentName} pressed the emergency call button at ${facts.address} at ${time}. The command center is handling it and a community worker has been notified. Please reply 1 to our text message to confirm you got this.`;
  const response = new twilio.twiml.VoiceResponse();
  // alice speaks both Mandarin (zh-CN) and US English; Twilio's default voice speaks no Chinese.
  response.say({ language: SAY_LANGUAGE[language], voice: "alice", loop: 2 }, text);
  return response.toString();
}

/** The answer to a relative who confirmed. */
export function confirmedReply(facts: { alarmId: number; residentName: string }, language: SmsLanguage): string {
  return language === "zh-CN"
    ? `【安心】谢谢，已收到您的确认（${facts.residentName}，警情#${facts.alarmId}）。指挥中心正在处理。`
    : `[Anxin] Thank you, we have your confirmation (${facts.residentName}, alarm #${facts.alarmId}). The command center is handling it.`;
}

/** The answer to a relative whose reply was not a confirmation. */
export function replyHelp(facts: { alarmId: number; residentName: string }, language: SmsLanguage): string {
  return language === "zh-CN"
    ? `【安心】如您已知晓${facts.residentName}的紧急呼叫（警情#${facts.alarmId}），请回复 1 确认。`
    : `[Anxin] If you know about ${facts.residentName}'s emergency call (alarm #${facts.alarmId}), please reply 1 to confirm.`;
}

/** Twilio's empty answer: nothing is sent back. */
export function emptyMessagingResponse(): string {
  return new twilio.twiml.MessagingResponse().toString();
}

export function messagingResponse(text: string): string {
  const response = new twilio.twiml.MessagingResponse();
  response.message(text);
  return response.toString();
}
