/**
 * Small SQL helpers shared by the registry repositories: paged lists with a
 * `q` search, and partial updates over a fixed list of columns.
 */
import { caseInsensitiveLike, likePattern } from "../storage/sql/dialect-sql.ts";
import type { SqlSession, SqlValue } from "../storage/sql/sql-port.ts";

export interface ListQuery {
  /** Free text matched (case-insensitively, as a substring) against the resource's name, code and address. */
  q?: string | undefined;
  limit: number;
  offset: number;
}

export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

/**
 * One page of `SELECT * FROM <from> [WHERE ...]`, plus the total without paging.
 * `from`, `searchColumns` and `where` come from code, never from the request;
 * request values only ever travel as bound parameters.
 */
export async function selectPage<Row>(
  sql: SqlSession,
  spec: {
    select: string;
    from: string;
    searchColumns: readonly string[];
    orderBy: string;
    where?: readonly { sql: string; params: readonly SqlValue[] }[];
  },
  query: ListQuery,
): Promise<{ rows: Row[]; total: number }> {
  const clauses: string[] = [];
  const params: SqlValue[] = [];
  for (const condition of spec.where ?? []) {
    clauses.push(condition.sql);
    params.push(...condition.params);
  }
  const q = query.q?.trim();
  if (q) {
    const like = caseInsensitiveLike(sql.dialect);
    clauses.push(`(${spec.searchColumns.map((column) => `${column} ${like} ? ESCAPE '\\'`).join(" OR ")})`);
    params.push(...spec.searchColumns.map(() => likePattern(q)));
  }
  const where = clauses.length > 0 ? ` WHERE ${clauses.join(" AND ")}` : "";
  const total = ((await sql.get(`SELECT COUNT(*) AS n FROM ${spec.from}${where}`, [...params])) as { n: number }).n;
  const rows = (await sql.all(
    `SELECT ${spec.select} FROM ${spec.from}${where} ORDER BY ${spec.orderBy} LIMIT ? OFFSET ?`,
    [...params, query.limit, query.offset],
  )) as Row[];
  return { rows, total };
}

/** `UPDATE <table> SET a = ?, b = ? WHERE <key> = ?` for the columns present in `changes`. */
export async function updateColumns(
  sql: SqlSession,
  table: string,
  key: { column: string; value: number | string },
  changes: Readonly<Record<string, SqlValue | undefined>>,
): Promise<void> {
  const columns = Object.keys(changes);
  if (columns.length === 0) return;
  await sql.run(`UPDATE ${table} SET ${columns.map((c) => `${c} = ?`).join(", ")} WHERE ${key.column} = ?`, [
    ...columns.map((c) => changes[c] ?? null),
    key.value,
  ]);
}

/** How many rows of each referencing table point at a record; the names of those with any. */
export async function referencesTo(
  sql: SqlSession,
  references: readonly { label: string; sql: string }[],
  id: number | string,
): Promise<{ label: string; count: number }[]> {
  const counts: { label: string; count: number }[] = [];
  for (const ref of references) {
    const count = ((await sql.get(ref.sql, [id])) as { n: number }).n;
    if (count > 0) counts.push({ label: ref.label, count });
  }
  return counts;
}
