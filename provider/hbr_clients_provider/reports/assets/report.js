(function () {
  "use strict";
  // Sorts and filters the rows the page already holds; it reads no data of its own and
  // writes text only through textContent and attributes, never as markup.
  var table = document.getElementById("findings-table");
  if (table) {
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var texts = rows.map(function (row) { return row.textContent.toLowerCase(); });
    var filter = document.getElementById("filter");
    var rule = document.getElementById("rule-filter");
    var status = document.getElementById("status-filter");
    var shown = document.getElementById("shown");
    var collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });
    var apply = function () {
      var needle = filter.value.trim().toLowerCase();
      var count = 0;
      rows.forEach(function (row, i) {
        var visible = (!needle || texts[i].indexOf(needle) !== -1) &&
          (!rule.value || row.getAttribute("data-rule") === rule.value) &&
          (!status.value || row.getAttribute("data-status") === status.value);
        row.hidden = !visible;
        if (visible) { count += 1; }
      });
      shown.textContent = count + " of " + rows.length + " shown";
      table.setAttribute("data-visible", String(count));
    };
    var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
    var key = function (row, column) {
      var cell = row.cells[column];
      return cell.getAttribute("data-sort") || cell.textContent;
    };
    headers.forEach(function (th, column) {
      th.querySelector("button").addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        headers.forEach(function (other) { other.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var order = rows.map(function (_row, i) { return i; });
        order.sort(function (a, b) {
          var c = collator.compare(key(rows[a], column), key(rows[b], column));
          return (ascending ? c : -c) || a - b;
        });
        var fragment = document.createDocumentFragment();
        order.forEach(function (i) { fragment.appendChild(rows[i]); });
        body.appendChild(fragment);
      });
    });
    filter.addEventListener("input", apply);
    rule.addEventListener("change", apply);
    status.addEventListener("change", apply);
    apply();
  }
  document.documentElement.setAttribute("data-ready", "true");
}());
