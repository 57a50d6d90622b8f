// One registry list: a search box, a table of the current page and the pager.
// The hub does the searching and paging (`q`, `limit`, `offset` →
// `{items, total, limit, offset}`); this only keeps the state and draws it.

import { h } from "./dom.js";
import { t, tMaybe } from "./i18n.js";
import { registry } from "./registry-api.js";

const PAGE_SIZE = 25;
const SEARCH_DEBOUNCE_MS = 300;

export function createList({ spec, onOpen, rowId = (r) => r.id }) {
  const state = { q: "", offset: 0, page: null, selected: null, error: null };
  let seq = 0;
  let timer = null;

  const search = h("input", { type: "search", id: "reg-search", autocomplete: "off" });
  const searchLabel = h("label", { for: "reg-search", class: "reg-search" }, h("span", {}, ""), search);
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
      state.error = err;
    }
    el.dataset.loading = "false";
    render();
  }

  function render() {
    searchLabel.firstChild.textContent = t("reg.search");
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
          onkeydown: (ev) => {
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
    /** Marks the open record's row (by id) without reloading. */
    select(id) {
      state.selected = id === null ? null : String(id);
      for (const tr of table.querySelectorAll("tbody tr")) {
        const on = tr.dataset.id === state.selected;
        tr.classList.toggle("selected", on);
        tr.setAttribute("aria-selected", String(on));
      }
    },
  };
}
