// 简体中文: Alarm history, search, CSV export, and the audit log page.
export const historyZh = {};
