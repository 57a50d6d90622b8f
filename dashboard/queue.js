// The open-alarm queue: the one store of AlarmSummary rows (keyed by id, so a
// reload after reconnect or a push for a known alarm replaces, never duplicates)
// and its rendering.

import { ageClock, h, kindBadge, localTime, statusBadge } from "./dom.js";
import { t } from "./i18n.js";

const alarms = new Map();
// Ids seen resolved. Status only moves forward, so a late push or list snapshot
// that still shows one of these as open is stale and must not resurrect the row.
const gone = new Set();
// Rows re-alerted by an escalation, flashing until this time (ms): see flash().
const flashUntil = new Map();
let selectedId = null;
let listEl = null;
let onOpen = () => {};

export function initQueue(el, { onRowOpen }) {
  listEl = el;
  onOpen = onRowOpen;
  // One delegated listener: rows are rebuilt on every change.
  listEl.addEventListener("click", (ev) => {
    const row = ev.target.closest(".row[data-id]");
    if (!row || ev.target.closest("a")) return;
    select(Number(row.dataset.id));
    onOpen(selectedId);
  });
}

/** Replace the whole queue with the server's list (initial load and every reconnect). */
export function replaceAll(list) {
  alarms.clear();
  for (const a of list) {
    if (isClosed(a)) gone.add(a.id);
    else if (!gone.has(a.id)) alarms.set(a.id, a);
  }
  render();
}

/** Apply one pushed or returned AlarmSummary. Resolved alarms leave the open queue. */
export function upsert(alarm) {
  const prev = alarms.get(alarm.id);
  // Pushes can overtake HTTP responses; never let an older state overwrite a newer one.
  if (gone.has(alarm.id) || (prev && rank(prev) > rank(alarm))) return;
  if (isClosed(alarm)) {
    gone.add(alarm.id);
    alarms.delete(alarm.id);
  } else alarms.set(alarm.id, alarm);
  render();
}

const STATUS_ORDER = { received: 0, acknowledged: 1, dispatched: 2, accepted: 3, on_scene: 4 };
const CLOSED = new Set(["resolved", "followed_up", "cancelled"]);

export function isClosed(alarm) {
  return CLOSED.has(alarm.status);
}

/**
 * How far an alarm has come, to drop pushes that arrive out of order. An
 * operator's acknowledgement is separate from the dispatch state (a worker may
 * be asked before anyone has acknowledged), so it counts as a half step.
 */
function rank(alarm) {
  const step = isClosed(alarm) ? 5 : (STATUS_ORDER[alarm.status] ?? 0);
  return step * 2 + (alarm.acknowledgedAt ? 1 : 0);
}

/**
 * Unacknowledged means no operator has taken it yet, whatever dispatch has done
 * meanwhile: the sound must keep going until a person in the command center acts.
 */
export function isUnacknowledged(alarm) {
  return !isClosed(alarm) && !alarm.acknowledgedAt;
}

export function clear() {
  alarms.clear();
  gone.clear();
  flashUntil.clear();
  selectedId = null;
  render();
}

/** Unacknowledged first (they need someone now), then newest first. */
export function sorted() {
  return [...alarms.values()].sort((a, b) => {
    const ua = isUnacknowledged(a) ? 0 : 1;
    const ub = isUnacknowledged(b) ? 0 : 1;
    if (ua !== ub) return ua - ub;
    const dt = Date.parse(b.receivedAt) - Date.parse(a.receivedAt);
    return dt !== 0 ? dt : b.id - a.id;
  });
}

export function unackedCount() {
  let n = 0;
  for (const a of alarms.values()) if (isUnacknowledged(a)) n += 1;
  return n;
}

export function size() {
  return alarms.size;
}

export function topUnacked() {
  return sorted().find(isUnacknowledged) ?? null;
}

export function getSelected() {
  return selectedId;
}

export function select(id) {
  selectedId = id;
  for (const row of listEl.querySelectorAll(".row[data-id]")) {
    const on = Number(row.dataset.id) === id;
    row.setAttribute("aria-selected", String(on));
    if (on) row.scrollIntoView({ block: "nearest" });
  }
}

/** Move the selection by `delta` rows (j/k, arrows); starts at the top when nothing is selected. */
export function moveSelection(delta) {
  const ids = sorted().map((a) => a.id);
  if (ids.length === 0) return;
  const i = ids.indexOf(selectedId);
  const next = i === -1 ? 0 : Math.min(ids.length - 1, Math.max(0, i + delta));
  select(ids[next]);
}

export function render() {
  if (!listEl) return;
  const rows = sorted();
  if (selectedId !== null && !alarms.has(selectedId)) selectedId = null;
  listEl.replaceChildren(...rows.map(rowEl));
  document.body.dataset.unacked = String(unackedCount());
  document.dispatchEvent(new CustomEvent("anxin:queue"));
}

/** Makes the alarm's row flash for `ms` (an escalation re-alert); rows are rebuilt, so the flag lives here. */
export function flash(id, ms) {
  flashUntil.set(id, Date.now() + ms);
  render();
  setTimeout(() => {
    if ((flashUntil.get(id) ?? 0) <= Date.now()) {
      flashUntil.delete(id);
      render();
    }
  }, ms + 50);
}

/**
 * The acknowledgement state (has an operator taken it?) and, beside it, the
 * dispatch state (whom the hub asked, who accepted, who is there). They are
 * separate because an SOS is offered to a worker before anyone acknowledges it.
 */
function stateBadges(a) {
  const ack = isUnacknowledged(a) ? statusBadge("received") : statusBadge("acknowledged");
  // A missed deadline is shown in words too, not only by the louder tone.
  const escalated = a.escalation > 0 ? h("span", { class: "badge esc" }, t("esc.badge", { n: a.escalation })) : null;
  const dispatch = dispatchState(a);
  if (dispatch === "none") return [ack, escalated];
  const badge = h("span", { class: `badge dispatch dispatch-${dispatch}` }, t(`queue.dispatch.${dispatch}`));
  if (a.worker && dispatch !== "exhausted")
    badge.append(" ", h("span", { class: "wname", content: true }, a.worker.name));
  return [ack, escalated, badge];
}

/**
 * offered | accepted | on_scene from the status and the current worker; a
 * dispatched alarm with no current worker means every ranked worker was asked
 * or passed over (dispatch_exhausted), so an operator must pick someone.
 */
export function dispatchState(a) {
  if (a.status === "dispatched") return a.worker ? "offered" : "exhausted";
  if (a.status === "accepted") return "accepted";
  if (a.status === "on_scene") return "on_scene";
  return "none";
}

function rowEl(a) {
  const located = a.household !== null && a.resident !== null;
  const resident = a.resident
    ? [
        h("span", { class: "name", content: true }, a.resident.name),
        " ",
        h("span", { class: "years" }, t("age.years", { n: a.resident.age })),
      ]
    : [h("span", { class: "locating" }, t("locating"))];
  const where = a.household
    ? [
        h("span", { class: "addr", content: true }, a.household.address),
        a.household.gridName
          ? h("span", { class: "grid", content: true }, a.household.gridName)
          : h("span", { class: "grid" }, t("noGrid")),
      ]
    : [h("span", { class: "locating" }, t("locating"))];
  return h(
    "div",
    {
      class: `row row-${a.status} row-kind-${a.kind}${(flashUntil.get(a.id) ?? 0) > Date.now() ? " row-reflash" : ""}`,
      role: "option",
      "aria-selected": String(a.id === selectedId),
      dataset: {
        id: a.id,
        status: a.status,
        unacked: String(isUnacknowledged(a)),
        dispatch: dispatchState(a),
        kind: a.kind,
        located: String(located),
        escalation: String(a.escalation ?? 0),
      },
    },
    h("span", { class: "c-kind" }, kindBadge(a.kind)),
    h("span", { class: "c-resident" }, resident),
    h("span", { class: "c-where" }, where),
    h("span", { class: "c-state" }, ...stateBadges(a)),
    h("span", { class: "c-received" }, h("time", { datetime: a.receivedAt }, localTime(a.receivedAt))),
    h("span", { class: "c-age clock", dataset: { since: a.receivedAt } }, ageClock(a.receivedAt)),
    h(
      "span",
      { class: "c-ack" },
      a.acknowledgedBy ? h("span", { class: "ack-by", content: true }, a.acknowledgedBy) : t("ackBy.none"),
    ),
  );
}

/** Called every second: only the clocks change, so do not rebuild rows (that would reset hover/scroll). */
export function tickClocks() {
  if (!listEl) return;
  for (const el of listEl.querySelectorAll(".clock[data-since]")) el.textContent = ageClock(el.dataset.since);
}
