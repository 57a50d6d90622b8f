/**
 * The TwiML of a call an operator places from the console (issue 14): read to
 * the operator when their own phone answers, then the callee is dialled with
 * the center's number as caller ID. The callee leg reports ringing, answered
 * and its end to the hub (`<Number statusCallback>`); with recording on, the
 * bridged conversation is recorded from the answer, both sides.
 */
import twilio from "twilio";
import { say } from "./relative-texts.ts";
import type { SmsLanguage } from "./sms-text.ts";

/** Seconds the callee's phone rings. */
const CALLEE_RING_S = 30;

const WORDS = {
  "zh-CN": {
    connecting: (name: string) => `安心指挥中心：正在为您接通 ${name}，请稍候。`,
    ended: "通话已结束。",
  },
  en: {
    connecting: (name: string) => `Anxin command center: connecting you to ${name}. Please hold.`,
    ended: "The call has ended.",
  },
} as const;

export interface CallbackTwimlOptions {
  /** The operator's language. */
  language: SmsLanguage;
  /** Who is being called, as the operator hears it ("王德明, resident"). */
  calleeName: string;
  calleePhone: string;
  /** The center's Twilio number, shown to the callee; null without Twilio (the console log shows the call). */
  callerId: string | null;
  /** Where the callee leg's status goes. */
  statusUrl: string;
  /** Where the recording goes; null: not recorded. */
  recordingUrl: string | null;
}

export function callbackTwiml(options: CallbackTwimlOptions): string {
  const { language } = options;
  const response = new twilio.twiml.VoiceResponse();
  say(response, language, WORDS[language].connecting(options.calleeName));
  const dial = response.dial({
    timeout: CALLEE_RING_S,
    ...(options.callerId ? { callerId: options.callerId } : {}),
    ...(options.recordingUrl
      ? {
          record: "record-from-answer-dual" as const,
          recordingStatusCallback: options.recordingUrl,
          recordingStatusCallbackMethod: "POST" as const,
          recordingStatusCallbackEvent: ["completed"],
        }
      : {}),
  });
  dial.number(
    {
      statusCallback: options.statusUrl,
      statusCallbackMethod: "POST",
      statusCallbackEvent: ["initiated", "ringing", "answered", "completed"],
    },
    options.calleePhone,
  );
  say(response, language, WORDS[language].ended);
  return response.toString();
}
