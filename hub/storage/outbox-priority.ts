/**
 * The order the outbox sends in when it cannot send everything at once (a
 * mass event against a provider's rate): lower goes first, and within one
 * priority the older row (lower id, so the earlier alarm) goes first. Stored
 * on each row when it is queued (`outbox.priority`, migration 18), so the
 * sender's query walks one index in this order.
 *
 * The rule: the first person each alarm must reach goes before everyone's
 * second, and both before updates. So in a burst the 1,000th alarm's first
 * relative does not wait behind the first alarm's second wave, nor behind
 * the family updates of alarms already being handled.
 */

export const OUTBOX_PRIORITY = {
  /** Who each alarm must reach first: the offered worker, the first relative texted, a missed-deadline supervisor, a relative's call. */
  firstContact: 0,
  /** The rest of an alarm's first wave, the clinic's alert, anything not named here. */
  alarm: 1,
  /** Later waves of relatives (nobody confirmed yet) and service requests (not emergencies). */
  followUp: 2,
  /** Family updates and stand-downs: worth sending, after everything above. */
  update: 3,
} as const;

export type OutboxPriority = (typeof OUTBOX_PRIORITY)[keyof typeof OUTBOX_PRIORITY];

/** The priority a message gets from its purpose alone (what `enqueue` uses when the caller names none). */
export function priorityOfPurpose(purpose: string): OutboxPriority {
  if (purpose === "worker" || purpose.startsWith("escalation_") || purpose.startsWith("relative_call:")) {
    return OUTBOX_PRIORITY.firstContact;
  }
  if (purpose.startsWith("family:") || purpose.endsWith("_stand_down")) return OUTBOX_PRIORITY.update;
  if (purpose === "worker_service") return OUTBOX_PRIORITY.followUp;
  return OUTBOX_PRIORITY.alarm;
}

/** A relative's SMS: the first relative of the first wave first, the rest of that wave next, later waves after. */
export function relativeSmsPriority(wave: number, indexInWave: number): OutboxPriority {
  if (wave > 1) return OUTBOX_PRIORITY.followUp;
  return indexInWave === 0 ? OUTBOX_PRIORITY.firstContact : OUTBOX_PRIORITY.alarm;
}
