/**
 * What relatives read after the first SMS, and the clinic's stand-down. Like
 * every SMS to a family these carry who and what happened, never medical
 * details (a phone can be read by whoever holds it), and they stay short: a
 * Chinese text is UCS-2 (70 characters a segment, 67 when split), so names are
 * clipped and each update fits in one or two segments.
 */
import type { SmsLanguage } from "./sms-text.ts";

/** The steps families hear about. `all_well`: cancelled, or closed as a false alarm or a test. */
export type FamilyStep = "on_the_way" | "arrived" | "help_given" | "all_well";

export interface FamilyUpdateFacts {
  residentName: string;
  /** The worker who accepted or arrived (from the step's own event, so a later reassignment cannot rename it). */
  workerName: string | null;
  /** ANXIN_CENTER_PHONE, told with the closing message so a worried relative knows whom to call. */
  centerPhone: string | null;
}

const NAME_MAX = 20;

export function clipName(name: string): string {
  const chars = [...name.trim()];
  return chars.length <= NAME_MAX ? chars.join("") : `${chars.slice(0, NAME_MAX - 1).join("")}…`;
}

const WORDS = {
  "zh-CN": {
    on_the_way: (r: string, w: string) => `【安心】${r}的紧急呼叫：社区工作人员${w}已接单，正在赶往。`,
    arrived: (r: string, w: string) => `【安心】${r}的紧急呼叫：社区工作人员${w}已到达。`,
    help_given: (r: string) => `【安心】${r}的紧急呼叫已处理完毕，工作人员已提供帮助。`,
    all_well: (r: string) => `【安心】${r}的呼叫已解除：不是紧急情况，一切平安。`,
    phone: (p: string) => `如有疑问请致电指挥中心${p}。`,
  },
  en: {
    on_the_way: (r: string, w: string) =>
      `[Anxin] ${r}'s emergency call: community worker${w ? ` ${w}` : ""} has accepted and is on the way.`,
    arrived: (r: string, w: string) =>
      `[Anxin] ${r}'s emergency call: community worker${w ? ` ${w}` : ""} has arrived.`,
    help_given: (r: string) => `[Anxin] ${r}'s emergency call is over: help was given.`,
    all_well: (r: string) => `[Anxin] ${r}'s call is closed: it was not an emergency, all is well.`,
    phone: (p: string) => ` Questions? Call the center: ${p}.`,
  },
} as const;

export function familyUpdateSms(step: FamilyStep, facts: FamilyUpdateFacts, language: SmsLanguage): string {
  const words = WORDS[language];
  const resident = clipName(facts.residentName);
  const worker = clipName(facts.workerName ?? "");
  switch (step) {
    case "on_the_way":
      return words.on_the_way(resident, worker);
    case "arrived":
      return words.arrived(resident, worker);
    default: {
      const text = step === "help_given" ? words.help_given(resident) : words.all_well(resident);
      return facts.centerPhone ? `${text}${words.phone(facts.centerPhone)}` : text;
    }
  }
}

export interface ClinicStandDownFacts {
  alarmId: number;
  residentName: string;
  address: string;
}

/** The clinic that was alerted hears that nobody is coming: the alarm was cancelled or was not an emergency. */
export function clinicStandDownSms(facts: ClinicStandDownFacts, language: SmsLanguage): string {
  if (language === "zh-CN") {
    return `【安心】撤销通知：警情#${facts.alarmId}（${facts.residentName}，${facts.address}）已解除，不是紧急情况，无需准备接诊。`;
  }
  return `[Anxin] Stand down: alarm #${facts.alarmId} (${facts.residentName}, ${facts.address}) was closed as not an emergency; no patient is coming.`;
}
