/**
 * What a relative hears and reads beyond the first SMS: the voice call's TwiML
 * when nobody has confirmed (press 1 to confirm), the answers to a key press,
 * and the short answers to a reply. Like the SMS,
 * these carry who, where and when, never medical details: a call can be
 * answered by anyone holding the phone.
 */
import twilio from "twilio";
import { type AlarmSmsFacts, formatTime, type SmsLanguage } from "./sms-text.ts";

export type CallFacts = Omit<AlarmSmsFacts, "link" | "kind">;

export const MAX_TWIML_CHARS = 4000;
const SAY_LANGUAGE = { "zh-CN": "zh-CN", en: "en-US" } as const;
/** Seconds Twilio waits for a key after the message has been read. */
const GATHER_TIMEOUT_S = 10;
/** Registry names and addresses may be long; a call reads a short form (and stays within Twilio's 4000 characters). */
const SPOKEN_NAME_MAX = 40;
const SPOKEN_ADDRESS_MAX = 120;

const CALL_TEXT = {
  "zh-CN": {
    alarm: (name: string, address: string, time: string, phoned: boolean) =>
      // A call may come from the resident's mobile phone, away from home: the address says who, not where.
      phoned
        ? `这里是安心紧急呼叫中心。您的家人${name}（住${address}），于${time}拨打了紧急呼叫电话。指挥中心正在处理，已通知社区工作人员。`
        : `这里是安心紧急呼叫中心。您的家人${name}，于${time}在${address}按下了一键呼叫按钮。指挥中心正在处理，已通知社区工作人员。`,
    pressOne: "如果您会负责照看，请按数字键1确认。",
    noKey: "我们没有收到您的按键。您也可以回复我们的短信，数字1，确认您已收到。再见。",
    thanks: "谢谢，已收到您的确认。指挥中心正在处理。再见。",
    notOne: (name: string) => `您按的不是1。如果您会负责照看${name}，请按数字键1确认。`,
    goodbye: "这里是安心紧急呼叫中心。此呼叫已结束，再见。",
  },
  en: {
    alarm: (name: string, address: string, time: string, phoned: boolean) =>
      phoned
        ? `This is the Anxin emergency call center. Your relative ${name}, of ${address}, phoned the emergency center at ${time}. The command center is handling it and a community worker has been notified.`
        : `This is the Anxin emergency call center. Your relative ${name} pressed the emergency call button at ${address} at ${time}. The command center is handling it and a community worker has been notified.`,
    pressOne: "If you will take care of this, press 1 to confirm.",
    noKey: "We did not get a key press. You can also reply 1 to our text message to confirm. Goodbye.",
    thanks: "Thank you, we have your confirmation. The command center is handling it. Goodbye.",
    notOne: (name: string) => `That was not 1. If you will take care of ${name}, press 1 to confirm.`,
    goodbye: "This is the Anxin emergency call center. This call has ended. Goodbye.",
  },
} as const;

type VoiceResponse = InstanceType<typeof twilio.twiml.VoiceResponse>;

export function say(parent: Pick<VoiceResponse, "say">, language: SmsLanguage, text: string): void {
  // alice speaks both Mandarin (zh-CN) and US English; Twilio's default voice speaks no Chinese.
  parent.say({ language: SAY_LANGUAGE[language], voice: "alice" }, text);
}

/** One key, posted to the hub's gather webhook; with no key Twilio goes on to the next verb. */
function gather(response: VoiceResponse, gatherUrl: string) {
  return response.gather({
    input: ["dtmf"],
    numDigits: 1,
    action: gatherUrl,
    method: "POST",
    timeout: GATHER_TIMEOUT_S,
  });
}

function clip(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join("")}…`;
}

/**
 * The call's TwiML, in the relative's language: the alarm and "press 1 to
 * confirm", read again once if no key is pressed, then how to confirm by SMS.
 * The SDK's builder escapes every interpolated text as XML.
 */
export function relativeCallTwiml(facts: CallFacts, language: SmsLanguage, gatherUrl: string): string {
  const words = CALL_TEXT[language];
  const time = formatTime(facts.receivedAt, language, facts.timeZone);
  const name = clip(facts.residentName, SPOKEN_NAME_MAX);
  const phoned = facts.source === "voice";
  const text = `${words.alarm(name, clip(facts.address, SPOKEN_ADDRESS_MAX), time, phoned)}${words.pressOne}`;
  const build = (readings: number): string => {
    const response = new twilio.twiml.VoiceResponse();
    for (let i = 0; i < readings; i++) say(gather(response, gatherUrl), language, text);
    say(response, language, words.noKey);
    return response.toString();
  };
  const twice = build(2);
  // The clipped facts keep this within the limit; reading once is the fallback should the wording grow.
  return [...twice].length <= MAX_TWIML_CHARS ? twice : build(1);
}

/** The answer to a key press of 1: thanks, then the call ends. */
export function keypadConfirmedTwiml(language: SmsLanguage): string {
  const response = new twilio.twiml.VoiceResponse();
  say(response, language, CALL_TEXT[language].thanks);
  response.hangup();
  return response.toString();
}

/** The answer to any other key: how to confirm, and one more chance. */
export function keypadRetryTwiml(residentName: string, language: SmsLanguage, gatherUrl: string): string {
  const words = CALL_TEXT[language];
  const response = new twilio.twiml.VoiceResponse();
  say(gather(response, gatherUrl), language, words.notOne(clip(residentName, SPOKEN_NAME_MAX)));
  say(response, language, words.noKey);
  return response.toString();
}

/** The answer to a key press on a call the hub does not know (or no longer waits on). */
export function callGoodbyeTwiml(language: SmsLanguage): string {
  const response = new twilio.twiml.VoiceResponse();
  say(response, language, CALL_TEXT[language].goodbye);
  response.hangup();
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
