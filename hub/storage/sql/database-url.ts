/**
 * ANXIN_DATABASE_URL, checked where the hub's config is read and where the
 * command-line tools open the database (hub/cli-database.ts). The URL holds a
 * password, so no problem ever quotes it.
 */

/** What is wrong with a PostgreSQL URL, in words that never repeat it; null when it is one. */
export function databaseUrlProblem(text: string): string | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return "not a URL (postgres://user:password@host:port/database)";
  }
  if (url.protocol !== "postgres:" && url.protocol !== "postgresql:") {
    return `must start with postgres:// (got ${url.protocol}//…)`;
  }
  if (url.hostname === "" || url.pathname.length <= 1) return "needs a host and a database name";
  return null;
}
