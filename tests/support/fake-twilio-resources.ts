/**
 * The fake Twilio's request checks and response bodies, per resource. Checks
 * follow what Twilio refuses (with its error codes); bodies follow
 * `api.v2010.account.message` and `api.v2010.account.call` in Twilio's OpenAPI
 * description, field for field, for a call created and for one updated (`tests/contract/check-twilio-fake.ts` proves
 * it through Prism).
 */
import { randomBytes } from "node:crypto";

export interface FakeTwilioMessage {
  sid: string;
  to: string;
  from: string;
  body: string;
  statusCallback?: string;
  receivedAt: Date;
}

export interface FakeTwilioCall {
  sid: string;
  to: string;
  from: string;
  /** Inline TwiML, when the call was created with `Twiml`. */
  twiml?: string;
  /** TwiML URL, when the call was created with `Url`. */
  url?: string;
  statusCallback?: string;
  /** The progress events asked for; Twilio sends only `completed` when none are. */
  statusCallbackEvents: string[];
  /** Where the call is now: `queued` when created; tests move it on (`ringing`, `in-progress`…). */
  status: string;
  receivedAt: Date;
  answeredAt?: Date;
  endedAt?: Date;
}

/** A POST to …/Calls/{Sid}.json that the fake accepted. */
export interface FakeTwilioCallUpdate {
  sid: string;
  /** The `Status` asked for. */
  status: "canceled" | "completed";
  /** The call's status before and after. */
  before: string;
  after: string;
  receivedAt: Date;
}

export interface Refusal {
  status: number;
  code: number;
  message: string;
  headers?: Record<string, string>;
}

export type ParsedMessage = Omit<FakeTwilioMessage, "sid" | "receivedAt">;
export type ParsedCall = Omit<FakeTwilioCall, "sid" | "receivedAt" | "status" | "answeredAt" | "endedAt">;

const E164 = /^\+[1-9]\d{1,14}$/;
/** What Twilio takes as a call's To besides a number: `sip:user@host` (optionally `sips:`, with parameters). */
const SIP_ADDRESS = /^sips?:[^@\s]+@[^\s]+$/;
const MAX_BODY_CHARS = 1600;
const MAX_TWIML_CHARS = 4000;
const CALL_EVENTS = new Set(["initiated", "ringing", "answered", "completed"]);

export function refusal(status: number, code: number, message: string, headers?: Record<string, string>): Refusal {
  return headers ? { status, code, message, headers } : { status, code, message };
}

function formOf(contentType: string | undefined, raw: string): URLSearchParams | Refusal {
  const mediaType = (contentType ?? "").split(";")[0]?.trim().toLowerCase();
  if (mediaType !== "application/x-www-form-urlencoded") {
    return refusal(415, 20415, `Content-Type must be application/x-www-form-urlencoded, got '${contentType ?? ""}'`);
  }
  return new URLSearchParams(raw);
}

export function parseMessageForm(contentType: string | undefined, raw: string): ParsedMessage | Refusal {
  const form = formOf(contentType, raw);
  if (!(form instanceof URLSearchParams)) return form;
  const to = form.get("To");
  const from = form.get("From");
  const body = form.get("Body");
  const statusCallback = form.get("StatusCallback");
  if (!to) return refusal(400, 21604, "A 'To' phone number is required.");
  if (!E164.test(to)) return refusal(400, 21211, `The 'To' number ${to} is not a valid phone number.`);
  if (!from) return refusal(400, 21603, "A 'From' phone number is required.");
  if (!body) return refusal(400, 21602, "Message body is required.");
  // Twilio counts characters, not UTF-16 units: 1600 Chinese characters are allowed.
  if ([...body].length > MAX_BODY_CHARS) {
    return refusal(400, 21617, "The concatenated message body exceeds the 1600 character limit.");
  }
  if (statusCallback !== null && !isHttpUrl(statusCallback)) {
    return refusal(400, 21609, `The StatusCallback URL ${statusCallback} is not a valid URL.`);
  }
  return statusCallback === null ? { to, from, body } : { to, from, body, statusCallback };
}

export function parseCallForm(contentType: string | undefined, raw: string): ParsedCall | Refusal {
  const form = formOf(contentType, raw);
  if (!(form instanceof URLSearchParams)) return form;
  const to = form.get("To");
  const from = form.get("From");
  const twiml = form.get("Twiml");
  const url = form.get("Url");
  const statusCallback = form.get("StatusCallback");
  const events = form.getAll("StatusCallbackEvent");
  if (!to) return refusal(400, 21201, "No 'To' number is specified");
  // A call may go to a SIP address (an operator's softphone) as well as a phone number.
  if (!E164.test(to) && !SIP_ADDRESS.test(to)) return refusal(400, 21211, `Invalid 'To' Phone Number: ${to}`);
  if (!from) return refusal(400, 21213, "No 'From' number is specified");
  if (!E164.test(from)) return refusal(400, 21212, `Invalid 'From' Phone Number: ${from}`);
  if (!twiml && !url && !form.get("ApplicationSid")) {
    return refusal(400, 21205, "A 'Url', 'Twiml' or 'ApplicationSid' parameter is required.");
  }
  if (url !== null && !isHttpUrl(url)) return refusal(400, 21205, `Url is not a valid URL: ${url}`);
  if (twiml !== null) {
    if ([...twiml].length > MAX_TWIML_CHARS) return refusal(400, 21230, "Twiml exceeds 4000 characters.");
    if (!/^(<\?xml[^>]*\?>\s*)?<Response>[\s\S]*<\/Response>\s*$/.test(twiml)) {
      return refusal(400, 12100, "Document parse failure: Twiml is not a <Response> document.");
    }
  }
  if (statusCallback !== null && !isHttpUrl(statusCallback)) {
    return refusal(400, 21609, `Invalid StatusCallback URL: ${statusCallback}`);
  }
  const badEvent = events.find((e) => !CALL_EVENTS.has(e));
  if (badEvent !== undefined) return refusal(400, 21626, `Invalid StatusCallbackEvent: ${badEvent}`);
  return {
    to,
    from,
    ...(twiml ? { twiml } : {}),
    ...(url ? { url } : {}),
    ...(statusCallback ? { statusCallback } : {}),
    statusCallbackEvents: events,
  };
}

const UPDATE_STATUSES = new Set(["canceled", "completed"]);
const LIVE = new Set(["queued", "ringing", "in-progress"]);

/**
 * A call update as the relatives' hang-up sends it: `Status` only (the spec's
 * `call_enum_update_status`). Redirects (`Url`, `Twiml`) are not faked.
 */
export function parseCallUpdateForm(
  contentType: string | undefined,
  raw: string,
): { status: "canceled" | "completed" } | Refusal {
  const form = formOf(contentType, raw);
  if (!(form instanceof URLSearchParams)) return form;
  const status = form.get("Status");
  if (form.has("Url") || form.has("Twiml")) return refusal(400, 20001, "This fake only takes Status on a call update.");
  if (status === null || !UPDATE_STATUSES.has(status)) {
    return refusal(400, 20001, `Status must be canceled or completed, got '${status ?? ""}'`);
  }
  return { status: status as "canceled" | "completed" };
}

/**
 * Twilio's rule: `canceled` ends a call that is queued or ringing and leaves
 * an answered one alone; `completed` ends it either way. An ended call stays
 * as it is.
 */
export function applyCallUpdate(call: FakeTwilioCall, status: "canceled" | "completed", at: Date): void {
  if (!LIVE.has(call.status)) return;
  if (call.status === "in-progress") {
    if (status === "completed") call.status = "completed";
  } else {
    call.status = "canceled";
  }
  if (!LIVE.has(call.status)) call.endedAt = at;
}

/** Moves a call along as the phone network would (`ringing`, `in-progress`, `completed`…). */
export function progressCall(call: FakeTwilioCall, status: string, at: Date): void {
  if (status === "in-progress") call.answeredAt ??= at;
  if (!LIVE.has(status)) call.endedAt ??= at;
  call.status = status;
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}

/** The spec's `api.v2010.account.message`, field for field (numbers in it are strings). */
export function messageResource(accountSid: string, message: FakeTwilioMessage): Record<string, unknown> {
  const uri = `/2010-04-01/Accounts/${accountSid}/Messages/${message.sid}`;
  const date = rfc2822(message.receivedAt);
  return {
    account_sid: accountSid,
    api_version: "2010-04-01",
    body: message.body,
    date_created: date,
    date_sent: null,
    date_updated: date,
    direction: "outbound-api",
    error_code: null,
    error_message: null,
    from: message.from,
    messaging_service_sid: null,
    num_media: "0",
    num_segments: String(segmentCount(message.body)),
    price: null,
    price_unit: "USD",
    sid: message.sid,
    status: "queued",
    subresource_uris: { media: `${uri}/Media.json` },
    to: message.to,
    uri: `${uri}.json`,
  };
}

/** The spec's `api.v2010.account.call`, as the call stands now (queued when just created). */
export function callResource(
  accountSid: string,
  call: FakeTwilioCall,
  updatedAt = call.receivedAt,
): Record<string, unknown> {
  const uri = `/2010-04-01/Accounts/${accountSid}/Calls/${call.sid}`;
  const date = rfc2822(call.receivedAt);
  const talked =
    call.answeredAt && call.endedAt ? Math.round((call.endedAt.getTime() - call.answeredAt.getTime()) / 1000) : 0;
  const sub = (name: string) => `${uri}/${name}.json`;
  return {
    sid: call.sid,
    date_created: date,
    date_updated: rfc2822(updatedAt),
    parent_call_sid: null,
    account_sid: accountSid,
    to: call.to,
    to_formatted: call.to,
    from: call.from,
    from_formatted: call.from,
    phone_number_sid: null,
    status: call.status,
    start_time: call.answeredAt ? rfc2822(call.answeredAt) : null,
    end_time: call.endedAt ? rfc2822(call.endedAt) : null,
    duration: call.endedAt ? String(talked) : null,
    price: null,
    price_unit: "USD",
    direction: "outbound-api",
    answered_by: null,
    api_version: "2010-04-01",
    forwarded_from: null,
    group_sid: null,
    caller_name: null,
    queue_time: "0",
    trunk_sid: null,
    uri: `${uri}.json`,
    subresource_uris: {
      notifications: sub("Notifications"),
      recordings: sub("Recordings"),
      payments: sub("Payments"),
      events: sub("Events"),
      siprec: sub("Siprec"),
      streams: sub("Streams"),
      transcriptions: sub("Transcriptions"),
      user_defined_message_subscriptions: sub("UserDefinedMessageSubscriptions"),
      user_defined_messages: sub("UserDefinedMessages"),
    },
  };
}

export function twilioError(status: number, code: number, message: string): Record<string, unknown> {
  return { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status };
}

export function newSid(prefix: string): string {
  return `${prefix}${randomBytes(16).toString("hex")}`;
}

/** Twilio dates look like "Thu, 24 Aug 2023 05:01:45 +0000". */
function rfc2822(date: Date): string {
  return date.toUTCString().replace("GMT", "+0000");
}

// GSM 03.38 basic set; anything outside it (Chinese, emoji) forces UCS-2.
const GSM7 = new Set(
  "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà",
);
const GSM7_EXTENDED = new Set("^{}\\[~]|€\f");

export function segmentCount(body: string): number {
  let septets = 0;
  let gsm = true;
  for (const ch of body) {
    if (GSM7.has(ch)) septets += 1;
    else if (GSM7_EXTENDED.has(ch)) septets += 2;
    else gsm = false;
  }
  const units = gsm ? septets : body.length;
  const [single, multi] = gsm ? [160, 153] : [70, 67];
  return units <= single ? 1 : Math.ceil(units / multi);
}
