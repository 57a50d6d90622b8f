/**
 * Twilio playing a call to the center through the hub's TwiML, as Twilio would:
 * the inbound webhook, a line of the `<Dial>` picking up (its `url`, the
 * whisper, on the child leg), a key pressed in the whisper's `<Gather>`, and the
 * `<Dial>`'s action when the dialling ends. Every request goes to the URL the
 * hub wrote into its TwiML, signed, with Twilio's parameters for that request.
 */
import { newSid } from "./fake-twilio-resources.ts";
import type { TwilioWebhookClient, WebhookPostOptions } from "./twilio-webhooks.ts";
import { find, parseTwiml, type TwimlNode } from "./twiml.ts";

export interface PlayedAnswer {
  status: number;
  /** The parsed TwiML (throws for a non-200 answer: read `status` first). */
  twiml: TwimlNode;
  body: string;
}

const CENTER = "+15005550006";

function played(answer: { status: number; body: string }): PlayedAnswer {
  return {
    status: answer.status,
    body: answer.body,
    get twiml() {
      if (answer.status !== 200) throw new Error(`HTTP ${answer.status}: ${answer.body}`);
      return parseTwiml(answer.body);
    },
  };
}

function attribute(node: TwimlNode, name: string): string {
  const value = node.attrs[name];
  if (value === undefined) throw new Error(`<${node.name}> has no ${name}`);
  return value;
}

export class InboundCallPlayer {
  readonly callSid = newSid("CA");
  private readonly hooks: TwilioWebhookClient;
  private readonly accountSid: string;
  private sequence = 0;
  readonly from: string;

  constructor(hooks: TwilioWebhookClient, from: string) {
    this.hooks = hooks;
    this.accountSid = hooks.accountSid;
    this.from = from;
  }

  /** The call comes in: the number's Voice webhook. */
  async ring(options?: WebhookPostOptions): Promise<PlayedAnswer> {
    return played(await this.hooks.inboundCall({ from: this.from, callSid: this.callSid }, options));
  }

  /**
   * A line of the `<Dial>` (a `<Number>` or `<Sip>` noun) picks up: Twilio fetches the noun's `url` for the
   * child leg. Returns the child leg's sid with the whisper.
   */
  async pickUp(line: TwimlNode, options?: WebhookPostOptions): Promise<PlayedAnswer & { childSid: string }> {
    if (attribute(line, "method") !== "POST") throw new Error(`<${line.name}> url method is not POST`);
    const childSid = newSid("CA");
    const answer = await this.hooks.post(attribute(line, "url"), this.childParams(childSid, line.text), options);
    return Object.assign(played(answer), { childSid });
  }

  /** A key pressed in the whisper's `<Gather>`: posted to its action on the child leg. */
  async press(whisper: TwimlNode, childSid: string, to: string, digits: string, options?: WebhookPostOptions) {
    const gather = find(whisper, "Gather");
    if (attribute(gather, "method") !== "POST") throw new Error("Gather method is not POST");
    const params = { ...this.childParams(childSid, to), Digits: digits, FinishedOnKey: "", msg: "Gather End" };
    return played(await this.hooks.post(attribute(gather, "action"), params, options));
  }

  /**
   * The `<Dial>` ends: Twilio posts its action on the caller's leg. `callStatus` `completed` means the caller
   * hung up meanwhile.
   */
  async dialEnded(
    dial: TwimlNode,
    dialCallStatus: string,
    options: WebhookPostOptions & { callStatus?: string; duration?: number } = {},
  ) {
    if (attribute(dial, "method") !== "POST") throw new Error("Dial action method is not POST");
    const params: Record<string, string> = {
      AccountSid: this.accountSid,
      ApiVersion: "2010-04-01",
      CallSid: this.callSid,
      CallStatus: options.callStatus ?? "in-progress",
      Called: CENTER,
      Caller: this.from,
      Direction: "inbound",
      DialCallStatus: dialCallStatus,
      From: this.from,
      To: CENTER,
      ...(dialCallStatus === "completed"
        ? { DialCallSid: newSid("CA"), DialCallDuration: String(options.duration ?? 42) }
        : {}),
    };
    return played(await this.hooks.post(attribute(dial, "action"), params, options));
  }

  /**
   * The center number's status callback ("Call status changes", set to `/api/twilio/status`): the
   * caller's own leg ringing, answered and ending, as Twilio posts it.
   */
  async status(callStatus: string, options: WebhookPostOptions & { durationS?: number } = {}) {
    const params: Record<string, string> = {
      AccountSid: this.accountSid,
      ApiVersion: "2010-04-01",
      CallSid: this.callSid,
      CallStatus: callStatus,
      CallbackSource: "call-progress-events",
      Called: CENTER,
      Caller: this.from,
      Direction: "inbound",
      From: this.from,
      SequenceNumber: String(this.sequence++),
      Timestamp: new Date().toUTCString().replace("GMT", "+0000"),
      To: CENTER,
      ...(options.durationS === undefined ? {} : { CallDuration: String(options.durationS), Duration: "1" }),
    };
    return this.hooks.post("/api/twilio/status", params, options);
  }

  private childParams(childSid: string, to: string): Record<string, string> {
    return {
      AccountSid: this.accountSid,
      ApiVersion: "2010-04-01",
      CallSid: childSid,
      CallStatus: "in-progress",
      Called: to,
      Caller: this.from,
      Direction: "outbound-dial",
      From: this.from,
      ParentCallSid: this.callSid,
      To: to,
    };
  }
}
