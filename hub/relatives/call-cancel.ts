/**
 * When the cascade stops, no relative's phone should keep ringing for it. In
 * the transaction that stops the cascade, every call of the alarm that has not
 * ended is dealt with:
 * - still pending in the outbox: withdrawn, so the sender never places it;
 * - placed and not over as far as we know: a durable hang-up request
 *   (`call_hangups`) that the outbox sender carries out through Twilio.
 * A withdrawn call gets a hang-up request too: its send may be in flight right
 * now, and if it does place the call the request then ends it.
 * The call that carried a keypad confirmation is left alone: the relative is
 * hearing "thank you", and Twilio ends it after that.
 * Each such contact becomes `cancelled`, so the end Twilio reports for it
 * (canceled, completed) never moves any cascade on.
 */

import { type AlarmEventDetails, storedReason } from "../../protocol/console/index.ts";
import type { AfterCommit } from "../after-commit.ts";
import type { AlarmRepository } from "../storage/alarm-repo.ts";
import type { CallHangupRepository } from "../storage/call-hangup-repo.ts";
import { isFinalStatus } from "../storage/delivery-status.ts";
import type { OutboxRepository } from "../storage/outbox-repo.ts";
import type { CascadeRepository } from "./cascade-repo.ts";
import { type Clock, who } from "./types.ts";

export class CallCanceller {
  private readonly repo: CascadeRepository;
  private readonly outbox: OutboxRepository;
  private readonly hangups: CallHangupRepository;
  private readonly alarms: AlarmRepository;
  private readonly clock: Clock;

  constructor(deps: {
    repo: CascadeRepository;
    outbox: OutboxRepository;
    hangups: CallHangupRepository;
    alarms: AlarmRepository;
    clock: Clock;
  }) {
    this.repo = deps.repo;
    this.outbox = deps.outbox;
    this.hangups = deps.hangups;
    this.alarms = deps.alarms;
    this.clock = deps.clock;
  }

  /** Inside the caller's transaction. `keepOutboxId`: the call a relative just confirmed on. Returns how many. */
  async cancelOpenCalls(
    alarmId: number,
    reason: AlarmEventDetails["relative_calls_cancelled"]["reason"],
    effects: AfterCommit,
    keepOutboxId: number | null = null,
  ): Promise<number> {
    const open = (await this.repo.calls(alarmId)).filter(
      (call) =>
        call.outbox_id !== keepOutboxId &&
        call.outbox_status !== "failed" &&
        !isFinalStatus("voice", call.delivery_status),
    );
    if (open.length === 0) return 0;
    const at = this.clock().toISOString();
    const listed = [];
    for (const call of open) {
      const placed = call.outbox_status === "sent";
      // The outbox's error column is for the provider's words and ours alike: the code says which stop it was.
      if (!placed) await this.outbox.withdraw(call.outbox_id, `withdrawn before it was placed (${reason.code})`);
      await this.hangups.request(call.outbox_id, alarmId, storedReason(reason));
      await this.repo.settle(call.id, "cancelled", at, ["waiting"]);
      listed.push({ relative: who(call), placed, ...(call.provider_ref ? { providerRef: call.provider_ref } : {}) });
    }
    await this.alarms.appendEvent(alarmId, "relative_calls_cancelled", "system", { reason, calls: listed });
    effects.change(alarmId, "relative_calls_cancelled");
    // Wakes the outbox sender, which carries out the hang-ups.
    effects.outboxAdded += open.length;
    return open.length;
  }
}
