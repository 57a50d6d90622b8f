/**
 * Which clinic is told. The nearest one that is open now (in the hub's time
 * zone) and can take the case: for an SOS, and for anything at night, only a
 * clinic with 24h or emergency care will do. A 24h clinic is always open.
 * The reason counts what was passed over, so an operator who knows a closer
 * clinic sees at once why it was not chosen.
 */
import type { Flag, Reason } from "../../protocol/console/index.ts";
import { type GeoIndex, type GeoPoint, greatCircleMetres } from "../geo/nearest.ts";
import { isNight, isOpenAt, type LocalClock } from "../geo/opening-hours.ts";
import type { ClinicCandidate } from "../geo/responders.ts";
import type { IncidentKind } from "../storage/alarm-repo.ts";

export interface ClinicNeed {
  /** Only clinics offering 24h or emergency care qualify. */
  emergencyCare: boolean;
  /** Why, for the reason: an SOS, night time, or both (1). */
  sos: Flag;
  night: Flag;
}

export interface ClinicChoice {
  clinic: ClinicCandidate | null;
  distanceM: number | null;
  reason: Reason<"clinic_nearest" | "clinic_none">;
  /** Closer clinics passed over, by cause. */
  closerClosed: number;
  closerLackingCare: number;
}

export function clinicNeed(kind: IncidentKind, clock: LocalClock, day: { from: number; to: number }): ClinicNeed {
  const sos = kind === "sos" ? 1 : 0;
  const night = isNight(clock, day) ? 1 : 0;
  return { emergencyCare: sos === 1 || night === 1, sos, night };
}

export function clinicIsOpen(clinic: ClinicCandidate, clock: LocalClock): boolean {
  return clinic.alwaysOpen || isOpenAt(clinic.hours, clock);
}

export function chooseClinic(
  index: GeoIndex<ClinicCandidate>,
  point: GeoPoint,
  clock: LocalClock,
  need: ClinicNeed,
): ClinicChoice {
  // The search offers candidates leaf by leaf; every clinic closer than the one
  // chosen is certainly offered first, so the passed-over ones are collected here
  // and those farther than the choice are dropped below.
  const passedOver: { clinic: ClinicCandidate; cause: "closed" | "care" }[] = [];
  const found = index.nearest(point, {
    count: 1,
    accept: (clinic) => {
      if (need.emergencyCare && !clinic.emergencyCapable) passedOver.push({ clinic, cause: "care" });
      else if (!clinicIsOpen(clinic, clock)) passedOver.push({ clinic, cause: "closed" });
      else return true;
      return false;
    },
  })[0];
  const limit = found?.distanceM ?? Number.POSITIVE_INFINITY;
  const closer = passedOver.filter((p) => greatCircleMetres(point, p.clinic) < limit);
  const closerClosed = closer.filter((p) => p.cause === "closed").length;
  const closerLackingCare = closer.filter((p) => p.cause === "care").length;
  const why = { sos: need.sos, night: need.night };
  if (!found) {
    return {
      clinic: null,
      distanceM: null,
      reason: { code: "clinic_none", params: why },
      closerClosed,
      closerLackingCare,
    };
  }
  return {
    clinic: found.item,
    distanceM: found.distanceM,
    reason: {
      code: "clinic_nearest",
      params: { distanceM: Math.round(found.distanceM), ...why, closerClosed, closerLackingCare },
    },
    closerClosed,
    closerLackingCare,
  };
}
