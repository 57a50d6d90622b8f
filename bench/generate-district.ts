/**
 * A generated district of any size around Kenli, for benchmarks: a lattice of
 * rectangular grids, a gazetteer, households (some placed only by address),
 * residents with relatives and a button each, workers and clinics. The same
 * seed gives the same district. Records are in the registry's file formats, so
 * `writeDistrictFiles` gives files that `npm run registry -- import` reads.
 */
import fs from "node:fs";
import path from "node:path";
import {
  clinicsCsv,
  gazetteerCsv,
  gridsGeoJson,
  householdsCsv,
  workersCsv,
} from "../hub/registry/export/file-formats.ts";
import type {
  ClinicRecord,
  GazetteerRecord,
  GridFeature,
  HouseholdRecord,
  ResidentRecord,
  WorkerRecord,
} from "../hub/registry/import/record-types.ts";
import { ELDER_FEMALE, ELDER_MALE, RELATIONS, STREETS, SURNAMES, YOUNGER } from "../hub/seed/demo-names.ts";
import { seededRandom } from "../hub/seed/prng.ts";

export interface DistrictSize {
  households: number;
  workers: number;
  clinics: number;
  /** The district is gridRows × gridCols rectangular grids. */
  gridRows: number;
  gridCols: number;
  /** Share of households given by address only, placed through the gazetteer. */
  addressOnlyShare: number;
}

export const DISTRICT_100K: DistrictSize = {
  households: 100_000,
  workers: 5_000,
  clinics: 60,
  gridRows: 8,
  gridCols: 8,
  addressOnlyShare: 0.1,
};

/** About 20 km × 26 km around Kenli. */
export const DISTRICT_BOUNDS = { minLat: 37.5, maxLat: 37.68, minLng: 118.4, maxLng: 118.7 };

export interface District {
  grids: GridFeature[];
  gazetteer: GazetteerRecord[];
  households: HouseholdRecord[];
  workers: WorkerRecord[];
  clinics: ClinicRecord[];
}

function gridFeatures(size: DistrictSize): GridFeature[] {
  const { minLat, maxLat, minLng, maxLng } = DISTRICT_BOUNDS;
  const cellLat = (maxLat - minLat) / size.gridRows;
  const cellLng = (maxLng - minLng) / size.gridCols;
  const features: GridFeature[] = [];
  for (let row = 0; row < size.gridRows; row += 1) {
    for (let col = 0; col < size.gridCols; col += 1) {
      const [south, west] = [minLat + row * cellLat, minLng + col * cellLng];
      const [north, east] = [south + cellLat, west + cellLng];
      const number = row * size.gridCols + col + 1;
      features.push({
        type: "Feature",
        properties: { code: gridCode(number), name: `垦利第${number}网格`, leader_name: null, leader_phone: null },
        geometry: {
          type: "Polygon",
          coordinates: [
            [
              [west, south],
              [east, south],
              [east, north],
              [west, north],
              [west, south],
            ],
          ],
        },
      });
    }
  }
  return features;
}

function gridCode(number: number): string {
  return `G${String(number).padStart(3, "0")}`;
}

export function generateDistrict(size: DistrictSize = DISTRICT_100K, seed = 20_221_999): District {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const phone = (prefix: string) => `+86${prefix}${String(Math.floor(random() * 1e8)).padStart(8, "0")}`;
  const { minLat, maxLat, minLng, maxLng } = DISTRICT_BOUNDS;
  // Points stay a hair inside the district, so every one is in some grid.
  const point = () => ({
    lat: Number((minLat + 1e-4 + random() * (maxLat - minLat - 2e-4)).toFixed(6)),
    lng: Number((minLng + 1e-4 + random() * (maxLng - minLng - 2e-4)).toFixed(6)),
  });
  const gridAt = (lat: number, lng: number) => {
    const row = Math.min(size.gridRows - 1, Math.floor(((lat - minLat) / (maxLat - minLat)) * size.gridRows));
    const col = Math.min(size.gridCols - 1, Math.floor(((lng - minLng) / (maxLng - minLng)) * size.gridCols));
    return gridCode(row * size.gridCols + col + 1);
  };
  const resident = (surname: string, female: boolean): ResidentRecord => ({
    name: `${surname}${pick(female ? ELDER_FEMALE : ELDER_MALE)}`,
    birth_date: `${1930 + Math.floor(random() * 20)}-${String(1 + Math.floor(random() * 12)).padStart(2, "0")}-${String(1 + Math.floor(random() * 28)).padStart(2, "0")}`,
    sex: female ? "F" : "M",
    phone: random() < 0.5 ? phone("546") : null,
    language: "zh-CN",
    conditions: pick(["高血压", "糖尿病", "冠心病", null]),
    medications: pick(["硝苯地平", "二甲双胍", "阿司匹林", null]),
    allergies: pick(["青霉素", null]),
    mobility: pick(["可独立行走", "需拐杖", "轮椅"]),
    consent: {
      given_by: "本人",
      relation: "self",
      at: "2025-01-15",
      method: "written",
      note: null,
      recorded_by: null,
      recorded_at: null,
    },
    relatives: Array.from({ length: 1 + Math.floor(random() * 3) }, () => ({
      name: `${surname}${pick(YOUNGER)}`,
      relation: pick(RELATIONS),
      phone: phone("139"),
      language: random() < 0.05 ? ("en" as const) : ("zh-CN" as const),
    })),
  });

  const gazetteer: GazetteerRecord[] = [];
  const households: HouseholdRecord[] = [];
  for (let i = 0; i < size.households; i += 1) {
    // Unique by construction: the street cycles fastest, the number counts up.
    const address = `垦利区${STREETS[i % STREETS.length]}${Math.floor(i / STREETS.length) + 1}号`;
    const at = point();
    const addressOnly = random() < size.addressOnlyShare;
    if (addressOnly) gazetteer.push({ address, lat: at.lat, lng: at.lng, source: "bench" });
    const surname = pick(SURNAMES);
    const couple = random() < 0.15;
    households.push({
      code: `H${String(i + 1).padStart(6, "0")}`,
      address,
      lat: addressOnly ? null : at.lat,
      lng: addressOnly ? null : at.lng,
      key_holder: `${pick(SURNAMES)}${pick(YOUNGER)}（邻居）`,
      access_notes: random() < 0.3 ? "钥匙在物业" : null,
      // No landlines or key holders' phones: drawing them would change every later random draw, and the benches' districts with them.
      landline: null,
      key_holder_phone: null,
      device_ids: [`BN-${String(i + 1).padStart(6, "0")}`],
      residents: couple
        ? [resident(surname, false), resident(pick(SURNAMES), true)]
        : [resident(surname, random() < 0.6)],
    });
  }
  const workers: WorkerRecord[] = Array.from({ length: size.workers }, (_, i) => {
    const at = point();
    return {
      code: `W${String(i + 1).padStart(5, "0")}`,
      name: `${pick(SURNAMES)}${pick(YOUNGER)}`,
      phone: phone("137"),
      grid_code: gridAt(at.lat, at.lng),
      on_duty: random() < 0.8,
      lat: at.lat,
      lng: at.lng,
      skills: random() < 0.3 ? ["elder_care", "first_aid"] : ["elder_care"],
      shifts: [{ days: [1, 2, 3, 4, 5], open: "08:00", close: "17:30" }],
    };
  });
  const clinics: ClinicRecord[] = Array.from({ length: size.clinics }, (_, i) => {
    const at = point();
    const roundTheClock = i % 5 === 0;
    return {
      code: `C${String(i + 1).padStart(3, "0")}`,
      name: `垦利社区卫生服务站${i + 1}`,
      phone: phone("546"),
      address: `垦利区${pick(STREETS)}${1000 + i}号`,
      lat: at.lat,
      lng: at.lng,
      capabilities: roundTheClock ? ["24h", "emergency"] : ["daytime"],
      hours: [
        {
          days: [1, 2, 3, 4, 5, 6, 7],
          open: roundTheClock ? "00:00" : "08:00",
          close: roundTheClock ? "24:00" : "17:30",
        },
      ],
    };
  });
  return { grids: gridFeatures(size), gazetteer, households, workers, clinics };
}

export interface DistrictFiles {
  grids: string;
  gazetteer: string;
  households: string;
  workers: string;
  clinics: string;
}

/** The district as import files in `dir`: GeoJSON grids, CSV for the rest. */
export function writeDistrictFiles(district: District, dir: string): DistrictFiles {
  fs.mkdirSync(dir, { recursive: true });
  const files: DistrictFiles = {
    grids: path.join(dir, "grids.geojson"),
    gazetteer: path.join(dir, "gazetteer.csv"),
    households: path.join(dir, "households.csv"),
    workers: path.join(dir, "workers.csv"),
    clinics: path.join(dir, "clinics.csv"),
  };
  fs.writeFileSync(files.grids, gridsGeoJson(district.grids));
  fs.writeFileSync(files.gazetteer, gazetteerCsv(district.gazetteer));
  fs.writeFileSync(files.households, householdsCsv(district.households));
  fs.writeFileSync(files.workers, workersCsv(district.workers));
  fs.writeFileSync(files.clinics, clinicsCsv(district.clinics));
  return files;
}
