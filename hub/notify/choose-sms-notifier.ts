import type { Logger } from "pino";
import type { HubConfig } from "../config.ts";
import { ConsoleSmsNotifier } from "./console-notifier.ts";
import type { SmsNotifier } from "./notifier.ts";
import { statusCallbackUrl, twilioAccountOptions } from "./twilio-account.ts";
import { TwilioSmsNotifier } from "./twilio-notifier.ts";

/** Twilio when all its credentials are configured; otherwise the console sink, said loudly, so nobody believes texts went out. */
export function chooseSmsNotifier(config: HubConfig, logger: Logger): SmsNotifier {
  const account = twilioAccountOptions(config);
  if (!account) {
    logger.warn(
      "no Twilio credentials: SMS go to the console log (set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM)",
    );
    return new ConsoleSmsNotifier(logger.child({ part: "sms-console" }));
  }
  return new TwilioSmsNotifier({ ...account, statusCallbackUrl: statusCallbackUrl(config) });
}
