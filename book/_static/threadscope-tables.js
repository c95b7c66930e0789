/* threadscope: the book's data tables (class ts-table) sortable, filterable and paged, offline.
 *
 * Click a column header to sort by it (again: reverse). A column whose every filled cell reads as a number
 * ("3,051", "0.505", "2.1 (1.5–2.8)", "≤ 1/201") sorts by value, others as text; empty and "–" cells stay last.
 * A table of more than FILTER_FROM rows gets a filter box (rows holding every word typed are kept), one of
 * more than PAGE rows is shown PAGE rows a page. Clicking a concordance line shows its whole context.
 *
 * Table cells hold text from the data (comments, names): this script only moves rows, hides them and reads
 * textContent; it never writes HTML (no innerHTML), so no cell can become markup. No network, no library.
 */
(function () {
  "use strict";
  if (window.threadscopeTables) { return; }  // loaded twice: once is enough
  var FILTER_FROM = 10, PAGE = 50;

  function text(cell) { return cell ? cell.textContent.replace(/\s+/g, " ").trim() : ""; }

  // the number a cell shows, or null for a blank cell ("", "–"), or NaN for text
  var NUMBER = /^([-+\u2212]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?)%?(?:\s*\(.*\))?$/i;
  var FLOOR = /^[≤<]\s*1\/(\d+)$/;
  function number(t) {
    if (t === "" || t === "–" || t === "-") { return null; }
    t = t.replace(/,/g, "");
    var m = FLOOR.exec(t);
    if (m) { return 1 / parseFloat(m[1]); }
    m = NUMBER.exec(t);
    return m ? parseFloat(m[1].replace("\u2212", "-")) : NaN;
  }

  function el(tag, cls, label) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (label !== undefined) { e.textContent = label; }
    return e;
  }

  function setup(table) {
    if (table.dataset.tsReady) { return; }
    table.dataset.tsReady = "1";
    var body = table.tBodies[0], head = table.tHead;
    if (!body || !head) { return; }
    var rows = Array.prototype.slice.call(body.rows);
    rows.forEach(function (r, i) { r.dataset.tsIndex = i; });
    var state = {query: [], page: 0, col: -1, dir: 1};
    var wrap = table.parentNode.classList.contains("ts-table-wrap") ? table.parentNode : table;
    var tools = null, input = null, info = null, prev = null, next = null;
    if (rows.length > FILTER_FROM) {
      tools = el("div", "ts-table-tools");
      var label = el("label", "ts-filter-label");
      label.appendChild(document.createTextNode("Filter rows "));
      input = el("input", "ts-filter");
      input.type = "search";
      input.placeholder = "words to find";
      input.setAttribute("aria-label", "Filter the rows of the table below");
      label.appendChild(input);
      tools.appendChild(label);
      info = el("span", "ts-count");
      info.setAttribute("aria-live", "polite");
      tools.appendChild(info);
      if (rows.length > PAGE) {
        prev = el("button", "ts-page", "‹ previous");
        next = el("button", "ts-page", "next ›");
        prev.type = next.type = "button";
        prev.addEventListener("click", function () { state.page -= 1; show(); });
        next.addEventListener("click", function () { state.page += 1; show(); });
        tools.appendChild(prev);
        tools.appendChild(next);
      }
      wrap.parentNode.insertBefore(tools, wrap);
      input.addEventListener("input", function () {
        state.query = input.value.toLowerCase().split(/\s+/).filter(Boolean);
        state.page = 0;
        show();
      });
    }

    function show() {
      var kept = rows.filter(function (r) {
        if (!state.query.length) { return true; }
        var t = r.textContent.toLowerCase();
        return state.query.every(function (q) { return t.indexOf(q) >= 0; });
      });
      var pages = Math.max(1, Math.ceil(kept.length / PAGE));
      var paged = prev !== null;
      state.page = Math.min(Math.max(state.page, 0), pages - 1);
      var from = paged ? state.page * PAGE : 0, to = paged ? from + PAGE : kept.length;
      var visible = new Set(kept.slice(from, to));
      rows.forEach(function (r) { r.hidden = !visible.has(r); });
      if (info) {
        var n = kept.length;
        info.textContent = (n === 0 ? "no row" : paged && n > PAGE
          ? "rows " + (from + 1).toLocaleString("en") + "–" + Math.min(to, n).toLocaleString("en") + " of "
            + n.toLocaleString("en") : n.toLocaleString("en") + (n === 1 ? " row" : " rows"))
          + (n < rows.length ? " (filtered from " + rows.length.toLocaleString("en") + ")" : "");
      }
      if (paged) { prev.disabled = state.page === 0; next.disabled = state.page >= pages - 1; }
    }

    function sortBy(col) {
      state.dir = state.col === col ? -state.dir : 1;
      state.col = col;
      var keys = rows.map(function (r) { return text(r.cells[col]); });
      var nums = keys.map(number);
      var numeric = nums.some(function (v) { return v !== null; }) &&
        nums.every(function (v) { return v === null || !isNaN(v); });
      var order = rows.map(function (r, i) { return i; });
      order.sort(function (a, b) {
        var blankA = numeric ? nums[a] === null : keys[a] === "" || keys[a] === "–";
        var blankB = numeric ? nums[b] === null : keys[b] === "" || keys[b] === "–";
        if (blankA || blankB) { return blankA === blankB ? a - b : (blankA ? 1 : -1); }  // blanks last, always
        var c = numeric ? nums[a] - nums[b]
          : keys[a].localeCompare(keys[b], undefined, {numeric: true, sensitivity: "base"});
        return c !== 0 ? state.dir * c : a - b;
      });
      rows = order.map(function (i) { return rows[i]; });
      rows.forEach(function (r) { body.appendChild(r); });
      Array.prototype.forEach.call(head.rows[0].cells, function (th, i) {
        if (i === col) { th.setAttribute("aria-sort", state.dir > 0 ? "ascending" : "descending"); }
        else { th.removeAttribute("aria-sort"); }
      });
      state.page = 0;
      show();
    }

    Array.prototype.forEach.call(head.rows[0].cells, function (th, i) {
      var button = el("button", "ts-sort");
      button.type = "button";
      while (th.firstChild) { button.appendChild(th.firstChild); }  // the header's own text nodes, moved
      button.title = "Sort by this column";
      th.appendChild(button);
      button.addEventListener("click", function () { sortBy(i); });
    });
    if (wrap.classList.contains("ts-kwic")) {  // a concordance line shows its whole context when clicked
      body.addEventListener("click", function (e) {
        var row = e.target.closest ? e.target.closest("tr") : null;
        if (row && !(window.getSelection && String(window.getSelection()))) { row.classList.toggle("ts-open"); }
      });
    }
    // a line above a table wider than its place, saying that more columns are a sideways scroll away
    var hint = el("p", "ts-scroll-hint", "More columns to the right: scroll the table sideways.");
    wrap.parentNode.insertBefore(hint, wrap);
    function fits() { hint.classList.toggle("ts-on", wrap.scrollWidth > wrap.clientWidth + 2); }
    fits();
    window.addEventListener("resize", fits);
    show();
  }

  function setupAll() {
    Array.prototype.forEach.call(document.querySelectorAll("table.ts-table"), setup);
  }

  window.threadscopeTables = {setup: setup, number: number};
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", setupAll); }
  else { setupAll(); }
})();
