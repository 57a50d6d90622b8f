/**
 * Dispatch as the console and the worker page are shown it: the block in an
 * alarm's detail (ranking, reasons, offers, clinic reason), a worker's profile
 * and current assignment, and the resident's health data for the assigned worker.
 */
import Type, { type Static } from "typebox";
import { type RankingReasonCode, ReasonSchema } from "./reasons.ts";
import { Nullable } from "./schema-kit.ts";
import { OFFER_STATUSES } from "./statuses.ts";

export const RankedWorkerSchema = Type.Object({
  rank: Type.Integer(),
  workerId: Type.Integer(),
  code: Type.String(),
  name: Type.String(),
  distanceM: Type.Number(),
  travelTimeS: Nullable(Type.Number()),
  roadDistanceM: Nullable(Type.Number()),
  sameGrid: Type.Boolean(),
  busy: Type.Boolean(),
  busyWithAlarmId: Nullable(Type.Integer()),
  /** Why this worker holds this position (a ranking code; an older alarm's stored sentence reads as `text`). */
  reason: ReasonSchema,
  /** The ranking code alone, as always: the same as `reason.code`, except for an older alarm's `text`. */
  reasonCode: Type.Unsafe<RankingReasonCode>(Type.String()),
});

export const OfferSchema = Type.Object({
  id: Type.Integer(),
  alarmId: Type.Integer(),
  worker: Type.Object({ id: Type.Integer(), code: Nullable(Type.String()), name: Nullable(Type.String()) }),
  rank: Type.Integer(),
  distanceM: Nullable(Type.Number()),
  status: Type.Enum(OFFER_STATUSES),
  offeredAt: Type.String(),
  expiresAt: Type.String(),
  respondedAt: Nullable(Type.String()),
  offeredBy: Type.String(),
  /** Why the offer ended as it did (declined, in the worker's words; withdrawn…); null when the status says it all. */
  note: Nullable(ReasonSchema),
});
export type OfferView = Static<typeof OfferSchema>;

export const DispatchDetailSchema = Type.Object({
  metric: Nullable(Type.Enum(["great_circle", "travel_time"])),
  refinement: Nullable(Type.String()),
  /** About the ranking as a whole: provisional (waiting for OSRM), or why travel times are missing. */
  rankingNote: Nullable(ReasonSchema),
  ranking: Type.Array(RankedWorkerSchema),
  /** Why the current worker was asked (or suggested, or why nobody is left to ask). */
  reason: Nullable(ReasonSchema),
  offers: Type.Array(OfferSchema),
  /** Why this clinic, or why none. */
  clinicReason: Nullable(ReasonSchema),
  offeredAt: Nullable(Type.String()),
  acceptedAt: Nullable(Type.String()),
  onSceneAt: Nullable(Type.String()),
});
export type DispatchDetail = Static<typeof DispatchDetailSchema>;

export const WorkerProfileSchema = Type.Object({
  id: Type.Integer(),
  code: Type.String(),
  name: Type.String(),
  phone: Type.String(),
  gridName: Nullable(Type.String()),
  onDuty: Type.Boolean(),
  skills: Type.Array(Type.String()),
  position: Nullable(
    Type.Object({
      lat: Type.Number(),
      lng: Type.Number(),
      accuracyM: Nullable(Type.Number()),
      at: Nullable(Type.String()),
    }),
  ),
});

export type WorkerProfile = Static<typeof WorkerProfileSchema>;

export const AssignmentSchema = Type.Object({
  state: Type.Enum(["offered", "accepted", "on_scene"]),
  offer: Nullable(OfferSchema),
  alarm: Type.Object({
    id: Type.Integer(),
    kind: Type.String(),
    status: Type.String(),
    receivedAt: Type.String(),
    address: Type.String(),
    householdCode: Type.String(),
    lat: Nullable(Type.Number()),
    lng: Nullable(Type.Number()),
    /** RFC 5870 `geo:` URI: opens the phone's map app. */
    geoUri: Nullable(Type.String()),
    mapUrl: Nullable(Type.String()),
    keyHolder: Nullable(Type.String()),
    accessNotes: Nullable(Type.String()),
  }),
  resident: Nullable(
    Type.Object({
      name: Type.String(),
      age: Type.Integer(),
      sex: Type.String(),
      phone: Nullable(Type.String()),
      /**
       * Where the assigned worker fetches the health data (after accepting). It is
       * not inlined here: the page polls this assignment every few seconds, and
       * only an actual fetch of health data is a view worth an audit row.
       */
      healthUrl: Nullable(Type.String()),
      /** True until the worker accepts: the health data is not theirs to see yet (the page says so in its language). */
      healthWithheld: Type.Boolean(),
    }),
  ),
});
export type Assignment = Static<typeof AssignmentSchema>;

export const ResidentHealthSchema = Type.Object({
  conditions: Nullable(Type.String()),
  medications: Nullable(Type.String()),
  allergies: Nullable(Type.String()),
  mobility: Nullable(Type.String()),
});
export type ResidentHealth = Static<typeof ResidentHealthSchema>;
