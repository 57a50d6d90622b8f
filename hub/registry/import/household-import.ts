/** The households kind: read, check and place every household, and write the accepted ones. */
import { HOUSEHOLD_REQUIRED, isHouseholdColumn } from "./csv-columns.ts";
import { checkHousehold } from "./household-checks.ts";
import { type HouseholdSource, householdsFromCsv, householdsFromJson } from "./household-source.ts";
import { writeHouseholds } from "./household-writer.ts";
import { checkAll, type Planner, planFrom } from "./import-plan.ts";
import type { RowIssue } from "./import-types.ts";
import { addressesWithoutPoint, loadHouseholdContext } from "./registry-snapshot.ts";
import { expectJsonArray, parseCsv, parseJson } from "./source-records.ts";

export const planHouseholds: Planner = async (sql, text, format, onProgress) => {
  let sources: HouseholdSource[];
  let unreadable: RowIssue[] = [];
  if (format === "csv") {
    const table = parseCsv(text, HOUSEHOLD_REQUIRED, isHouseholdColumn);
    sources = householdsFromCsv(table);
    unreadable = table.issues;
  } else {
    sources = householdsFromJson(expectJsonArray(parseJson(text, "the households file"), "households"));
  }
  const context = await loadHouseholdContext(sql, addressesWithoutPoint(sources.map((source) => source.raw)));
  const result = checkAll(sources, (source) => checkHousehold(source, context), onProgress);
  return planFrom(result, unreadable, {
    exists: (household) => household.existing !== null,
    devicesToCreate: result.accepted.reduce((sum, household) => sum + household.newDevices.length, 0),
    write: async (session, stamp, progress, households, credentials) => {
      for (const credential of await writeHouseholds(session, households, stamp, progress))
        credentials.push(credential);
    },
  });
};
