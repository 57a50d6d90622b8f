/**
 * Twilio's webhooks (`/api/twilio`): calls to the center's number (each raises
 * or joins an alarm and rings the staff: twilio-voice-routes.ts), replies to our SMS, keys pressed during a relative's call
 * (`<Gather>`), and status callbacks for messages and calls. Twilio has no session, so these routes need none:
 * the `X-Twilio-Signature` is the authentication. It is checked with the
 * account's auth token against the public URL Twilio used (ANXIN_PUBLIC_URL +
 * path) and the form parameters, exactly as Twilio computed it; a forged,
 * unsigned or other-account request gets 403, changes nothing, and is logged.
 * A signature does not stop a replay: an inbound SMS is acted on once per
 * MessageSid, and a copy gets an empty `<Response/>` (no reply sent twice).
 */
import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from "fastify";
import twilio from "twilio";
import { AnxinError } from "../../errors.ts";
import {
  callGoodbyeTwiml,
  emptyMessagingResponse,
  keypadConfirmedTwiml,
  keypadRetryTwiml,
  messagingResponse,
} from "../../notify/relative-texts.ts";
import type { DeliveryReport } from "../../relatives/cascade-service.ts";
import type { TwilioWebhookOptions } from "../../voice/webhook-options.ts";
import { registerVoiceRoutes, wholeSeconds } from "./twilio-voice-routes.ts";

export type { TwilioWebhookOptions };

type Form = Record<string, string>;

const FORM = "application/x-www-form-urlencoded";
/** Twilio's id of an SMS (SM…) or MMS (MM…). */
const MESSAGE_SID = /^(SM|MM)[0-9a-f]{32}$/;
const WEBHOOK_DOCS = { tags: ["twilio"], security: [] as never[], consumes: [FORM] };

export const twilioRoutes: FastifyPluginAsync<TwilioWebhookOptions> = async (app, options) => {
  const log = options.logger;
  registerFormParser(app);
  const base = options.publicUrl.replace(/\/+$/, "");

  /** The request's form when Twilio signed it; otherwise a coded warning and 403. */
  function verified(request: FastifyRequest): Form {
    const url = `${base}${request.url}`;
    const refuse = (reason: string): never => {
      log.warn(
        { code: "TWILIO_SIGNATURE_INVALID", url, ip: request.ip, reason },
        "refused a Twilio webhook: not signed by our account",
      );
      throw new AnxinError("TWILIO_SIGNATURE_INVALID", `request refused: ${reason}`);
    };
    if (!options.account) return refuse("Twilio is not configured, so no signature can be checked");
    const signature = request.headers["x-twilio-signature"];
    if (typeof signature !== "string" || signature === "") return refuse("no X-Twilio-Signature header");
    const type = String(request.headers["content-type"] ?? "")
      .split(";")[0]
      ?.trim()
      .toLowerCase();
    if (type !== FORM || !isForm(request.body)) return refuse("the body is not form-encoded");
    const form = request.body;
    if (!twilio.validateRequest(options.account.authToken, signature, url, form)) {
      return refuse("X-Twilio-Signature does not match the URL and parameters");
    }
    if (form.AccountSid !== options.account.accountSid) return refuse("signed, but for another account");
    return form;
  }

  app.post(
    "/sms",
    {
      schema: {
        ...WEBHOOK_DOCS,
        summary: "Twilio: an SMS to our number (a relative's reply); answered with TwiML",
      },
    },
    async (request, reply) => {
      const form = verified(request);
      const messageSid = form.MessageSid ?? form.SmsSid ?? "";
      if (!MESSAGE_SID.test(messageSid)) {
        log.warn(
          { code: "VALIDATION_FAILED", from: form.From, messageSid: messageSid.slice(0, 64) },
          "signed inbound SMS without a valid MessageSid; refused",
        );
        throw new AnxinError("VALIDATION_FAILED", "an inbound SMS needs its MessageSid (SM… or MM…)");
      }
      const outcome = await options.relatives.onInboundSms({
        messageSid,
        from: form.From ?? "",
        body: form.Body ?? "",
      });
      reply.type("text/xml; charset=utf-8");
      if (outcome.kind === "replay") {
        // An empty answer: our reply to this message went out the first time; Twilio must not send it again.
        log.warn(
          { code: "TWILIO_SMS_REPLAYED", messageSid, from: form.From, ip: request.ip },
          "inbound SMS received again (same MessageSid); not acted on, answered with an empty Response",
        );
        return emptyMessagingResponse();
      }
      if (outcome.kind === "unknown") {
        log.info(
          { code: "TWILIO_UNKNOWN_SENDER", from: form.From, messageSid: form.MessageSid },
          "SMS from a number that is no relative of an open alarm; not answered",
        );
        return emptyMessagingResponse();
      }
      log.info({ alarmId: outcome.alarmId, from: form.From, outcome: outcome.kind }, "relative replied by SMS");
      return messagingResponse(outcome.reply);
    },
  );

  registerVoiceRoutes(app, { options, base, verified, docs: WEBHOOK_DOCS });

  app.post(
    "/voice/gather",
    {
      schema: {
        ...WEBHOOK_DOCS,
        summary: "Twilio: a key a relative pressed during our call (1 confirms); answered with TwiML",
      },
    },
    async (request, reply) => {
      const form = verified(request);
      const callSid = form.CallSid ?? "";
      const digits = form.Digits ?? "";
      const outcome = await options.relatives.onKeypad({ callSid, digits, callStatus: form.CallStatus ?? null });
      reply.type("text/xml; charset=utf-8");
      if (outcome.kind === "unknown") {
        log.warn(
          { code: "TWILIO_UNKNOWN_CALL", callSid, digits },
          "key pressed on a call that is no relative's call of an open alarm; said goodbye",
        );
        return callGoodbyeTwiml(outcome.language);
      }
      log.info({ alarmId: outcome.alarmId, callSid, digits, outcome: outcome.kind }, "relative pressed a key");
      if (outcome.kind === "not_confirmation") {
        // Gather again at the address Twilio just used (and signed).
        return keypadRetryTwiml(outcome.residentName, outcome.language, `${base}${request.url}`);
      }
      return keypadConfirmedTwiml(outcome.language);
    },
  );

  app.post(
    "/status",
    {
      schema: {
        ...WEBHOOK_DOCS,
        summary: "Twilio: a message's or call's status changed (queued … delivered / failed; completed, no-answer…)",
      },
    },
    async (request, reply) => {
      const form = verified(request);
      const report = deliveryReport(form);
      if (!report) {
        log.warn({ code: "VALIDATION_FAILED", form }, "Twilio status callback without a sid and status; ignored");
        throw new AnxinError(
          "VALIDATION_FAILED",
          "a status callback needs MessageSid/MessageStatus or CallSid/CallStatus",
        );
      }
      // A relative's SMS or call (the outbox's sids); else a call to the center (the number's own callback).
      let outcome = await options.relatives.onDeliveryReport(report);
      if (outcome === "unknown_sid" && report.channel === "voice") {
        const inbound = await options.calls.onStatus({
          sid: report.sid,
          status: report.status,
          durationS: wholeSeconds(form.CallDuration),
        });
        if (inbound !== "unknown") outcome = "recorded";
      }
      if (outcome === "unknown_sid") {
        log.warn(
          { code: "TWILIO_UNKNOWN_SID", sid: report.sid, status: report.status },
          "status for a sid we never sent",
        );
      } else {
        log.debug({ sid: report.sid, status: report.status, outcome }, "delivery status");
      }
      return reply.code(204).send();
    },
  );
};

function registerFormParser(app: FastifyInstance): void {
  app.addContentTypeParser(FORM, { parseAs: "string", bodyLimit: 64 * 1024 }, (_request, body, done) => {
    const form: Form = {};
    for (const [key, value] of new URLSearchParams(String(body))) form[key] = value;
    done(null, form);
  });
}

function isForm(body: unknown): body is Form {
  return (
    typeof body === "object" &&
    body !== null &&
    !Array.isArray(body) &&
    Object.values(body).every((v) => typeof v === "string")
  );
}

function deliveryReport(form: Form): DeliveryReport | null {
  const errorCode = form.ErrorCode ? form.ErrorCode : null;
  if (form.CallSid && form.CallStatus) {
    return { sid: form.CallSid, status: form.CallStatus, channel: "voice", errorCode };
  }
  const status = form.MessageStatus ?? form.SmsStatus;
  const sid = form.MessageSid ?? form.SmsSid;
  if (sid && status) return { sid, status, channel: "sms", errorCode };
  return null;
}
