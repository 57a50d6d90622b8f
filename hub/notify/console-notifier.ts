import type { Logger } from "pino";
import type {
  CallHangup,
  HangupResult,
  OutboundCall,
  OutboundSms,
  SendResult,
  SmsNotifier,
  VoiceNotifier,
} from "./notifier.ts";

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

/** The voice channel without Twilio: the call's TwiML goes to the log instead of a phone. */
export class ConsoleVoiceNotifier implements VoiceNotifier {
  readonly name = "console-voice";
  private readonly logger: Logger;

  constructor(logger: Logger) {
    this.logger = logger;
  }

  async send(call: OutboundCall): Promise<SendResult> {
    this.logger.info({ to: call.to, outboxId: call.outboxId, twiml: call.twiml }, "voice call (console sink)");
    return { ok: true, providerRef: `console-call-${call.outboxId}` };
  }

  /** Nothing rings in the log, so the request is only written down; the call counts as ended. */
  async hangUp(call: CallHangup): Promise<HangupResult> {
    this.logger.info(
      { sid: call.sid, outboxId: call.outboxId, status: call.status },
      "voice call ended (console sink)",
    );
    return { ok: true, callStatus: call.status };
  }
}
