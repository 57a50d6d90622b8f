/**
 * Twilio calling the hub: inbound SMS, keys pressed during a call (`<Gather>`)
 * and status callbacks, form-encoded and
 * signed exactly as Twilio signs them, so the hub's signature check is tested
 * against an independent implementation (not the SDK's own helper).
 */
import { createHmac } from "node:crypto";
import type { FakeTwilioCall, FakeTwilioMessage } from "./fake-twilio-resources.ts";
import { newSid, progressCall } from "./fake-twilio-resources.ts";

/**
 * `X-Twilio-Signature`: HMAC-SHA1 keyed with the auth token over the full URL
 * Twilio requested, followed by every POST parameter sorted by name, each as
 * name then value; base64.
 */
export function twilioSignature(authToken: string, url: string, params: Record<string, string>): string {
  const data = Object.keys(params)
    .sort()
    .reduce((text, key) => `${text}${key}${params[key]}`, url);
  return createHmac("sha1", authToken).update(Buffer.from(data, "utf8")).digest("base64");
}

/** Where the hub really listens, and the public URL it knows itself by (ANXIN_PUBLIC_URL). */
export interface WebhookTarget {
  publicUrl: string;
  localUrl: string;
}

export interface WebhookResponse {
  status: number;
  body: string;
  contentType: string | null;
}

export interface WebhookPostOptions {
  /** A given signature (a forgery), or null for none at all; default: signed properly. */
  signature?: string | null;
  /** Sign with another token (someone who does not hold ours). */
  authToken?: string;
}

export interface FakeTwilioState {
  accountSid: string;
  authToken: string;
  messages: readonly FakeTwilioMessage[];
  calls: readonly FakeTwilioCall[];
}

export class TwilioWebhookClient {
  private readonly state: FakeTwilioState;
  private readonly target: WebhookTarget;
  private readonly sequence = new Map<string, number>();

  constructor(state: FakeTwilioState, target: WebhookTarget) {
    this.state = state;
    this.target = target;
  }

  /** The account Twilio signs for. */
  get accountSid(): string {
    return this.state.accountSid;
  }

  get authToken(): string {
    return this.state.authToken;
  }

  /** POSTs `params` to a public URL (or a path under it) as Twilio would. */
  async post(urlOrPath: string, params: Record<string, string>, options: WebhookPostOptions = {}) {
    const base = this.target.publicUrl.replace(/\/+$/, "");
    const publicUrl = urlOrPath.startsWith("/") ? `${base}${urlOrPath}` : urlOrPath;
    if (!publicUrl.startsWith(base)) throw new Error(`fake-twilio: ${publicUrl} is not under ${base}`);
    const signature =
      options.signature === undefined
        ? twilioSignature(options.authToken ?? this.state.authToken, publicUrl, params)
        : options.signature;
    const response = await fetch(`${this.target.localUrl}${publicUrl.slice(base.length)}`, {
      method: "POST",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
        "User-Agent": "TwilioProxy/1.1",
        ...(signature === null ? {} : { "X-Twilio-Signature": signature }),
      },
      body: new URLSearchParams(params).toString(),
    });
    return { status: response.status, body: await response.text(), contentType: response.headers.get("content-type") };
  }

  /** An SMS from `from` to our number, as Twilio forwards it to the messaging webhook; `messageSid` replays one. */
  inboundSms(sms: { from: string; body: string; to?: string; messageSid?: string }, options?: WebhookPostOptions) {
    const to = sms.to ?? this.state.messages.find((m) => m.to === sms.from)?.from ?? "+15005550006";
    const sid = sms.messageSid ?? newSid("SM");
    const params = {
      ToCountry: "US",
      ToState: "CA",
      SmsMessageSid: sid,
      NumMedia: "0",
      SmsSid: sid,
      SmsStatus: "received",
      Body: sms.body,
      FromCountry: sms.from.startsWith("+86") ? "CN" : "US",
      To: to,
      NumSegments: "1",
      MessageSid: sid,
      AccountSid: this.state.accountSid,
      From: sms.from,
      ApiVersion: "2010-04-01",
    };
    return this.post("/api/twilio/sms", params, options);
  }

  /**
   * A call to our number, as Twilio posts it to the number's Voice webhook when it rings (Twilio's
   * parameters for an inbound call); `callSid` replays one, `from` "anonymous" is a withheld number.
   */
  inboundCall(call: { from: string; to?: string; callSid?: string }, options?: WebhookPostOptions) {
    const params = {
      Called: call.to ?? "+15005550006",
      ToState: "CA",
      CallerCountry: call.from.startsWith("+86") ? "CN" : "US",
      Direction: "inbound",
      CallerState: "",
      ToZip: "",
      CallSid: call.callSid ?? newSid("CA"),
      To: call.to ?? "+15005550006",
      CallerZip: "",
      ToCountry: "US",
      CallToken: "",
      CalledZip: "",
      ApiVersion: "2010-04-01",
      CalledCity: "",
      CallStatus: "ringing",
      From: call.from,
      AccountSid: this.state.accountSid,
      CalledCountry: "US",
      CallerCity: "",
      ToCity: "",
      FromCountry: call.from.startsWith("+86") ? "CN" : "US",
      Caller: call.from,
      FromCity: "",
      CalledState: "CA",
      FromZip: "",
      FromState: "",
    };
    return this.post("/api/twilio/voice/inbound", params, options);
  }

  /** A message status callback, to the StatusCallback the message was sent with. */
  messageStatus(sid: string, status: string, extra: { errorCode?: string } = {}, options?: WebhookPostOptions) {
    const message = this.state.messages.find((m) => m.sid === sid);
    if (!message?.statusCallback) throw new Error(`fake-twilio: message ${sid} has no StatusCallback`);
    const params: Record<string, string> = {
      SmsSid: sid,
      SmsStatus: status,
      MessageStatus: status,
      To: message.to,
      MessageSid: sid,
      AccountSid: this.state.accountSid,
      From: message.from,
      ApiVersion: "2010-04-01",
      ...(extra.errorCode ? { ErrorCode: extra.errorCode } : {}),
    };
    return this.post(message.statusCallback, params, options);
  }

  /**
   * A key pressed during the call, posted as Twilio posts a `<Gather>` result:
   * to the `action` (with its `method`) of the first Gather in `twiml`, by
   * default the TwiML the call was created with, so a wrong action fails here.
   * The call is answered by then: the fake moves it to `in-progress`.
   */
  gather(sid: string, digits: string, options: WebhookPostOptions & { twiml?: string } = {}) {
    const call = this.state.calls.find((c) => c.sid === sid);
    const twiml = options.twiml ?? call?.twiml ?? "";
    const tag = /<Gather\b[^>]*>/.exec(twiml)?.[0];
    if (!call || !tag) throw new Error(`fake-twilio: call ${sid} has no <Gather> to press a key in`);
    const attribute = (name: string) => unescapeXml(new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1] ?? "");
    if (attribute("method").toUpperCase() !== "POST") throw new Error(`fake-twilio: Gather method is not POST: ${tag}`);
    if (!attribute("action")) throw new Error(`fake-twilio: Gather has no action: ${tag}`);
    progressCall(call, "in-progress", new Date());
    const params: Record<string, string> = {
      AccountSid: this.state.accountSid,
      ApiVersion: "2010-04-01",
      CallSid: sid,
      CallStatus: "in-progress",
      Called: call.to,
      Caller: call.from,
      Digits: digits,
      Direction: "outbound-api",
      FinishedOnKey: "",
      From: call.from,
      To: call.to,
      msg: "Gather End",
    };
    return this.post(attribute("action"), params, options);
  }

  /** A call progress callback (initiated, ringing, in-progress, completed, busy, no-answer, failed, canceled). */
  callStatus(sid: string, status: string, options?: WebhookPostOptions) {
    const call = this.state.calls.find((c) => c.sid === sid);
    if (!call?.statusCallback) throw new Error(`fake-twilio: call ${sid} has no StatusCallback`);
    progressCall(call, status, new Date());
    const sequence = this.sequence.get(sid) ?? 0;
    this.sequence.set(sid, sequence + 1);
    const params: Record<string, string> = {
      Called: call.to,
      Direction: "outbound-api",
      Timestamp: new Date().toUTCString().replace("GMT", "+0000"),
      CallbackSource: "call-progress-events",
      SequenceNumber: String(sequence),
      CallSid: sid,
      To: call.to,
      Caller: call.from,
      ApiVersion: "2010-04-01",
      CallStatus: status,
      From: call.from,
      AccountSid: this.state.accountSid,
      ...(status === "completed" ? { CallDuration: "21", Duration: "1" } : {}),
    };
    return this.post(call.statusCallback, params, options);
  }
}

function unescapeXml(text: string): string {
  return text
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, "&");
}
