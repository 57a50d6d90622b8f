/**
 * The periodic passes under a pile of due work (a burst's deadlines fall due
 * together): the deadline watcher and the relatives' cascade act on every due
 * item, in chunks with a turn of the event loop between them, so presses and
 * acks interleave with the pass; and what changed between two chunks (an alarm
 * acknowledged meanwhile) is not escalated all the same. The hub's real parts
 * over a real SQLite database with the demo district; no broker, no HTTP.
 */

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CHUNK_SIZE } from "../hub/chunked.ts";
import { loadConfig } from "../hub/config.ts";
import { createHubParts } from "../hub/hub-parts.ts";
import { hubStorage } from "../hub/hub-storage.ts";
import { createLogger } from "../hub/log.ts";
import { ALARM_STAGES } from "../hub/pipeline/alarm-pipeline.ts";
import { seedDemoDistrict } from "../hub/seed/demo-district.ts";
import type { AlarmRepository } from "../hub/storage/alarm-repo.ts";
import { type Db, openDatabase } from "../hub/storage/database.ts";
import { waitFor } from "./support/test-hub.ts";

const ALARMS = 40;

describe("periodic passes over a pile of due work", () => {
  let dir: string;
  let db: Db;
  let now: Date;
  let parts: ReturnType<typeof createHubParts>;
  let alarms: AlarmRepository;

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "anxin-passes-"));
    const logger = createLogger("silent");
    db = openDatabase(path.join(dir, "anxin.db"), logger);
    now = new Date("2026-11-23T02:00:00Z");
    const config = loadConfig({
      ANXIN_DATA_DIR: dir,
      ANXIN_ADMIN_PASSWORD: "passes-admin-password",
      ANXIN_ACK_REALERT_S: "0",
    });
    const storage = hubStorage(db, logger);
    await seedDemoDistrict(storage.sql);
    alarms = storage.alarms;
    parts = createHubParts(storage, config, { logger, clock: () => now });
    await parts.responders.refresh();
    parts.dispatch.start();
    // The alarm stages run in group commits (hub/storage/group-commit.ts), as in a started hub.
    parts.commits.start();
  });
  afterEach(async () => {
    await parts.commits.stop();
    parts.dispatch.stop();
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** SOS alarms from as many households, once the real post-storage stages have run for all of them. */
  async function raise(count: number): Promise<number[]> {
    const devices = db.prepare("SELECT id, household_id FROM devices ORDER BY id LIMIT ?").all(count) as {
      id: string;
      household_id: number;
    }[];
    const ids: number[] = [];
    for (const device of devices) {
      const id = await alarms.insertAlarm(device.id, "sos", now.toISOString(), `household:${device.household_id}`);
      parts.pipeline.runAlarmStages(id);
      ids.push(id);
    }
    await waitFor(
      async () => (await alarms.incompleteStageIds(ALARM_STAGES.length)).length === 0,
      10_000,
      "the alarm stages",
    );
    return ids;
  }

  /** Starts `pass` and queues `meanwhile` behind it: true when `meanwhile` ran before the pass was over. */
  async function interleaves<T>(pass: () => Promise<T>, meanwhile: () => void): Promise<{ result: T; ran: boolean }> {
    let over = false;
    let ran = false;
    const running = pass().finally(() => {
      over = true;
    });
    setImmediate(() => {
      ran = !over;
      meanwhile();
    });
    return { result: await running, ran };
  }

  it("escalates every unacknowledged alarm in chunks, and not one acknowledged between chunks", async () => {
    expect(ALARMS).toBeGreaterThan(2 * CHUNK_SIZE);
    const ids = await raise(ALARMS);
    now = new Date(now.getTime() + 61_000);
    const last = ids.at(-1) ?? 0;
    const { result: fired, ran } = await interleaves(
      () => parts.lifecycle.watcher.scan(),
      () => db.prepare("UPDATE alarms SET acknowledged_at = ? WHERE id = ?").run(now.toISOString(), last),
    );
    expect(ran).toBe(true);
    expect(fired).toBe(ALARMS - 1);
    const escalated = db
      .prepare("SELECT alarm_id FROM alarm_escalations WHERE kind = 'ack' ORDER BY alarm_id")
      .all() as { alarm_id: number }[];
    expect(escalated.map((e) => e.alarm_id)).toEqual(ids.slice(0, -1));
    // The next pass has nothing left to do.
    expect(await parts.lifecycle.watcher.scan()).toBe(0);
  });

  it("moves every relatives' cascade past its deadline on, in chunks", async () => {
    const ids = await raise(ALARMS);
    const steps = () =>
      (
        db
          .prepare(`SELECT step FROM relative_cascades WHERE alarm_id IN (${ids.join(",")}) ORDER BY alarm_id`)
          .all() as {
          step: number;
        }[]
      ).map((c) => c.step);
    const before = steps();
    expect(before).toHaveLength(ALARMS);
    now = new Date(now.getTime() + 301_000);
    const { result, ran } = await interleaves(
      () => parts.relatives.service.scan(),
      () => undefined,
    );
    expect(ran).toBe(true);
    expect(result.advanced).toBe(ALARMS);
    // Each went on to its next wave or its first call, or ended with nobody left to ask.
    const after = db
      .prepare(`SELECT step, status FROM relative_cascades WHERE alarm_id IN (${ids.join(",")}) ORDER BY alarm_id`)
      .all() as { step: number; status: string }[];
    after.forEach((cascade, i) => {
      expect(cascade.step > (before[i] ?? 0) || cascade.status === "unreachable").toBe(true);
    });
  });
});
