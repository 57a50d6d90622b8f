/**
 * The alarm state machine as a table: every pair of states is either listed as
 * legal or refused with ALARM_TRANSITION_ILLEGAL, both by the pure check and by
 * the repository's conditional update on a real SQLite database.
 */

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AlarmRepository } from "../hub/storage/alarm-repo.ts";
import { assertTransition, isLegalTransition, LEGAL_TRANSITIONS } from "../hub/storage/alarm-transitions.ts";
import { type Db, openDatabase } from "../hub/storage/database.ts";
import { SqliteSql } from "../hub/storage/sql/sqlite-sql.ts";
import { ALARM_STATUSES, type AlarmStatus } from "../protocol/console/index.ts";

const LEGAL = new Set([
  "unassigned→offered",
  "unassigned→resolved",
  "unassigned→cancelled",
  "offered→accepted",
  "offered→resolved",
  "offered→cancelled",
  "accepted→on_scene",
  "accepted→resolved",
  "accepted→cancelled",
  "on_scene→resolved",
  "on_scene→cancelled",
  "resolved→followed_up",
]);
const OPEN: readonly AlarmStatus[] = ["unassigned", "offered", "accepted", "on_scene"];
const pairs = ALARM_STATUSES.flatMap((from) => ALARM_STATUSES.map((to) => [from, to] as const));

describe("alarm lifecycle table", () => {
  it("lists exactly the documented transitions", () => {
    const listed = Object.entries(LEGAL_TRANSITIONS).flatMap(([from, tos]) => tos.map((to) => `${from}→${to}`));
    expect(new Set(listed)).toEqual(LEGAL);
  });

  it.each(pairs)("%s → %s", (from, to) => {
    const legal = from === to ? OPEN.includes(from) : LEGAL.has(`${from}→${to}`);
    expect(isLegalTransition(from, to)).toBe(legal);
    if (legal) {
      expect(() => assertTransition(from, to, 7)).not.toThrow();
    } else {
      expect(() => assertTransition(from, to, 7)).toThrow(
        expect.objectContaining({ code: "ALARM_TRANSITION_ILLEGAL", details: { from, to, alarmId: 7 } }),
      );
    }
  });
});

describe("AlarmRepository.transition goes through the table", () => {
  let dir: string;
  let db: Db;
  let alarms: AlarmRepository;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "anxin-lifecycle-"));
    db = openDatabase(path.join(dir, "anxin.db"), pino({ level: "silent" }));
    db.prepare("INSERT INTO devices (id, secret_hash, created_at) VALUES ('D1', 'x', 'now')").run();
    alarms = new AlarmRepository(new SqliteSql(db));
  });
  afterAll(() => {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const alarmIn = async (status: AlarmStatus): Promise<number> => {
    const id = await alarms.insertAlarm("D1", "sos", new Date().toISOString());
    db.prepare("UPDATE alarms SET status = ? WHERE id = ?").run(status, id);
    return id;
  };

  it.each(pairs.filter(([from, to]) => from !== to))("%s → %s on a stored alarm", async (from, to) => {
    const id = await alarmIn(from);
    if (LEGAL.has(`${from}→${to}`)) {
      expect(await alarms.transition(id, from, to, {})).toBe(true);
      expect((await alarms.get(id))?.status).toBe(to);
    } else {
      await expect(alarms.transition(id, from, to, {})).rejects.toMatchObject({ code: "ALARM_TRANSITION_ILLEGAL" });
      expect((await alarms.get(id))?.status).toBe(from);
    }
  });

  it("still refuses a legal change when someone else moved the alarm first", async () => {
    const id = await alarmIn("accepted");
    expect(await alarms.transition(id, "offered", "accepted", {})).toBe(false);
    expect((await alarms.get(id))?.status).toBe("accepted");
  });
});
