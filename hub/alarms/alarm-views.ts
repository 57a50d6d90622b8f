/**
 * The API's shapes of an alarm, built from stored rows. One builder for the
 * list, the detail and the realtime push, so every console sees the same thing.
 */
import Type, { type Static } from "typebox";
import { FEEDBACK_STATES } from "../../protocol/index.ts";
import { DispatchDetailSchema, type DispatchViews } from "../dispatch/dispatch-views.ts";
import { type CascadeViews, ContactSchema, RelativeCascadeSchema } from "../relatives/cascade-views.ts";
import { ServiceRequestSchema, type ServiceRequestViews } from "../service/service-views.ts";
import { ALARM_STATUSES, type AlarmRepository, type AlarmRow } from "../storage/alarm-repo.ts";
import type { ConsoleCallRepository } from "../storage/console-call-repo.ts";
import type { OutboxRepository } from "../storage/outbox-repo.ts";
import type { RegistryRepository } from "../storage/registry-repo.ts";
import type { SummaryReads } from "../storage/summary-reads.ts";
import type { UserRepository } from "../storage/user-repo.ts";
import { ConsoleCallSchema, consoleCallView } from "../voice/console-call-views.ts";
import { ageOn } from "./age.ts";
import { buttonStateOf } from "./button-state.ts";
import { lookupForRows, type SummaryLookup } from "./summary-lookup.ts";

export { ageOn } from "./age.ts";

/** One press is normal; a second raises the alarm to high, a third or more to urgent. */
export function priorityOf(pressCount: number): "normal" | "high" | "urgent" {
  return pressCount >= 3 ? "urgent" : pressCount === 2 ? "high" : "normal";
}

const Nullable = <T extends Type.TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const AlarmSummarySchema = Type.Object({
  id: Type.Integer(),
  /** The button that raised it; null when a phone call did (`source` voice). */
  deviceId: Nullable(Type.String()),
  /** `button`: a press over MQTT; `voice`: a call to the center's number. */
  source: Type.Union([Type.Literal("button"), Type.Literal("voice")]),
  /** A voice alarm's caller ID (E.164), null when withheld or for a button alarm: shown while the alarm is unplaced. */
  caller: Nullable(Type.String()),
  kind: Type.Union([Type.Literal("sos"), Type.Literal("service"), Type.Literal("test")]),
  /** Where the response stands (unassigned → offered → accepted → on_scene → resolved …); never the acknowledgement. */
  status: Type.Enum(ALARM_STATUSES),
  /** What the resident's button shows now, from the acknowledgement and the status (hub/alarms/button-state.ts). */
  buttonState: Type.Enum(FEEDBACK_STATES),
  outcome: Nullable(Type.Union([Type.Literal("real"), Type.Literal("false_alarm"), Type.Literal("test")])),
  receivedAt: Type.String(),
  acknowledgedAt: Nullable(Type.String()),
  acknowledgedBy: Nullable(Type.String()),
  /** When the first worker was asked, when one accepted, when one arrived. */
  offeredAt: Nullable(Type.String()),
  acceptedAt: Nullable(Type.String()),
  onSceneAt: Nullable(Type.String()),
  resolvedAt: Nullable(Type.String()),
  resolvedBy: Nullable(Type.String()),
  household: Nullable(
    Type.Object({
      code: Type.String(),
      address: Type.String(),
      lat: Nullable(Type.Number()),
      lng: Nullable(Type.Number()),
      gridName: Nullable(Type.String()),
    }),
  ),
  resident: Nullable(
    Type.Object({
      name: Type.String(),
      age: Type.Integer(),
      sex: Type.Union([Type.Literal("F"), Type.Literal("M"), Type.Literal("X")]),
    }),
  ),
  worker: Nullable(
    Type.Object({ id: Type.Integer(), name: Type.String(), phone: Type.String(), distanceM: Type.Number() }),
  ),
  clinic: Nullable(
    Type.Object({ id: Type.Integer(), name: Type.String(), phone: Type.String(), distanceM: Type.Number() }),
  ),
  pipelineComplete: Type.Boolean(),
  stageError: Nullable(Type.String()),
  /** Presses attached to the alarm; each further press raises the priority. */
  pressCount: Type.Integer(),
  priority: Type.Union([Type.Literal("normal"), Type.Literal("high"), Type.Literal("urgent")]),
  /** How many times a missed deadline escalated it (0 none): louder on consoles, and each rise re-alerts them. */
  escalation: Type.Integer(),
  cancelledAt: Nullable(Type.String()),
  followedUpAt: Nullable(Type.String()),
});
export type AlarmSummary = Static<typeof AlarmSummarySchema>;

export const AlarmDetailSchema = Type.Intersect([
  AlarmSummarySchema,
  Type.Object({
    relatives: Type.Array(
      Type.Object({
        id: Type.Integer(),
        priority: Type.Integer(),
        name: Type.String(),
        relation: Type.String(),
        phone: Type.String(),
      }),
    ),
    /** Whom an operator can call from the console: a number is on record (hub/voice/console-calls.ts). */
    callable: Type.Object({
      resident: Type.Boolean(),
      landline: Type.Boolean(),
      keyHolder: Type.Boolean(),
      worker: Type.Boolean(),
    }),
    events: Type.Array(
      Type.Object({ at: Type.String(), type: Type.String(), actor: Type.String(), detail: Nullable(Type.Unknown()) }),
    ),
    /** Every outbound message of the alarm, SMS and (relatives' cascade) voice calls. */
    sms: Type.Array(
      Type.Object({
        to: Type.String(),
        purpose: Type.String(),
        channel: Type.Union([Type.Literal("sms"), Type.Literal("voice")]),
        /** The outbox's own state: waiting to be handed over, handed to the provider, or refused for good. */
        status: Type.Union([Type.Literal("pending"), Type.Literal("sent"), Type.Literal("failed")]),
        attempts: Type.Integer(),
        lastError: Nullable(Type.String()),
        /** The provider's status callbacks: queued … delivered / undelivered / failed; a call's completed, no-answer… */
        deliveryStatus: Nullable(Type.String()),
        deliveryStatusAt: Nullable(Type.String()),
        deliveryError: Nullable(Type.String()),
        /** The relative this message reached, for the relatives' cascade; null for workers and clinics. */
        relative: ContactSchema,
        /** When this relative confirmed by reply. */
        confirmedAt: Nullable(Type.String()),
      }),
    ),
    /** The relatives' cascade: texting, calling, confirmed (by whom), unreachable, or stopped. */
    relativeCascade: RelativeCascadeSchema,
    /** Ranking with a reason per position, why the worker was chosen, every offer, why this clinic. */
    dispatch: DispatchDetailSchema,
    /** A service press's request (open → assigned → done); null for other alarms. */
    serviceRequest: Type.Union([ServiceRequestSchema, Type.Null()]),
    /** Calls operators placed from the console, oldest first. */
    calls: Type.Array(ConsoleCallSchema),
  }),
]);
export type AlarmDetail = Static<typeof AlarmDetailSchema>;

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
