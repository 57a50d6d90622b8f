/**
 * What a statement costs through the storage port (hub/storage/sql/), beside
 * better-sqlite3 called directly: a read by id, and a transaction of ten
 * updates; on PostgreSQL also sixteen reads at once. Wall time and the hub
 * process's own CPU per operation (docs/scale-out.md, "What a statement costs").
 *
 *   npx tsx bench/storage-port.ts                      # SQLite only
 *   ANXIN_TEST_DATABASE_URL=postgres://… npx tsx bench/storage-port.ts
 *
 * `bash .ci/postgres.sh` shows how to start a throwaway PostgreSQL; the bench
 * creates and drops a table of its own there.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createLogger } from "../hub/log.ts";
import { openDatabase } from "../hub/storage/database.ts";
import { PostgresSql } from "../hub/storage/sql/postgres-sql.ts";
import { ID_PRIMARY_KEY, type SqlDatabase } from "../hub/storage/sql/sql-port.ts";
import { SqliteSql } from "../hub/storage/sql/sqlite-sql.ts";

const ROWS = 10_000;

/** `each`: statements one call of `work` makes; figures are per statement. */
async function measure(name: string, calls: number, work: (i: number) => unknown, each = 1): Promise<void> {
  const operations = calls * each;
  for (let i = 0; i < Math.min(500, calls); i++) await work(i); // warm-up
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < calls; i++) await work(i);
  const wallUs = ((performance.now() - started) * 1000) / operations;
  const used = process.cpuUsage(cpu);
  const cpuUs = (used.user + used.system) / operations;
  console.log(`  ${name.padEnd(52)} ${wallUs.toFixed(1).padStart(8)} µs   Node CPU ${cpuUs.toFixed(1).padStart(7)} µs`);
}

async function fill(db: SqlDatabase, table: string): Promise<void> {
  await db.exec(
    `CREATE TABLE ${table} (id ${ID_PRIMARY_KEY[db.dialect]}, device_id TEXT NOT NULL, status TEXT NOT NULL, n BIGINT NOT NULL)`,
  );
  await db.transaction(async () => {
    for (let i = 0; i < ROWS; i++) {
      await db.run(`INSERT INTO ${table} (device_id, status, n) VALUES (?, 'unassigned', 0)`, [`dev-${i}`]);
    }
  });
}

async function portFigures(label: string, db: SqlDatabase, table: string, scale: number): Promise<void> {
  console.log(`${label}, through the port:`);
  await measure("read by id", 20_000 / scale, (i) => db.get(`SELECT * FROM ${table} WHERE id = ?`, [(i % ROWS) + 1]));
  await measure("transaction of 10 updates", 2_000 / scale, () =>
    db.transaction(async () => {
      for (let k = 1; k <= 10; k++) await db.run(`UPDATE ${table} SET n = n + 1 WHERE id = ?`, [k]);
    }),
  );
  if (db.dialect === "postgres") {
    await measure(
      "16 reads by id at once (per read)",
      20_000 / scale / 16,
      (i) =>
        Promise.all(
          Array.from({ length: 16 }, (_, k) =>
            db.get(`SELECT * FROM ${table} WHERE id = ?`, [((i * 16 + k) % ROWS) + 1]),
          ),
        ),
      16,
    );
  }
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "anxin-bench-port-"));
const raw = openDatabase(path.join(dir, "anxin.db"), createLogger("silent"));
try {
  console.log(`storage port — ${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, node ${process.version}`);
  const sqlite = new SqliteSql(raw);
  await fill(sqlite, "bench_items");
  console.log("SQLite, better-sqlite3 directly:");
  await measure("read by id", 20_000, (i) => raw.prepare("SELECT * FROM bench_items WHERE id = ?").get((i % ROWS) + 1));
  await measure("transaction of 10 updates", 2_000, () =>
    raw.transaction(() => {
      for (let k = 1; k <= 10; k++) raw.prepare("UPDATE bench_items SET n = n + 1 WHERE id = ?").run(k);
    })(),
  );
  await portFigures("SQLite", sqlite, "bench_items", 1);
  const url = process.env.ANXIN_TEST_DATABASE_URL;
  if (url) {
    const pg = new PostgresSql(url, { max: 4 });
    const table = `bench_items_${process.pid}`;
    try {
      await fill(pg, table);
      await portFigures("PostgreSQL", pg, table, 4);
    } finally {
      await pg.exec(`DROP TABLE IF EXISTS ${table}`);
      await pg.close();
    }
  } else {
    console.log("PostgreSQL: set ANXIN_TEST_DATABASE_URL to measure it too");
  }
} finally {
  raw.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
