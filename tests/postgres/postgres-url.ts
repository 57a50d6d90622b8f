/** The PostgreSQL the suites in tests/postgres/ run against: required, never skipped without it. */
export function postgresTestUrl(): string {
  const url = process.env.ANXIN_TEST_DATABASE_URL;
  if (!url) {
    throw new Error(
      "ANXIN_TEST_DATABASE_URL is not set: `npm run test:postgres` needs a PostgreSQL it may create tables in " +
        "(bash .ci/postgres.sh starts a throwaway one and runs the suites)",
    );
  }
  return url;
}
