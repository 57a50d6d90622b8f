// @ts-check
// One registry list: a search box, a table of the current page and the pager.
// The hub does the searching and paging (`q`, `limit`, `offset` →
// `{items, total, limit, offset}`); this only keeps the state and draws it.

/** @import { ListPage } from "../protocol/console/index.ts" */
/** @import { ApiError } from "./http.js" */
/** @import { RegistryItems } from "./registry-api.js" */
/** @import { ListSpec } from "./registry-resources.js" */

import { h } from "./dom.js";
import { apiErrorOf } from "./form.js";
import { t, tMaybe } from "./i18n.js";
import { registry } from "./registry-api.js";

const PAGE_SIZE = 25;
const SEARCH_DEBOUNCE_MS = 300;

/**
 * A tab's list: its element, (re)loading the page, drawing it again (a language switch), and
 * marking the open record's row.
 * @typedef {{ el: HTMLDivElement, load: () => Promise<void>, render: () => void, select: (id: string | number | null) => void }} RegistryList
 */

/**
 * @template {keyof RegistryItems} K
 * @param {{
 *   spec: ListSpec<K>,
 *   onOpen: (id: string) => void,
 *   rowId?: (r: RegistryItems[K]) => string | number,
 * }} options
 * @returns {RegistryList}
 */
export function createList({ spec, onOpen, rowId = (r) => r.id }) {
  /** @type {{ q: string, offset: number, page: ListPage<RegistryItems[K]> | null, selected: string | null, error: ApiError | null }} */
  const state = { q: "", offset: 0, page: null, selected: null, error: null };
  let seq = 0;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;

  const search = h("input", { type: "search", id: "reg-search", autocomplete: "off" });
  const searchText = h("span", {}, "");
  const searchLabel = h("label", { for: "reg-search", class: "reg-search" }, searchText, search);
  const table = h("table", { class: "reg-table", id: "reg-table" });
  const status = h("p", { class: "reg-list-status", role: "status" });
  const prev = h("button", { type: "button", class: "btn", id: "reg-prev" });
  const next = h("button", { type: "button", class: "btn", id: "reg-next" });
  const range = h("span", { class: "reg-range", id: "reg-range" });
  const pager = h("div", { class: "reg-pager" }, prev, range, next);
  const el = h(
    "div",
    { class: "reg-list", dataset: { kind: spec.kind } },
    searchLabel,
    status,
    h("div", { class: "reg-table-wrap" }, table),
    pager,
  );

  search.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      state.q = search.value.trim();
      state.offset = 0;
      load();
    }, SEARCH_DEBOUNCE_MS);
  });
  prev.addEventListener("click", () => {
    state.offset = Math.max(0, state.offset - PAGE_SIZE);
    load();
  });
  next.addEventListener("click", () => {
    state.offset += PAGE_SIZE;
    load();
  });

  async function load() {
    const mine = ++seq;
    el.dataset.loading = "true";
    try {
      const page = await registry.list(spec.kind, { q: state.q, limit: PAGE_SIZE, offset: state.offset });
      if (mine !== seq) return;
      state.page = page;
      state.error = null;
    } catch (err) {
      if (mine !== seq) return;
      state.error = apiErrorOf(err);
    }
    el.dataset.loading = "false";
    render();
  }

  function render() {
    searchText.textContent = t("reg.search");
    search.placeholder = t(`reg.searchHint.${spec.kind}`);
    prev.textContent = t("reg.prev");
    next.textContent = t("reg.next");
    const page = state.page;
    if (state.error) {
      status.textContent = `${t("error.generic")}: ${tMaybe(`error.${state.error.code}`) ?? state.error.message}`;
      status.className = "reg-list-status form-error";
    } else {
      status.textContent = page && page.total === 0 ? t("reg.empty") : "";
      status.className = "reg-list-status muted";
    }
    const head = h(
      "thead",
      {},
      h(
        "tr",
        {},
        spec.columns.map((c) => h("th", { scope: "col", class: c.cls }, t(c.label))),
      ),
    );
    const rows = (page?.items ?? []).map((item) => {
      const id = String(rowId(item));
      const selected = id === state.selected;
      return h(
        "tr",
        {
          class: selected ? "selected" : null,
          tabindex: "0",
          "aria-selected": String(selected),
          dataset: { id },
          onclick: () => onOpen(id),
          onkeydown: (/** @type {KeyboardEvent} */ ev) => {
            if (ev.key === "Enter" || ev.key === " ") {
              ev.preventDefault();
              onOpen(id);
            }
          },
        },
        spec.columns.map((c) => h("td", { class: c.cls, content: c.content }, c.value(item))),
      );
    });
    table.replaceChildren(head, h("tbody", {}, rows));
    const total = page?.total ?? 0;
    const from = total === 0 ? 0 : state.offset + 1;
    const to = Math.min(total, state.offset + (page?.items.length ?? 0));
    range.textContent = t("reg.range", { from, to, total });
    prev.disabled = state.offset === 0;
    next.disabled = to >= total;
  }

  render();
  return {
    el,
    load,
    render,
    /**
     * Marks the open record's row (by id) without reloading.
     * @param {string | number | null} id
     */
    select(id) {
      state.selected = id === null ? null : String(id);
      for (const tr of table.querySelectorAll("tbody tr")) {
        if (!(tr instanceof HTMLTableRowElement)) continue;
        const on = tr.dataset.id === state.selected;
        tr.classList.toggle("selected", on);
        tr.setAttribute("aria-selected", String(on));
      }
    },
  };
}
