// @ts-check
// English strings for: Queue priority, deadlines, attention (title, favicon, notifications), session and roles.
export const attentionEn = {
  "col.clockDeadline": "Age / deadline",
  "deadline.ack": "Ack",
  "deadline.arrival": "On scene",
  "deadline.resolution": "Resolve",
  "deadline.left": "{stage}: {time} left",
  "deadline.over": "{stage}: overdue {time}",
  "priority.presses": "Pressed {n}×",
  "attention.notifyEnable": "Enable desktop alerts",
  "attention.notifyTitle": "New alarm #{id}",
  "attention.notifyEscalated": "Alarm #{id} missed a deadline",
  "attention.notifyMore": "{n} more new alarms",
  "session.expired": "Your session has expired. Please sign in again; the console continues where you left it.",
  "session.workerRedirect": "Community worker accounts use the worker page. Opening it…",
  "help.keysAll": "Keys: a acknowledge top unacknowledged · j/k or ↑/↓ select · Enter open · r resolve · Esc close",
  "resolve.title": "Resolve alarm #{id}",
  "resolve.hint": "Choose the outcome (keys 1, 2, 3), then confirm.",
  "resolve.confirm": "Resolve",
  "resolve.cancel": "Cancel",
  "resolve.none": "No open alarm to resolve.",
};
