// @ts-check
// One account on the Users page: its form (create, or edit display name, role,
// language, phone or SIP address, worker record), and its actions: reset the
// password, disable, enable. A new account's or a reset's one-time password is
// shown once, in a panel with a copy button, and then only the person knows it.
// The hub's refusals land beside the field they concern (form.js).

/** @import { AccountView, AccountWithPassword, Role, SessionUser, WorkerView } from "../protocol/console/index.ts" */
/** @import { CodeFields, FieldSpec, Form, FormValues, SelectOption } from "./form.js" */

import { confirmDialog } from "./dialog.js";
import { h } from "./dom.js";
import { changed, createForm } from "./form.js";
import { t } from "./i18n.js";
import { accounts as api } from "./users-api.js";

/**
 * What the Users page hands an account's form: the account (null: a new one), who is signed
 * in, every account (one login per worker), a message to show (an i18n key), and what follows
 * a change (users.js).
 * @typedef {{
 *   account: AccountView | null,
 *   me: SessionUser,
 *   accounts: AccountView[],
 *   flash: string | null,
 *   listChanged: () => void,
 *   saved: (id: number, flash: string | null) => void,
 * }} AccountContext
 */

/** The roles, in the order the form offers them (the contract's ROLES). @type {readonly Role[]} */
const ROLES = ["operator", "supervisor", "admin", "worker", "monitor"];
/** @type {CodeFields} */
const CODE_FIELDS = {
  USER_EXISTS: "username",
  USER_WORKER_LINK_INVALID: "workerId",
  USER_WORKER_TAKEN: "workerId",
  WORKER_NOT_FOUND: "workerId",
  USER_LAST_ADMIN: "role",
  USER_IS_SELF: "role",
};
let renders = 0;

/**
 * enabled | disabled | mustChange: what the list's badge and the tests read.
 * @param {AccountView} account
 * @returns {"enabled" | "disabled" | "mustChange"}
 */
export function stateOf(account) {
  if (account.disabled) return "disabled";
  return account.mustChangePassword ? "mustChange" : "enabled";
}

/**
 * @param {boolean} creating
 * @param {SelectOption[]} workerOptions
 * @returns {FieldSpec[]}
 */
function fields(creating, workerOptions) {
  /** @type {(FieldSpec | null)[]} */
  const all = [
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
  ];
  return all.filter((field) => field !== null);
}

/**
 * Workers without a login, and this account's own: one login per worker.
 * @param {WorkerView[]} workers
 * @param {AccountView[]} accounts
 * @param {AccountView | null} account
 * @returns {SelectOption[]}
 */
function workerOptions(workers, accounts, account) {
  const taken = new Set(accounts.filter((a) => a.worker && a.id !== account?.id).map((a) => a.worker?.id));
  return workers.filter((w) => !taken.has(w.id)).map((w) => [w.id, `${w.code} · ${w.name}`, true]);
}

/**
 * @param {AccountView} account
 * @param {string} password
 * @param {() => void} onDone
 */
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

/**
 * The answer to a create or a reset: the account, and its one-time password shown once. The
 * console never types a password for someone, so the hub generated one; were there none
 * (null: a typed password), the account is shown as after any other change.
 * @param {HTMLElement} container
 * @param {AccountContext} ctx
 * @param {AccountWithPassword} reply
 * @param {string | null} flash
 */
function showOnce(container, ctx, { user, oneTimePassword }, flash) {
  if (oneTimePassword === null) return ctx.saved(user.id, flash);
  ctx.listChanged();
  container.dataset.mode = "secret";
  container.replaceChildren(
    header(user, flash),
    onceSecretPanel(user, oneTimePassword, () => ctx.saved(user.id, null)),
  );
}

/**
 * @param {AccountView | null} account
 * @param {string | null} flash
 */
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

/**
 * Hides the worker field unless the role is `worker` (the hub links no other role).
 * @param {Form} form
 */
function followRole(form) {
  const role = form.input("role");
  if (!(role instanceof HTMLSelectElement)) throw new Error("the account form has no role select");
  const wrap = form.input("workerId")?.closest(".field");
  const apply = () => {
    if (wrap instanceof HTMLElement) wrap.hidden = role.value !== "worker";
  };
  role.addEventListener("change", apply);
  apply();
}

/**
 * @param {AccountView} account
 * @param {SessionUser} me
 * @param {AccountContext} ctx
 * @param {Form} form
 * @param {HTMLElement} container
 */
function actions(account, me, ctx, form, container) {
  if (account.id === me.id) return h("p", { class: "muted", id: "users-self-note" }, t("users.self"));
  /** @param {unknown} err */
  const fail = (err) => form.setErrors(err);
  const reset = h("button", { type: "button", class: "btn", id: "users-reset" }, t("users.reset"));
  reset.addEventListener("click", async () => {
    /** @type {boolean} */
    const ok = await confirmDialog({
      title: t("users.confirmReset", { name: account.displayName }),
      body: t("users.confirmResetBody"),
      confirmText: t("users.reset"),
    });
    if (!ok) return;
    try {
      showOnce(container, ctx, await api.resetPassword(account.id), null);
    } catch (err) {
      fail(err);
    }
  });
  const toggle = account.disabled
    ? h("button", { type: "button", class: "btn btn-primary", id: "users-enable" }, t("users.enable"))
    : h("button", { type: "button", class: "btn btn-danger", id: "users-disable" }, t("users.disable"));
  toggle.addEventListener("click", async () => {
    if (!account.disabled) {
      /** @type {boolean} */
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

/**
 * Draws `ctx.account` (null: a new account) into `container`.
 * @param {HTMLElement} container
 * @param {AccountContext} ctx
 */
export async function renderAccount(container, ctx) {
  const mine = ++renders;
  const { account, me } = ctx;
  const creating = account === null;
  container.dataset.mode = "loading";
  /** @type {WorkerView[]} */
  let workers = [];
  try {
    workers = (await api.workers()).items;
  } catch {
    // Without the worker list a worker login cannot be linked here; the other roles still can.
  }
  if (mine !== renders) return;
  /** @type {FormValues} */
  const values = creating
    ? { role: "operator", language: "zh-CN" }
    : {
        displayName: account.displayName,
        role: account.role,
        language: account.language,
        contact: account.contact,
        workerId: account.worker?.id ?? null,
      };
  /** @param {FormValues} v */
  const toBody = (v) => ({
    displayName: v.displayName,
    role: v.role,
    language: v.language,
    contact: v.contact ?? null,
    workerId: v.role === "worker" ? (v.workerId ?? null) : null,
  });
  /** @type {Record<string, unknown>} */
  let baseline = {};
  const form = createForm({
    fields: fields(creating, workerOptions(workers, ctx.accounts, account)),
    values,
    editable: true,
    submitKey: creating ? "users.create" : "users.save",
    codeFields: CODE_FIELDS,
    onSubmit: async (v) => {
      if (creating) {
        showOnce(container, ctx, await api.create({ username: v.username, ...toBody(v) }), "users.created");
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
