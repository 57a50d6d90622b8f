// One device's health beside the fault tables (#/devices/<id>), from
// `GET /api/devices/:id/health`: last heard, battery, open faults, the last
// test, recent events, and the "test now" drill (`POST /api/devices/:id/test`).
// Re-read whenever a fault or test frame names the device, so a drill's
// progress (requested → answered → completed, or failed) shows live.

import { serverNow } from "./clock.js";
import { ageClock, h, localTime } from "./dom.js";
import { request } from "./http.js";
import { t, tMaybe } from "./i18n.js";

const EVENTS_SHOWN = 10;
let el = null;
let deviceId = null;
let health = null;
let failure = null;
let drill = null; // { state: "busy" | "created" | "pending" | "error", message? }
let canDrill = false;
let seq = 0;

export function initHealth(container) {
  el = container;
}

export function setCanDrill(allowed) {
  canDrill = allowed;
}

export function current() {
  return deviceId;
}

/** Running time since `iso` (mm:ss, h:mm:ss, then days), for faults that can stand for days. */
export function sinceText(iso) {
  const secs = Math.max(0, Math.floor((serverNow() - Date.parse(iso)) / 1000));
  if (secs < 86_400) return ageClock(iso);
  const rest = secs % 86_400;
  const pad = (n) => String(n).padStart(2, "0");
  const hms = `${Math.floor(rest / 3600)}:${pad(Math.floor(rest / 60) % 60)}:${pad(rest % 60)}`;
  return t("dev.days", { d: Math.floor(secs / 86_400), hms });
}

/** A sentence with a live clock in it: "{d} ago" / "{d} 前" keep each language's word order. */
export function withClock(key, since) {
  const [before, after = ""] = t(key).split("{d}");
  return [before, h("span", { class: "dev-dur", dataset: { since } }, sinceText(since)), after];
}

export function open(id) {
  el.hidden = false;
  if (id === deviceId) return render();
  deviceId = id;
  health = null;
  drill = null;
  load();
}

export function close() {
  seq += 1;
  deviceId = null;
  health = null;
  failure = null;
  drill = null;
  if (!el) return;
  el.hidden = true;
  el.replaceChildren();
}

/** A frame about `id` arrived: re-read its health if it is the one shown. */
/** Pushed changes named these devices: re-read the health on screen if it is one of them (once). */
export function devicesChanged(ids) {
  if (deviceId !== null && ids.includes(deviceId)) load();
}

async function load() {
  const mine = ++seq;
  const id = deviceId;
  // A re-read keeps the current facts on screen until the new ones arrive.
  if (!health) render();
  try {
    const data = await request("GET", `/api/devices/${encodeURIComponent(id)}/health`);
    if (mine !== seq) return; // another device was opened, or a newer frame asked again
    health = data;
    failure = null;
  } catch (err) {
    if (mine !== seq) return;
    failure = errorText(err);
  }
  render();
}

async function startDrill() {
  const id = deviceId;
  drill = { state: "busy" };
  render();
  try {
    const { created } = await request("POST", `/api/devices/${encodeURIComponent(id)}/test`);
    drill = { state: created ? "created" : "pending" };
  } catch (err) {
    drill = { state: "error", message: errorText(err) };
  }
  if (id === deviceId) load();
}

function errorText(err) {
  return tMaybe(`error.${err.code}`) ?? `${err.message} [${err.code}]`;
}

export function render() {
  if (!el || deviceId === null) return;
  el.dataset.deviceId = deviceId;
  el.dataset.state = failure ? "error" : health ? "ready" : "loading";
  el.dataset.testStatus = health?.lastTest?.status ?? "none";
  const head = h(
    "header",
    { class: "dev-health-head" },
    h("h3", { id: "dev-health-title" }, t("dev.healthOf"), " ", h("span", { content: true }, deviceId)),
    h("a", { href: "#/devices", class: "btn", id: "dev-health-close" }, t("dev.close")),
  );
  if (failure) return el.replaceChildren(head, h("p", { class: "form-error", role: "alert" }, failure));
  if (!health) return el.replaceChildren(head, h("p", { class: "muted" }, t("dev.loading")));
  el.replaceChildren(head, facts(health), drillBox(), lastTest(health.lastTest), events(health.events));
}

function fact(key, ...value) {
  return [h("dt", {}, t(`dev.h.${key}`)), h("dd", { dataset: { fact: key } }, ...value)];
}

function facts(x) {
  const openKinds = x.openFaults.map((f) =>
    h("span", { class: `badge dev-kind dev-kind-${f.kind}` }, kindLabel(f.kind)),
  );
  const heard = x.lastSeenAt
    ? [h("time", { datetime: x.lastSeenAt }, localTime(x.lastSeenAt)), " · ", ...withClock("dev.ago", x.lastSeenAt)]
    : [t("dev.never")];
  return h(
    "dl",
    { class: "dev-facts" },
    fact("status", t(`dev.health.${x.health}`), " · ", t(x.online ? "dev.online" : "dev.notOnline")),
    fact("lastSeen", ...heard),
    fact("battery", x.battery === null ? "—" : `${x.battery} %`),
    fact("firmware", x.firmware ? h("span", { content: true }, x.firmware) : "—"),
    fact("heartbeat", t("dev.everyS", { s: x.heartbeatIntervalS })),
    fact("openFaults", ...(openKinds.length ? openKinds : [t("dev.noneOpen")])),
    fact("nextTest", x.nextTestDueAt ? localTime(x.nextTestDueAt) : t("dev.noSchedule")),
  );
}

export function kindLabel(kind) {
  return tMaybe(`dev.kind.${kind}`) ?? kind;
}

function drillBox() {
  if (!canDrill) return "";
  const busy = drill?.state === "busy";
  const message = drill && !busy ? (drill.state === "error" ? drill.message : t(`dev.drill.${drill.state}`)) : "";
  return h(
    "div",
    { class: "dev-drill" },
    h("button", { type: "button", class: "btn btn-primary", id: "dev-drill", disabled: busy, onclick: startDrill }, [
      t("dev.drill"),
    ]),
    h("span", { class: "muted" }, t("dev.drillHint")),
    h(
      "p",
      { id: "dev-drill-result", class: drill?.state === "error" ? "form-error" : "dev-drill-ok", hidden: !message },
      message,
    ),
  );
}

function lastTest(test) {
  const body = test
    ? h(
        "p",
        { class: "dev-test", dataset: { status: test.status, trigger: test.trigger } },
        h("span", { class: `badge dev-test-${test.status}` }, t(`dev.test.${test.status}`)),
        " ",
        t(`dev.trigger.${test.trigger}`),
        " · ",
        t("dev.requestedAt", { time: localTime(test.requestedAt) }),
        " · ",
        actor(test.requestedBy),
        test.finishedAt ? ` · ${t("dev.finishedAt", { time: localTime(test.finishedAt) })}` : "",
      )
    : h("p", { class: "muted" }, t("dev.noTest"));
  return h("section", { class: "dev-sub" }, h("h4", {}, t("dev.lastTest")), body);
}

function actor(who) {
  if (who === "system") return t("event.system");
  return h("span", { content: true }, who.replace(/^(user|device):/, ""));
}

function events(list) {
  const rows = list
    .slice(0, EVENTS_SHOWN)
    .map((e) =>
      h(
        "li",
        { dataset: { type: e.type } },
        h("time", { datetime: e.at }, localTime(e.at)),
        " ",
        tMaybe(`dev.event.${e.type}`) ?? e.type,
        e.detail?.kind ? ` (${kindLabel(e.detail.kind)})` : "",
        " · ",
        actor(e.actor),
      ),
    );
  return h(
    "section",
    { class: "dev-sub" },
    h("h4", {}, t("dev.events")),
    rows.length ? h("ol", { class: "dev-events" }, rows) : h("p", { class: "muted" }, t("dev.noEvents")),
  );
}
