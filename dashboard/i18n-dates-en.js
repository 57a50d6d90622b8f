// @ts-check
// Typed dates (day-field.js), English: the history, audit and KPI filters and the registry's date fields.
export const datesEn = {
  "date.format": "type the date as YYYY-MM-DD, for example 2026-03-01",
  "date.impossible": "there is no such date (check the month and the day)",
  "date.required": "enter a date",
  "date.inField": "{field}: {problem}.",
  "date.rangeOrder": "Invalid range: the start date is after the end date.",
};
