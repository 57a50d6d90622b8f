// @ts-check
// One resident inside a household page: their record (with health data for the
// command center, a "redacted" notice for admin, who maintains but may not read
// it), the consent that allows keeping health data, and their relatives
// (registry-relatives.js). A change here redraws only this resident's block, so
// other unsaved edits on the household page stay as they are.

/** @import { ResidentDetailView } from "../protocol/console/index.ts" */
/** @import { CodeFields, FieldSpec, FormValues } from "./form.js" */
/** @import { DetailContext } from "./registry-detail.js" */

import { centerZone } from "./center-time.js";
import { h } from "./dom.js";
import { changed, createForm } from "./form.js";
import { getLang, t } from "./i18n.js";
import { registry } from "./registry-api.js";
import { relativesSection } from "./registry-relatives.js";
import { LANG_OPTIONS } from "./registry-resources.js";

const HEALTH = ["conditions", "medications", "allergies", "mobility"];
/** @param {Readonly<Record<string, unknown>>} o */
const dropNulls = (o) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined));

/**
 * @param {boolean} redacted the health fields are withheld from this role
 * @returns {FieldSpec[]}
 */
function residentFields(redacted) {
  return [
    { name: "name", label: "reg.f.name", required: true },
    { name: "birthDate", label: "reg.f.birthDate", type: "date", required: true },
    {
      name: "sex",
      label: "reg.f.sex",
      type: "select",
      required: true,
      options: [
        ["F", "sex.F"],
        ["M", "sex.M"],
        ["X", "sex.X"],
      ],
    },
    { name: "phone", label: "reg.f.phone", type: "tel", placeholder: "+8613912345678" },
    { name: "language", label: "reg.f.language", type: "select", required: true, options: LANG_OPTIONS },
    ...HEALTH.map(
      /** @returns {FieldSpec} */ (name) => ({
        name,
        label: `reg.f.${name}`,
        type: "textarea",
        wide: true,
        placeholder: redacted ? t("reg.redactedPlaceholder") : undefined,
      }),
    ),
    {
      name: "consentGivenBy",
      label: "reg.f.consentGivenBy",
      paths: ["consent", "consent.givenBy"],
      hint: "reg.hint.consent",
    },
    { name: "consentRelation", label: "reg.f.consentRelation", paths: ["consent.relation"] },
    { name: "consentAt", label: "reg.f.consentAt", type: "datetime", paths: ["consent.at"] },
    {
      name: "consentMethod",
      label: "reg.f.consentMethod",
      type: "select",
      paths: ["consent.method"],
      options: ["written", "verbal", "electronic"].map((m) => [m, `reg.consent.${m}`]),
    },
    { name: "consentNote", label: "reg.f.consentNote", paths: ["consent.note"], wide: true },
  ];
}

/**
 * @param {ResidentDetailView} r
 * @returns {FormValues}
 */
function residentValues(r) {
  const c = r.consent;
  return {
    ...r,
    consentGivenBy: c?.givenBy ?? null,
    consentRelation: c?.relation ?? null,
    consentAt: c?.at ?? null,
    consentMethod: c?.method ?? null,
    consentNote: c?.note ?? null,
  };
}

/** @param {FormValues} v */
function residentBody(v) {
  const consent = v.consentGivenBy
    ? dropNulls({
        givenBy: v.consentGivenBy,
        relation: v.consentRelation,
        at: v.consentAt,
        method: v.consentMethod,
        note: v.consentNote,
      })
    : null;
  return {
    name: v.name,
    birthDate: v.birthDate,
    sex: v.sex,
    phone: v.phone,
    language: v.language,
    ...Object.fromEntries(HEALTH.map((k) => [k, v[k]])),
    consent,
  };
}

/** @type {CodeFields} */
const CODE_FIELDS = { HEALTH_CONSENT_REQUIRED: "consentGivenBy" };

/**
 * The form to add a resident to household `householdId`; `onAdded()` after the hub stored it.
 * @param {number} householdId
 * @param {() => void} onAdded
 */
export function newResidentForm(householdId, onAdded) {
  const form = createForm({
    fields: residentFields(false),
    values: { sex: "F", language: "zh-CN" },
    editable: true,
    submitKey: "reg.addResident",
    codeFields: CODE_FIELDS,
    onSubmit: async (v) => {
      await registry.addResident(householdId, dropNulls(residentBody(v)));
      onAdded();
    },
  });
  return h(
    "section",
    { class: "resident new-resident", id: "new-resident" },
    h("h4", {}, t("reg.addResident")),
    form.el,
  );
}

/**
 * @param {ResidentDetailView} resident
 * @param {DetailContext} ctx
 * @param {string | null} [flash] a message to show (an i18n key)
 * @returns {HTMLElement}
 */
export function residentBlock(resident, ctx, flash = null) {
  const block = h("section", { class: "resident", dataset: { residentId: String(resident.id) } });

  /** @param {string | null} message */
  async function refresh(message) {
    const fresh = await registry.get("residents", resident.id);
    block.replaceWith(residentBlock(fresh, ctx, message));
  }

  const form = createForm({
    fields: residentFields(resident.healthRedacted),
    values: residentValues(resident),
    editable: ctx.canWrite,
    codeFields: CODE_FIELDS,
    onSubmit: async (v) => {
      const diff = changed(residentBody(v), baseline);
      if (Object.keys(diff).length === 0) return refresh("reg.unchanged");
      await registry.update("residents", resident.id, diff);
      await refresh("reg.saved");
    },
  });
  const baseline = residentBody(form.snapshot());

  // DOM append would print a null as "null": leave the optional parts out instead.
  const parts = [
    h("h4", {}, t("reg.resident"), " ", h("span", { content: true }, resident.name)),
    flash ? h("p", { class: "reg-flash", role: "status" }, t(flash)) : null,
    resident.healthRedacted ? h("p", { class: "redacted-notice" }, t("reg.healthRedacted")) : null,
    consentLine(resident),
    form.el,
    ...relativesSection(resident, ctx, refresh),
  ];
  block.append(...parts.filter((part) => part !== null));
  return block;
}

/** @param {ResidentDetailView} r */
function consentLine(r) {
  if (!r.consent) return h("p", { class: "consent muted" }, t("reg.consent.none"));
  const c = r.consent;
  return h(
    "p",
    { class: "consent" },
    t("reg.consent.line", {
      method: t(`reg.consent.${c.method}`),
      at: new Intl.DateTimeFormat(getLang(), { dateStyle: "medium", timeZone: centerZone() }).format(new Date(c.at)),
      by: c.recordedBy,
    }),
    " ",
    h("span", { content: true }, `${c.givenBy}（${c.relation}）`),
  );
}
