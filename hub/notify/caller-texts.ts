/**
 * The TwiML of a call to the center (issue 14), built from the router's
 * decisions (hub/voice/inbound-call-router.ts):
 *
 * - the caller hears, in their language, that they are being put through, while
 *   the staff's phones ring (`<Dial>` with one `<Number>` or `<Sip>` each);
 * - whoever picks up hears a whisper in their own language (the household's
 *   code) and accepts with a key (`<Gather>`); with no key the leg hangs up, so
 *   a voicemail never takes the call;
 * - when nobody accepts, the caller hears that help is being sent (or, for an
 *   unknown number, that the center will call back) and the call ends; the
 *   alarm stands whether or not anyone answered.
 */
import twilio from "twilio";
import { isSipAddress } from "../accounts/account-rules.ts";
import { say } from "./relative-texts.ts";
import type { SmsLanguage } from "./sms-text.ts";

/** Seconds whoever picked up has to press a key after the whisper. */
const ACCEPT_TIMEOUT_S = 10;

const CALLER_TEXT = {
  "zh-CN": {
    connecting: "这里是安心紧急呼叫中心。已收到您的求助，正在为您接通值班人员，请不要挂机。",
    placed: "这里是安心紧急呼叫中心。已收到您的求助，我们正在通知您的家人并安排社区人员上门。请保持电话畅通。",
    unplaced: "这里是安心紧急呼叫中心。已收到您的求助，值班人员会马上给您回电。请保持电话畅通。",
  },
  en: {
    connecting:
      "This is the Anxin emergency call center. We have your call for help. Putting you through to the operator on duty; please stay on the line.",
    placed:
      "This is the Anxin emergency call center. We have your call for help. Your family is being told and a community worker is being sent. Please keep your phone free.",
    unplaced:
      "This is the Anxin emergency call center. We have your call for help. The operator on duty will call you back at once. Please keep your phone free.",
  },
} as const;

const STAFF_TEXT = {
  "zh-CN": {
    whisper: (code: string | null, caller: string | null) =>
      `安心紧急来电，${code ? `住户 ${spell(code)}` : `未登记号码 ${caller ? spell(caller) : "号码未显示"}`}。按任意键接听。`,
    connecting: "正在接通。",
    taken: "这个来电已由其他人员接听。",
    gone: "这个来电已结束。",
  },
  en: {
    whisper: (code: string | null, caller: string | null) =>
      `Anxin emergency call, ${code ? `household ${spell(code)}` : `unregistered number ${caller ? spell(caller) : "withheld"}`}. Press any key to answer.`,
    connecting: "Connecting.",
    taken: "Someone else has taken this call.",
    gone: "This call has ended.",
  },
} as const;

/** Codes and numbers read out one character at a time ("H 0 0 1", not "H one"). */
function spell(text: string): string {
  return [...text].join(" ");
}

/** The lines a stage rings (a phone number or a SIP address each), and for how long. */
export interface RingLines<T extends { contact: string }> {
  ringS: number;
  targets: readonly T[];
}

export interface RingUrls<T> {
  /** Where Twilio posts when the stage's `<Dial>` ends. */
  dialed: string;
  /** The whisper of one line. */
  whisper(target: T): string;
}

/** The caller is put through: every line of the stage rings at once (`openingIn`: first say so, in that language). */
export function ringTwiml<T extends { contact: string }>(
  ring: RingLines<T>,
  urls: RingUrls<T>,
  openingIn: SmsLanguage | null,
): string {
  const response = new twilio.twiml.VoiceResponse();
  if (openingIn !== null) say(response, openingIn, CALLER_TEXT[openingIn].connecting);
  const dial = response.dial({ action: urls.dialed, method: "POST", timeout: ring.ringS });
  for (const target of ring.targets) {
    const screen = { url: urls.whisper(target), method: "POST" as const };
    if (isSipAddress(target.contact)) dial.sip(screen, target.contact);
    else dial.number(screen, target.contact);
  }
  return response.toString();
}

/** Nobody took the call: what the caller hears, then the call ends (the alarm stands). */
export function unansweredTwiml(language: SmsLanguage, placed: boolean): string {
  const response = new twilio.twiml.VoiceResponse();
  say(response, language, CALLER_TEXT[language][placed ? "placed" : "unplaced"]);
  response.hangup();
  return response.toString();
}

/** What the member of staff who picked up hears; a key accepts, no key hangs their line up. */
export function whisperTwiml(
  language: SmsLanguage,
  facts: { householdCode: string | null; caller: string | null },
  acceptUrl: string,
): string {
  const response = new twilio.twiml.VoiceResponse();
  const gather = response.gather({
    input: ["dtmf"],
    numDigits: 1,
    action: acceptUrl,
    method: "POST",
    timeout: ACCEPT_TIMEOUT_S,
  });
  say(gather, language, STAFF_TEXT[language].whisper(facts.householdCode, facts.caller));
  response.hangup();
  return response.toString();
}

/** After the key: connected (the TwiML ends and Twilio bridges the call), or too late. */
export function staffTwiml(language: SmsLanguage, outcome: "connected" | "taken" | "unknown"): string {
  const response = new twilio.twiml.VoiceResponse();
  const words = STAFF_TEXT[language];
  say(response, language, outcome === "connected" ? words.connecting : outcome === "taken" ? words.taken : words.gone);
  if (outcome !== "connected") response.hangup();
  return response.toString();
}

/** The call is over (answered and ended, or the caller hung up). */
export function hangupTwiml(): string {
  const response = new twilio.twiml.VoiceResponse();
  response.hangup();
  return response.toString();
}
