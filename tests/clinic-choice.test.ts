/**
 * Which clinic: opening hours (including intervals that cross midnight, in the
 * hub's time zone), the night/SOS capability rule, 24h clinics, and the coded
 * reason — then the spatial choice against brute force at random times.
 */
import { describe, expect, it } from "vitest";
import { chooseClinic, clinicNeed } from "../hub/dispatch/clinic-choice.ts";
import { isNight, isOpenAt, localClock, parseDayWindow, parseOpeningHours } from "../hub/geo/opening-hours.ts";
import { ResponderSnapshot, toClinicCandidate } from "../hub/geo/responders.ts";
import { bruteForceClinic, type OracleClinic, oracleIsOpen } from "./support/dispatch-oracle.ts";

const TZ = "Asia/Shanghai";
const DAY = parseDayWindow("07:00-19:00");
/** A Shanghai wall-clock time (UTC+8, no DST) on the week of Monday 2026-11-23. */
const shanghai = (isoLocal: string) => new Date(`${isoLocal}+08:00`);
const hours = (periods: { days: number[]; open: string; close: string }[]) => JSON.stringify(periods);

describe("opening hours", () => {
  it("reads the wall clock in the configured zone", () => {
    expect(localClock(new Date("2026-11-22T16:30:00Z"), TZ)).toEqual({ day: 1, minute: 30 }); // Mon 00:30
    expect(localClock(new Date("2026-11-22T15:59:00Z"), TZ)).toEqual({ day: 7, minute: 23 * 60 + 59 }); // Sun 23:59
    expect(localClock(new Date("2026-11-22T16:30:00Z"), "Europe/London")).toEqual({ day: 7, minute: 16 * 60 + 30 });
  });

  it("runs an interval whose close is before its open past midnight into the next day", () => {
    const segments = parseOpeningHours(hours([{ days: [1], open: "20:00", close: "08:00" }]));
    expect(segments).toEqual([
      { day: 1, from: 20 * 60, to: 1440 },
      { day: 2, from: 0, to: 8 * 60 },
    ]);
    const open = (local: string) => isOpenAt(segments, localClock(shanghai(local), TZ));
    expect(open("2026-11-23T19:59:00")).toBe(false); // Monday before opening
    expect(open("2026-11-23T20:00:00")).toBe(true);
    expect(open("2026-11-24T02:00:00")).toBe(true); // Tuesday night, from Monday's interval
    expect(open("2026-11-24T08:00:00")).toBe(false); // closes at 08:00 sharp
    expect(open("2026-11-24T21:00:00")).toBe(false); // Tuesday has no interval of its own
    expect(open("2026-11-23T03:00:00")).toBe(false); // Monday early: Sunday had no interval
  });

  it("carries Sunday's night into Monday, honours 24:00, and treats open = close and bad entries as closed", () => {
    expect(parseOpeningHours(hours([{ days: [7], open: "22:00", close: "06:30" }]))).toEqual([
      { day: 7, from: 22 * 60, to: 1440 },
      { day: 1, from: 0, to: 390 },
    ]);
    expect(parseOpeningHours(hours([{ days: [3], open: "00:00", close: "24:00" }]))).toEqual([
      { day: 3, from: 0, to: 1440 },
    ]);
    expect(parseOpeningHours(hours([{ days: [3], open: "09:00", close: "09:00" }]))).toEqual([]);
    expect(
      parseOpeningHours('[{"days":[9],"open":"09:00","close":"10:00"},{"days":[1],"open":"25:00","close":"1"}]'),
    ).toEqual([]);
    expect(parseOpeningHours("not json")).toEqual([]);
    expect(parseOpeningHours(null)).toEqual([]);
  });

  it("calls it night outside 07:00–19:00 local", () => {
    const night = (local: string) => isNight(localClock(shanghai(local), TZ), DAY);
    expect(night("2026-11-23T06:59:00")).toBe(true);
    expect(night("2026-11-23T07:00:00")).toBe(false);
    expect(night("2026-11-23T18:59:00")).toBe(false);
    expect(night("2026-11-23T19:00:00")).toBe(true);
    // A configured window may itself span midnight (a night-shift city): 22:00–06:00 is "day" there.
    expect(isNight({ day: 1, minute: 23 * 60 }, { from: 22 * 60, to: 6 * 60 })).toBe(false);
    expect(isNight({ day: 1, minute: 12 * 60 }, { from: 22 * 60, to: 6 * 60 })).toBe(true);
  });
});

describe("clinic choice", () => {
  const base = { lat: 37.59, lng: 118.55 };
  const at = (metresNorth: number) => ({ lat: base.lat + metresNorth / 111_195, lng: base.lng });
  const daytime = hours([{ days: [1, 2, 3, 4, 5, 6, 7], open: "08:00", close: "17:30" }]);
  const dayClinic = { id: 1, code: "C1", name: "day clinic", ...at(300), capabilities: '["daytime"]', hours: daytime };
  const nightEmergency = {
    id: 2,
    code: "C2",
    name: "night emergency",
    ...at(800),
    capabilities: '["emergency"]',
    hours: hours([{ days: [1, 2, 3, 4, 5, 6, 7], open: "18:00", close: "08:00" }]),
  };
  const hospital = {
    id: 3,
    code: "C3",
    name: "hospital",
    ...at(5000),
    capabilities: '["24h","emergency"]',
    hours: "[]",
  };
  const clinics: (OracleClinic & { code: string; name: string })[] = [dayClinic, nightEmergency, hospital];
  const snapshot = new ResponderSnapshot(
    [],
    clinics.map((c) => toClinicCandidate({ ...c })),
  );
  const choose = (kind: "sos" | "service" | "test", local: string) => {
    const clock = localClock(shanghai(local), TZ);
    return chooseClinic(snapshot.clinics, base, clock, clinicNeed(kind, clock, DAY));
  };

  it("takes the nearest open clinic for a daytime call that needs no emergency care", () => {
    const choice = choose("test", "2026-11-23T10:00:00");
    expect(choice.clinic?.id).toBe(1);
    expect(choice.reason).toEqual({
      code: "clinic_nearest",
      params: {
        distanceM: Math.round(choice.distanceM ?? -1),
        sos: 0,
        night: 0,
        closerClosed: 0,
        closerLackingCare: 0,
      },
    });
    expect(Math.round((choice.distanceM ?? 0) / 100)).toBe(3);
  });

  it("requires 24h or emergency care for an SOS, even by day, and says what it passed over", () => {
    const choice = choose("sos", "2026-11-23T10:00:00");
    // The night-emergency clinic is closed at 10:00 and the day clinic has no emergency care: the hospital.
    expect(choice.clinic?.id).toBe(3);
    expect(choice.closerClosed).toBe(1);
    expect(choice.closerLackingCare).toBe(1);
    expect(choice.reason).toEqual({
      code: "clinic_nearest",
      params: {
        distanceM: Math.round(choice.distanceM ?? -1),
        sos: 1,
        night: 0,
        closerClosed: 1,
        closerLackingCare: 1,
      },
    });
    expect(Math.round((choice.distanceM ?? 0) / 100)).toBe(50);
  });

  it("requires emergency care at night, and finds a clinic open across midnight", () => {
    const late = choose("test", "2026-11-24T02:30:00");
    expect(late.clinic?.id).toBe(2);
    expect(late.reason).toMatchObject({ code: "clinic_nearest", params: { sos: 0, night: 1, closerLackingCare: 1 } });
    // At 17:00 (day) the day clinic is open, but an SOS still skips it.
    expect(choose("test", "2026-11-23T17:00:00").clinic?.id).toBe(1);
    expect(choose("sos", "2026-11-23T18:30:00").clinic?.id).toBe(2);
  });

  it("always counts a 24h clinic as open, whatever its hours say", () => {
    const only24h = new ResponderSnapshot([], [toClinicCandidate({ ...hospital, hours: null })]);
    const clock = localClock(shanghai("2026-11-25T03:00:00"), TZ);
    expect(chooseClinic(only24h.clinics, base, clock, clinicNeed("sos", clock, DAY)).clinic?.id).toBe(3);
  });

  it("says so when no clinic qualifies", () => {
    const dayOnly = new ResponderSnapshot([], [toClinicCandidate(dayClinic)]);
    const clock = localClock(shanghai("2026-11-23T23:00:00"), TZ);
    const choice = chooseClinic(dayOnly.clinics, base, clock, clinicNeed("sos", clock, DAY));
    expect(choice.clinic).toBeNull();
    expect(choice.reason).toEqual({ code: "clinic_none", params: { sos: 1, night: 1 } });
  });

  it("matches brute force for random clinics at random times of the week", () => {
    let seed = 12345;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const time = () => `${String(Math.floor(random() * 24)).padStart(2, "0")}:${random() < 0.5 ? "00" : "30"}`;
    const generated = Array.from({ length: 60 }, (_, i) => {
      const caps = [["24h", "emergency"], ["emergency"], ["daytime"], []][Math.floor(random() * 4)] ?? [];
      const periods = Array.from({ length: 1 + Math.floor(random() * 2) }, () => {
        const days = [1, 2, 3, 4, 5, 6, 7].filter(() => random() < 0.6);
        let open = time();
        const close = random() < 0.1 ? "24:00" : time();
        if (open === close) open = "00:00";
        return { days, open, close };
      });
      return {
        id: i + 1,
        code: `G${i}`,
        name: `g${i}`,
        lat: base.lat + (random() - 0.5) * 0.2,
        lng: base.lng + (random() - 0.5) * 0.2,
        capabilities: JSON.stringify(caps),
        hours: JSON.stringify(periods.filter((p) => p.open !== p.close)),
      };
    });
    const index = new ResponderSnapshot([], generated.map(toClinicCandidate)).clinics;
    const candidates = generated.map(toClinicCandidate);
    for (let i = 0; i < 150; i += 1) {
      const when = new Date(Date.UTC(2026, 10, 23) + Math.floor(random() * 7 * 24 * 60) * 60_000);
      const point = { lat: base.lat + (random() - 0.5) * 0.15, lng: base.lng + (random() - 0.5) * 0.15 };
      const kind = random() < 0.5 ? "sos" : "test";
      const clock = localClock(when, TZ);
      const choice = chooseClinic(index, point, clock, clinicNeed(kind, clock, DAY));
      const expected = bruteForceClinic(point, generated, { at: when, timeZone: TZ, sos: kind === "sos" });
      expect(choice.clinic?.id ?? null).toBe(expected?.item.id ?? null);
      generated.forEach((clinic, c) => {
        const candidate = candidates[c];
        const open = candidate ? candidate.alwaysOpen || isOpenAt(candidate.hours, clock) : null;
        expect(open).toBe(oracleIsOpen(clinic, when, TZ));
      });
    }
  });
});
