/**
 * What the storage port (hub/storage/sql/sql-port.ts) promises, run against each
 * driver: SQLite in `npm test` (tests/sql-port.test.ts), PostgreSQL in
 * `npm run test:postgres` (tests/postgres/sql-port.test.ts).
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ID_PRIMARY_KEY, type SqlDatabase } from "../../hub/storage/sql/sql-port.ts";

interface Item {
  id: number;
  k: string;
  n: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * `open` gives a fresh port for each test; `another` a second connection to the database the last `open`
 * gave (another process, as far as the engine can tell).
 */
export function describeSqlPort(
  name: string,
  open: () => Promise<SqlDatabase>,
  another: () => Promise<SqlDatabase>,
): void {
  describe(`the storage port on ${name}`, () => {
    let db: SqlDatabase;
    // A table of its own per test: the PostgreSQL suites share one database.
    let table: string;

    beforeEach(async () => {
      db = await open();
      table = `port_items_${Math.random().toString(36).slice(2, 10)}`;
      await db.exec(
        `CREATE TABLE ${table} (id ${ID_PRIMARY_KEY[db.dialect]}, k TEXT NOT NULL UNIQUE, n BIGINT NOT NULL)`,
      );
    });

    afterEach(async () => {
      await db.exec(`DROP TABLE IF EXISTS ${table}`);
      await db.close();
    });

    const insert = (k: string, n = 0) =>
      db.get<{ id: number }>(`INSERT INTO ${table} (k, n) VALUES (?, ?) RETURNING id`, [k, n]);
    const keys = async () => (await db.all<Item>(`SELECT * FROM ${table} ORDER BY k`)).map((row) => row.k);

    it("reads and writes with ? placeholders, returns new ids and counts changed rows", async () => {
      const first = await insert("a", 1);
      const second = await insert("b", 2);
      expect(typeof first?.id).toBe("number");
      expect(second?.id).toBeGreaterThan(first?.id ?? Number.POSITIVE_INFINITY);
      // A '?' inside a string literal is text, not a placeholder.
      const row = await db.get<Item & { mark: string }>(`SELECT k, n, 'why?' AS mark FROM ${table} WHERE k = ?`, ["b"]);
      expect(row).toEqual({ k: "b", n: 2, mark: "why?" });
      expect(await db.run(`UPDATE ${table} SET n = n + ? WHERE n >= ?`, [10, 1])).toEqual({ changes: 2 });
      expect(await db.run(`INSERT INTO ${table} (k, n) VALUES (?, ?) ON CONFLICT DO NOTHING`, ["a", 5])).toEqual({
        changes: 0,
      });
      expect(await db.get(`SELECT * FROM ${table} WHERE k = ?`, ["none"])).toBeUndefined();
      expect((await db.all<Item>(`SELECT n FROM ${table} ORDER BY k`)).map((r) => r.n)).toEqual([11, 12]);
    });

    it("takes @name placeholders with an object of values, a name used twice taking one value", async () => {
      await db.run(`INSERT INTO ${table} (k, n) VALUES (@k, @n)`, { k: "named", n: 7 });
      const row = await db.get<Item>(`SELECT k, n FROM ${table} WHERE k = @k AND n >= @n AND n <= @n`, {
        k: "named",
        n: 7,
      });
      expect(row).toEqual({ k: "named", n: 7 });
      expect(await db.run(`UPDATE ${table} SET n = @n WHERE k = @k`, { k: "named", n: 8 })).toEqual({ changes: 1 });
      await expect(db.get(`SELECT * FROM ${table} WHERE k = @k`, {})).rejects.toThrow(/missing named parameter/i);
    });

    it("commits a transaction's writes together, and rolls all of them back when its work throws", async () => {
      await db.transaction(async (tx) => {
        await tx.run(`INSERT INTO ${table} (k, n) VALUES (?, ?)`, ["kept-1", 1]);
        await tx.run(`INSERT INTO ${table} (k, n) VALUES (?, ?)`, ["kept-2", 2]);
      });
      const failed = db.transaction(async (tx) => {
        await tx.run(`INSERT INTO ${table} (k, n) VALUES (?, ?)`, ["lost", 3]);
        throw new Error("the stage failed");
      });
      await expect(failed).rejects.toThrow("the stage failed");
      // A statement that fails inside the work (a unique key) rolls back the rest too, once it is thrown on.
      const conflict = db.transaction(async (tx) => {
        await tx.run(`INSERT INTO ${table} (k, n) VALUES (?, ?)`, ["lost-too", 4]);
        await tx.run(`INSERT INTO ${table} (k, n) VALUES (?, ?)`, ["kept-1", 5]);
      });
      await expect(conflict).rejects.toThrow();
      expect(await keys()).toEqual(["kept-1", "kept-2"]);
      expect(db.inTransaction()).toBe(false);
    });

    it("nests a transaction as a savepoint: an inner failure rolls back only the inner writes", async () => {
      await db.transaction(async (tx) => {
        await tx.run(`INSERT INTO ${table} (k, n) VALUES (?, ?)`, ["outer", 1]);
        await expect(
          tx.transaction(async (inner) => {
            await inner.run(`INSERT INTO ${table} (k, n) VALUES (?, ?)`, ["inner-lost", 2]);
            throw new Error("one stage failed");
          }),
        ).rejects.toThrow("one stage failed");
        await tx.transaction(async (inner) => {
          await inner.run(`INSERT INTO ${table} (k, n) VALUES (?, ?)`, ["inner-kept", 3]);
        });
        expect(db.inTransaction()).toBe(true);
      });
      expect(await keys()).toEqual(["inner-kept", "outer"]);
    });

    it("runs savepoints started side by side one after the other, so each rolls back only its own", async () => {
      await db.transaction(async () => {
        const outcomes = await Promise.allSettled(
          ["one", "two", "three"].map((k) =>
            db.transaction(async () => {
              await db.run(`INSERT INTO ${table} (k, n) VALUES (?, ?)`, [k, 0]);
              await sleep(5);
              if (k === "two") throw new Error("two fails");
            }),
          ),
        );
        expect(outcomes.map((o) => o.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
      });
      expect(await keys()).toEqual(["one", "three"]);
    });

    it("lets a repository that holds the port join the transaction it is called in, and be rolled back with it", async () => {
      // A repository as the hub writes them: it holds the database, not a transaction.
      const repo = { add: (k: string) => db.run(`INSERT INTO ${table} (k, n) VALUES (?, ?)`, [k, 0]) };
      await expect(
        db.transaction(async () => {
          await repo.add("joined");
          expect(await db.get(`SELECT k FROM ${table} WHERE k = ?`, ["joined"])).toEqual({ k: "joined" });
          throw new Error("roll it back");
        }),
      ).rejects.toThrow("roll it back");
      expect(await keys()).toEqual([]);
    });

    it("never shows a transaction's uncommitted writes to code outside it", async () => {
      let committed = false;
      const writer = db.transaction(async () => {
        await db.run(`INSERT INTO ${table} (k, n) VALUES (?, ?)`, ["pending", 0]);
        await sleep(50);
        committed = true;
      });
      await sleep(10);
      // Outside the transaction's async context. SQLite makes it wait for the commit; PostgreSQL
      // answers at once from another connection. Either way it must not see the row before the commit.
      const seen = await db.all<Item>(`SELECT k FROM ${table}`);
      expect(seen.length === 0 || committed).toBe(true);
      await writer;
      expect(await keys()).toEqual(["pending"]);
    });

    it("keeps concurrent transactions apart: counters updated from many at once add up", async () => {
      await insert("counter", 0);
      await Promise.all(
        Array.from({ length: 20 }, () =>
          db.transaction(async (tx) => {
            await tx.run(`UPDATE ${table} SET n = n + 1 WHERE k = ?`, ["counter"]);
            await sleep(1);
            await tx.run(`INSERT INTO ${table} (k, n) VALUES (?, ?)`, [`t-${Math.random()}`, 1]);
          }),
        ),
      );
      expect(await db.get<Item>(`SELECT n FROM ${table} WHERE k = ?`, ["counter"])).toEqual({ n: 20 });
      expect((await keys()).length).toBe(21);
    });

    it("reads one snapshot in snapshot() without holding up another connection's writes", async () => {
      await insert("a");
      const writer = await another();
      try {
        const seen = await db.snapshot(async () => {
          const before = await keys();
          // Committed meanwhile by another connection: not held up (on SQLite it would wait for a write
          // lock and fail after the busy timeout), and not seen by the snapshot.
          await writer.run(`INSERT INTO ${table} (k, n) VALUES ('b', 0)`);
          return { before, after: await keys() };
        });
        expect(seen).toEqual({ before: ["a"], after: ["a"] });
        expect(await keys()).toEqual(["a", "b"]);
      } finally {
        await writer.close();
      }
    });

    it("runs afterCommit callbacks once the transaction committed, in order, and none of rolled-back work", async () => {
      const seen: string[] = [];
      // Outside a transaction: at once.
      db.afterCommit(() => seen.push("outside"));
      expect(seen).toEqual(["outside"]);
      await db.transaction(async (tx) => {
        await tx.run(`INSERT INTO ${table} (k, n) VALUES (?, ?)`, ["kept", 1]);
        db.afterCommit(() => seen.push("first"));
        await db
          .transaction(async () => {
            db.afterCommit(() => seen.push("rolled back with its savepoint"));
            throw new Error("inner");
          })
          .catch(() => undefined);
        await db.transaction(async () => {
          db.afterCommit(() => seen.push("second"));
        });
        // Not yet: the transaction has not committed.
        expect(seen).toEqual(["outside"]);
      });
      expect(seen).toEqual(["outside", "first", "second"]);
      await expect(
        db.transaction(async () => {
          db.afterCommit(() => seen.push("never"));
          throw new Error("rolled back");
        }),
      ).rejects.toThrow("rolled back");
      expect(seen).toEqual(["outside", "first", "second"]);
      expect(await keys()).toContain("kept");
    });
  });
}
