import { defineConfig } from "vitest/config";

/**
 * The suites that run against a real PostgreSQL (`npm run test:postgres`), given by
 * ANXIN_TEST_DATABASE_URL; `bash .ci/postgres.sh` starts a throwaway cluster and runs them.
 */
export default defineConfig({
  test: {
    include: ["tests/postgres/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    fileParallelism: false,
    reporters: ["default", "json"],
    outputFile: { json: "test-results/vitest-postgres-report.json" },
  },
});
