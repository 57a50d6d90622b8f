// @ts-check
// Calling back from the alarm's detail (issue 14). A button names whom to call; the hub
// finds the number and rings the operator's own phone first, then connects the callee with
// the center's number. Each call is listed with what Twilio reported of the callee's leg
// (live: every console re-reads on the push), the operator's one-click result, and, for
// supervisors, the recording. Rebuilt on every render: it holds no text being typed.

/** @import { AlarmDetail, CallMark, CallTarget, ConsoleCallView, MarkCall, PlaceCall } from "../protocol/console/index.ts" */
/** @import { Child } from "./dom.js" */

import { h, localTime } from "./dom.js";
import { request } from "./http.js";
import { t, tMaybe } from "./i18n.js";
import { isClosed } from "./queue.js";

/** The results an operator can mark, per whom the call was to. @type {Readonly<Record<CallTarget, readonly CallMark[]>>} */
const MARKS = {
  resident: ["resident_ok", "resident_needs_help", "no_answer"],
  landline: ["resident_ok", "resident_needs_help", "no_answer"],
  relative: ["relative_reached", "no_answer"],
  worker: ["no_answer"],
  key_holder: ["no_answer"],
};

/**
 * @param {number} id
 * @param {string} rest
 */
const alarmPath = (id, rest) => `/api/alarms/${encodeURIComponent(id)}/${rest}`;

/** @param {number} s */
function duration(s) {
  const m = Math.floor(s / 60);
  return m > 0 ? t("call.durationMin", { m, s: s % 60 }) : t("call.durationS", { s });
}

/**
 * What the callee's leg did, in words; before Twilio reports it, what the operator's own leg did.
 * @param {ConsoleCallView} call
 */
function stateText(call) {
  if (call.status) {
    const words = tMaybe(`call.status.${call.status}`) ?? call.status;
    return call.status === "completed" && call.durationS !== null ? `${words} · ${duration(call.durationS)}` : words;
  }
  if (
    call.operatorLeg.outbox === "failed" ||
    ["busy", "no-answer", "failed", "canceled"].includes(call.operatorLeg.status ?? "")
  ) {
    return t("call.operatorMissed");
  }
  return call.operatorLeg.outbox === "sent" ? t("call.ringingYou") : t("call.placing");
}

function isSupervisor() {
  return document.getElementById("user-role")?.dataset.role === "supervisor";
}

/**
 * @param {AlarmDetail} a
 * @param {{ reload: () => Promise<void>, showError: (err: unknown) => void }} handlers
 */
export function callsCard(a, { reload, showError }) {
  // One request per click: the button stays disabled until the hub answers (a double click must not ring the
  // operator's phone twice, nor mark a call twice); a failure enables it again.
  /**
   * @param {MouseEvent} ev the click on the button
   * @param {string} path
   * @param {PlaceCall | MarkCall} body
   */
  const act = async (ev, path, body) => {
    const button = ev.currentTarget;
    if (!(button instanceof HTMLButtonElement)) return;
    button.disabled = true;
    try {
      await request("POST", alarmPath(a.id, path), body);
      showError(null);
      await reload();
    } catch (err) {
      button.disabled = false;
      showError(err);
    }
  };
  const open = !isClosed(a);
  /**
   * @param {string | null} key the button's words, unless `label` gives them
   * @param {PlaceCall} body
   * @param {Child} [label]
   */
  const callButton = (key, body, label) =>
    h(
      "button",
      {
        type: "button",
        class: "btn call-btn",
        dataset: { target: body.target, ...(body.relativeId ? { relative: String(body.relativeId) } : {}) },
        onclick: (/** @type {MouseEvent} */ ev) => act(ev, "calls", body),
      },
      label ?? t(key ?? ""),
    );
  const buttons = open
    ? [
        a.callable?.resident ? callButton("call.resident", { target: "resident" }) : null,
        a.callable?.landline ? callButton("call.landline", { target: "landline" }) : null,
        // The relative's name is registry content, kept apart from the interface words (and shown as text).
        ...(a.relatives ?? []).map((r) =>
          callButton(null, { target: "relative", relativeId: r.id }, [
            t("call.relative"),
            " ",
            h("span", { content: true }, r.name),
          ]),
        ),
        a.callable?.worker ? callButton("call.worker", { target: "worker" }) : null,
        a.callable?.keyHolder ? callButton("call.keyHolder", { target: "key_holder" }) : null,
      ].filter(Boolean)
    : [];
  const rows = (a.calls ?? []).map((call) => {
    const marks =
      call.mark === null
        ? (MARKS[call.target] ?? []).map((mark) =>
            h(
              "button",
              {
                type: "button",
                class: "btn btn-small mark-btn",
                dataset: { mark },
                onclick: (/** @type {MouseEvent} */ ev) => act(ev, `calls/${call.id}/mark`, { mark }),
              },
              t(`call.mark.${mark}`),
            ),
          )
        : [
            h(
              "span",
              { class: "call-mark" },
              t(`call.mark.${call.mark}`),
              " · ",
              h("span", { content: true }, call.markedBy ?? "?"),
            ),
          ];
    const play =
      call.recorded && isSupervisor()
        ? h(
            "button",
            {
              type: "button",
              class: "btn btn-small play-btn",
              onclick: (/** @type {MouseEvent} */ ev) => {
                const audio = h("audio", {
                  controls: true,
                  autoplay: true,
                  src: alarmPath(a.id, `calls/${call.id}/recording`),
                });
                if (ev.currentTarget instanceof Element) ev.currentTarget.replaceWith(audio);
              },
            },
            t("call.play"),
          )
        : null;
    return h(
      "li",
      { class: "call", dataset: { id: String(call.id), status: call.status ?? "" } },
      h("time", { datetime: call.at }, localTime(call.at)),
      " ",
      h(
        "span",
        { class: "call-who" },
        h("span", { content: true }, call.by),
        " → ",
        h("span", { content: true }, call.name),
        t("call.targetNote", { target: t(`call.target.${call.target}`) }),
      ),
      " · ",
      h("span", { class: "call-state" }, stateText(call)),
      h("span", { class: "call-marks" }, ...marks, play),
    );
  });
  if (buttons.length === 0 && rows.length === 0) return null;
  return h(
    "section",
    { class: "card calls-card", id: "calls-card" },
    h("h3", {}, t("call.title")),
    buttons.length ? h("div", { class: "call-buttons" }, ...buttons) : null,
    rows.length ? h("ol", { class: "calls" }, ...rows) : null,
  );
}
