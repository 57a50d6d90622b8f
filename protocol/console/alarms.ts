/** An alarm as the console is shown it: the summary (list, realtime push) and the detail. */
import Type, { type Static } from "typebox";
import { FEEDBACK_STATES } from "../messages.ts";
import { ConsoleCallSchema } from "./calls.ts";
import { ContactSchema, RelativeCascadeSchema } from "./cascade.ts";
import { DispatchDetailSchema, OfferSchema } from "./dispatch.ts";
import type { AlarmEvent } from "./events.ts";
import { Nullable } from "./schema-kit.ts";
import { ServiceRequestSchema } from "./service.ts";
import { ALARM_STATUSES } from "./statuses.ts";

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
    /**
     * The timeline, oldest first. Permissive on the wire: rows of earlier versions may carry types and
     * details this hub no longer writes. `AlarmDetailView` types what the current hub writes (events.ts).
     */
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

/**
 * The detail with its timeline typed by event (`AlarmEvent`, events.ts), for readers. What the current hub
 * writes; an older row may still differ, so read unknown types and fields defensively (and reasons through
 * `reasonOf`, which takes an older hub's sentence as `text`).
 */
export type AlarmDetailView = Omit<AlarmDetail, "events"> & { events: AlarmEvent[] };

/** `GET /api/alarms`: a page of alarms, newest first. */
export const AlarmListReply = Type.Object({ alarms: Type.Array(AlarmSummarySchema) });
export type AlarmList = Static<typeof AlarmListReply>;

/** `GET /api/alarms/:id`. */
export const AlarmDetailReply = Type.Object({ alarm: AlarmDetailSchema });

/** An operator's action on an alarm (acknowledge, resolve, dispatch…): the alarm as it now stands. */
export const AlarmReply = Type.Object({ alarm: AlarmSummarySchema });

/** How an alarm ended. */
export const ALARM_OUTCOMES = ["real", "false_alarm", "test"] as const;
export type AlarmOutcome = (typeof ALARM_OUTCOMES)[number];

/** `POST /api/alarms/:id/resolve`. */
export const ResolveBody = Type.Object(
  {
    outcome: Type.Enum(ALARM_OUTCOMES),
    note: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { additionalProperties: false },
);
export type ResolveRequest = Static<typeof ResolveBody>;

/** `POST /api/alarms/:id/dispatch`: the alarm and the offer made by hand. */
export const DispatchReply = Type.Object({ alarm: AlarmSummarySchema, offer: OfferSchema });
