/**
 * Group commit (hub/storage/group-commit.ts) on a real SQLite file with the
 * hub's pragmas (WAL, synchronous=FULL). A second connection reads the file
 * the way another process would: it sees only what was committed.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createLogger } from "../hub/log.ts";
import { type Db, openDatabase } from "../hub/storage/database.ts";
import { GroupCommit, URGENT_TURNS } from "../hub/storage/group-commit.ts";
import { SqliteSql } from "../hub/storage/sql/sqlite-sql.ts";

describe("group commit", () => {
  let dir: string;
  let db: Db;
  let sql: SqliteSql;
  let reader: Database.Database;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "anxin-group-commit-"));
    db = openDatabase(path.join(dir, "anxin.db"), createLogger("silent"));
    db.exec(`CREATE TABLE items (name TEXT PRIMARY KEY);
      CREATE TABLE parents (id INTEGER PRIMARY KEY);
      CREATE TABLE children (parent_id INTEGER REFERENCES parents(id) DEFERRABLE INITIALLY DEFERRED)`);
    reader = new Database(path.join(dir, "anxin.db"), { readonly: true });
    sql = new SqliteSql(db);
    // As in the hub: jobs still written against the connection directly run inside their savepoint.
    sql.guardDirectStatements();
  });
  afterEach(() => {
    reader.close();
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const insert = (name: string) => () => db.prepare("INSERT INTO items (name) VALUES (?)").run(name).changes;
  const committed = () =>
    (reader.prepare("SELECT name FROM items ORDER BY name").all() as { name: string }[]).map((r) => r.name);

  it("commits the jobs of one turn together, and settles each only once that commit returned", async () => {
    const commits = new GroupCommit({ sql }, { maxBatch: 256, maxBatchMs: 60_000, maxWaitMs: 0 });
    commits.start();
    const seenAtSettle: string[][] = [];
    const jobs = ["a", "b", "c"].map((name) => commits.run(insert(name)).then(() => seenAtSettle.push(committed())));
    expect(committed(), "nothing is committed before the turn ends").toEqual([]);
    await Promise.all(jobs);
    expect(seenAtSettle).toEqual([
      ["a", "b", "c"],
      ["a", "b", "c"],
      ["a", "b", "c"],
    ]);
    expect(commits.stats).toMatchObject({ commits: 1, jobs: 3, largestBatch: 3 });
    await commits.stop();
  });

  it("rolls back only the job that throws; the others of its batch commit", async () => {
    const commits = new GroupCommit({ sql }, { maxBatch: 256, maxBatchMs: 60_000, maxWaitMs: 0 });
    commits.start();
    const results = await Promise.allSettled([
      commits.run(insert("a")),
      commits.run(() => {
        insert("b")();
        insert("a")(); // a duplicate key: this job's own "b" goes with it
      }),
      commits.run(insert("c")),
    ]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(String((results[1] as PromiseRejectedResult).reason)).toMatch(/UNIQUE/);
    expect(committed()).toEqual(["a", "c"]);
    expect(commits.stats).toMatchObject({ commits: 1, jobs: 3 });
    await commits.stop();
  });

  it("rejects every job of a batch whose commit fails, the ones that ran without error too", async () => {
    const commits = new GroupCommit({ sql }, { maxBatch: 256, maxBatchMs: 60_000, maxWaitMs: 0 });
    commits.start();
    const results = await Promise.allSettled([
      commits.run(insert("a")),
      // Checked only at COMMIT: the commit itself fails.
      commits.run(() => db.prepare("INSERT INTO children (parent_id) VALUES (42)").run()),
      commits.run(insert("b")),
    ]);
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected", "rejected"]);
    expect(String((results[0] as PromiseRejectedResult).reason)).toMatch(/FOREIGN KEY/);
    expect(committed()).toEqual([]);
    expect(commits.stats).toMatchObject({ commits: 0, failedCommits: 1 });
    // The connection is usable again: the next batch commits.
    await commits.run(insert("c"));
    expect(committed()).toEqual(["c"]);
    await commits.stop();
  });

  it("rejects the jobs run so far when the transaction is rolled back under one; the next job gets a new batch", async () => {
    const commits = new GroupCommit({ sql }, { maxBatch: 256, maxBatchMs: 60_000, maxWaitMs: 0 });
    commits.start();
    const results = await Promise.allSettled([
      commits.run(insert("a")),
      // What SQLite itself does on SQLITE_FULL or an I/O error in the middle of a statement.
      commits.run(() => db.exec("ROLLBACK")),
      commits.run(insert("b")),
    ]);
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected", "fulfilled"]);
    // "a" ran in the batch that was rolled back: not stored, although its own job did not fail.
    expect(committed()).toEqual(["b"]);
    expect(commits.stats).toMatchObject({ commits: 1, jobs: 1, failedCommits: 1 });
    await commits.stop();
  });

  it("puts at most maxBatch jobs in one transaction and commits the rest right after", async () => {
    const commits = new GroupCommit({ sql }, { maxBatch: 4, maxBatchMs: 60_000, maxWaitMs: 0 });
    commits.start();
    await Promise.all(Array.from({ length: 10 }, (_, i) => commits.run(insert(`item-${i}`))));
    expect(committed()).toHaveLength(10);
    expect(commits.stats).toMatchObject({ commits: 3, jobs: 10, largestBatch: 4 });
    await commits.stop();
  });

  it("commits once a batch's jobs have run for maxBatchMs; the jobs not taken go in the next batch", async () => {
    const commits = new GroupCommit({ sql }, { maxBatch: 256, maxBatchMs: 2, maxWaitMs: 0 });
    commits.start();
    // Each job runs for at least the whole budget, so each batch can hold only one.
    const slow = (name: string) => () => {
      const until = performance.now() + 3;
      while (performance.now() < until) {}
      return insert(name)();
    };
    const settled: string[][] = [];
    await Promise.all(["a", "b", "c"].map((name) => commits.run(slow(name)).then(() => settled.push(committed()))));
    expect(settled).toEqual([["a"], ["a", "b"], ["a", "b", "c"]]);
    expect(commits.stats).toMatchObject({ commits: 3, jobs: 3, largestBatch: 1 });
    await commits.stop();
  });

  it("commits urgent jobs in batches of their own first, URGENT_TURNS in a row, then the others' turn", async () => {
    expect(URGENT_TURNS).toBeGreaterThanOrEqual(1);
    const commits = new GroupCommit({ sql }, { maxBatch: 256, maxBatchMs: 60_000, maxWaitMs: 0 });
    commits.start();
    const order: string[] = [];
    const job = (name: string) => () => {
      order.push(name);
      return insert(name)();
    };
    // Each urgent batch, once committed, brings the next urgent job while the later work still waits:
    // a stream of presses. The later work must get its turn after URGENT_TURNS urgent batches.
    const urgentChain = (n: number): Promise<unknown> =>
      commits.run(job(`urgent-${n}`), { urgent: true }).then(() => (n <= URGENT_TURNS ? urgentChain(n + 1) : n));
    await Promise.all([commits.run(job("later-1")), urgentChain(1), commits.run(job("later-2"))]);
    const urgentFirst = Array.from({ length: URGENT_TURNS }, (_, i) => `urgent-${i + 1}`);
    expect(order).toEqual([...urgentFirst, "later-1", "later-2", `urgent-${URGENT_TURNS + 1}`]);
    expect(commits.stats).toMatchObject({ commits: URGENT_TURNS + 2, jobs: URGENT_TURNS + 3 });
    await commits.stop();
  });

  it("gathers jobs for up to maxWaitMs when asked to", async () => {
    const commits = new GroupCommit({ sql }, { maxBatch: 256, maxBatchMs: 60_000, maxWaitMs: 30 });
    commits.start();
    const first = commits.run(insert("a"));
    await new Promise((resolve) => setImmediate(resolve));
    expect(committed(), "still gathering after one turn").toEqual([]);
    await Promise.all([first, commits.run(insert("b"))]);
    expect(committed()).toEqual(["a", "b"]);
    expect(commits.stats).toMatchObject({ commits: 1, jobs: 2 });
    await commits.stop();
  });

  it("commits the urgent jobs queued when stopped, refuses the others, and refuses work after", async () => {
    const commits = new GroupCommit({ sql }, { maxBatch: 256, maxBatchMs: 60_000, maxWaitMs: 1000 });
    commits.start();
    const urgent = commits.run(insert("a"), { urgent: true });
    const later = commits.run(insert("b"));
    await commits.stop();
    expect(committed()).toEqual(["a"]);
    await expect(urgent).resolves.toBe(1);
    await expect(later).rejects.toMatchObject({ code: "STORAGE_FAILED" });
    await expect(commits.run(insert("c"), { urgent: true })).rejects.toMatchObject({ code: "STORAGE_FAILED" });
    expect(committed()).toEqual(["a"]);
  });
});
