/**
 * Twilio's delivery statuses, and the one rule for storing them: a status only
 * ever moves forward. Status callbacks arrive out of order (Twilio sends them
 * from several machines, and retries), so a late `sent` must never overwrite
 * `delivered`, and once a message or call has ended (delivered, failed,
 * undelivered; a call's completed, busy, no-answer…) nothing changes it again.
 */
export type DeliveryChannel = "sms" | "voice";

/** Position in the life of a message or call; `final` ends it. */
interface StatusRank {
  rank: number;
  final: boolean;
}

const SMS: Readonly<Record<string, StatusRank>> = {
  accepted: { rank: 0, final: false },
  scheduled: { rank: 0, final: false },
  queued: { rank: 1, final: false },
  sending: { rank: 2, final: false },
  sent: { rank: 3, final: false },
  delivered: { rank: 4, final: true },
  read: { rank: 5, final: true },
  undelivered: { rank: 9, final: true },
  failed: { rank: 9, final: true },
  canceled: { rank: 9, final: true },
};

const VOICE: Readonly<Record<string, StatusRank>> = {
  queued: { rank: 1, final: false },
  initiated: { rank: 2, final: false },
  ringing: { rank: 3, final: false },
  "in-progress": { rank: 4, final: false },
  completed: { rank: 9, final: true },
  busy: { rank: 9, final: true },
  "no-answer": { rank: 9, final: true },
  failed: { rank: 9, final: true },
  canceled: { rank: 9, final: true },
};

const TABLES: Readonly<Record<DeliveryChannel, Readonly<Record<string, StatusRank>>>> = { sms: SMS, voice: VOICE };

const FAILED: Readonly<Record<DeliveryChannel, readonly string[]>> = {
  sms: ["undelivered", "failed", "canceled"],
  voice: ["busy", "no-answer", "failed", "canceled"],
};

/** True when `next` may replace `current`: it is known, and later in the message's life. */
export function advancesStatus(channel: DeliveryChannel, current: string | null, next: string): boolean {
  const table = TABLES[channel];
  const to = table[next];
  if (!to) return false;
  if (current === null) return true;
  const from = table[current];
  if (!from) return true;
  if (from.final) return false;
  return to.final || to.rank > from.rank;
}

/** The message or call has ended (delivered, failed; a call's completed, busy, no-answer, failed, canceled). */
export function isFinalStatus(channel: DeliveryChannel, status: string | null): boolean {
  return status !== null && TABLES[channel][status]?.final === true;
}

/** The message or call did not reach the person: the cascade moves on to the next contact. */
export function isFailedStatus(channel: DeliveryChannel, status: string | null): boolean {
  return status !== null && FAILED[channel].includes(status);
}

/** A call that was answered and has ended. */
export function isAnsweredCall(channel: DeliveryChannel, status: string | null): boolean {
  return channel === "voice" && status === "completed";
}
