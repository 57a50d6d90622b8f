/**
 * Lifecycle deadlines, driven from stored timestamps (like the offer watcher):
 * every `intervalMs` and once at start it looks for alarms past a deadline that
 * have not escalated at that level yet. Each level is recorded in
 * `alarm_escalations` in the same transaction as its event and its SMS (through
 * the outbox), so it fires exactly once, and a hub that was down fires it at once
 * when it is back.
 *
 * - acknowledgement: an alarm no operator took within `ackDeadlineS` re-alerts
 *   every console (event `escalated`; the summary's escalation count rises, and
 *   consoles sound louder) and texts the supervisor, when one is configured. It
 *   re-alerts again every `ackRealertS` until someone acknowledges (level 2, 3,
 *   …); the supervisor is texted once, by the first of these. A hub that was
 *   down fires only the level now due, not one per missed interval;
 * - arrival: an SOS with nobody on scene after `arrivalDeadlineS` texts the
 *   grid leader (level 1), after twice that the street supervisor (level 2);
 * - resolution and follow-up: past due, the alarm is marked `overdue` once
 *   (it is listed by `GET /api/alarms/overdue` from the timestamps themselves).
 */

import type { Logger } from "pino";
import { type AlarmEventDetails, CLOSED_STATUSES } from "../../protocol/console/index.ts";
import { forEachChunked } from "../chunked.ts";
import type { Clock } from "../clock.ts";
import type { EventBus } from "../events.ts";
import { IntervalLoop } from "../interval-loop.ts";
import type { SmsLanguage } from "../notify/sms-text.ts";
import type { AlarmRepository, AlarmRow } from "../storage/alarm-repo.ts";
import type { NewOutboxMessage, OutboxRepository } from "../storage/outbox-repo.ts";
import type { SqlSession } from "../storage/sql/sql-port.ts";
import { escalationSms } from "./escalation-text.ts";
import type { EscalationKind, LifecycleRepository } from "./lifecycle-repo.ts";
import type { LifecycleService } from "./lifecycle-service.ts";

export interface DeadlineSettings {
  ackDeadlineS: number;
  /** Seconds between repeated re-alerts of a still unacknowledged alarm; 0: re-alert once only. */
  ackRealertS: number;
  arrivalDeadlineS: number;
  supervisorPhone: string | null;
  streetSupervisorPhone: string | null;
  smsLanguage: SmsLanguage;
  timeZone: string;
}

interface Escalation {
  alarm: AlarmRow;
  kind: EscalationKind;
  level: number;
  /** The timeline's event: `escalated` (acknowledgement, arrival) or `overdue` (resolution, follow-up). */
  event:
    | { type: "escalated"; detail: AlarmEventDetails["escalated"] }
    | { type: "overdue"; detail: AlarmEventDetails["overdue"] };
  sms: NewOutboxMessage | null;
}

export class DeadlineWatcher {
  private readonly deps: {
    sql: SqlSession;
    alarms: AlarmRepository;
    repo: LifecycleRepository;
    lifecycle: Pick<LifecycleService, "overdue">;
    outbox: OutboxRepository;
    bus: EventBus;
    logger: Logger;
    clock: Clock;
    settings: DeadlineSettings;
  };
  private readonly loop: IntervalLoop<number>;

  constructor(deps: DeadlineWatcher["deps"], options: { intervalMs: number }) {
    this.deps = deps;
    this.loop = new IntervalLoop((proceed) => this.pass(proceed), {
      intervalMs: options.intervalMs,
      logger: deps.logger,
      failure: "deadline watcher pass failed; retrying next tick",
    });
  }

  start(): void {
    this.loop.start();
  }

  /** A pass under way ends at its next chunk; what it fired is committed, the rest is found at the next start. */
  stop(): void {
    void this.loop.stop();
  }

  /**
   * One pass; resolves with how many escalations fired (0 when it failed). A pass
   * still running is not overlapped. Escalations fire in chunks with a turn of the
   * event loop between (hub/chunked.ts): a burst's deadlines fall due together.
   */
  async scan(): Promise<number> {
    return (await this.loop.run()) ?? 0;
  }

  private async pass(proceed: () => boolean): Promise<number> {
    const due = [
      ...(await this.ackEscalations()),
      ...(await this.arrivalEscalations()),
      ...(await this.overdueEscalations()),
    ];
    let fired = 0;
    await forEachChunked(
      due,
      async (escalation) => {
        if (await this.fire(escalation)) fired += 1;
      },
      proceed,
    );
    if (fired > 0) this.deps.logger.warn({ fired }, "alarm deadlines missed; escalated");
    return fired;
  }

  private cutoff(seconds: number): string {
    return new Date(this.deps.clock().getTime() - seconds * 1000).toISOString();
  }

  private async ackEscalations(): Promise<Escalation[]> {
    const { settings, clock } = this.deps;
    const now = clock().getTime();
    const out: Escalation[] = [];
    for (const alarm of await this.deps.repo.unacknowledged(this.cutoff(settings.ackDeadlineS), settings.ackRealertS)) {
      const lateMs = now - Date.parse(alarm.received_at) - settings.ackDeadlineS * 1000;
      const level = settings.ackRealertS > 0 ? 1 + Math.floor(lateMs / (settings.ackRealertS * 1000)) : 1;
      if ((alarm.ack_level ?? 0) >= level) continue;
      // Only the first acknowledgement escalation texts: the repeats are for the consoles.
      const phone = alarm.ack_level === null ? settings.supervisorPhone : null;
      out.push({
        alarm,
        kind: "ack",
        level,
        event: {
          type: "escalated",
          detail: { kind: "ack", level, deadlineS: settings.ackDeadlineS, notified: phone ? "supervisor" : null },
        },
        sms: await this.sms(alarm, "ack", level, phone, settings.ackDeadlineS, "escalation_supervisor"),
      });
    }
    return out;
  }

  private async arrivalEscalations(): Promise<Escalation[]> {
    const { settings, repo } = this.deps;
    const out: Escalation[] = [];
    for (const level of [1, 2]) {
      const deadlineS = settings.arrivalDeadlineS * level;
      for (const alarm of await repo.missedArrival(this.cutoff(deadlineS), level)) {
        const phone = level === 1 ? (await repo.contactFor(alarm.id)).leaderPhone : settings.streetSupervisorPhone;
        const who = level === 1 ? "grid_leader" : "street_supervisor";
        out.push({
          alarm,
          kind: "arrival",
          level,
          event: { type: "escalated", detail: { kind: "arrival", level, deadlineS, notified: phone ? who : null } },
          sms: await this.sms(alarm, "arrival", level, phone, deadlineS, `escalation_${who}`),
        });
      }
    }
    return out;
  }

  private async overdueEscalations(): Promise<Escalation[]> {
    // Only those not marked yet: every old open alarm, every second, was a transaction that changed nothing.
    return (await this.deps.lifecycle.overdue({ unmarkedOnly: true })).map((row) => ({
      alarm: row.alarm,
      kind: row.kind,
      level: 1,
      event: { type: "overdue" as const, detail: { kind: row.kind, level: 1, dueAt: row.dueAt } },
      sms: null,
    }));
  }

  private async sms(
    alarm: AlarmRow,
    reason: "ack" | "arrival",
    level: number,
    phone: string | null,
    deadlineS: number,
    purpose: string,
  ): Promise<NewOutboxMessage | null> {
    if (!phone) return null;
    const { settings, repo } = this.deps;
    const body = escalationSms(
      {
        alarmId: alarm.id,
        reason,
        address: (await repo.contactFor(alarm.id)).address,
        receivedAt: new Date(alarm.received_at),
        minutes: Math.round(deadlineS / 60),
        timeZone: settings.timeZone,
      },
      settings.smsLanguage,
    );
    return {
      recipient: phone,
      body,
      alarmId: alarm.id,
      purpose,
      dedupeKey: `escalation:${reason}:${level}:${alarm.id}`,
    };
  }

  private async fire(escalation: Escalation): Promise<boolean> {
    const { sql, repo, alarms, outbox, bus, clock } = this.deps;
    const { alarm, kind, level } = escalation;
    const at = clock().toISOString();
    const { type, detail } = escalation.event;
    const result = await sql.transaction(async () => {
      // Chunks leave time between the pass's query and this: the alarm may have been acknowledged or closed since.
      const current = await alarms.get(alarm.id);
      if (!current || !stillDue(kind, current)) return null;
      if (!(await repo.recordEscalation(alarm.id, kind, level, at))) return null;
      await alarms.appendEvent(alarm.id, type, "system", detail, at);
      return { texts: escalation.sms ? await outbox.enqueue([escalation.sms]) : 0 };
    });
    if (result === null) return false;
    bus.emit("alarm.changed", { alarmId: alarm.id, change: type });
    if (result.texts > 0) bus.emit("outbox.enqueued", { count: result.texts });
    return true;
  }
}

/** Whether the alarm, as it is now, still calls for this kind of escalation (the pass's query, for one row). */
function stillDue(kind: EscalationKind, alarm: AlarmRow): boolean {
  const open = !CLOSED_STATUSES.includes(alarm.status);
  switch (kind) {
    case "ack":
      return open && alarm.acknowledged_at === null;
    case "arrival":
      return open && alarm.status !== "on_scene";
    case "resolution":
      return open;
    case "follow_up":
      return alarm.status === "resolved";
  }
}
