// The right-hand side of a registry tab: one record's form (create, edit, or
// read-only), with save and delete. Households and devices build on these
// helpers and add their own sections.

import { confirmDialog } from "./dialog.js";
import { h } from "./dom.js";
import { changed, createForm } from "./form.js";
import { t } from "./i18n.js";
import { allGrids, registry } from "./registry-api.js";

/** The detail pane's heading: what kind of record, which one, and whether it can be changed here. */
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
 */
export function recordForm(spec, { record, ctx, grids = [] }) {
  const creating = !record;
  const values = creating ? {} : spec.fromRecord(record);
  let baseline = {};
  const remove =
    !creating && ctx.canWrite
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
      if (creating) {
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

async function deleteRecord(spec, record, ctx, form) {
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

/** Grids, workers, clinics and gazetteer entries: the form is the whole page. */
export async function renderGeneric(container, spec, id, ctx) {
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
