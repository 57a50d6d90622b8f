/**
 * What Twilio's webhook routes (hub/http/routes/twilio-routes.ts) need from the
 * relatives' side: declared here so the domain does not import the HTTP layer.
 */
import type { Logger } from "pino";
import type { ConsoleCalls } from "../voice/console-calls.ts";
import type { InboundCallRouter } from "../voice/inbound-call-router.ts";
import type { RelativeCascadeService } from "./cascade-service.ts";

export interface TwilioWebhookOptions {
  /** Null when Twilio is not configured: no signature can be checked, so every webhook is refused. */
  account: { accountSid: string; authToken: string } | null;
  /** ANXIN_PUBLIC_URL: the origin (and path prefix) Twilio posts to. */
  publicUrl: string;
  relatives: Pick<RelativeCascadeService, "onInboundSms" | "onKeypad" | "onDeliveryReport">;
  /** Calls to the center's number: raise alarms and ring the staff (hub/voice/inbound-call-router.ts). */
  calls: Pick<InboundCallRouter, "answer" | "whisper" | "accept" | "dialEnded" | "onStatus">;
  /** Calls operators place from the console: the callee's status, the recording (hub/voice/console-calls.ts). */
  consoleCalls: Pick<ConsoleCalls, "onCalleeStatus" | "onRecording">;
  logger: Logger;
}
