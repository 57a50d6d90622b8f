/** The households kind: read, check and place every household, and write the accepted ones. */
import { HOUSEHOLD_REQUIRED, isHouseholdColumn } from "./csv-columns.ts";
import { checkHousehold } from "./household-checks.ts";
import { type HouseholdSource, householdsFromCsv, householdsFromJson } from "./household-source.ts";
import { writeHouseholds } from "./household-writer.ts";
import { checkAll, type Planner, planFrom } from "./import-plan.ts";
import type { RowIssue } from "./import-types.ts";
import { loadHouseholdContext } from "./registry-snapshot.ts";
import { isBlank, isRecord } from "./row-checker.ts";
import { expectJsonArray, parseCsv, parseJson } from "./source-records.ts";

/** Households that will need the gazetteer, to decide whether to load it whole. */
function countAddressOnly(sources: readonly HouseholdSource[]): number {
  return sources.filter((source) => isRecord(source.raw) && isBlank(source.raw.lat) && isBlank(source.raw.lng)).length;
}

export const planHouseholds: Planner = (db, text, format, onProgress) => {
  let sources: HouseholdSource[];
  let unreadable: RowIssue[] = [];
  if (format === "csv") {
    const table = parseCsv(text, HOUSEHOLD_REQUIRED, isHouseholdColumn);
    sources = householdsFromCsv(table);
    unreadable = table.issues;
  } else {
    sources = householdsFromJson(expectJsonArray(parseJson(text, "the households file"), "households"));
  }
  const context = loadHouseholdContext(db, countAddressOnly(sources));
  const result = checkAll(sources, (source) => checkHousehold(source, context), onProgress);
  return planFrom(result, unreadable, {
    exists: (household) => household.existing !== null,
    devicesToCreate: result.accepted.reduce((sum, household) => sum + household.newDevices.length, 0),
    write: (database, stamp, progress, households, credentials) => {
      for (const credential of writeHouseholds(database, households, stamp, progress)) credentials.push(credential);
    },
  });
};
