/**
 * The family page as server-rendered HTML: no script at all, one inline style
 * allowed by its hash in the Content-Security-Policy, every interpolated text
 * escaped. Mobile first: one column, large type, a big call button.
 */
import { createHash } from "node:crypto";
import { formatTime } from "../notify/sms-text.ts";
import type { FamilyView } from "./family-page.ts";
import { BUSY_WORDS, FAMILY_PAGE_WORDS, INVALID_LINK_WORDS } from "./family-page-texts.ts";

const STYLE = `
*{box-sizing:border-box}
body{margin:0;font:18px/1.5 system-ui,-apple-system,"PingFang SC","Noto Sans CJK SC","Microsoft YaHei",sans-serif;color:#1a1a1a;background:#f4f6f8}
main{max-width:34rem;margin:0 auto;padding:1rem}
.brand{margin:0;color:#0b6e4f;font-weight:700;letter-spacing:.05em}
h1{font-size:1.4rem;margin:.3rem 0 1rem}
.now{margin:0 0 1.2rem;padding:1rem;border-radius:.6rem;background:#fff3cd;border-left:.4rem solid #b58100;font-size:1.15rem;font-weight:600}
.now.done{background:#e3f4ea;border-color:#0b6e4f}
ol{list-style:none;margin:0 0 1.5rem;padding:0}
li{display:flex;gap:.8rem;padding:.6rem 0;border-bottom:1px solid #dde2e6}
li::before{content:"";flex:none;width:1rem;height:1rem;margin-top:.3rem;border-radius:50%;border:.15rem solid #8a949c;background:#fff}
li.done::before{background:#0b6e4f;border-color:#0b6e4f}
li.todo{color:#5f6b73}
li .label{flex:1}
.call .num{white-space:nowrap}
time,.muted{color:#4a555c;white-space:nowrap}
.call{display:block;text-align:center;padding:1rem;border-radius:.6rem;background:#0b6e4f;color:#fff;font-size:1.2rem;font-weight:700;text-decoration:none}
.meta{margin:1rem 0 .5rem;color:#4a555c}
.meta a{color:#0b5394}
.note{font-size:.9rem;color:#4a555c}
`;

/** The only style the page may use; nothing else runs or loads. */
export const FAMILY_PAGE_CSP = [
  "default-src 'none'",
  `style-src 'sha256-${createHash("sha256").update(STYLE).digest("base64")}'`,
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function telHref(phone: string): string {
  return `tel:${phone.replace(/[^+0-9]/g, "")}`;
}

function page(lang: string, title: string, body: string): string {
  return `<!doctype html>
<html lang="${escapeHtml(lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex, nofollow">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body><main>
${body}
</main></body>
</html>
`;
}

function callButton(phone: string | null, label: string): string {
  if (!phone) return "";
  return `<a class="call" href="${escapeHtml(telHref(phone))}">${escapeHtml(label)} <span class="num">${escapeHtml(phone)}</span></a>`;
}

export function renderFamilyPage(view: FamilyView): string {
  const words = FAMILY_PAGE_WORDS[view.language];
  const p = view.progress;
  const time = (iso: string) =>
    `<time datetime="${escapeHtml(iso)}">${escapeHtml(formatTime(new Date(iso), view.language, view.timeZone))}</time>`;
  const step = (name: string, label: string, at: string | null, shown = true) => {
    if (!shown) return "";
    const done = at !== null;
    const when = done ? time(at) : `<span class="muted">${escapeHtml(words.notYet)}</span>`;
    return `<li class="${done ? "done" : "todo"}" data-step="${name}"><span class="label">${escapeHtml(label)}</span>${when}</li>`;
  };
  const worker = p.arrived?.workerName ?? p.onTheWay?.workerName ?? "";
  const now = p.closed
    ? p.closed.outcome === "help_given"
      ? words.now.helpGiven
      : words.now.allWell
    : p.arrived
      ? words.now.arrived(worker)
      : p.onTheWay
        ? words.now.onTheWay(worker)
        : words.now.waiting;
  // Once closed, steps that never happened (no worker was needed) are left out rather than shown as pending.
  const open = p.closed === null;
  const steps = [
    step("received", words.steps.received, p.receivedAt),
    step("acknowledged", words.steps.acknowledged, p.acknowledgedAt, open || p.acknowledgedAt !== null),
    step(
      "on_the_way",
      words.steps.onTheWay(p.onTheWay?.workerName ?? ""),
      p.onTheWay?.at ?? null,
      open || !!p.onTheWay,
    ),
    step("arrived", words.steps.arrived, p.arrived?.at ?? null, open || p.arrived !== null),
    step(
      "closed",
      p.closed?.outcome === "help_given" ? words.steps.helpGiven : words.steps.allWell,
      p.closed?.at ?? null,
      !open,
    ),
  ].join("\n");
  const body = `<p class="brand">安心 Anxin</p>
<h1>${escapeHtml(words.heading(p.residentName))}</h1>
<p class="now${p.closed ? " done" : ""}" role="status">${escapeHtml(now)}</p>
<ol>
${steps}
</ol>
${callButton(view.centerPhone, words.call)}
<p class="meta">${escapeHtml(words.updatedAt(formatTime(view.now, view.language, view.timeZone)))} · <a href="">${escapeHtml(words.refresh)}</a></p>
<p class="note">${escapeHtml(words.note)}</p>`;
  return page(view.language, words.title, body);
}

/** For a token that is unknown or expired alike: it must not tell the two apart. */
export function renderInvalidLinkPage(centerPhone: string | null): string {
  const lines = INVALID_LINK_WORDS.lines.map((l) => `<p class="now">${escapeHtml(l)}</p>`).join("\n");
  const body = `<p class="brand">安心 Anxin</p>\n${lines}\n${callButton(centerPhone, INVALID_LINK_WORDS.call)}`;
  return page("zh-CN", INVALID_LINK_WORDS.title, body);
}

export function renderBusyPage(): string {
  const lines = BUSY_WORDS.lines.map((l) => `<p class="now">${escapeHtml(l)}</p>`).join("\n");
  return page("zh-CN", BUSY_WORDS.title, `<p class="brand">安心 Anxin</p>\n${lines}`);
}
