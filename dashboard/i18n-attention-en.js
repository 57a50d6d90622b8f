// English strings for: Queue priority, deadlines, attention (title, favicon, notifications), session and roles.
export const attentionEn = {};
