/**
 * What Twilio's webhook routes (hub/http/routes/twilio-routes.ts) need: the
 * relatives' side (hub/relatives/webhook-options.ts) and the calls'. Declared in
 * the domain so it does not import the HTTP layer; hub-app.ts joins the parts.
 */
import type { RelativesWebhookOptions } from "../relatives/webhook-options.ts";
import type { ConsoleCalls } from "./console-calls.ts";
import type { InboundCallRouter } from "./inbound-call-router.ts";

export interface TwilioWebhookOptions extends RelativesWebhookOptions {
  /** Calls to the center's number: raise alarms and ring the staff (hub/voice/inbound-call-router.ts). */
  calls: Pick<InboundCallRouter, "answer" | "whisper" | "accept" | "dialEnded" | "onStatus">;
  /** Calls operators place from the console: the callee's status, the recording (hub/voice/console-calls.ts). */
  consoleCalls: Pick<ConsoleCalls, "onCalleeStatus" | "onRecording">;
}
