/**
 * A call recording's audio, fetched from Twilio for a supervisor to play
 * (hub/http/routes/console-call-routes.ts). Twilio's media URLs need the
 * account's credentials, which never leave the hub, so the hub fetches and
 * passes the audio through. Only a recording of our own account is fetched
 * (`isRecordingUrl`, also checked when the URL is stored), with a deadline and
 * a size cap.
 */
import type { TwilioAccountOptions } from "./twilio-client.ts";

const FETCH_TIMEOUT_MS = 15_000;
/** About 50 minutes of mono MP3 at 128 kbit/s; a recording longer than that is not played here. */
export const RECORDING_MAX_BYTES = 50 * 1024 * 1024;

/** A RecordingUrl Twilio could send for this account: `https://api.twilio.com/2010-04-01/Accounts/{sid}/Recordings/RE…`. */
export function isRecordingUrl(url: string, accountSid: string): boolean {
  const pattern = new RegExp(
    `^https://api\\.twilio\\.com/2010-04-01/Accounts/${accountSid}/Recordings/RE[0-9a-f]{32}$`,
  );
  return pattern.test(url);
}

export class TwilioRecordings {
  private readonly options: TwilioAccountOptions;

  constructor(options: TwilioAccountOptions) {
    this.options = options;
  }

  async fetch(url: string): Promise<Response> {
    if (!isRecordingUrl(url, this.options.accountSid)) throw new Error("not a recording of this Twilio account");
    const path = new URL(`${url}.mp3`).pathname;
    const origin = (this.options.apiBaseUrl ?? "https://api.twilio.com").replace(/\/+$/, "");
    const credentials = Buffer.from(`${this.options.accountSid}:${this.options.authToken}`).toString("base64");
    const response = await fetch(`${origin}${path}`, {
      headers: { authorization: `Basic ${credentials}` },
      signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
    });
    const length = Number(response.headers.get("content-length") ?? 0);
    if (length > RECORDING_MAX_BYTES) return new Response(null, { status: 413 });
    return response;
  }
}
