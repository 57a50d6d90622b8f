/**
 * Group commit on the alarm path, with real parts: a real hub (Aedes, SQLite
 * on disk with synchronous=FULL), real MQTT clients pressing at once. A
 * separate read-only SQLite connection to the database file stands for the
 * disk: what it sees is committed.
 */
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectBurst, type Press, type ReceivedAck } from "./support/press-burst.ts";
import { refuseFileWrites } from "./support/refuse-writes.ts";
import { startTestHub, type TestHub, waitFor } from "./support/test-hub.ts";

describe("group commit: presses that arrive together share a commit, and each is acked after it", () => {
  let th: TestHub;
  let disk: Database.Database;
  beforeAll(async () => {
    th = await startTestHub({ twilio: false });
    disk = new Database(path.join(th.dataDir, "anxin.db"), { readonly: true });
  });
  afterAll(async () => {
    disk?.close();
    await th?.stop();
  });

  const devices = (from: number, count: number) => {
    const slice = th.demoDevices.slice(from, from + count);
    if (slice.length !== count) throw new Error("not enough demo devices");
    return slice;
  };
  const storedPress = (deviceId: string, pressId: string) =>
    disk.prepare("SELECT alarm_id FROM presses WHERE device_id = ? AND press_id = ?").get(deviceId, pressId) as
      | { alarm_id: number | null }
      | undefined;
  const handlerFailures = (deviceIds: readonly string[]) =>
    th.logs.filter((l) => l.msg === "device message handler failed" && deviceIds.includes(String(l.deviceId)));

  it("acks every press of a burst only once it is on disk, once per press, with no duplicate alarm", async () => {
    const credentials = devices(100, 50);
    const notOnDisk: ReceivedAck[] = [];
    const burst = await connectBurst(th.mqttUrl, credentials, (ack) => {
      // Right as the ack arrives: the press and its alarm must already be committed.
      const stored = storedPress(ack.deviceId, ack.pressId);
      const alarm = disk.prepare("SELECT id FROM alarms WHERE id = ?").get(ack.alarmId);
      if (!stored || stored.alarm_id !== ack.alarmId || !alarm) notOnDisk.push(ack);
    });
    // Per household: an SOS, a test press, a second SOS and a service press (both attach to the SOS),
    // and device retries of the first and the third sent straight after them.
    const kinds = ["sos", "test", "sos", "service"] as const;
    const presses: Press[] = credentials.flatMap(({ deviceId }) => {
      const own = kinds.map((kind, i) => ({ deviceId, pressId: `burst-${deviceId}-${i}`, kind, attempt: 1 }));
      const [first, , third] = own;
      if (!first || !third) throw new Error("unreachable");
      return [...own, { ...first, attempt: 2 }, { ...third, attempt: 2 }];
    });
    const before = th.hub.commitStats;

    burst.send(presses);
    // Every press acked; a retry is acked as a duplicate, unless it came while its original was still being
    // stored: then the original's ack answers both (hub/pipeline/alarm-pipeline.ts, pressesInIntake).
    const distinct = () => new Set(burst.acks.map((a) => `${a.deviceId}/${a.pressId}`)).size;
    await waitFor(() => distinct() === 200 && th.hub.intakeStats.inPipeline === 0, 20_000, "every press acked");
    // Every press that reached storage is acked once; a copy dropped in intake reached neither.
    const storedJobs = () => th.hub.commitStats.urgentJobs - before.urgentJobs;
    await waitFor(() => burst.acks.length === storedJobs(), 20_000, "an ack for every press stored");
    const acks = burst.acks;
    burst.close();

    expect(notOnDisk, "acks of presses not yet committed").toEqual([]);
    expect(acks.length).toBeGreaterThanOrEqual(200);
    expect(acks.length).toBeLessThanOrEqual(presses.length);
    const byPress = new Map<string, ReceivedAck[]>();
    for (const ack of acks) {
      const key = `${ack.deviceId}/${ack.pressId}`;
      byPress.set(key, [...(byPress.get(key) ?? []), ack]);
    }
    expect(byPress.size).toBe(200);
    for (const [press, its] of byPress) {
      const retried = /-(0|2)$/.test(press);
      const answers = its.map((a) => a.duplicate).sort();
      if (retried && answers.length === 2) expect(answers, press).toEqual([false, true]);
      else expect(answers, press).toEqual([false]);
      expect(new Set(its.map((a) => a.alarmId)).size, press).toBe(1);
    }
    for (const { deviceId } of credentials) {
      const alarmOf = (i: number) => acks.find((a) => a.pressId === `burst-${deviceId}-${i}`)?.alarmId;
      // One incident per household: the second SOS and the service press joined the first SOS.
      expect(alarmOf(2)).toBe(alarmOf(0));
      expect(alarmOf(3)).toBe(alarmOf(0));
      expect(alarmOf(1)).not.toBe(alarmOf(0));
    }
    const ids = credentials.map((c) => c.deviceId);
    const marks = ids.map(() => "?").join(",");
    const stored = disk
      .prepare(
        `SELECT kind, COUNT(*) AS alarms, SUM(press_count) AS presses FROM alarms WHERE device_id IN (${marks}) GROUP BY kind ORDER BY kind`,
      )
      .all(...ids);
    expect(stored).toEqual([
      { kind: "sos", alarms: 50, presses: 150 },
      { kind: "test", alarms: 50, presses: 50 },
    ]);
    expect(disk.prepare(`SELECT COUNT(*) AS n FROM presses WHERE device_id IN (${marks})`).get(...ids)).toEqual({
      n: 200,
    });

    // Batched: far fewer commits than the 300 presses received.
    const after = th.hub.commitStats;
    expect(after.urgentJobs - before.urgentJobs).toBe(acks.length);
    expect(after.urgentCommits - before.urgentCommits).toBeLessThan(200);
    expect(after.largestBatch).toBeGreaterThan(1);
    for (const alarmId of new Set(acks.map((a) => a.alarmId))) await th.waitForPipeline(alarmId, 20_000);
  });

  it("a press that fails inside its savepoint gets no ack; the others are stored and acked; its retry is stored", async () => {
    const credentials = devices(150, 20);
    const broken = credentials[7]?.deviceId ?? "";
    const burst = await connectBurst(th.mqttUrl, credentials);
    th.hub.db.exec(
      `CREATE TRIGGER one_press_broken BEFORE INSERT ON presses WHEN NEW.device_id = '${broken}'
       BEGIN SELECT RAISE(ABORT, 'simulated fault of one press'); END`,
    );
    try {
      burst.send(
        credentials.map(({ deviceId }) => ({ deviceId, pressId: `one-${deviceId}`, kind: "sos", attempt: 1 })),
      );
      await burst.waitForAcks(19);
      await waitFor(() => handlerFailures([broken]).length === 1, 5000, "the broken press's failure logged");
    } finally {
      th.hub.db.exec("DROP TRIGGER one_press_broken");
    }
    expect(burst.acks.map((a) => a.deviceId).sort()).toEqual(
      credentials.map((c) => c.deviceId).filter((id) => id !== broken),
    );
    expect(JSON.stringify(handlerFailures([broken])[0]?.err)).toContain("simulated fault of one press");
    // Its savepoint took everything of it back: no press, and no alarm opened before the press insert failed.
    expect(storedPress(broken, `one-${broken}`)).toBeUndefined();
    expect(disk.prepare("SELECT COUNT(*) AS n FROM alarms WHERE device_id = ?").get(broken)).toEqual({ n: 0 });

    burst.send([{ deviceId: broken, pressId: `one-${broken}`, kind: "sos", attempt: 2 }]);
    const [retryAck] = (await burst.waitForAcks(20)).filter((a) => a.deviceId === broken);
    burst.close();
    expect(retryAck?.duplicate).toBe(false);
    expect(storedPress(broken, `one-${broken}`)?.alarm_id).toBe(retryAck?.alarmId);
    for (const ack of burst.acks) await th.waitForPipeline(ack.alarmId, 20_000);
  });

  it("acks none of a batch whose commit fails (the disk refuses writes); the devices' retries are stored", async () => {
    const credentials = devices(170, 10);
    const ids = credentials.map((c) => c.deviceId);
    const burst = await connectBurst(th.mqttUrl, credentials);
    const presses: Press[] = ids.map((deviceId) => ({
      deviceId,
      pressId: `full-${deviceId}`,
      kind: "sos",
      attempt: 1,
    }));
    const restore = refuseFileWrites();
    try {
      burst.send(presses);
      await waitFor(() => handlerFailures(ids).length === ids.length, 10_000, "every press's failure logged");
    } finally {
      restore();
    }
    expect(burst.acks).toEqual([]);
    expect(JSON.stringify(handlerFailures(ids)[0]?.err)).toContain("SQLITE_IOERR");
    for (const press of presses) expect(storedPress(press.deviceId, press.pressId)).toBeUndefined();

    burst.send(presses.map((press) => ({ ...press, attempt: 2 })));
    const acks = await burst.waitForAcks(ids.length);
    burst.close();
    // Not duplicates: nothing of the failed batch was stored.
    expect(acks.map((a) => a.duplicate)).toEqual(ids.map(() => false));
    for (const ack of acks) expect(storedPress(ack.deviceId, ack.pressId)?.alarm_id).toBe(ack.alarmId);
    for (const ack of acks) await th.waitForPipeline(ack.alarmId, 20_000);
  });

  it("runs the stages of alarms together: one alarm's failing stage leaves the others done, and it resumes", async () => {
    const credentials = devices(180, 10);
    const ids = credentials.map((c) => c.deviceId);
    const broken = ids[3] ?? "";
    const failLocate = (deviceIds: readonly string[]) =>
      th.hub.db.exec(
        `CREATE TRIGGER locate_broken BEFORE INSERT ON alarm_events
         WHEN NEW.type = 'located' AND (SELECT device_id FROM alarms WHERE id = NEW.alarm_id) IN (${deviceIds.map((id) => `'${id}'`).join(",")})
         BEGIN SELECT RAISE(ABORT, 'simulated locate fault'); END`,
      );
    const row = (alarmId: number | null) =>
      disk.prepare("SELECT stages_done, stage_error FROM alarms WHERE id = ?").get(alarmId) as {
        stages_done: string;
        stage_error: string | null;
      };
    const count = (sql: string, alarmId: number | null) => (disk.prepare(sql).get(alarmId) as { n: number }).n;
    const burst = await connectBurst(th.mqttUrl, credentials);
    // First every alarm's locate stage fails: all of them are then retried together, by one pass of the retry timer.
    failLocate(ids);
    let acks: ReceivedAck[];
    try {
      burst.send(ids.map((deviceId) => ({ deviceId, pressId: `stages-${deviceId}`, kind: "sos", attempt: 1 })));
      acks = await burst.waitForAcks(ids.length);
      burst.close();
      await waitFor(() => acks.every((a) => row(a.alarmId).stage_error !== null), 10_000, "every locate failed");
      // Then only one alarm's stage fails.
      th.hub.db.transaction(() => {
        th.hub.db.exec("DROP TRIGGER locate_broken");
        failLocate([broken]);
      })();
      for (const ack of acks.filter((a) => a.deviceId !== broken)) await th.waitForPipeline(ack.alarmId, 20_000);
      // The others are done while this one's locate still fails: nothing of its later stages ran.
      const stillBroken = acks.find((a) => a.deviceId === broken)?.alarmId ?? null;
      expect(row(stillBroken)).toEqual({ stages_done: "[]", stage_error: "locate: simulated locate fault" });
      expect(count("SELECT COUNT(*) AS n FROM outbox WHERE alarm_id = ?", stillBroken)).toBe(0);
    } finally {
      th.hub.db.exec("DROP TRIGGER IF EXISTS locate_broken");
    }
    const brokenAlarm = acks.find((a) => a.deviceId === broken)?.alarmId ?? null;
    for (const ack of acks) {
      const stageFailed = "SELECT COUNT(*) AS n FROM alarm_events WHERE alarm_id = ? AND type = 'stage_failed'";
      // One event per distinct failure, however often it was retried.
      expect(count(stageFailed, ack.alarmId)).toBe(1);
    }
    // Once the fault is gone, the retry completes it.
    await th.waitForPipeline(brokenAlarm, 20_000);
    expect(row(brokenAlarm)).toMatchObject({ stage_error: null });
    const types = (
      disk.prepare("SELECT type FROM alarm_events WHERE alarm_id = ? ORDER BY id").all(brokenAlarm) as {
        type: string;
      }[]
    ).map((e) => e.type);
    expect(types.slice(0, 3)).toEqual(["received", "stage_failed", "located"]);
    expect(count("SELECT COUNT(*) AS n FROM alarm_events WHERE alarm_id = ? AND type = 'located'", brokenAlarm)).toBe(
      1,
    );
    for (const ack of acks) {
      expect(count("SELECT COUNT(*) AS n FROM outbox WHERE alarm_id = ?", ack.alarmId)).toBeGreaterThan(0);
    }
  });
});
