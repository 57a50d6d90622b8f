/**
 * Dispatch rules computed the slow, obvious way — every worker, every clinic,
 * an independent haversine and wall clock — so tests check the hub's spatial
 * index and its ranking against arithmetic rather than against itself.
 */
import type { Db } from "../../hub/storage/database.ts";
import { haversineMetres } from "./geo.ts";

export interface OracleWorker {
  id: number;
  lat: number | null;
  lng: number | null;
  on_duty: number;
  grid_id: number | null;
}

export interface OracleEntry {
  id: number;
  distanceM: number;
  busy: boolean;
  sameGrid: boolean;
}

/** Free before busy; nearest first; the nearest own-grid free worker first when within `gridPreferenceM` of the nearest. */
export function bruteForceRanking(
  household: { lat: number; lng: number; grid_id: number | null },
  workers: readonly OracleWorker[],
  busy: ReadonlySet<number>,
  options: { size: number; gridPreferenceM: number },
): OracleEntry[] {
  const placed = workers
    .filter((w) => w.on_duty === 1 && w.lat !== null && w.lng !== null)
    .map((w) => ({
      id: w.id,
      distanceM: haversineMetres(household, { lat: w.lat ?? 0, lng: w.lng ?? 0 }),
      busy: busy.has(w.id),
      sameGrid: household.grid_id !== null && w.grid_id === household.grid_id,
    }))
    .sort((a, b) => a.distanceM - b.distanceM);
  const free = placed.filter((w) => !w.busy);
  const nearest = free[0];
  const own = nearest
    ? free.find((w) => w.sameGrid && w.distanceM <= nearest.distanceM + options.gridPreferenceM)
    : undefined;
  const ordered = own && own !== nearest ? [own, ...free.filter((w) => w !== own)] : free;
  const ranking = ordered.slice(0, options.size);
  return [...ranking, ...placed.filter((w) => w.busy).slice(0, options.size - ranking.length)];
}

/** Workers busy on an alarm other than `exceptAlarmId`, straight from the tables. */
export function busyWorkerIds(db: Db, exceptAlarmId: number | null): Set<number> {
  const rows = db
    .prepare(
      `SELECT worker_id AS id FROM alarms WHERE status IN ('offered', 'accepted', 'on_scene') AND kind <> 'service'
         AND worker_id IS NOT NULL AND id IS NOT ?
       UNION SELECT worker_id FROM dispatch_offers WHERE status = 'offered' AND alarm_id IS NOT ?`,
    )
    .all(exceptAlarmId, exceptAlarmId) as { id: number }[];
  return new Set(rows.map((r) => r.id));
}

export interface OracleClinic {
  id: number;
  lat: number;
  lng: number;
  capabilities: string;
  hours: string | null;
}

const DAY_NAMES = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

function wallClock(at: Date, timeZone: string): { day: number; minute: number } {
  const text = at.toLocaleString("en-GB", {
    timeZone,
    weekday: "short",
    hour: "2-digit",
    minute: "2-digit",
    hour12: false,
  });
  const [weekday = "", time = "00:00"] = text.split(" ");
  const [h = "0", m = "0"] = time.split(":");
  return { day: DAY_NAMES.indexOf(weekday.replace(",", "")) + 1, minute: (Number(h) % 24) * 60 + Number(m) };
}

const minutes = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5));

/** Open at `at`: 24h clinics always; otherwise some interval covers the local time (crossing midnight allowed). */
export function oracleIsOpen(clinic: OracleClinic, at: Date, timeZone: string): boolean {
  if ((JSON.parse(clinic.capabilities) as string[]).includes("24h")) return true;
  const { day, minute } = wallClock(at, timeZone);
  const yesterday = day === 1 ? 7 : day - 1;
  for (const period of JSON.parse(clinic.hours ?? "[]") as { days: number[]; open: string; close: string }[]) {
    const open = minutes(period.open);
    const close = minutes(period.close);
    if (close > open && period.days.includes(day) && minute >= open && minute < close) return true;
    if (close < open && period.days.includes(day) && minute >= open) return true;
    if (close < open && period.days.includes(yesterday) && minute < close) return true;
  }
  return false;
}

/** The nearest open clinic with the care needed: 24h/emergency for an SOS or at night (outside 07:00–19:00). */
export function bruteForceClinic<T extends OracleClinic>(
  point: { lat: number; lng: number },
  clinics: readonly T[],
  options: { at: Date; timeZone: string; sos: boolean; dayFrom?: number; dayTo?: number },
): { item: T; distanceM: number } | null {
  const { minute } = wallClock(options.at, options.timeZone);
  const night = minute < (options.dayFrom ?? 7 * 60) || minute >= (options.dayTo ?? 19 * 60);
  const needsEmergency = options.sos || night;
  let best: { item: T; distanceM: number } | null = null;
  for (const clinic of clinics) {
    const caps = JSON.parse(clinic.capabilities) as string[];
    if (needsEmergency && !caps.includes("24h") && !caps.includes("emergency")) continue;
    if (!oracleIsOpen(clinic, options.at, options.timeZone)) continue;
    const distanceM = haversineMetres(point, clinic);
    if (!best || distanceM < best.distanceM) best = { item: clinic, distanceM };
  }
  return best;
}
