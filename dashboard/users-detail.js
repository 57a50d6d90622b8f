// One account on the Users page: its form (create, or edit display name, role,
// language, phone or SIP address, worker record), and its actions: reset the
// password, disable, enable. A new account's or a reset's one-time password is
// shown once, in a panel with a copy button, and then only the person knows it.
// The hub's refusals land beside the field they concern (form.js).

import { confirmDialog } from "./dialog.js";
import { h } from "./dom.js";
import { changed, createForm } from "./form.js";
import { t } from "./i18n.js";
import { accounts as api } from "./users-api.js";

const ROLES = ["operator", "supervisor", "admin", "worker", "monitor"];
const CODE_FIELDS = {
  USER_EXISTS: "username",
  USER_WORKER_LINK_INVALID: "workerId",
  USER_WORKER_TAKEN: "workerId",
  WORKER_NOT_FOUND: "workerId",
  USER_LAST_ADMIN: "role",
  USER_IS_SELF: "role",
};
let renders = 0;

/** enabled | disabled | mustChange: what the list's badge and the tests read. */
export function stateOf(account) {
  if (account.disabled) return "disabled";
  return account.mustChangePassword ? "mustChange" : "enabled";
}

function fields(creating, workerOptions) {
  return [
    creating ? { name: "username", label: "users.f.username", required: true, hint: "users.hint.username" } : null,
    { name: "displayName", label: "users.f.displayName", required: true },
    {
      name: "role",
      label: "users.f.role",
      type: "select",
      required: true,
      hint: "users.hint.role",
      options: ROLES.map((r) => [r, `user.role.${r}`]),
    },
    {
      name: "language",
      label: "users.f.language",
      type: "select",
      required: true,
      options: ["zh-CN", "en"].map((l) => [l, `users.lang.${l}`]),
    },
    { name: "contact", label: "users.f.contact", hint: "users.hint.contact", placeholder: "+8613912345678" },
    {
      name: "workerId",
      label: "users.f.worker",
      type: "select",
      number: true,
      hint: "users.hint.worker",
      options: workerOptions,
    },
  ].filter(Boolean);
}

/** Workers without a login, and this account's own: one login per worker. */
function workerOptions(workers, accounts, account) {
  const taken = new Set(accounts.filter((a) => a.worker && a.id !== account?.id).map((a) => a.worker.id));
  return workers.filter((w) => !taken.has(w.id)).map((w) => [w.id, `${w.code} · ${w.name}`, true]);
}

function onceSecretPanel(account, password, onDone) {
  const status = h("span", { class: "copy-status", id: "copy-status", role: "status" });
  const code = h("code", { class: "secret", id: "one-time-password", content: true }, password);
  const copy = h("button", { type: "button", class: "btn btn-primary", id: "copy-password" }, t("users.once.copy"));
  copy.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(password);
      status.textContent = t("users.once.copied");
    } catch {
      // No clipboard permission (plain http on another host): select it for Ctrl+C instead.
      getSelection()?.selectAllChildren(code);
      status.textContent = t("users.once.select");
    }
  });
  const done = h(
    "button",
    { type: "button", class: "btn", id: "one-time-done", onclick: onDone },
    t("users.once.done"),
  );
  return h(
    "section",
    { class: "secret-once", id: "one-time-panel", role: "alert" },
    h("h3", {}, t("users.once.title"), " ", h("span", { content: true }, account.displayName)),
    h("p", { class: "notice" }, t("users.once.notice")),
    h("div", { class: "secret-row" }, code, copy, status),
    done,
  );
}

function header(account, flash) {
  return h(
    "header",
    { class: "reg-detail-head" },
    h(
      "h2",
      { id: "users-detail-title" },
      account ? h("span", { class: "kind" }, t("users.one")) : null,
      account ? " " : null,
      account ? h("span", { content: true }, account.username) : t("users.new"),
    ),
    account ? h("span", { class: `badge account-${stateOf(account)}` }, t(`users.state.${stateOf(account)}`)) : null,
    flash ? h("p", { class: "reg-flash", id: "users-flash", role: "status" }, t(flash)) : null,
  );
}

/** Hides the worker field unless the role is `worker` (the hub links no other role). */
function followRole(form) {
  const role = form.input("role");
  const wrap = form.input("workerId")?.closest(".field");
  const apply = () => {
    if (wrap) wrap.hidden = role.value !== "worker";
  };
  role.addEventListener("change", apply);
  apply();
}

function actions(account, me, ctx, form, container) {
  if (account.id === me.id) return h("p", { class: "muted", id: "users-self-note" }, t("users.self"));
  const fail = (err) => form.setErrors(err);
  const reset = h("button", { type: "button", class: "btn", id: "users-reset" }, t("users.reset"));
  reset.addEventListener("click", async () => {
    const ok = await confirmDialog({
      title: t("users.confirmReset", { name: account.displayName }),
      body: t("users.confirmResetBody"),
      confirmText: t("users.reset"),
    });
    if (!ok) return;
    try {
      const { user, oneTimePassword } = await api.resetPassword(account.id);
      ctx.listChanged();
      container.dataset.mode = "secret";
      container.replaceChildren(
        header(user, null),
        onceSecretPanel(user, oneTimePassword, () => ctx.saved(user.id, null)),
      );
    } catch (err) {
      fail(err);
    }
  });
  const toggle = account.disabled
    ? h("button", { type: "button", class: "btn btn-primary", id: "users-enable" }, t("users.enable"))
    : h("button", { type: "button", class: "btn btn-danger", id: "users-disable" }, t("users.disable"));
  toggle.addEventListener("click", async () => {
    if (!account.disabled) {
      const ok = await confirmDialog({
        title: t("users.confirmDisable", { name: account.displayName }),
        body: t("users.confirmDisableBody"),
        confirmText: t("users.disable"),
        danger: true,
      });
      if (!ok) return;
    }
    try {
      if (account.disabled) await api.enable(account.id);
      else await api.disable(account.id);
      ctx.saved(account.id, account.disabled ? "users.enabled" : "users.disabledDone");
    } catch (err) {
      fail(err);
    }
  });
  return h("div", { class: "users-actions" }, reset, toggle);
}

/** Draws `ctx.account` (null: a new account) into `container`. */
export async function renderAccount(container, ctx) {
  const mine = ++renders;
  const { account, me } = ctx;
  const creating = account === null;
  container.dataset.mode = "loading";
  let workers = [];
  try {
    workers = (await api.workers()).items;
  } catch {
    // Without the worker list a worker login cannot be linked here; the other roles still can.
  }
  if (mine !== renders) return;
  const values = creating
    ? { role: "operator", language: "zh-CN" }
    : {
        displayName: account.displayName,
        role: account.role,
        language: account.language,
        contact: account.contact,
        workerId: account.worker?.id ?? null,
      };
  const toBody = (v) => ({
    displayName: v.displayName,
    role: v.role,
    language: v.language,
    contact: v.contact ?? null,
    workerId: v.role === "worker" ? (v.workerId ?? null) : null,
  });
  let baseline = {};
  const form = createForm({
    fields: fields(creating, workerOptions(workers, ctx.accounts, account)),
    values,
    editable: true,
    submitKey: creating ? "users.create" : "users.save",
    codeFields: CODE_FIELDS,
    onSubmit: async (v) => {
      if (creating) {
        const { user, oneTimePassword } = await api.create({ username: v.username, ...toBody(v) });
        ctx.listChanged();
        container.dataset.mode = "secret";
        container.replaceChildren(
          header(user, "users.created"),
          onceSecretPanel(user, oneTimePassword, () => ctx.saved(user.id, null)),
        );
        return;
      }
      const diff = changed(toBody(v), baseline);
      if (Object.keys(diff).length === 0) return ctx.saved(account.id, "reg.unchanged");
      await api.update(account.id, diff);
      ctx.saved(account.id, "users.saved");
    },
  });
  baseline = creating ? {} : toBody(form.snapshot());
  followRole(form);
  container.replaceChildren(header(account, ctx.flash), form.el);
  if (!creating) container.append(actions(account, me, ctx, form, container));
  container.dataset.mode = creating ? "create" : "edit";
}
