/**
 * The alarm stage batch (hub/pipeline/alarm-stage-batch.ts) on a real SQLite
 * file with the hub's schema and a real group commit, with stages of its own:
 * many alarms share one job, a failing stage leaves the rest of its job done,
 * and each alarm's completed stages are recorded with the stages' writes.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AnxinError } from "../hub/errors.ts";
import { EventBus } from "../hub/events.ts";
import { createLogger } from "../hub/log.ts";
import { AlarmStageBatch } from "../hub/pipeline/alarm-stage-batch.ts";
import type { AlarmStage, PipelineDeps } from "../hub/pipeline/types.ts";
import { AlarmRepository } from "../hub/storage/alarm-repo.ts";
import { type Db, migrate, openDatabase } from "../hub/storage/database.ts";
import { GroupCommit } from "../hub/storage/group-commit.ts";
import { SqliteSql } from "../hub/storage/sql/sqlite-sql.ts";
import { waitFor } from "./support/test-hub.ts";

const ALARMS = 300;
const MAX_ALARMS = 128;

describe("alarm stage batch", () => {
  let dir: string;
  let db: Db;
  let commits: GroupCommit;
  let sql: SqliteSql;
  let alarms: AlarmRepository;
  let ids: number[];
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "anxin-stage-batch-"));
    const logger = createLogger("silent");
    db = openDatabase(path.join(dir, "anxin.db"), logger);
    migrate(db, logger);
    db.exec(`CREATE TABLE stage_marks (alarm_id INTEGER, stage TEXT);
      INSERT INTO devices (id, secret_hash, created_at) VALUES ('dev-1', 'x', '2026-01-01T00:00:00Z')`);
    const insert = db.prepare(
      "INSERT INTO alarms (device_id, kind, status, received_at) VALUES ('dev-1', 'test', 'unassigned', ?)",
    );
    ids = db.transaction(() =>
      Array.from({ length: ALARMS }, (_, i) => Number(insert.run(new Date(i * 1000).toISOString()).lastInsertRowid)),
    )();
    sql = new SqliteSql(db);
    commits = new GroupCommit({ sql }, { maxBatch: 256, maxBatchMs: 60_000, maxWaitMs: 0 });
    commits.start();
    alarms = new AlarmRepository(sql);
  });
  afterEach(async () => {
    await commits.stop();
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** A stage that marks the alarm in a table of its own, and fails for the alarms in `failing`. */
  const marking = (name: string, failing: Set<number> = new Set()): AlarmStage => ({
    name,
    run: (alarm) => {
      db.prepare("INSERT INTO stage_marks (alarm_id, stage) VALUES (?, ?)").run(alarm.id, name);
      if (failing.has(alarm.id)) throw new AnxinError("DISPATCH_IMPOSSIBLE", `${name} refused alarm ${alarm.id}`);
    },
  });
  // The batch itself uses these; the rest of the pipeline's deps are for stages, and these stages need none.
  const batchWith = (stages: AlarmStage[], bus = new EventBus(createLogger("silent"))) =>
    new AlarmStageBatch(
      { sql, alarms, commits, bus, logger: createLogger("silent") } as Partial<PipelineDeps> as PipelineDeps,
      stages,
      { maxAlarms: MAX_ALARMS, budgetMs: 60_000 },
    );
  const marks = (stage: string) =>
    (db.prepare("SELECT COUNT(*) AS n FROM stage_marks WHERE stage = ?").get(stage) as { n: number }).n;

  it("runs the stages of many alarms in one job each, not one job per alarm", async () => {
    const batch = batchWith([marking("first"), marking("second")]);
    for (const id of ids) batch.queue(id);
    for (const id of ids) batch.queue(id); // asked twice: queued once
    expect(batch.backlog).toBe(ALARMS);
    await waitFor(() => batch.backlog === 0, 10_000, "every alarm's stages");

    expect(marks("first")).toBe(ALARMS);
    expect(marks("second")).toBe(ALARMS);
    expect(await alarms.incompleteStageIds(2)).toEqual([]);
    expect(await alarms.stagesDone(ids[0] ?? 0)).toEqual(["first", "second"]);
    // 300 alarms, at most 128 a job: three jobs.
    expect(commits.stats.jobs).toBe(Math.ceil(ALARMS / MAX_ALARMS));
  });

  it("a failing stage stops only its own alarm, which keeps what it completed and records why", async () => {
    const broken = ids[5] ?? 0;
    const batch = batchWith([marking("first"), marking("second", new Set([broken])), marking("third")]);
    for (const id of ids.slice(0, 10)) batch.queue(id);
    await waitFor(() => batch.backlog === 0, 10_000, "the job");

    const queued = new Set(ids.slice(0, 10));
    expect((await alarms.incompleteStageIds(3)).filter((id) => queued.has(id))).toEqual([broken]);
    expect(await alarms.stagesDone(broken)).toEqual(["first"]);
    expect((await alarms.get(broken))?.stage_error).toBe(`second: second refused alarm ${broken}`);
    // On the timeline: the exception's message as an `error` (not a coded reason), and its code.
    const failed = db.prepare("SELECT detail FROM alarm_events WHERE alarm_id = ? AND type = 'stage_failed'");
    expect((failed.pluck().all(broken) as string[]).map((d) => JSON.parse(d))).toEqual([
      { stage: "second", error: `second refused alarm ${broken}`, code: "DISPATCH_IMPOSSIBLE" },
    ]);
    // The failed stage's own write was rolled back with its savepoint; the third never ran for it.
    expect(db.prepare("SELECT stage FROM stage_marks WHERE alarm_id = ? ORDER BY rowid").pluck().all(broken)).toEqual([
      "first",
    ]);
    expect(marks("third")).toBe(9);
    expect(await alarms.stagesDone(ids[6] ?? 0)).toEqual(["first", "second", "third"]);
  });

  it("asks the commit once, not again and again, when it refuses the job (the hub is stopping)", async () => {
    let asked = 0;
    const counting: Pick<GroupCommit, "run"> = {
      run: (work, options) => {
        asked += 1;
        // A loop of retries would never let the event loop turn: past 100, stop answering to end it.
        return asked > 100 ? new Promise(() => {}) : commits.run(work, options);
      },
    };
    await commits.stop();
    const batch = new AlarmStageBatch(
      {
        sql,
        alarms,
        commits: counting,
        bus: new EventBus(createLogger("silent")),
        logger: createLogger("silent"),
      } as Partial<PipelineDeps> as PipelineDeps,
      [marking("first")],
      { maxAlarms: MAX_ALARMS, budgetMs: 60_000 },
    );
    batch.queue(ids[0] ?? 0);
    await new Promise((resolve) => setImmediate(resolve));
    expect(asked).toBe(1);
    expect(marks("first")).toBe(0);
    // Asked again later (the pipeline's retry timer), it asks the commit again, once.
    batch.queue(ids[0] ?? 0);
    await new Promise((resolve) => setImmediate(resolve));
    expect(asked).toBe(2);
  });

  it("an alarm that fails outside its stages fails alone: the others of its job are done", async () => {
    const poisoned = ids[4] ?? 0;
    db.exec(`CREATE TRIGGER poison BEFORE UPDATE OF stages_done ON alarms WHEN NEW.id = ${poisoned}
      BEGIN SELECT RAISE(ABORT, 'simulated fault recording the stages'); END`);
    const batch = batchWith([marking("first"), marking("second")]);
    for (const id of ids.slice(0, 10)) batch.queue(id);
    await waitFor(() => batch.backlog === 0, 10_000, "the job");

    const queued = new Set(ids.slice(0, 10));
    expect((await alarms.incompleteStageIds(2)).filter((id) => queued.has(id))).toEqual([poisoned]);
    // Its stages' writes went with its savepoint: a retry runs them once, not on top of these.
    expect(db.prepare("SELECT COUNT(*) FROM stage_marks WHERE alarm_id = ?").pluck().get(poisoned)).toBe(0);
    expect(marks("first")).toBe(9);
  });
});
