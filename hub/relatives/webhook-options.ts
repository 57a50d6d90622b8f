/**
 * What Twilio's webhook routes (hub/http/routes/twilio-routes.ts) need from the
 * relatives' side: declared here so the domain does not import the HTTP layer.
 */
import type { Logger } from "pino";
import type { SmsLanguage } from "../notify/sms-text.ts";
import type { RelativeCascadeService } from "./cascade-service.ts";

/** A call to the center, as the webhook gives it. */
export interface InboundCallFacts {
  callSid: string;
  caller: string | null;
  called: string;
  receivedAt: Date;
}

export interface InboundCalls {
  /** Stores the call's alarm (or a further press on the open one); resolves once committed. */
  raiseFromCall(
    call: InboundCallFacts,
  ): Promise<{ alarmId: number; replay: boolean; householdId: number | null; language: SmsLanguage }>;
}

export interface TwilioWebhookOptions {
  /** Null when Twilio is not configured: no signature can be checked, so every webhook is refused. */
  account: { accountSid: string; authToken: string } | null;
  /** ANXIN_PUBLIC_URL: the origin (and path prefix) Twilio posts to. */
  publicUrl: string;
  relatives: Pick<RelativeCascadeService, "onInboundSms" | "onKeypad" | "onDeliveryReport">;
  /** Calls to the center's number raise alarms (the pipeline: hub/pipeline/call-intake.ts). */
  calls: InboundCalls;
  logger: Logger;
}
