/**
 * What a resident who rings the center hears (issue 14), in their language:
 * that the call was received and help is being arranged, or, when the number
 * is not in the registry, that the center will call back. Spoken by Twilio
 * (`<Say>`), then the call ends: the alarm stands whether or not anyone
 * answers. Routing the call to the operators on duty replaces this answer later.
 */
import twilio from "twilio";
import { say } from "./relative-texts.ts";
import type { SmsLanguage } from "./sms-text.ts";

const CALLER_TEXT = {
  "zh-CN": {
    placed: "这里是安心紧急呼叫中心。已收到您的求助，我们正在通知您的家人并安排社区人员上门。请保持电话畅通。",
    unplaced: "这里是安心紧急呼叫中心。已收到您的求助，值班人员会马上给您回电。请保持电话畅通。",
  },
  en: {
    placed:
      "This is the Anxin emergency call center. We have your call for help. Your family is being told and a community worker is being sent. Please keep your phone free.",
    unplaced:
      "This is the Anxin emergency call center. We have your call for help. The operator on duty will call you back at once. Please keep your phone free.",
  },
} as const;

/** The answer to an inbound call, once its alarm is stored. */
export function inboundCallTwiml(language: SmsLanguage, placed: boolean): string {
  const response = new twilio.twiml.VoiceResponse();
  say(response, language, CALLER_TEXT[language][placed ? "placed" : "unplaced"]);
  response.hangup();
  return response.toString();
}
