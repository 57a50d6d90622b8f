// Prints one plain closing line with vitest's counts, read from its JSON report.
import { readFileSync } from "node:fs";

const report = JSON.parse(readFileSync(new URL("../test-results/vitest-report.json", import.meta.url), "utf8"));
const skipped = report.numPendingTests + report.numTodoTests;
console.log(`vitest: ${report.numPassedTests} passed, ${report.numFailedTests} failed, ${skipped} skipped`);
