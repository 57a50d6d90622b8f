/**
 * Twilio's webhooks for calls to the center's number (issue 14), registered by
 * twilio-routes.ts inside its plugin (the same form parser and signature check):
 *
 * - `/voice/inbound`: the number's Voice webhook. The call is stored as an
 *   alarm first, then rings the operators on duty (or the supervisors);
 * - `/voice/whisper`: whoever picked up hears the household's code;
 * - `/voice/accept`: their key; the first takes the call;
 * - `/voice/dialed`: a stage's `<Dial>` ended; the next stage or the message;
 * - `/voice/callee-status`, `/voice/recording`: the calls operators place from
 *   the console (hub/voice/console-calls.ts).
 *
 * The router's state (which call, stage and line) travels in the query of the
 * URLs the hub wrote into its TwiML. Twilio signs the whole URL, query included,
 * so none of it can be forged; the schemas still bound it.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import Type, { type Static } from "typebox";
import { AnxinError } from "../../errors.ts";
import { hangupTwiml, ringTwiml, staffTwiml, unansweredTwiml, whisperTwiml } from "../../notify/caller-texts.ts";
import type { SmsLanguage } from "../../notify/sms-text.ts";
import { isRecordingUrl } from "../../notify/twilio-recordings.ts";
import type { Answerer, Ring, RingStage } from "../../voice/inbound-call-router.ts";
import type { TwilioWebhookOptions } from "../../voice/webhook-options.ts";

type Form = Record<string, string>;

/** Twilio's id of a call. */
const CALL_SID = /^CA[0-9a-f]{32}$/;
/** A caller ID Twilio could give; anything else (`anonymous`, `Restricted`, empty) is a withheld number. */
const E164 = /^\+[1-9][0-9]{6,14}$/;

const Stage = Type.Union([Type.Literal("operators"), Type.Literal("supervisors")]);
const LineQuery = Type.Object(
  {
    call: Type.String({ pattern: CALL_SID.source }),
    stage: Stage,
    /** The account rung; absent for the supervisor phone (ANXIN_SUPERVISOR_PHONE). */
    user: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  { additionalProperties: false },
);
const DialedQuery = Type.Object({ stage: Stage }, { additionalProperties: false });

export interface VoiceRouteContext {
  options: TwilioWebhookOptions;
  /** ANXIN_PUBLIC_URL without a trailing slash. */
  base: string;
  verified(request: FastifyRequest): Form;
  docs: { tags: string[]; security: never[]; consumes: string[] };
}

export function registerVoiceRoutes(app: FastifyInstance, context: VoiceRouteContext): void {
  registerConsoleCallWebhooks(app, context);
  const { options, base, verified, docs } = context;
  const log = options.logger;
  const calls = options.calls;
  const lineQuery = (callSid: string, stage: RingStage, line: Answerer) =>
    `call=${callSid}&stage=${stage}${line.userId === null ? "" : `&user=${line.userId}`}`;
  /** TwiML that rings a stage; `openingIn`: first tell the caller, in their language, they are being put through. */
  const ring = (callSid: string, stage: Ring, openingIn: SmsLanguage | null) =>
    ringTwiml(
      stage,
      {
        dialed: `${base}/api/twilio/voice/dialed?stage=${stage.stage}`,
        whisper: (target) => `${base}/api/twilio/voice/whisper?${lineQuery(callSid, stage.stage, target)}`,
      },
      openingIn,
    );

  app.post(
    "/voice/inbound",
    {
      schema: {
        ...docs,
        summary:
          "Twilio: a call to the center's number (set it as the number's Voice webhook); raises or joins an alarm and rings the staff",
      },
    },
    async (request, reply) => {
      const form = verified(request);
      const callSid = form.CallSid ?? "";
      if (!CALL_SID.test(callSid) || (form.Direction !== undefined && form.Direction !== "inbound")) {
        log.warn(
          { code: "VALIDATION_FAILED", callSid: callSid.slice(0, 64), direction: form.Direction?.slice(0, 32) },
          "inbound call webhook without a CallSid",
        );
        throw new AnxinError("VALIDATION_FAILED", "an inbound call needs a CallSid (CA…) and Direction inbound");
      }
      const from = form.From ?? "";
      // Stored (committed) before Twilio hears anything: the call is an alarm from here on.
      const routed = await calls.answer({
        callSid,
        caller: E164.test(from) ? from : null,
        called: (form.To ?? "").slice(0, 64),
        receivedAt: new Date(),
      });
      if (routed.replay) {
        log.warn({ code: "TWILIO_CALL_REPLAYED", callSid, alarmId: routed.alarmId }, "inbound call webhook again");
      }
      reply.type("text/xml; charset=utf-8");
      return routed.ring
        ? ring(callSid, routed.ring, routed.language)
        : unansweredTwiml(routed.language, routed.placed);
    },
  );

  app.post(
    "/voice/whisper",
    {
      schema: {
        ...docs,
        querystring: LineQuery,
        summary:
          "Twilio: a member of staff picked up a call to the center; they hear the household and accept with a key",
      },
    },
    async (request, reply) => {
      verified(request);
      const query = request.query as Static<typeof LineQuery>;
      const outcome = await calls.whisper(query.call, answerer(query));
      reply.type("text/xml; charset=utf-8");
      if (outcome.kind !== "offer") return staffTwiml(outcome.language, outcome.kind);
      const acceptUrl = `${base}/api/twilio/voice/accept?${lineQuery(query.call, query.stage, answerer(query))}`;
      return whisperTwiml(outcome.language, outcome, acceptUrl);
    },
  );

  app.post(
    "/voice/accept",
    {
      schema: {
        ...docs,
        querystring: LineQuery,
        summary:
          "Twilio: the key pressed after the whisper; the first to press takes the call and acknowledges the alarm",
      },
    },
    async (request, reply) => {
      verified(request);
      const query = request.query as Static<typeof LineQuery>;
      const outcome = await calls.accept(query.call, answerer(query), query.stage);
      reply.type("text/xml; charset=utf-8");
      return staffTwiml(outcome.language, outcome.kind);
    },
  );

  app.post(
    "/voice/dialed",
    {
      schema: {
        ...docs,
        querystring: DialedQuery,
        summary: "Twilio: ringing a stage of staff ended; taken, or the next stage, or the caller hears help is coming",
      },
    },
    async (request, reply) => {
      const form = verified(request);
      const callSid = form.CallSid ?? "";
      if (!CALL_SID.test(callSid)) {
        throw new AnxinError("VALIDATION_FAILED", "a Dial action needs the call's CallSid (CA…)");
      }
      const { stage } = request.query as Static<typeof DialedQuery>;
      // The caller's own leg has ended: nothing more can be said to them.
      const callerHungUp = form.CallStatus === "completed" || form.CallStatus === "canceled";
      const outcome = await calls.dialEnded(callSid, stage, callerHungUp);
      log.info(
        { callSid, stage, dialCallStatus: form.DialCallStatus?.slice(0, 32), outcome: outcome.kind },
        "call to the center: a stage ended",
      );
      reply.type("text/xml; charset=utf-8");
      if (outcome.kind === "done") return hangupTwiml();
      if (outcome.kind === "ring") return ring(callSid, outcome.ring, null);
      return unansweredTwiml(outcome.language, outcome.placed);
    },
  );
}

/** The console's calls: where Twilio reports the callee's leg and the recording (hub/voice/console-calls.ts). */
function registerConsoleCallWebhooks(app: FastifyInstance, context: VoiceRouteContext): void {
  const { options, verified, docs } = context;
  const log = options.logger;
  const CallQuery = Type.Object({ call: Type.Integer({ minimum: 1 }) }, { additionalProperties: false });

  app.post(
    "/voice/callee-status",
    {
      schema: {
        ...docs,
        querystring: CallQuery,
        summary: "Twilio: the callee of an operator's call from the console rang, answered or hung up",
      },
    },
    async (request, reply) => {
      const form = verified(request);
      const { call } = request.query as Static<typeof CallQuery>;
      const sid = form.CallSid ?? "";
      const status = form.CallStatus ?? "";
      if (!CALL_SID.test(sid) || !/^[a-z-]{1,20}$/.test(status)) {
        throw new AnxinError("VALIDATION_FAILED", "a call status callback needs CallSid and CallStatus");
      }
      const outcome = await options.consoleCalls.onCalleeStatus(call, {
        sid,
        status,
        durationS: wholeSeconds(form.CallDuration),
      });
      if (outcome === "unknown") log.warn({ code: "TWILIO_UNKNOWN_CALL", call, sid }, "status for a call never placed");
      return reply.code(204).send();
    },
  );

  app.post(
    "/voice/recording",
    {
      schema: {
        ...docs,
        querystring: CallQuery,
        summary: "Twilio: the recording of an operator's call from the console is ready (ANXIN_CALL_RECORDING)",
      },
    },
    async (request, reply) => {
      const form = verified(request);
      const { call } = request.query as Static<typeof CallQuery>;
      const url = form.RecordingUrl ?? "";
      const sid = form.RecordingSid ?? "";
      if (!options.account || !isRecordingUrl(url, options.account.accountSid) || !url.endsWith(sid)) {
        log.warn({ code: "VALIDATION_FAILED", call, url: url.slice(0, 200) }, "recording callback with a foreign URL");
        throw new AnxinError("VALIDATION_FAILED", "RecordingUrl must be a recording of this account");
      }
      const outcome = await options.consoleCalls.onRecording(call, {
        sid,
        url,
        durationS: wholeSeconds(form.RecordingDuration),
      });
      if (outcome === "unknown") log.warn({ code: "TWILIO_UNKNOWN_CALL", call }, "recording of a call never placed");
      return reply.code(204).send();
    },
  );
}

/** Twilio's CallDuration or RecordingDuration: whole seconds, or null when absent or not a count. */
export function wholeSeconds(text: string | undefined): number | null {
  const value = Number(text ?? Number.NaN);
  return Number.isInteger(value) && value >= 0 ? value : null;
}

function answerer(query: Static<typeof LineQuery>): Answerer {
  return query.user === undefined ? { userId: null } : { userId: query.user };
}
