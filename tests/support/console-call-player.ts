/**
 * Twilio playing a call an operator placed from the console: the hub's
 * outbound call (to the operator's own phone, created through the real SDK at
 * the stand-in) carries TwiML that `<Dial>`s the callee; this posts what Twilio
 * would post about that callee's leg to the `<Number>`'s statusCallback, and
 * the recording to the `<Dial>`'s recordingStatusCallback, signed.
 */
import type { FakeTwilioCall } from "./fake-twilio-resources.ts";
import { newSid } from "./fake-twilio-resources.ts";
import type { TwilioWebhookClient, WebhookPostOptions } from "./twilio-webhooks.ts";
import { find, parseTwiml, type TwimlNode } from "./twiml.ts";

export class ConsoleCallPlayer {
  readonly twiml: TwimlNode;
  readonly dial: TwimlNode;
  readonly number: TwimlNode;
  /** The callee's leg, as Twilio names it. */
  readonly calleeSid = newSid("CA");
  private readonly hooks: TwilioWebhookClient;
  private readonly call: FakeTwilioCall;
  private sequence = 0;

  constructor(hooks: TwilioWebhookClient, call: FakeTwilioCall) {
    if (!call.twiml) throw new Error(`call ${call.sid} has no inline TwiML`);
    this.hooks = hooks;
    this.call = call;
    this.twiml = parseTwiml(call.twiml);
    this.dial = find(this.twiml, "Dial");
    this.number = find(this.dial, "Number");
  }

  /** A progress callback of the callee's leg (initiated, ringing, in-progress, completed, busy, no-answer…). */
  calleeStatus(status: string, extra: { durationS?: number } = {}, options?: WebhookPostOptions) {
    const url = this.number.attrs.statusCallback;
    if (!url) throw new Error("the <Number> has no statusCallback");
    const params: Record<string, string> = {
      AccountSid: this.hooks.accountSid,
      ApiVersion: "2010-04-01",
      CallSid: this.calleeSid,
      ParentCallSid: this.call.sid,
      CallStatus: status,
      CallbackSource: "call-progress-events",
      Called: this.number.text,
      Caller: this.dial.attrs.callerId ?? this.call.from,
      Direction: "outbound-dial",
      From: this.dial.attrs.callerId ?? this.call.from,
      SequenceNumber: String(this.sequence++),
      Timestamp: new Date().toUTCString().replace("GMT", "+0000"),
      To: this.number.text,
      ...(extra.durationS === undefined ? {} : { CallDuration: String(extra.durationS), Duration: "1" }),
    };
    return this.hooks.post(url, params, options);
  }

  /** The recording of the bridged conversation is ready (the `<Dial>`'s recordingStatusCallback). */
  recording(recording: { sid?: string; url?: string; durationS: number }, options?: WebhookPostOptions) {
    const callback = this.dial.attrs.recordingStatusCallback;
    if (!callback) throw new Error("the <Dial> records nothing");
    const sid = recording.sid ?? newSid("RE");
    const params = {
      AccountSid: this.hooks.accountSid,
      CallSid: this.call.sid,
      RecordingSid: sid,
      RecordingUrl:
        recording.url ?? `https://api.twilio.com/2010-04-01/Accounts/${this.hooks.accountSid}/Recordings/${sid}`,
      RecordingStatus: "completed",
      RecordingDuration: String(recording.durationS),
      RecordingChannels: "2",
      RecordingSource: "DialVerb",
      RecordingStartTime: new Date().toUTCString().replace("GMT", "+0000"),
      ErrorCode: "0",
    };
    return this.hooks.post(callback, params, options);
  }
}
