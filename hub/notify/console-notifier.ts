import type { Logger } from "pino";
import type { OutboundSms, SendResult, SmsNotifier } from "./notifier.ts";

/**
 * The SMS channel used when no Twilio credentials are configured: it writes each
 * message to the log, so a fresh `npm start` shows exactly what relatives would
 * receive without sending anything.
 */
export class ConsoleSmsNotifier implements SmsNotifier {
  readonly name = "console";
  private readonly logger: Logger;

  constructor(logger: Logger) {
    this.logger = logger;
  }

  async send(message: OutboundSms): Promise<SendResult> {
    this.logger.info({ to: message.to, outboxId: message.outboxId, sms: message.body }, "SMS (console sink)");
    return { ok: true, providerRef: `console-${message.outboxId}` };
  }
}
