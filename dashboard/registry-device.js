// @ts-check
// A call button's page: its state, the household it is bound to, and admin's
// actions: provision (new), bind or unbind, rotate the secret, revoke.
// A secret exists in exactly one hub response (provision or rotate). It is shown
// here once, in a panel that says so, and is gone as soon as the page changes:
// it is never stored by this console, never put in the URL, never logged.

/** @import { DetailContext } from "./registry-detail.js" */

import { confirmDialog } from "./dialog.js";
import { h, localTime } from "./dom.js";
import { apiErrorOf, createForm } from "./form.js";
import { ApiError } from "./http.js";
import { t, tMaybe } from "./i18n.js";
import { householdByCode, registry } from "./registry-api.js";
import { detailHeader } from "./registry-detail.js";
import { deviceStatusBadge } from "./registry-resources.js";

/** Refused here, before the hub is asked: the form shows it beside the household code. */
function notFoundHousehold() {
  return new ApiError(0, "HOUSEHOLD_CODE_UNKNOWN", "no household with this code", [
    { field: "body.householdCode", message: t("reg.msg.noHousehold") },
  ]);
}

/**
 * The id of the household a form's code names, null when none is typed.
 * @param {unknown} code the form's value
 */
async function householdIdFor(code) {
  if (!code) return null;
  const household = await householdByCode(String(code));
  if (!household) throw notFoundHousehold();
  return household.id;
}

/**
 * The one-time secret, with a copy button and a notice that it will not be shown again.
 * @param {string} deviceId
 * @param {string} secret
 * @param {() => void} onDone
 */
function secretPanel(deviceId, secret, onDone) {
  const status = h("span", { class: "copy-status", id: "copy-status", role: "status" });
  const code = h("code", { class: "secret", id: "device-secret", content: true }, secret);
  const copy = h("button", { type: "button", class: "btn btn-primary", id: "copy-secret" }, t("reg.secret.copy"));
  copy.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(secret);
      status.textContent = t("reg.secret.copied");
    } catch {
      // No clipboard permission (plain http on another host): select it for Ctrl+C instead.
      getSelection()?.selectAllChildren(code);
      status.textContent = t("reg.secret.selectToCopy");
    }
  });
  const done = h("button", { type: "button", class: "btn", id: "secret-done", onclick: onDone }, t("reg.secret.done"));
  return h(
    "section",
    { class: "secret-once", id: "secret-panel", role: "alert" },
    h("h3", {}, t("reg.secret.title", { id: deviceId })),
    h("p", { class: "notice" }, t("reg.secret.once")),
    h("div", { class: "secret-row" }, code, copy, status),
    h("p", { class: "muted" }, t("reg.secret.how")),
    done,
  );
}

/**
 * @param {HTMLElement} container
 * @param {string | number} id a device's id, or "new"
 * @param {DetailContext} ctx
 */
export async function renderDevice(container, id, ctx) {
  if (id === "new") return renderProvision(container, ctx);
  const device = await registry.get("devices", id);
  if (!ctx.current()) return;
  const error = h("div", { class: "form-error", role: "alert", hidden: true });
  /** @param {unknown} failure */
  const fail = (failure) => {
    const err = apiErrorOf(failure);
    error.replaceChildren(`${t("error.generic")}: ${tMaybe(`error.${err.code}`) ?? err.message} [${err.code}]`);
    error.hidden = false;
  };
  /** @param {string} secret */
  const showSecret = (secret) => {
    container.replaceChildren(
      detailHeader("devices", device.id, ctx),
      secretPanel(device.id, secret, () => ctx.saved(device.id, null)),
    );
    container.dataset.mode = "secret";
  };

  const facts = h(
    "dl",
    { class: "facts device-facts" },
    h("dt", {}, t("reg.f.status")),
    h("dd", {}, deviceStatusBadge(device)),
    h("dt", {}, t("reg.f.household")),
    h(
      "dd",
      { content: true },
      device.household
        ? h(
            "a",
            { href: `#/registry/households/${device.household.id}` },
            `${device.household.code} · ${device.household.address}`,
          )
        : "—",
    ),
    h("dt", {}, t("reg.f.lastSeen")),
    h("dd", {}, localTime(device.lastSeenAt)),
    h("dt", {}, t("reg.f.battery")),
    h("dd", {}, device.battery === null ? "—" : `${device.battery}%`),
    h("dt", {}, t("reg.f.firmware")),
    h("dd", { content: true }, device.firmware ?? "—"),
    h("dt", {}, t("reg.f.createdAt")),
    h("dd", {}, localTime(device.createdAt)),
    h("dt", {}, t("reg.f.secretRotatedAt")),
    h("dd", {}, localTime(device.secretRotatedAt)),
    device.revokedAt ? [h("dt", {}, t("reg.f.revokedAt")), h("dd", {}, localTime(device.revokedAt))] : null,
  );

  const parts = [detailHeader("devices", device.id, ctx), error, facts];
  if (ctx.canWrite && device.status === "active") {
    const bind = createForm({
      fields: [{ name: "householdCode", label: "reg.f.householdCode", placeholder: "KL-H0001", hint: "reg.hint.bind" }],
      values: { householdCode: device.household?.code ?? null },
      editable: true,
      submitKey: "reg.device.bind",
      onSubmit: async (v) => {
        await registry.bind(device.id, await householdIdFor(v.householdCode));
        ctx.saved(device.id, v.householdCode ? "reg.device.bound" : "reg.device.unbound");
      },
    });
    const rotate = h("button", { type: "button", class: "btn btn-warn", id: "device-rotate" }, t("reg.device.rotate"));
    rotate.addEventListener("click", async () => {
      /** @type {boolean} */
      const ok = await confirmDialog({
        title: t("reg.device.rotateConfirm.title", { id: device.id }),
        body: t("reg.device.rotateConfirm.body"),
        confirmText: t("reg.device.rotate"),
      });
      if (!ok) return;
      registry.rotate(device.id).then(({ secret }) => showSecret(secret), fail);
    });
    const revoke = h(
      "button",
      { type: "button", class: "btn btn-danger", id: "device-revoke" },
      t("reg.device.revoke"),
    );
    revoke.addEventListener("click", async () => {
      /** @type {boolean} */
      const ok = await confirmDialog({
        title: t("reg.device.revokeConfirm.title", { id: device.id }),
        body: t("reg.device.revokeConfirm.body"),
        confirmText: t("reg.device.revoke"),
        danger: true,
      });
      if (!ok) return;
      registry.revoke(device.id).then(() => ctx.saved(device.id, "reg.device.revoked"), fail);
    });
    parts.push(
      h("section", { class: "reg-section" }, h("h3", {}, t("reg.device.bindTitle")), bind.el),
      h(
        "section",
        { class: "reg-section device-actions" },
        h("h3", {}, t("reg.device.actions")),
        h("p", { class: "muted" }, t("reg.device.actionsHint")),
        h("div", { class: "form-buttons" }, rotate, revoke),
      ),
    );
  } else if (device.status === "revoked") {
    parts.push(h("p", { class: "muted" }, t("reg.device.revokedNote")));
  }
  container.replaceChildren(...parts);
  container.dataset.mode = ctx.canWrite ? "edit" : "view";
}

/**
 * @param {HTMLElement} container
 * @param {DetailContext} ctx
 */
function renderProvision(container, ctx) {
  const form = createForm({
    fields: [
      { name: "id", label: "reg.f.deviceId", required: true, placeholder: "KL-0241", hint: "reg.hint.deviceId" },
      { name: "householdCode", label: "reg.f.householdCode", placeholder: "KL-H0001", paths: ["householdId"] },
    ],
    editable: true,
    submitKey: "reg.device.provision",
    codeFields: { REGISTRY_DUPLICATE: "id" },
    onSubmit: async (v) => {
      const householdId = await householdIdFor(v.householdCode);
      const id = String(v.id); // required: the form sends nothing without it
      const { device, secret } = await registry.provision(householdId ? { id, householdId } : { id });
      ctx.reloadList();
      container.replaceChildren(
        detailHeader("devices", device.id, ctx),
        secretPanel(device.id, secret, () => ctx.go("devices", device.id)),
      );
      container.dataset.mode = "secret";
    },
  });
  container.replaceChildren(detailHeader("devices", null, ctx), form.el);
  container.dataset.mode = "create";
}
