// @ts-check
// The right-hand side of a registry tab: one record's form (create, edit, or
// read-only), with save and delete. Households and devices build on these
// helpers and add their own sections.

/** @import { GridView } from "../protocol/console/index.ts" */
/** @import { Form } from "./form.js" */
/** @import { CreatableKind, RegistryRecords } from "./registry-api.js" */
/** @import { GenericTab, RecordSpec, Tab } from "./registry-resources.js" */

import { confirmDialog } from "./dialog.js";
import { h } from "./dom.js";
import { changed, createForm } from "./form.js";
import { t } from "./i18n.js";
import { allGrids, registry } from "./registry-api.js";
import { GENERIC } from "./registry-resources.js";

/**
 * What a record's page is told and may do (registry.js hands it over): whether admin is
 * signed in, a message to show (an i18n key), whether this drawing is still the one wanted,
 * and what follows a save, a delete or a link to another record.
 * @typedef {{
 *   canWrite: boolean,
 *   flash: string | null,
 *   current: () => boolean,
 *   saved: (savedId: string | number, message: string | null) => void,
 *   deleted: () => void,
 *   go: (tab: Tab, id: string | number | null) => void,
 *   reloadList: () => void,
 * }} DetailContext
 */

/**
 * The detail pane's heading: what kind of record, which one, and whether it can be changed here.
 * @param {Tab} kind
 * @param {string | null} title null: a new record
 * @param {DetailContext} ctx
 */
export function detailHeader(kind, title, ctx) {
  return h(
    "header",
    { class: "reg-detail-head" },
    h(
      "h2",
      { id: "reg-detail-title" },
      h("span", { class: "kind" }, t(`reg.one.${kind}`)),
      " ",
      title ? h("span", { content: true }, title) : t("reg.new"),
    ),
    ctx.canWrite ? null : h("span", { class: "badge readonly" }, t("reg.readonly")),
    ctx.flash ? h("p", { class: "reg-flash", role: "status" }, t(ctx.flash)) : null,
  );
}

/**
 * The record's form. Creating: POST the body without empty fields, then open the
 * new record. Editing: PATCH only what changed, compared with what the form
 * held when it was drawn (so unchanged values never travel, nor show in the audit).
 * @template {CreatableKind} K
 * @param {RecordSpec<K>} spec
 * @param {{ record: RegistryRecords[K] | null, ctx: DetailContext, grids?: GridView[] }} options
 * @returns {Form}
 */
export function recordForm(spec, { record, ctx, grids = [] }) {
  const creating = !record;
  const values = record ? spec.fromRecord(record) : {};
  /** @type {Record<string, unknown>} */
  let baseline = {};
  const remove =
    record && ctx.canWrite
      ? h(
          "button",
          { type: "button", class: "btn btn-danger reg-delete", onclick: () => deleteRecord(spec, record, ctx, form) },
          t("reg.delete"),
        )
      : null;
  const form = createForm({
    fields: spec.fields({ grids }),
    values,
    editable: ctx.canWrite,
    submitKey: creating ? "reg.create" : "reg.save",
    codeFields: spec.codeFields,
    extra: remove,
    onSubmit: async (v) => {
      const body = spec.toBody(v);
      if (!record) {
        const saved = await registry.create(spec.kind, spec.createBody(body));
        ctx.saved(saved.id, "reg.created");
        return;
      }
      let diff = changed(body, baseline);
      if (spec.patchBody) diff = spec.patchBody(diff, body);
      if (Object.keys(diff).length === 0) {
        ctx.saved(record.id, "reg.unchanged");
        return;
      }
      await registry.update(spec.kind, record.id, diff);
      ctx.saved(record.id, "reg.saved");
    },
  });
  baseline = creating ? {} : spec.toBody(form.snapshot());
  return form;
}

/**
 * @template {CreatableKind} K
 * @param {RecordSpec<K>} spec
 * @param {RegistryRecords[K]} record
 * @param {DetailContext} ctx
 * @param {Form} form
 */
async function deleteRecord(spec, record, ctx, form) {
  /** @type {boolean} */
  const ok = await confirmDialog({
    title: t("reg.deleteConfirm.title", { what: spec.title(record) }),
    body: t("reg.deleteConfirm.body"),
    confirmText: t("reg.delete"),
    danger: true,
  });
  if (!ok) return;
  try {
    await registry.remove(spec.kind, record.id);
    ctx.deleted();
  } catch (err) {
    form.setErrors(err);
  }
}

/**
 * Grids, workers, clinics and gazetteer entries: the form is the whole page.
 * @template {GenericTab} K
 * @param {HTMLElement} container
 * @param {K} kind
 * @param {string | number} id a record's id, or "new"
 * @param {DetailContext} ctx
 */
export async function renderGeneric(container, kind, id, ctx) {
  const spec = GENERIC[kind];
  const creating = id === "new";
  const [record, grids] = await Promise.all([
    creating ? null : registry.get(spec.kind, id),
    spec.kind === "workers" ? allGrids() : [],
  ]);
  if (!ctx.current()) return;
  const form = recordForm(spec, { record, ctx, grids });
  container.replaceChildren(detailHeader(spec.kind, record ? spec.title(record) : null, ctx), form.el);
  container.dataset.mode = creating ? "create" : ctx.canWrite ? "edit" : "view";
}
