// @ts-check
// One device's health beside the fault tables (#/devices/<id>), from
// `GET /api/devices/:id/health`: last heard, battery, open faults, the last
// test, recent events, and the "test now" drill (`POST /api/devices/:id/test`).
// Re-read whenever a fault or test frame names the device, so a drill's
// progress (requested → answered → completed, or failed) shows live.

/** @import { DeviceHealth, DeviceTest, DrillReply } from "../protocol/console/index.ts" */
/** @import { Child } from "./dom.js" */

import { serverNow } from "./clock.js";
import { deviceEventSummary } from "./device-event-summary.js";
import { ageClock, h, localTime } from "./dom.js";
import { ApiError, request } from "./http.js";
import { t, tMaybe } from "./i18n.js";
import { codeText } from "./reasons.js";

/**
 * Where the "test now" drill stands: asked (busy), answered (a test was created, or one was pending), or refused.
 * @typedef {{ state: "busy" | "created" | "pending" } | { state: "error", message: string }} Drill
 */
/** One line of the recent events. @typedef {DeviceHealth["events"][number]} HealthEvent */

const EVENTS_SHOWN = 10;
/** @type {HTMLElement | null} */
let el = null;
/** @type {string | null} */
let deviceId = null;
/** @type {DeviceHealth | null} */
let health = null;
/** @type {string | null} */
let failure = null;
/** @type {Drill | null} */
let drill = null;
let canDrill = false;
let seq = 0;

/** @param {HTMLElement} container */
export function initHealth(container) {
  el = container;
}

/** @param {boolean} allowed */
export function setCanDrill(allowed) {
  canDrill = allowed;
}

export function current() {
  return deviceId;
}

/**
 * Running time since `iso` (mm:ss, h:mm:ss, then days), for faults that can stand for days.
 * @param {string} iso
 */
export function sinceText(iso) {
  const secs = Math.max(0, Math.floor((serverNow() - Date.parse(iso)) / 1000));
  if (secs < 86_400) return ageClock(iso);
  const rest = secs % 86_400;
  /** @param {number} n */
  const pad = (n) => String(n).padStart(2, "0");
  const hms = `${Math.floor(rest / 3600)}:${pad(Math.floor(rest / 60) % 60)}:${pad(rest % 60)}`;
  return t("dev.days", { d: Math.floor(secs / 86_400), hms });
}

/**
 * A sentence with a live clock in it: "{d} ago" / "{d} 前" keep each language's word order.
 * @param {string} key
 * @param {string} since
 */
export function withClock(key, since) {
  const [before, after = ""] = t(key).split("{d}");
  return [before, h("span", { class: "dev-dur", dataset: { since } }, sinceText(since)), after];
}

/** @param {string} id */
export function open(id) {
  if (!el) return;
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

/**
 * Pushed changes named these devices: re-read the health on screen if it is one of them (once).
 * @param {readonly string[]} ids
 */
export function devicesChanged(ids) {
  if (deviceId !== null && ids.includes(deviceId)) load();
}

async function load() {
  const mine = ++seq;
  const id = deviceId;
  if (id === null) return;
  // A re-read keeps the current facts on screen until the new ones arrive.
  if (!health) render();
  try {
    /** @type {DeviceHealth} */
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
  if (id === null) return;
  drill = { state: "busy" };
  render();
  try {
    /** @type {DrillReply} */
    const { created } = await request("POST", `/api/devices/${encodeURIComponent(id)}/test`);
    drill = { state: created ? "created" : "pending" };
  } catch (err) {
    drill = { state: "error", message: errorText(err) };
  }
  if (id === deviceId) load();
}

/** @param {unknown} err */
function errorText(err) {
  if (!(err instanceof ApiError)) return err instanceof Error ? err.message : String(err);
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

/**
 * @param {string} key
 * @param {...Child} value
 */
function fact(key, ...value) {
  return [h("dt", {}, t(`dev.h.${key}`)), h("dd", { dataset: { fact: key } }, ...value)];
}

/** @param {DeviceHealth} x */
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

/** @param {string} kind */
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

/** @param {DeviceTest | null} test */
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

/** @param {string} who */
function actor(who) {
  if (who === "system") return t("event.system");
  return h("span", { content: true }, who.replace(/^(user|device):/, ""));
}

/** @param {readonly HealthEvent[]} list */
function events(list) {
  const rows = list.slice(0, EVENTS_SHOWN).map((e) => {
    const summary = deviceEventSummary(e);
    const name = tMaybe(`dev.event.${e.type}`);
    return h(
      "li",
      { dataset: { type: e.type } },
      h("time", { datetime: e.at }, localTime(e.at)),
      " ",
      name ?? codeText(e.type),
      summary.length ? [" · ", h("span", { class: "ev-detail" }, summary)] : null,
      " · ",
      actor(e.actor),
    );
  });
  return h(
    "section",
    { class: "dev-sub" },
    h("h4", {}, t("dev.events")),
    rows.length ? h("ol", { class: "dev-events" }, rows) : h("p", { class: "muted" }, t("dev.noEvents")),
  );
}
