/** The hub's Twilio account, as every Twilio client of the hub uses it: SMS, calls and recordings. */
import type { HubConfig } from "../config.ts";
import type { TwilioAccountOptions } from "./twilio-client.ts";

/** The account every Twilio client of the hub uses (SMS, calls, recordings), and our number; null without Twilio. */
export function twilioAccountOptions(config: HubConfig): (TwilioAccountOptions & { from: string }) | null {
  const twilio = config.twilio;
  if (!twilio) return null;
  return {
    accountSid: twilio.accountSid,
    authToken: twilio.authToken,
    from: twilio.from,
    timeoutMs: config.twilioTimeoutMs,
    ...(twilio.apiBaseUrl ? { apiBaseUrl: twilio.apiBaseUrl } : {}),
  };
}

/** Where Twilio posts status callbacks for our messages and calls. */
export function statusCallbackUrl(config: HubConfig): string {
  return `${config.publicUrl.replace(/\/+$/, "")}/api/twilio/status`;
}
