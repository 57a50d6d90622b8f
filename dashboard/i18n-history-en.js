// English strings for: Alarm history, search, CSV export, and the audit log page.
export const historyEn = {};
