// @ts-check
// Typed dates (day-field.js), Chinese: the history, audit and KPI filters and the registry's date fields.
export const datesZh = {
  "date.format": "请按 YYYY-MM-DD（年-月-日）填写，例如 2026-03-01",
  "date.impossible": "日历上没有这一天，请核对月和日",
  "date.required": "请填写日期",
  "date.inField": "{field}：{problem}。",
  "date.rangeOrder": "日期范围无效：开始日期晚于结束日期。",
};
