/** The family page's words, zh-CN and English: plain, short, and nothing medical. */
import type { SmsLanguage } from "../notify/sms-text.ts";

export interface FamilyPageWords {
  title: string;
  heading: (resident: string) => string;
  now: {
    waiting: string;
    onTheWay: (worker: string) => string;
    arrived: (worker: string) => string;
    helpGiven: string;
    allWell: string;
  };
  steps: {
    received: string;
    acknowledged: string;
    onTheWay: (worker: string) => string;
    arrived: string;
    helpGiven: string;
    allWell: string;
  };
  notYet: string;
  call: string;
  updatedAt: (time: string) => string;
  refresh: string;
  note: string;
}

export const FAMILY_PAGE_WORDS: Record<SmsLanguage, FamilyPageWords> = {
  "zh-CN": {
    title: "安心 · 呼叫进展",
    heading: (r) => `${r}的紧急呼叫`,
    now: {
      waiting: "指挥中心正在处理，正在安排社区工作人员。",
      onTheWay: (w) => `社区工作人员${w}正在赶来。`,
      arrived: (w) => `社区工作人员${w}已到达。`,
      helpGiven: "呼叫已处理完毕，工作人员已提供帮助。",
      allWell: "呼叫已解除：不是紧急情况，一切平安。",
    },
    steps: {
      received: "收到呼叫",
      acknowledged: "指挥中心接警",
      onTheWay: (w) => `社区工作人员${w}出发`,
      arrived: "工作人员到达",
      helpGiven: "处理完毕：已提供帮助",
      allWell: "已解除：一切平安",
    },
    notYet: "尚未",
    call: "致电指挥中心",
    updatedAt: (t) => `更新于 ${t}`,
    refresh: "刷新",
    note: "此页面只显示呼叫进展，不含健康信息。请勿转发此链接。",
  },
  en: {
    title: "Anxin · call progress",
    heading: (r) => `${r}'s emergency call`,
    now: {
      waiting: "The command center is handling the call and sending a community worker.",
      onTheWay: (w) => `Community worker ${w} is on the way.`,
      arrived: (w) => `Community worker ${w} has arrived.`,
      helpGiven: "The call is over: help was given.",
      allWell: "The call is closed: it was not an emergency, all is well.",
    },
    steps: {
      received: "Call received",
      acknowledged: "Command center took the call",
      onTheWay: (w) => `Community worker ${w} set off`,
      arrived: "Worker arrived",
      helpGiven: "Closed: help was given",
      allWell: "Closed: all is well",
    },
    notYet: "not yet",
    call: "Call the command center",
    updatedAt: (t) => `Updated ${t}`,
    refresh: "Refresh",
    note: "This page shows only the call's progress, no health information. Please do not forward this link.",
  },
};

/** Unknown and expired links get the same page, in both languages: it says nothing about any alarm. */
export const INVALID_LINK_WORDS = {
  title: "安心 Anxin",
  lines: ["此链接无效或已过期。", "This link is not valid or has expired."],
  call: "致电指挥中心 / Call the command center",
};

export const BUSY_WORDS = {
  title: "安心 Anxin",
  lines: ["请求过多，请稍后再试。", "Too many requests; please try again in a minute."],
};
