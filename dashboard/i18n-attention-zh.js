// 简体中文: Queue priority, deadlines, attention (title, favicon, notifications), session and roles.
export const attentionZh = {};
