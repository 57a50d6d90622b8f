// @ts-check
// A household page: its address, position and access (key holder, how to get
// in), the residents with their relatives, and the buttons installed there.
// A new household is placed by the hub from its coordinates (or the gazetteer)
// and must lie inside a grid; residents are added once it exists.

/** @import { HouseholdDetailView } from "../protocol/console/index.ts" */
/** @import { DetailContext } from "./registry-detail.js" */

import { h, localTime } from "./dom.js";
import { t } from "./i18n.js";
import { registry } from "./registry-api.js";
import { detailHeader, recordForm } from "./registry-detail.js";
import { newResidentForm, residentBlock } from "./registry-resident.js";
import { deviceStatusBadge, households } from "./registry-resources.js";

/**
 * @param {HTMLElement} container
 * @param {string | number} id a household's id, or "new"
 * @param {DetailContext} ctx
 */
export async function renderHousehold(container, id, ctx) {
  if (id === "new") {
    const form = recordForm(households, { record: null, ctx });
    container.replaceChildren(
      detailHeader("households", null, ctx),
      h("p", { class: "muted" }, t("reg.hint.newHousehold")),
      form.el,
    );
    container.dataset.mode = "create";
    return;
  }
  const record = await registry.get("households", id);
  if (!ctx.current()) return;
  const form = recordForm(households, { record, ctx });

  const residents = h(
    "section",
    { class: "reg-section residents", id: "residents" },
    h("h3", {}, t("reg.residents"), " ", h("span", { class: "badge count" }, String(record.residents.length))),
    record.residents.length ? null : h("p", { class: "muted" }, t("reg.noResidents")),
    ...record.residents.map((r) => residentBlock(r, ctx)),
  );
  if (ctx.canWrite) {
    const slot = h("div", { class: "new-resident-slot" });
    const add = h("button", { type: "button", class: "btn btn-primary", id: "add-resident" }, t("reg.addResident"));
    add.addEventListener("click", () => {
      add.hidden = true;
      slot.replaceChildren(newResidentForm(record.id, () => ctx.saved(record.id, "reg.residentAdded")));
      slot.querySelector("input")?.focus();
    });
    residents.append(add, slot);
  }

  container.replaceChildren(
    detailHeader("households", record.code, ctx),
    form.el,
    residents,
    devicesSection(record, ctx),
  );
  container.dataset.mode = ctx.canWrite ? "edit" : "view";
}

/**
 * @param {HouseholdDetailView} record
 * @param {DetailContext} ctx
 */
function devicesSection(record, ctx) {
  const rows = record.devices.map((d) =>
    h(
      "li",
      { dataset: { deviceId: d.id } },
      h("a", { href: `#/registry/devices/${encodeURIComponent(d.id)}`, content: true }, d.id),
      " ",
      deviceStatusBadge(d),
      " ",
      h("span", { class: "muted" }, t("reg.lastSeen", { time: localTime(d.lastSeenAt) })),
    ),
  );
  return h(
    "section",
    { class: "reg-section devices" },
    h("h3", {}, t("reg.devicesHere")),
    rows.length ? h("ul", { class: "device-list" }, rows) : h("p", { class: "muted" }, t("reg.noDevices")),
    ctx.canWrite ? h("p", { class: "muted" }, t("reg.hint.bindHere", { code: record.code })) : null,
  );
}
