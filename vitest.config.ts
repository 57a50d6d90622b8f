import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    // Those need a PostgreSQL: `npm run test:postgres` (vitest.postgres.config.ts; .ci/postgres.sh).
    exclude: ["tests/postgres/**", "**/node_modules/**"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Each file starts its own hub on ephemeral ports; two cores run two files at once.
    fileParallelism: true,
    maxWorkers: 2,
    // The JSON report lets .ci/run print one plain closing line with the counts.
    reporters: ["default", "json"],
    outputFile: { json: "test-results/vitest-report.json" },
  },
});
