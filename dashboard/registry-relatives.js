// @ts-check
// A resident's relatives, in the order they are phoned (priority 1 first).
// Admin moves one a step up or down (the hub renumbers them all at once with
// PUT /residents/:id/relatives/order), edits one in place, removes one (after a
// confirmation), or adds one at the end. Every change redraws the resident's
// block through `refresh`, from what the hub then returns.

/** @import { RelativeView, ResidentDetailView } from "../protocol/console/index.ts" */
/** @import { FieldSpec, FormValues } from "./form.js" */
/** @import { DetailContext } from "./registry-detail.js" */

import { confirmDialog } from "./dialog.js";
import { h, telLink } from "./dom.js";
import { apiErrorOf, changed, createForm } from "./form.js";
import { t, tMaybe } from "./i18n.js";
import { registry } from "./registry-api.js";
import { LANG_OPTIONS } from "./registry-resources.js";

/** @param {Readonly<Record<string, unknown>>} o */
const dropNulls = (o) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined));

/** @returns {FieldSpec[]} */
const relativeFields = () => [
  { name: "name", label: "reg.f.name", required: true },
  { name: "relation", label: "reg.f.relation", required: true },
  { name: "phone", label: "reg.f.phone", type: "tel", required: true, placeholder: "+8613912345678" },
  { name: "language", label: "reg.f.language", type: "select", required: true, options: LANG_OPTIONS },
  { name: "updates", label: "reg.f.updates", type: "checkbox" },
];
/** @param {FormValues} v */
const relativeBody = (v) => ({
  name: v.name,
  relation: v.relation,
  phone: v.phone,
  language: v.language,
  updates: Boolean(v.updates),
});

/** Which relative is being edited, per resident; survives the block being redrawn. @type {Map<number, number>} */
const editing = new Map();

/**
 * The heading, the ordered list, an error line and (admin) the "add relative" form.
 * @param {ResidentDetailView} resident
 * @param {DetailContext} ctx
 * @param {(message: string | null) => Promise<void>} refresh redraws the resident's block, with a message (an i18n key)
 * @returns {HTMLElement[]}
 */
export function relativesSection(resident, ctx, refresh) {
  const error = h("p", { class: "form-error", role: "alert", hidden: true });
  /** @param {unknown} failure */
  const showError = (failure) => {
    const err = apiErrorOf(failure);
    error.textContent = `${t("error.generic")}: ${tMaybe(`error.${err.code}`) ?? err.message} [${err.code}]`;
    error.hidden = false;
  };
  /** @param {number} relativeId */
  function startEditing(relativeId) {
    editing.set(resident.id, relativeId);
    refresh(null);
  }
  function stopEditing() {
    editing.delete(resident.id);
    refresh(null);
  }

  const rels = [...resident.relatives].sort((a, b) => a.priority - b.priority);
  /**
   * @param {number} index
   * @param {-1 | 1} delta
   */
  const move = async (index, delta) => {
    const ids = rels.map((r) => r.id);
    [ids[index], ids[index + delta]] = [ids[index + delta], ids[index]];
    try {
      await registry.reorderRelatives(resident.id, ids);
      await refresh("reg.reordered");
    } catch (err) {
      showError(err);
    }
  };
  /** @param {RelativeView} rel */
  const remove = async (rel) => {
    /** @type {boolean} */
    const ok = await confirmDialog({
      title: t("reg.relativeDelete.title", { name: rel.name }),
      body: t("reg.relativeDelete.body"),
      confirmText: t("reg.delete"),
      danger: true,
    });
    if (!ok) return;
    registry.remove("relatives", rel.id).then(
      () => refresh("reg.saved"),
      (/** @type {unknown} */ err) => showError(err),
    );
  };

  const items = rels.map((rel, i) => {
    if (editing.get(resident.id) === rel.id && ctx.canWrite) {
      const edit = createForm({
        fields: relativeFields(),
        values: rel,
        editable: true,
        extra: h("button", { type: "button", class: "btn", onclick: () => stopEditing() }, t("reg.cancel")),
        onSubmit: async (v) => {
          const diff = changed(relativeBody(v), relativeBody(rel));
          if (Object.keys(diff).length) await registry.update("relatives", rel.id, diff);
          editing.delete(resident.id);
          await refresh("reg.saved");
        },
      });
      return h(
        "li",
        { class: "relative editing", dataset: { relativeId: String(rel.id), priority: String(rel.priority) } },
        edit.el,
      );
    }
    /** @param {string} key */
    const named = (key) => t(key, { name: rel.name });
    return h(
      "li",
      { class: "relative", dataset: { relativeId: String(rel.id), priority: String(rel.priority) } },
      h("span", { class: "prio" }, t("detail.priority", { n: rel.priority })),
      h("span", { class: "name", content: true }, rel.name),
      h("span", { class: "relation", content: true }, rel.relation),
      telLink(rel.phone),
      h("span", { class: "muted" }, t(rel.language === "en" ? "reg.lang.en" : "reg.lang.zh")),
      // Whether this relative is texted the alarm's progress after the first SMS.
      h("span", { class: "muted updates" }, t(rel.updates === false ? "reg.updates.off" : "reg.updates.on")),
      ctx.canWrite
        ? h(
            "span",
            { class: "rel-actions" },
            h(
              "button",
              {
                type: "button",
                class: "btn btn-small move-up",
                disabled: i === 0,
                "aria-label": named("reg.moveUpOf"),
                onclick: () => move(i, -1),
              },
              t("reg.moveUp"),
            ),
            h(
              "button",
              {
                type: "button",
                class: "btn btn-small move-down",
                disabled: i === rels.length - 1,
                "aria-label": named("reg.moveDownOf"),
                onclick: () => move(i, 1),
              },
              t("reg.moveDown"),
            ),
            h(
              "button",
              {
                type: "button",
                class: "btn btn-small edit",
                onclick: () => startEditing(rel.id),
              },
              t("reg.edit"),
            ),
            h(
              "button",
              { type: "button", class: "btn btn-small btn-danger remove", onclick: () => remove(rel) },
              t("reg.delete"),
            ),
          )
        : null,
    );
  });

  /** @type {HTMLDivElement | null} */
  let addArea = null;
  if (ctx.canWrite) {
    const add = createForm({
      fields: relativeFields(),
      values: { language: "zh-CN", updates: true },
      editable: true,
      submitKey: "reg.addRelative",
      onSubmit: async (v) => {
        await registry.addRelative(resident.id, dropNulls(relativeBody(v)));
        await refresh("reg.relativeAdded");
      },
    });
    const toggle = h("button", { type: "button", class: "btn add-relative" }, t("reg.addRelative"));
    const box = h("div", { class: "add-relative-form", hidden: true }, add.el);
    toggle.addEventListener("click", () => {
      box.hidden = false;
      toggle.hidden = true;
      add.input("name")?.focus();
    });
    addArea = h("div", { class: "add-relative-area" }, toggle, box);
  }

  return [
    h("h5", {}, t("reg.relativesOrdered")),
    rels.length ? h("ol", { class: "relatives" }, items) : h("p", { class: "muted" }, t("detail.relatives.none")),
    error,
    addArea,
  ].filter((part) => part !== null);
}
