/**
 * A phone call to the center's number raises an alarm, as a press does
 * (issue 14): stored durably before Twilio is answered, then located, the
 * relatives texted and a worker offered by the same alarm stages.
 *
 * - The household is found by the caller ID: a resident's own phone or the
 *   household's landline. A number that belongs to no household, or to more
 *   than one, raises an unplaced alarm showing the caller, for an operator to
 *   place; a withheld number likewise.
 * - One emergency, one incident: while the household has an open SOS (raised
 *   by its button or an earlier call), the call joins it as a repeated press;
 *   an unplaced caller's calls join each other by number. The partial unique
 *   index holds it across hubs as for presses; a call that loses that race is
 *   stored again once, and then joins the winner.
 * - The CallSid is the de-duplication key: Twilio re-sending the webhook finds
 *   the alarm the call already raised.
 */

import { isUniqueViolation } from "../errors.ts";
import { type SmsLanguage, smsLanguageOf } from "../notify/sms-text.ts";
import type { AlarmRow } from "../storage/alarm-repo.ts";
import type { PipelineDeps } from "./types.ts";

export interface InboundCall {
  /** Twilio's CallSid (`CA` and 32 hex digits). */
  callSid: string;
  /** The caller ID in E.164, or null when withheld. */
  caller: string | null;
  /** The center's number that was called. */
  called: string;
  receivedAt: Date;
}

export interface CallOutcome {
  alarmId: number;
  /** The call was stored before (Twilio sent its webhook again). */
  replay: boolean;
  /** It joined an alarm that was open already. */
  attached: boolean;
  /** The household the caller ID names, if exactly one. */
  householdId: number | null;
  /** What the caller is answered in: the household's resident's language, else the center's. */
  language: SmsLanguage;
}

const URGENT = { urgent: true };

/**
 * Stores the call (a new voice alarm, or a further press on the open one) and returns once it is
 * committed; `runStages` is then given a new alarm's id.
 */
export async function raiseFromCall(
  deps: PipelineDeps,
  call: InboundCall,
  runStages: (alarmId: number) => void,
): Promise<CallOutcome> {
  let outcome: CallOutcome | undefined;
  for (let attempt = 1; outcome === undefined; attempt += 1) {
    try {
      outcome = await deps.commits.run(() => storeCall(deps, call), URGENT);
    } catch (error) {
      // Another hub opened the household's incident between the lookup and the insert: join it.
      if (attempt >= 2 || !isUniqueViolation(error)) throw error;
    }
  }
  const { alarmId, replay, attached } = outcome;
  deps.logger.info(
    { alarmId, callSid: call.callSid, replay, attached, located: outcome.householdId !== null },
    replay ? "call already stored" : "call stored",
  );
  if (!replay && attached) deps.bus.emit("alarm.changed", { alarmId, change: "pressed_again" });
  if (!replay && !attached) {
    deps.bus.emit("alarm.received", { alarmId, kind: "sos", source: "voice" });
    runStages(alarmId);
  }
  return outcome;
}

async function storeCall(deps: PipelineDeps, call: InboundCall): Promise<CallOutcome> {
  const receivedAt = call.receivedAt.toISOString();
  const stored = await deps.alarms.alarmOfCall(call.callSid);
  const households = call.caller === null ? [] : await deps.registry.householdsByPhone(call.caller);
  const householdId = households.length === 1 ? (households[0] ?? null) : null;
  const resident = householdId === null ? undefined : await deps.registry.primaryResident(householdId);
  const language = smsLanguageOf(resident?.language ?? deps.settings.smsLanguage, deps.settings.smsLanguage);
  const facts = { householdId, language };
  if (stored !== undefined) return { alarmId: stored, replay: true, attached: false, ...facts };
  const scope =
    householdId !== null ? `household:${householdId}` : call.caller !== null ? `caller:${call.caller}` : null;
  const open: AlarmRow | undefined = scope === null ? undefined : await deps.alarms.openIncident(scope, "sos");
  if (open) {
    await deps.alarms.insertCall(call, open.id, receivedAt);
    await deps.lifecycle.attachCallInTransaction(open, call.caller, call.callSid, receivedAt);
    return { alarmId: open.id, replay: false, attached: true, ...facts };
  }
  const alarmId = await deps.alarms.insertVoiceAlarm(call.caller, householdId, receivedAt, scope);
  await deps.alarms.insertCall(call, alarmId, receivedAt);
  await deps.alarms.appendEvent(
    alarmId,
    "received",
    `caller:${call.caller ?? "withheld"}`,
    {
      source: "voice",
      callSid: call.callSid,
      caller: call.caller,
      ...(households.length > 1 ? { candidates: households } : {}),
    },
    receivedAt,
  );
  return { alarmId, replay: false, attached: false, ...facts };
}
