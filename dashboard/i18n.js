// The one dictionary for every string the console shows. Both languages must stay
// complete: a missing key falls back to the key itself so a gap is obvious on screen.

const LANG_KEY = "anxin.lang";
export const LANGS = ["zh-CN", "en"];

const dict = {
  "zh-CN": {
    "app.title": "安心 · 指挥中心",
    "app.brand": "安心 · 指挥中心",
    "app.newAlarm": "【新警报】",
    "lang.switch": "English",
    "lang.switchLang": "en",
    "login.heading": "操作员登录",
    "login.username": "用户名",
    "login.password": "密码",
    "login.submit": "登录",
    "login.busy": "正在登录…",
    "login.invalid": "用户名或密码错误。",
    "login.rateLimited": "尝试次数过多，请稍后再试。",
    "user.role.operator": "值班员",
    "user.role.supervisor": "主管",
    "user.role.admin": "管理员",
    "user.logout": "退出登录",
    "sound.enable": "点击启用声音",
    "sound.blocked": "声音被浏览器阻止：新警报不会响铃！请点击“点击启用声音”。",
    "sound.mute": "静音 1 分钟",
    "sound.muted": "已静音 {s} 秒",
    "sound.unmute": "取消静音",
    "rt.reconnecting": "实时连接已断开，正在重连…",
    "queue.heading": "待处理警报",
    "queue.count": "{n} 条",
    "queue.empty": "当前没有待处理的警报。",
    "queue.loading": "正在加载…",
    "queue.unacked": "{n} 条未确认",
    "col.kind": "类型",
    "col.resident": "居民",
    "col.address": "地址 / 网格",
    "col.state": "状态",
    "col.received": "接警时间",
    "col.age": "已过",
    "col.ackBy": "确认人",
    "kind.sos": "SOS 紧急",
    "kind.service": "服务",
    "kind.test": "测试",
    "status.received": "未确认",
    "status.acknowledged": "已确认",
    "status.resolved": "已处理",
    "outcome.real": "真实求助",
    "outcome.false_alarm": "误报",
    "outcome.test": "测试",
    "sex.F": "女",
    "sex.M": "男",
    "sex.X": "其他",
    "age.years": "{n} 岁",
    locating: "定位中…",
    noGrid: "无网格",
    "ackBy.none": "—",
    "detail.close": "关闭",
    "detail.loading": "正在加载详情…",
    "detail.resident": "居民信息",
    "detail.name": "姓名",
    "detail.age": "年龄",
    "detail.sex": "性别",
    "detail.address": "地址",
    "detail.household": "户号",
    "detail.grid": "网格",
    "detail.device": "设备",
    "detail.relatives": "亲属",
    "detail.relatives.none": "没有登记亲属。",
    "detail.priority": "顺位 {n}",
    "detail.dispatch": "派遣建议",
    "detail.worker": "社区工作人员",
    "detail.clinic": "诊所",
    "detail.distance": "{km} 公里",
    "detail.none": "暂无",
    "detail.sms": "短信通知",
    "detail.sms.none": "尚未发送短信。",
    "detail.sms.attempts": "尝试 {n} 次",
    "sms.pending": "等待发送",
    "sms.sent": "已发送",
    "sms.failed": "发送失败",
    "detail.timeline": "事件记录",
    "detail.ack": "确认接警",
    "detail.resolve": "结案",
    "detail.outcome": "处理结果",
    "detail.outcomeChoose": "— 请选择 —",
    "detail.note": "备注",
    "detail.notePlaceholder": "可选：情况说明",
    "detail.ackedBy": "{who} 于 {time} 确认",
    "detail.resolvedBy": "{who} 于 {time} 结案",
    "detail.resolvedDone": "该警报已结案。",
    "event.received": "收到警报",
    "event.located": "已定位住户",
    "event.relatives_notified": "已通知亲属",
    "event.dispatch_suggested": "已建议派遣",
    "event.acknowledged": "已确认",
    "event.resolved": "已结案",
    "event.cancel_requested": "居民请求取消",
    "event.stage_failed": "处理步骤失败",
    "event.system": "系统",
    "event.device": "设备 {id}",
    "event.sms_sent": "短信已发送",
    "event.sms_failed": "短信发送失败",
    "event.unlocated": "无法定位住户",
    "event.dispatch_impossible": "无法派遣",
    "event.relatives_not_notified": "未能通知亲属",
    "sms.purpose.relative": "亲属 {n}",
    "sms.purpose.worker": "社区工作人员",
    "detail.stageError": "自动处理出错",
    "error.AUTH_FORBIDDEN": "您的角色无权执行此操作。",
    "error.VALIDATION_FAILED": "提交的内容无效。",
    "error.RATE_LIMITED": "操作过于频繁，请稍后再试。",
    "error.generic": "操作失败",
    "error.network": "无法连接到服务器。",
    "error.ALARM_NOT_FOUND": "找不到该警报。",
    "error.ALARM_STATE_CONFLICT": "警报状态已改变（可能已被他人处理）。",
    "error.AUTH_REQUIRED": "登录已过期，请重新登录。",
    "help.keys": "快捷键：a 确认最上方未确认警报 · j/k 或 ↑/↓ 选择 · Enter 打开 · Esc 关闭",
  },
  en: {
    "app.title": "Anxin · Command Center",
    "app.brand": "Anxin · Command Center",
    "app.newAlarm": "[NEW ALARM]",
    "lang.switch": "中文",
    "lang.switchLang": "zh-CN",
    "login.heading": "Operator sign-in",
    "login.username": "Username",
    "login.password": "Password",
    "login.submit": "Sign in",
    "login.busy": "Signing in…",
    "login.invalid": "Wrong username or password.",
    "login.rateLimited": "Too many attempts. Please wait and try again.",
    "user.role.operator": "Operator",
    "user.role.supervisor": "Supervisor",
    "user.role.admin": "Administrator",
    "user.logout": "Sign out",
    "sound.enable": "Click to enable sound",
    "sound.blocked": 'Sound is blocked by the browser: new alarms will NOT ring! Click "Click to enable sound".',
    "sound.mute": "Mute 1 min",
    "sound.muted": "Muted {s} s",
    "sound.unmute": "Unmute",
    "rt.reconnecting": "Live connection lost, reconnecting…",
    "queue.heading": "Open alarms",
    "queue.count": "{n}",
    "queue.empty": "No open alarms.",
    "queue.loading": "Loading…",
    "queue.unacked": "{n} unacknowledged",
    "col.kind": "Kind",
    "col.resident": "Resident",
    "col.address": "Address / grid",
    "col.state": "State",
    "col.received": "Received",
    "col.age": "Age",
    "col.ackBy": "Acknowledged by",
    "kind.sos": "SOS",
    "kind.service": "Service",
    "kind.test": "Test",
    "status.received": "Unacknowledged",
    "status.acknowledged": "Acknowledged",
    "status.resolved": "Resolved",
    "outcome.real": "Real emergency",
    "outcome.false_alarm": "False alarm",
    "outcome.test": "Test",
    "sex.F": "Female",
    "sex.M": "Male",
    "sex.X": "Other",
    "age.years": "{n} y",
    locating: "Locating…",
    noGrid: "No grid",
    "ackBy.none": "—",
    "detail.close": "Close",
    "detail.loading": "Loading details…",
    "detail.resident": "Resident",
    "detail.name": "Name",
    "detail.age": "Age",
    "detail.sex": "Sex",
    "detail.address": "Address",
    "detail.household": "Household",
    "detail.grid": "Grid",
    "detail.device": "Device",
    "detail.relatives": "Relatives",
    "detail.relatives.none": "No relatives on file.",
    "detail.priority": "#{n}",
    "detail.dispatch": "Dispatch suggestion",
    "detail.worker": "Community worker",
    "detail.clinic": "Clinic",
    "detail.distance": "{km} km",
    "detail.none": "None yet",
    "detail.sms": "SMS notifications",
    "detail.sms.none": "No SMS sent yet.",
    "detail.sms.attempts": "{n} attempt(s)",
    "sms.pending": "Pending",
    "sms.sent": "Sent",
    "sms.failed": "Failed",
    "detail.timeline": "Timeline",
    "detail.ack": "Acknowledge",
    "detail.resolve": "Resolve",
    "detail.outcome": "Outcome",
    "detail.outcomeChoose": "— choose —",
    "detail.note": "Note",
    "detail.notePlaceholder": "Optional: what happened",
    "detail.ackedBy": "Acknowledged by {who} at {time}",
    "detail.resolvedBy": "Resolved by {who} at {time}",
    "detail.resolvedDone": "This alarm is resolved.",
    "event.received": "Alarm received",
    "event.located": "Household located",
    "event.relatives_notified": "Relatives notified",
    "event.dispatch_suggested": "Dispatch suggested",
    "event.acknowledged": "Acknowledged",
    "event.resolved": "Resolved",
    "event.cancel_requested": "Resident asked to cancel",
    "event.stage_failed": "Processing step failed",
    "event.system": "system",
    "event.device": "device {id}",
    "event.sms_sent": "SMS sent",
    "event.sms_failed": "SMS failed",
    "event.unlocated": "Household not found",
    "event.dispatch_impossible": "Dispatch impossible",
    "event.relatives_not_notified": "Relatives not notified",
    "sms.purpose.relative": "relative #{n}",
    "sms.purpose.worker": "community worker",
    "detail.stageError": "Automatic processing error",
    "error.AUTH_FORBIDDEN": "Your role may not do this.",
    "error.VALIDATION_FAILED": "The submitted data is invalid.",
    "error.RATE_LIMITED": "Too many requests. Please wait a moment.",
    "error.generic": "Action failed",
    "error.network": "Cannot reach the server.",
    "error.ALARM_NOT_FOUND": "Alarm not found.",
    "error.ALARM_STATE_CONFLICT": "The alarm changed state (someone else may have handled it).",
    "error.AUTH_REQUIRED": "Your session has expired. Please sign in again.",
    "help.keys": "Keys: a acknowledge top unacknowledged · j/k or ↑/↓ select · Enter open · Esc close",
  },
};

let lang = initialLang();
const listeners = new Set();

function initialLang() {
  try {
    const saved = localStorage.getItem(LANG_KEY);
    if (saved && LANGS.includes(saved)) return saved;
  } catch {
    // Storage can be disabled (private mode); zh-CN is the default anyway.
  }
  return "zh-CN";
}

/** True when the operator picked a language explicitly (so the account default must not override it). */
export function hasSavedLang() {
  try {
    return LANGS.includes(localStorage.getItem(LANG_KEY) ?? "");
  } catch {
    return false;
  }
}

export function getLang() {
  return lang;
}

/** Look up `key`, filling `{name}` placeholders from `vars`. */
export function t(key, vars) {
  const table = dict[lang] ?? dict["zh-CN"];
  let s = table[key] ?? dict["zh-CN"][key] ?? key;
  if (vars) {
    for (const [k, v] of Object.entries(vars)) s = s.replaceAll(`{${k}}`, String(v));
  }
  return s;
}

/** Returns the translation only if one exists, so unknown server codes can fall back to the server message. */
export function tMaybe(key) {
  return Object.hasOwn(dict[lang], key) ? dict[lang][key] : null;
}

export function setLang(next, { persist = true } = {}) {
  if (!LANGS.includes(next)) return;
  lang = next;
  if (persist) {
    try {
      localStorage.setItem(LANG_KEY, next);
    } catch {
      // Not fatal: the choice just will not survive a reload.
    }
  }
  applyStatic();
  for (const fn of listeners) fn(lang);
}

export function onLangChange(fn) {
  listeners.add(fn);
}

/** Fill every element carrying data-i18n (text) or data-i18n-placeholder / data-i18n-title. */
export function applyStatic(root = document) {
  document.documentElement.lang = lang;
  for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll("[data-i18n-placeholder]")) el.placeholder = t(el.dataset.i18nPlaceholder);
  for (const el of root.querySelectorAll("[data-i18n-title]")) el.title = t(el.dataset.i18nTitle);
}

// Exported for a completeness check in tests and for humans reviewing the wording.
export const dictionaries = dict;
