/**
 * The seeded demo district around Kenli, Dongying (about 37.59 N, 118.55 E),
 * written on first start into an empty database so that `npm start` gives a
 * working system: households with elderly residents and their relatives,
 * community workers, clinics, grids, one button per household, and the streets'
 * centre lines for the console map (demo-roads.ts).
 *
 * Layout is deterministic (a seeded PRNG) so tests can reason about it; device
 * secrets are truly random and leave the hub only in `demo-devices.json`, the
 * provisioning sheet a installer would receive, while the database keeps hashes.
 */
import { randomBytes } from "node:crypto";
import { hashDeviceSecret } from "../accounts/device-secret.ts";
import { nowIso } from "../storage/database.ts";
import type { SqlSession, SqlValue } from "../storage/sql/sql-port.ts";
import {
  CLINIC_NAMES,
  COMMUNITIES,
  ELDER_FEMALE,
  ELDER_MALE,
  RELATIONS,
  STREETS,
  SURNAMES,
  YOUNGER,
} from "./demo-names.ts";
import { seedDemoRoads } from "./demo-roads.ts";
import { seededRandom } from "./prng.ts";

export const KENLI_CENTER = { lat: 37.59, lng: 118.55 };

export interface DemoDistrictSize {
  households: number;
  workers: number;
  clinics: number;
}

export const DEFAULT_DEMO_SIZE: DemoDistrictSize = { households: 240, workers: 24, clinics: 6 };

export interface DemoDeviceCredential {
  deviceId: string;
  secret: string;
  household: string;
  address: string;
  resident: string;
  /** The resident's phone: `npm run sim -- call <household>` rings the center from it (docs/voice.md). */
  phone: string;
}

/** How a worker gets in; null: nothing beyond the key holder. */
const ACCESS_NOTES: readonly (string | null)[] = [
  "单元门禁按室号+#呼叫，老人行动慢请多等",
  null,
  "钥匙在门口左侧消防箱内",
  "老人听力差，请大声敲门并拨打电话",
];

/** A consent record in the registry's shape: who agreed that health data may be kept, when, how. */
function demoConsent(residentName: string, at: string) {
  return {
    givenBy: residentName,
    relation: "本人",
    at,
    method: "written",
    recordedBy: "system:demo-seed",
    recordedAt: at,
  };
}

/** 2×2 grids of about 3.3 km × 4.4 km each, meeting at the district centre. */
const GRID_HALF_LAT = 0.03;
const GRID_HALF_LNG = 0.05;

function gridCells(): { code: string; name: string; minLat: number; minLng: number; maxLat: number; maxLng: number }[] {
  const cells = [];
  for (let row = 0; row < 2; row += 1) {
    for (let col = 0; col < 2; col += 1) {
      const index = row * 2 + col;
      cells.push({
        code: `KL-G${index + 1}`,
        name: `${COMMUNITIES[index]}第${index + 1}网格`,
        minLat: KENLI_CENTER.lat - GRID_HALF_LAT + row * GRID_HALF_LAT,
        maxLat: KENLI_CENTER.lat + row * GRID_HALF_LAT,
        minLng: KENLI_CENTER.lng - GRID_HALF_LNG + col * GRID_HALF_LNG,
        maxLng: KENLI_CENTER.lng + col * GRID_HALF_LNG,
      });
    }
  }
  return cells;
}

export async function seedDemoDistrict(
  sql: SqlSession,
  size: DemoDistrictSize = DEFAULT_DEMO_SIZE,
): Promise<DemoDeviceCredential[]> {
  const random = seededRandom(20_221_999);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const between = (min: number, max: number) => min + random() * (max - min);
  const phone = (prefix: string) => `+86${prefix}${String(Math.floor(random() * 1e8)).padStart(8, "0")}`;
  const createdAt = nowIso();
  const credentials: DemoDeviceCredential[] = [];
  const newId = async (text: string, values: readonly SqlValue[]) =>
    Number((await sql.get<{ id: number }>(`${text} RETURNING id`, values))?.id);

  // One transaction; the random numbers are drawn in the same order as ever, so the layout stays the same.
  await sql.transaction(async () => {
    const cells: (ReturnType<typeof gridCells>[number] & { id: number })[] = [];
    for (const cell of gridCells()) {
      const ring = [
        [cell.minLng, cell.minLat],
        [cell.maxLng, cell.minLat],
        [cell.maxLng, cell.maxLat],
        [cell.minLng, cell.maxLat],
        [cell.minLng, cell.minLat],
      ];
      const polygon = JSON.stringify({ type: "Polygon", coordinates: [ring] });
      const leader = `${pick(SURNAMES)}${pick(YOUNGER)}`;
      const id = await newId(
        "INSERT INTO grids (code, name, leader_name, leader_phone, polygon) VALUES (?, ?, ?, ?, ?)",
        [cell.code, cell.name, leader, phone("135"), polygon],
      );
      cells.push({ ...cell, id });
    }

    for (let i = 1; i <= size.households; i += 1) {
      const cell = cells[i % cells.length] ?? cells[0];
      if (!cell) throw new Error("no grid cells");
      const lat = between(cell.minLat + 0.001, cell.maxLat - 0.001);
      const lng = between(cell.minLng + 0.001, cell.maxLng - 0.001);
      const code = `KL-H${String(i).padStart(4, "0")}`;
      const address = `垦利区${pick(STREETS)}${1 + Math.floor(random() * 300)}号${1 + Math.floor(random() * 6)}单元${1 + Math.floor(random() * 6)}0${1 + Math.floor(random() * 4)}室`;
      const surname = pick(SURNAMES);
      const keyHolder = `${pick(SURNAMES)}${pick(YOUNGER)}（邻居）`;
      // Access notes and consent follow the index, not the PRNG, so the rest of the layout stays as it was.
      const householdId = await newId(
        `INSERT INTO households (code, address, lat, lng, grid_id, key_holder, created_at, access_notes, location_source)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'given')`,
        [code, address, lat, lng, cell.id, keyHolder, createdAt, ACCESS_NOTES[i % ACCESS_NOTES.length] ?? null],
      );
      const female = random() < 0.6;
      const name = `${surname}${pick(female ? ELDER_FEMALE : ELDER_MALE)}`;
      const age = 75 + Math.floor(random() * 21);
      // Born `age` years and 1–364 days before today, so the resident is exactly `age` now.
      const born = new Date();
      born.setUTCFullYear(born.getUTCFullYear() - age);
      born.setUTCDate(born.getUTCDate() - 1 - Math.floor(random() * 364));
      const birthDate = born.toISOString().slice(0, 10);
      const residentPhone = phone("546");
      const residentId = await newId(
        `INSERT INTO residents (household_id, name, birth_date, sex, phone, language, conditions, medications, allergies, mobility, consent)
         VALUES (?, ?, ?, ?, ?, 'zh-CN', ?, ?, ?, ?, ?)`,
        [
          householdId,
          name,
          birthDate,
          female ? "F" : "M",
          residentPhone,
          pick(["高血压", "糖尿病", "冠心病", "无"]),
          pick(["硝苯地平", "二甲双胍", "阿司匹林", "无"]),
          pick(["青霉素", "无"]),
          pick(["可独立行走", "需拐杖", "轮椅"]),
          // Every fifth resident has no consent on record: their health data never leaves the hub.
          i % 5 === 0 ? null : JSON.stringify(demoConsent(name, createdAt)),
        ],
      );
      const relativeCount = 1 + Math.floor(random() * 3);
      for (let priority = 1; priority <= relativeCount; priority += 1) {
        const language = random() < 0.05 ? "en" : "zh-CN";
        await sql.run(
          "INSERT INTO relatives (resident_id, priority, name, relation, phone, language) VALUES (?, ?, ?, ?, ?, ?)",
          [residentId, priority, `${surname}${pick(YOUNGER)}`, pick(RELATIONS), phone("139"), language],
        );
      }
      const deviceId = `KL-${String(i).padStart(4, "0")}`;
      const secret = randomBytes(24).toString("base64url");
      await sql.run(
        "INSERT INTO devices (id, household_id, secret_hash, status, created_at) VALUES (?, ?, ?, 'active', ?)",
        [deviceId, householdId, hashDeviceSecret(secret), createdAt],
      );
      credentials.push({ deviceId, secret, household: code, address, resident: name, phone: residentPhone });
    }

    for (let i = 0; i < size.workers; i += 1) {
      const cell = cells[i % cells.length] ?? cells[0];
      if (!cell) throw new Error("no grid cells");
      // Most are on duty; every fifth is off, so "on duty only" visibly matters.
      const onDuty = i % 5 === 4 ? 0 : 1;
      await sql.run(
        "INSERT INTO workers (code, name, phone, grid_id, on_duty, lat, lng, position_at, skills) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
          `KL-W${String(i + 1).padStart(3, "0")}`,
          `${pick(SURNAMES)}${pick(YOUNGER)}`,
          phone("137"),
          cell.id,
          onDuty,
          between(cell.minLat, cell.maxLat),
          between(cell.minLng, cell.maxLng),
          createdAt,
          JSON.stringify(i % 3 === 0 ? ["first_aid", "elder_care"] : ["elder_care"]),
        ],
      );
    }

    for (let i = 0; i < size.clinics; i += 1) {
      const capabilities = i < 2 ? ["24h", "emergency"] : ["daytime"];
      await sql.run(
        "INSERT INTO clinics (code, name, phone, address, lat, lng, capabilities, hours) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
          `KL-C${i + 1}`,
          CLINIC_NAMES[i % CLINIC_NAMES.length] ?? `诊所${i + 1}`,
          phone("546"),
          `垦利区${pick(STREETS)}${1 + Math.floor(random() * 300)}号`,
          between(KENLI_CENTER.lat - 0.06, KENLI_CENTER.lat + 0.06),
          between(KENLI_CENTER.lng - 0.1, KENLI_CENTER.lng + 0.1),
          JSON.stringify(capabilities),
          JSON.stringify([
            { days: [1, 2, 3, 4, 5, 6, 7], open: i < 2 ? "00:00" : "08:00", close: i < 2 ? "24:00" : "17:30" },
          ]),
        ],
      );
    }
    await seedDemoRoads(sql, createdAt);
  });
  return credentials;
}
