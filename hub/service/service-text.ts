/**
 * The worker's SMS for service requests, zh-CN and English. Like every SMS
 * the hub sends (hub/notify/sms-text.ts), it says who, where and when, with a
 * link, and never any health data: anyone holding the phone can read it.
 */
import { formatTime, type SmsLanguage } from "../notify/sms-text.ts";
import type { NewOutboxMessage } from "../storage/outbox-repo.ts";

export interface ServiceSmsFacts {
  requestId: number;
  residentName: string;
  address: string;
  receivedAt: Date;
  timeZone: string;
  link: string;
}

export function serviceAssignedSms(facts: ServiceSmsFacts, language: SmsLanguage): string {
  const time = formatTime(facts.receivedAt, language, facts.timeZone);
  const who = facts.residentName || (language === "zh-CN" ? "住户" : "A resident");
  if (language === "zh-CN") {
    return `【安心】服务请求#${facts.requestId}（非紧急）：${who}（${facts.address}）于${time}按下服务键，请联系或上门处理，办结后在社区通点“已办结”：${facts.link}`;
  }
  return `[Anxin] Service request #${facts.requestId} (not an emergency): ${who} (${facts.address}) pressed the service button at ${time}. Please call or visit, then mark it done on your worker page: ${facts.link}`;
}

/** The worker it was assigned to is no longer needed: it went to someone else, or the call was closed. */
export function serviceStandDownSms(
  facts: { requestId: number; address: string; reason: "reassigned" | "closed" },
  language: SmsLanguage,
): string {
  if (language === "zh-CN") {
    return facts.reason === "reassigned"
      ? `【安心】服务请求#${facts.requestId}（${facts.address}）已改派他人，您无需处理。`
      : `【安心】服务请求#${facts.requestId}（${facts.address}）已由指挥中心关闭，您无需再处理。`;
  }
  return facts.reason === "reassigned"
    ? `[Anxin] Service request #${facts.requestId} (${facts.address}) went to someone else; you need not handle it.`
    : `[Anxin] Service request #${facts.requestId} (${facts.address}) was closed by the command center; you need not handle it.`;
}

interface Recipient {
  request: { id: number; alarm_id: number };
  worker: { id: number; phone: string };
  address: string;
}

/** The assigned worker's outbox row; one per request and worker, so a re-run stage never texts twice. */
export function serviceAssignedMessage(
  facts: Recipient & { residentName: string; receivedAt: Date },
  settings: { smsLanguage: SmsLanguage; publicUrl: string; timeZone: string },
): NewOutboxMessage {
  const { request, worker } = facts;
  const body = serviceAssignedSms(
    {
      requestId: request.id,
      residentName: facts.residentName,
      address: facts.address,
      receivedAt: facts.receivedAt,
      timeZone: settings.timeZone,
      link: `${settings.publicUrl.replace(/\/+$/, "")}/worker/#/service/${request.id}`,
    },
    settings.smsLanguage,
  );
  return {
    recipient: worker.phone,
    body,
    alarmId: request.alarm_id,
    purpose: "worker_service",
    dedupeKey: `service:${request.id}:worker:${worker.id}:assigned`,
  };
}

export function serviceStandDownMessage(
  facts: Recipient & { reason: "reassigned" | "closed" },
  language: SmsLanguage,
): NewOutboxMessage {
  const { request, worker, reason } = facts;
  return {
    recipient: worker.phone,
    body: serviceStandDownSms({ requestId: request.id, address: facts.address, reason }, language),
    alarmId: request.alarm_id,
    purpose: "worker_stand_down",
    dedupeKey: `service:${request.id}:worker:${worker.id}:${reason}`,
  };
}
