// @ts-check
// 简体中文: Queue priority, deadlines, attention (title, favicon, notifications), session and roles.
export const attentionZh = {
  "col.clockDeadline": "已过 / 时限",
  "deadline.ack": "确认",
  "deadline.arrival": "到场",
  "deadline.resolution": "结案",
  "deadline.left": "{stage}剩 {time}",
  "deadline.over": "{stage}超时 {time}",
  "priority.presses": "按了 {n} 次",
  "attention.notifyEnable": "启用桌面通知",
  "attention.notifyTitle": "新警报 #{id}",
  "attention.notifyEscalated": "警报 #{id} 已超时",
  "attention.notifyMore": "另有 {n} 条新警报",
  "session.expired": "登录已过期，请重新登录；登录后回到刚才的页面。",
  "session.workerRedirect": "社区工作人员账号请使用社区通页面，正在打开…",
  "help.keysAll": "快捷键：a 确认最上方未确认警报 · j/k 或 ↑/↓ 选择 · Enter 打开 · r 结案 · Esc 关闭",
  "resolve.title": "结案：警报 #{id}",
  "resolve.hint": "选择处理结果（按键 1、2、3），再确认。",
  "resolve.confirm": "结案",
  "resolve.cancel": "取消",
  "resolve.none": "没有可结案的警报。",
};
