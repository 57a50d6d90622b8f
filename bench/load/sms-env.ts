/** The hub's settings that send its SMS to the bench's rate-limited Twilio stand-in. */
import { BENCH_TWILIO, type TwilioStandIn } from "./twilio-standin.ts";

export type BenchTwilio = TwilioStandIn;

/** How many relatives the first wave of an SOS texts: all three of the bench district's. */
export const FIRST_WAVE = "3";

export function twilioEnv(twilio: BenchTwilio): Record<string, string> {
  return {
    TWILIO_ACCOUNT_SID: BENCH_TWILIO.accountSid,
    TWILIO_AUTH_TOKEN: BENCH_TWILIO.authToken,
    TWILIO_FROM: BENCH_TWILIO.from,
    ANXIN_TWILIO_API_BASE: twilio.url,
    ANXIN_RELATIVES_FIRST_WAVE: FIRST_WAVE,
    // The outbox is paced to the provider's allowed rate (its default is one sender's 10/s to China).
    ANXIN_OUTBOX_RATE_PER_S: String(twilio.ratePerSecond),
  };
}
