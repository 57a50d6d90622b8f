/**
 * What Twilio's webhook routes (hub/http/routes/twilio-routes.ts) need from the
 * relatives' side: declared here so the domain does not import the HTTP layer.
 * The calls' part is added in hub/voice/webhook-options.ts (voice builds on the
 * relatives' cascade, not the other way round).
 */
import type { Logger } from "pino";
import type { RelativeCascadeService } from "./cascade-service.ts";

export interface RelativesWebhookOptions {
  /** Null when Twilio is not configured: no signature can be checked, so every webhook is refused. */
  account: { accountSid: string; authToken: string } | null;
  /** ANXIN_PUBLIC_URL: the origin (and path prefix) Twilio posts to. */
  publicUrl: string;
  relatives: Pick<RelativeCascadeService, "onInboundSms" | "onKeypad" | "onDeliveryReport">;
  logger: Logger;
}
