"""What the HTML report's tests read from a page loaded in Chromium (one expression each)."""

from __future__ import annotations

from typing import Final

#: The numbers the page shows, from its data attributes.
NUMBERS: Final = """(() => {
  const verdict = document.getElementById("verdict");
  const kpis = {};
  for (const el of document.querySelectorAll("[data-kpi]")) {
    kpis[el.dataset.kpi] = el.dataset.value === "" ? null : Number(el.dataset.value);
  }
  const rules = {};
  for (const el of document.querySelectorAll("#rules-chart g.rule-bar")) {
    rules[el.dataset.rule] = Number(el.dataset.count);
  }
  const cells = {};
  for (const el of document.querySelectorAll("#coverage-chart g.cell")) {
    cells[el.dataset.target] = {instances: Number(el.dataset.instances),
      covered: Number(el.dataset.covered), error: el.dataset.error || null};
  }
  return {passed: verdict.dataset.passed, complete: verdict.dataset.complete,
    reasons: verdict.dataset.reasons, kpis, rules, cells,
    rows: document.querySelectorAll("#findings-table tbody tr").length,
    shown: document.getElementById("shown").textContent,
    title: document.title, images: document.images.length,
    svgs: document.querySelectorAll("svg").length};
})()"""

#: Type into the filter, pick a rule and a status; return the rows left visible.
FILTER: Final = """((text, rule, status) => {
  const set = (id, value, kind) => { const el = document.getElementById(id);
    el.value = value; el.dispatchEvent(new Event(kind)); };
  set("filter", text, "input"); set("rule-filter", rule, "change");
  set("status-filter", status, "change");
  return [...document.querySelectorAll("#findings-table tbody tr")].filter(r => !r.hidden)
    .map(r => r.cells[3].textContent);
})"""

#: Click a column heading; return that column's cells in the new order and the aria-sort.
SORT: Final = """((column) => {
  const th = document.querySelectorAll("#findings-table thead th")[column];
  th.querySelector("button").click();
  return {order: [...document.querySelectorAll("#findings-table tbody tr")]
    .map(r => r.cells[column].textContent), sort: th.getAttribute("aria-sort")};
})"""

#: The text of every findings-table cell.
CELL_TEXT: Final = (
    """[...document.querySelectorAll("#findings-table td")].map(c => c.textContent)"""
)
