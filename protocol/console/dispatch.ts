/**
 * Dispatch as the console and the worker page are shown it: the block in an
 * alarm's detail (ranking, reasons, offers, clinic reason), a worker's profile
 * and current assignment, and the resident's health data for the assigned worker.
 */
import Type, { type Static } from "typebox";
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
  reason: Type.String(),
  reasonCode: Type.String(),
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
  note: Nullable(Type.String()),
});
export type OfferView = Static<typeof OfferSchema>;

export const DispatchDetailSchema = Type.Object({
  metric: Nullable(Type.Enum(["great_circle", "travel_time"])),
  refinement: Nullable(Type.String()),
  rankingNote: Nullable(Type.String()),
  ranking: Type.Array(RankedWorkerSchema),
  reason: Nullable(Type.String()),
  offers: Type.Array(OfferSchema),
  clinicReason: Nullable(Type.String()),
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
      healthWithheld: Nullable(Type.String()),
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
