/**
 * The API's shapes of an alarm, built from stored rows. One builder for the
 * list, the detail and the realtime push, so every console sees the same thing.
 */

import type { AlarmDetail, AlarmSummary } from "../../protocol/console/index.ts";
import type { DispatchViews } from "../dispatch/dispatch-views.ts";
import type { CascadeViews } from "../relatives/cascade-views.ts";
import type { ServiceRequestViews } from "../service/service-views.ts";
import type { AlarmRepository, AlarmRow } from "../storage/alarm-repo.ts";
import type { ConsoleCallRepository } from "../storage/console-call-repo.ts";
import type { OutboxRepository } from "../storage/outbox-repo.ts";
import type { RegistryRepository } from "../storage/registry-repo.ts";
import type { SummaryReads } from "../storage/summary-reads.ts";
import type { UserRepository } from "../storage/user-repo.ts";
import { consoleCallView } from "../voice/console-call-views.ts";
import { ageOn } from "./age.ts";
import { buttonStateOf } from "./button-state.ts";
import { lookupForRows, type SummaryLookup } from "./summary-lookup.ts";

export { ageOn } from "./age.ts";

/** One press is normal; a second raises the alarm to high, a third or more to urgent. */
export function priorityOf(pressCount: number): "normal" | "high" | "urgent" {
  return pressCount >= 3 ? "urgent" : pressCount === 2 ? "high" : "normal";
}

export class AlarmViews {
  private readonly alarms: AlarmRepository;
  private readonly registry: RegistryRepository;
  private readonly users: UserRepository;
  private readonly reads: SummaryReads;
  private readonly outbox: OutboxRepository;
  private readonly stageCount: number;
  private readonly dispatch: DispatchViews;
  private readonly relatives: CascadeViews;
  private readonly serviceRequests: Pick<ServiceRequestViews, "forAlarm"> | undefined;
  private readonly consoleCalls: Pick<ConsoleCallRepository, "forAlarm">;

  constructor(deps: {
    alarms: AlarmRepository;
    registry: RegistryRepository;
    users: UserRepository;
    /** Batch reads for `summaries`. */
    reads: SummaryReads;
    outbox: OutboxRepository;
    stageCount: number;
    dispatch: DispatchViews;
    relatives: CascadeViews;
    serviceRequests?: Pick<ServiceRequestViews, "forAlarm">;
    /** Calls operators placed from the console. */
    consoleCalls: Pick<ConsoleCallRepository, "forAlarm">;
  }) {
    this.serviceRequests = deps.serviceRequests;
    this.consoleCalls = deps.consoleCalls;
    this.dispatch = deps.dispatch;
    this.relatives = deps.relatives;
    this.alarms = deps.alarms;
    this.registry = deps.registry;
    this.users = deps.users;
    this.reads = deps.reads;
    this.outbox = deps.outbox;
    this.stageCount = deps.stageCount;
  }

  async summary(row: AlarmRow): Promise<AlarmSummary> {
    return this.build(row, await lookupForRows(this.reads, [row]), new Date());
  }

  /**
   * The summaries of many alarms, in the order given: one query per table for the
   * whole list (summary-lookup.ts) instead of several per alarm. Callers bound the list.
   */
  async summaries(rows: readonly AlarmRow[]): Promise<AlarmSummary[]> {
    const lookup = await lookupForRows(this.reads, rows);
    const now = new Date();
    return rows.map((row) => this.build(row, lookup, now));
  }

  /** The summaries of those of `ids` that exist, in id order: one query for the alarms, one per table named. */
  async summariesOf(ids: readonly number[]): Promise<AlarmSummary[]> {
    return this.summaries(await this.reads.alarms(ids));
  }

  private build(row: AlarmRow, lookup: SummaryLookup, now: Date): AlarmSummary {
    const household = row.household_id ? lookup.household(row.household_id) : undefined;
    const grid = household?.grid_id ? lookup.grid(household.grid_id) : undefined;
    const resident = row.resident_id ? lookup.resident(row.resident_id) : undefined;
    const worker = row.worker_id ? lookup.worker(row.worker_id) : undefined;
    const clinic = row.clinic_id ? lookup.clinic(row.clinic_id) : undefined;
    const username = (userId: number | null) => (userId === null ? null : (lookup.username(userId) ?? null));
    return {
      id: row.id,
      deviceId: row.device_id,
      source: row.source,
      caller: row.caller,
      kind: row.kind,
      status: row.status,
      buttonState: buttonStateOf(row),
      outcome: row.outcome,
      receivedAt: row.received_at,
      acknowledgedAt: row.acknowledged_at,
      acknowledgedBy: username(row.acknowledged_by),
      offeredAt: row.offered_at,
      acceptedAt: row.accepted_at,
      onSceneAt: row.on_scene_at,
      resolvedAt: row.resolved_at,
      resolvedBy: username(row.resolved_by),
      household: household
        ? {
            code: household.code,
            address: household.address,
            lat: household.lat,
            lng: household.lng,
            gridName: grid?.name ?? null,
          }
        : null,
      resident: resident ? { name: resident.name, age: ageOn(resident.birth_date, now), sex: resident.sex } : null,
      worker: worker
        ? { id: worker.id, name: worker.name, phone: worker.phone, distanceM: Math.round(row.worker_distance_m ?? 0) }
        : null,
      clinic: clinic
        ? { id: clinic.id, name: clinic.name, phone: clinic.phone, distanceM: Math.round(row.clinic_distance_m ?? 0) }
        : null,
      pipelineComplete: (JSON.parse(row.stages_done) as string[]).length >= this.stageCount,
      stageError: row.stage_error,
      pressCount: row.press_count,
      priority: priorityOf(row.press_count),
      escalation: row.escalation_level,
      cancelledAt: row.cancelled_at,
      followedUpAt: row.followed_up_at,
    };
  }

  private async callable(row: AlarmRow): Promise<AlarmDetail["callable"]> {
    const household = row.household_id === null ? undefined : await this.registry.household(row.household_id);
    const resident = row.resident_id === null ? undefined : await this.registry.resident(row.resident_id);
    return {
      resident: Boolean(resident?.phone),
      landline: Boolean(household?.landline),
      keyHolder: Boolean(household?.key_holder_phone),
      worker: row.worker_id !== null,
    };
  }

  async detail(row: AlarmRow): Promise<AlarmDetail> {
    const relatives = row.resident_id ? await this.registry.relatives(row.resident_id) : [];
    const contacts = await this.relatives.contactsByOutbox(row.id);
    const relativeCascade = await this.relatives.cascade(row.id);
    const dispatch = await this.dispatch.detail(row.id);
    return {
      ...(await this.summary(row)),
      relatives: relatives.map((r) => ({
        id: Number(r.id),
        priority: r.priority,
        name: r.name,
        relation: r.relation,
        phone: r.phone,
      })),
      callable: await this.callable(row),
      events: (await this.alarms.events(row.id)).map((e) => ({
        at: e.at,
        type: e.type,
        actor: e.actor,
        detail: e.detail === null ? null : (JSON.parse(e.detail) as unknown),
      })),
      sms: (await this.outbox.forAlarm(row.id)).map((m) => {
        const contact = contacts.get(m.id);
        return {
          to: m.recipient,
          purpose: m.purpose,
          channel: m.channel,
          status: m.status,
          attempts: m.attempts,
          lastError: m.last_error,
          deliveryStatus: m.delivery_status,
          deliveryStatusAt: m.delivery_status_at,
          deliveryError: m.delivery_error,
          relative: contact ? { priority: contact.priority, name: contact.name, outcome: contact.outcome } : null,
          confirmedAt: contact?.outcome === "confirmed" ? contact.settled_at : null,
        };
      }),
      relativeCascade,
      dispatch,
      serviceRequest: row.kind === "service" ? ((await this.serviceRequests?.forAlarm(row.id)) ?? null) : null,
      calls: (await this.consoleCalls.forAlarm(row.id)).map(consoleCallView),
    };
  }
}
