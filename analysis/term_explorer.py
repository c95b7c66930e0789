"""Term explorer: one offline HTML page per keyness grouping, to explore its distinctive terms in their contexts.

A scattertext-style view of the keyness table (:mod:`analysis.keyness`, rule
``keyness``): each term is a point placed either by its log-odds z against its
frequency, or by its count in one group against its count in the other;
hovering a point names the term, clicking it (or the URL hash
``#term=<term>``, ``#group=<group>`` for the comparison) shows its z, counts
and frequencies and a few keyword-in-context lines of it, made by the
project's concordance code (:func:`analysis.concordance.concordance_lines`)
from the token positions of the tokens table.

The numbers are the keyness table's, copied, never estimated again. The page
compares each group with the rest of its grouping (with two groups, the one
with the other). Lines come from the tokens table, so they show a term where
the commenter wrote it in their own words (quoted passages are left out of
the tokens unless ``quotes.count_quoted_text``), in the comments table's text
(names and personal data already replaced unless ``privacy.keep_raw_text``);
the page names no author, pseudonym or comment id.

The page is one self-contained file: a small script of its own (an SVG
scatter plot, no library and nothing loaded from the network; a
Content-Security-Policy allows only that script, by its hash). All data text
is in one ``<script type="application/json">`` element with ``<``, ``>`` and
``&`` escaped as ``\\u003c``, ``\\u003e``, ``\\u0026``, and the script puts it
in the page with ``textContent`` only.

Size: at most ``max_terms`` terms (those with the largest \\|z\\| in each
comparison) and ``max_lines`` lines per term, and a hard budget of
``max_bytes`` for the whole page: terms are dropped from the least
distinctive up until the page fits (the page says how many). Nothing else
grows with the corpus. Arithmetic at the defaults (1,500 terms, 3 lines of
60 + match + 60 characters): a term's row is about 90 bytes of JSON and a
line about 145, so about 530 bytes a term and 0.8 MB a page (measured: 0.73
MB for 200,000 generated comments in 10 shards, 2 groups; 0.72 MB with 40
groups; 1.5 MB when every space of the text is " <&> ", each escape 6
bytes). The worst case, every character of every line escaped, is about 6
MB, which ``max_bytes`` (5 MB by default) cuts.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import math
import re
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analysis.concordance import concordance_lines
from analysis.errors import int_arg
from analysis.groups import known
from analysis.keyness import REST
from analysis.matcher import document_texts

__all__ = ["explorer_terms", "explorer_lines", "explorer_page", "term_explorer", "TERM_COLUMNS", "LINE_COLUMNS"]

TERM_COLUMNS = ["group_a", "group_b", "term", "count_a", "count_b", "freq_a", "freq_b", "z"]
"""The keyness columns a page shows, per comparison and term (copied from the keyness table)."""

LINE_COLUMNS = ["term", "group", "left", "match", "right"]
"""The columns of the keyword-in-context lines a page shows."""

KEYS = ["thread_id", "comment_id", "doc"]
MAX_MATCH = 100
"""Longest match shown in a line (characters); a longer one is cut with an ellipsis."""


def explorer_terms(keyness: pd.DataFrame, *, by: str, max_terms: int, max_groups: int = 12) -> pd.DataFrame:
    """The keyness rows a page of grouping ``by`` shows: per comparison, the terms with the largest \\|z\\|.

    ``keyness`` is the keyness table (columns ``by``, ``group_a``,
    ``group_b``, ``term``, counts, frequencies, ``z``: one-vs-rest rows, as
    rule ``keyness`` writes them). A missing or blank group label gets no
    comparison (its documents stay in "the rest"). With two groups, the second group's rows
    mirror the first's, so only the first group's comparison is kept and its
    ``group_b`` is the other group. With more, the ``max_groups`` groups with
    the most counted term tokens are compared each with the rest. ``max_terms``
    terms are kept in all, shared equally among the comparisons, by \\|z\\|
    descending (ties: term). Returns :data:`TERM_COLUMNS`, the values as in
    the keyness table, ordered by comparison, then \\|z\\| descending.
    """
    max_terms = int_arg("max_terms", max_terms, minimum=1)
    max_groups = int_arg("max_groups", max_groups, minimum=1)
    rows = keyness.loc[keyness["by"].astype(str) == by] if len(keyness) else keyness
    if not len(rows):
        return pd.DataFrame({c: pd.Series(dtype=object if c in ("group_a", "group_b", "term") else float)
                             for c in TERM_COLUMNS})
    labelled = known(rows["group_a"])
    n_groups = rows["group_a"].astype(str).where(labelled, "").nunique()
    rows = rows.loc[labelled]  # no comparison for the documents without a label (they stay in "the rest")
    rows = rows.assign(group_a=rows["group_a"].astype(str), group_b=rows["group_b"].astype(str),
                       term=rows["term"].astype(str))
    groups = list(pd.unique(rows["group_a"]))
    if not groups:
        return rows[TERM_COLUMNS].iloc[:0]
    if n_groups == 2 and len(groups) == 2:
        rows = rows.loc[rows["group_a"] == groups[0]].assign(group_b=groups[1])
        groups = groups[:1]
    else:
        size = rows.groupby("group_a", sort=False)["count_a"].sum()
        groups = sorted(groups, key=lambda g: (-size[g], g))[:max_groups]
        rows = rows.loc[rows["group_a"].isin(groups)]
    per = max(1, max_terms // len(groups))
    # one sort of all rows: comparison (in the order chosen), then |z| descending, then term
    comparison = pd.Categorical(rows["group_a"], categories=groups, ordered=True).codes
    term_rank = pd.Categorical(rows["term"]).codes  # categories sorted: the order of the terms' text
    order = np.lexsort((term_rank, -np.abs(rows["z"].to_numpy(dtype=float)), comparison))
    rows = rows.iloc[order]
    rows = rows.loc[rows.groupby("group_a", sort=False).cumcount().to_numpy() < per]
    return rows[TERM_COLUMNS].reset_index(drop=True)


def explorer_lines(shards: Iterable[tuple[pa.Table, pd.DataFrame, pd.DataFrame, pd.DataFrame]], terms: Sequence[str],
                   *, by: str, max_lines: int, width: int = 60, groups: Sequence[str] = ()) -> pd.DataFrame:
    """Up to ``max_lines`` keyword-in-context lines of each term, from the documents of grouping ``by``.

    ``shards`` yields ``(tokens, docs, comments, threads)`` per shard: the
    tokens table (``thread_id``, ``comment_id``, ``doc``, ``norm``,
    ``start``, ``end``; Arrow), the framing docs table (the keys and ``by``),
    and the comments (``thread_id``, ``comment_id``, ``text``) and threads
    (``thread_id``, ``article_text``) the tokens were made from. A term
    occurs where a token's ``norm`` equals it; documents without a value of
    ``by`` (missing or blank) are left out. Lines are taken in shard and document order, round
    robin over the groups (the first occurrence in each group, then the
    second, ...), so each group that uses a term shows it; ``width``
    characters each side (:func:`analysis.concordance.concordance_lines`).
    Returns :data:`LINE_COLUMNS`, per term in that order. ``groups`` (the
    groups of ``by``, optional) only saves work: a term with ``max_lines``
    lines of each of them is no longer searched for in later shards.
    """
    max_lines = int_arg("max_lines", max_lines, minimum=1)
    wanted = pa.array(sorted(set(terms)), type=pa.string())
    found: list[pd.DataFrame] = []
    taken: dict = {}
    for tokens, docs, comments, threads in shards:
        if by not in docs.columns:
            continue
        if groups:  # a term with max_lines lines of every group needs no more: search only the others
            wanted = pa.array([w for w in wanted.to_pylist()
                               if any(taken.get((w, g), 0) < max_lines for g in groups)], type=pa.string())
        if not len(wanted):
            break
        hits = _first_hits(tokens, docs, wanted, by=by, max_lines=max_lines, taken=taken)
        if not len(hits):
            continue
        needed = comments["comment_id"].isin(set(hits["comment_id"])) & comments["thread_id"].isin(
            set(hits["thread_id"]))
        texts = document_texts(comments.loc[needed], threads)  # only the texts of the lines
        hits = hits.sort_values([*KEYS, "start"], kind="stable", ignore_index=True)
        matches = hits[[*KEYS]].assign(lexicon="", lexicon_sha="", frame="", term=hits["norm"], start=hits["start"],
                                       end=hits["end"], quoted=False, negated=False, counted=True)
        matches["match"] = [texts[k][s:e] for k, s, e in zip(zip(*(hits[c] for c in KEYS)), hits["start"], hits["end"])]
        kwic = concordance_lines(matches, texts, width=width)
        found.append(pd.DataFrame({"term": hits["norm"].to_numpy(), "group": hits["group"].to_numpy(),
                                   "n": hits["n"].to_numpy(), "left": kwic["left"].to_numpy(dtype=object),
                                   "match": kwic["match"].to_numpy(dtype=object),
                                   "right": kwic["right"].to_numpy(dtype=object)}))
    if not found:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in LINE_COLUMNS})
    lines = pd.concat(found, ignore_index=True)
    # round robin: the n-th line of every group before the (n+1)-th of any; within a rank, groups in sorted order
    lines = lines.sort_values(["term", "n", "group"], kind="stable", ignore_index=True)
    lines = lines.loc[lines.groupby("term", sort=False).cumcount() < max_lines]
    return lines[LINE_COLUMNS].reset_index(drop=True)


def _first_hits(tokens: pa.Table, docs: pd.DataFrame, wanted: pa.Array, *, by: str, max_lines: int,
                taken: dict) -> pd.DataFrame:
    """The occurrences of the ``wanted`` terms in one shard that still count towards ``max_lines`` per (term, group).

    ``taken`` counts the lines per (term, group) of the shards before; it is updated. Vectorised: the tokens are
    filtered and joined to their documents' groups in Arrow, ranked within (term, group) in NumPy.
    """
    norm = tokens.column("norm")
    if pa.types.is_dictionary(norm.type):  # look up each distinct word once, not every token
        code = pa.chunked_array([pc.index_in(c.dictionary, value_set=wanted).take(c.indices) for c in norm.chunks],
                                type=pa.int32())
    else:
        code = pc.index_in(norm, value_set=wanted)
    found = pc.is_valid(code)
    n_found = pc.sum(found).as_py() or 0
    empty = pd.DataFrame(columns=[*KEYS, "norm", "group", "start", "end", "n"])
    if not n_found:
        return empty
    hit = tokens.select([*KEYS, "start", "end"]).filter(found)
    hit = pa.table({k: hit.column(k).cast(pa.string()) for k in KEYS}
                   | {"start": hit.column("start"), "end": hit.column("end"), "t": code.filter(found),
                      "o": pa.array(np.arange(hit.num_rows, dtype=np.int64))})
    groups = docs.loc[known(docs[by]), list(dict.fromkeys([*KEYS, by]))].drop_duplicates(KEYS)
    groups = pa.table({k: pa.array(groups[k].astype(str).tolist(), type=pa.string()) for k in KEYS}
                      | {"group": pa.array(groups[by].astype(str).tolist(), type=pa.string())})
    joined = hit.join(groups, keys=KEYS, join_type="inner").combine_chunks()
    if not joined.num_rows:
        return empty
    group = joined.column("group").chunk(0).dictionary_encode()
    labels = group.dictionary.to_pylist()
    g = group.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    t = joined.column("t").to_numpy().astype(np.int64)
    order = np.lexsort((joined.column("o").to_numpy(), g, t))
    t_sorted, g_sorted = t[order], g[order]
    key = t_sorted * (len(labels) + 1) + g_sorted
    first = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    rank = np.arange(len(key)) - np.repeat(first, np.diff(np.r_[first, len(key)]))
    words = wanted.to_pylist()
    combos = [(words[a], labels[b]) for a, b in zip(t_sorted[first].tolist(), g_sorted[first].tolist())]
    before = np.repeat([taken.get(c, 0) for c in combos], np.diff(np.r_[first, len(key)]))
    n = rank + before
    keep = n < max_lines
    for c, k in zip(combos, np.add.reduceat(keep.astype(np.int64), first)):
        taken[c] = taken.get(c, 0) + int(k)
    rows = order[keep]
    out = joined.select([*KEYS, "start", "end"]).take(pa.array(rows)).to_pandas()
    out["norm"] = wanted.take(pa.array(t[rows])).to_pylist()
    out["group"] = [labels[i] for i in g[rows]]
    out["n"] = n[keep]
    return out


def _json_for_html(data) -> str:
    """JSON that cannot end or open markup inside a ``<script type="application/json">`` element."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def _number(x):
    x = float(x)
    return x if math.isfinite(x) else None


def _clip(text: str) -> str:
    return text if len(text) <= MAX_MATCH else text[: MAX_MATCH - 1] + "…"


def _page_data(terms: pd.DataFrame, lines: pd.DataFrame, *, by: str, note: str) -> dict:
    groups = list(dict.fromkeys([*terms["group_a"], *(g for g in terms["group_b"] if g != REST)]))
    gid = {g: i for i, g in enumerate(groups)}
    vocab = list(dict.fromkeys(terms["term"]))
    tid = {t: i for i, t in enumerate(vocab)}
    lines = lines.loc[lines["term"].isin(tid)]
    by_term: list[list] = [[] for _ in vocab]
    for t, g, left, match, right in zip(*(lines[c] for c in LINE_COLUMNS)):
        by_term[tid[t]].append([gid.get(g, -1), g if g not in gid else "", left, _clip(match), right])
    comparisons = []
    for (a, b), part in terms.groupby(["group_a", "group_b"], sort=False):
        comparisons.append({"a": gid[a], "b": gid.get(b, -1), "rows": [
            [tid[t], int(ca), int(cb), _number(fa), _number(fb), _number(z)]
            for t, ca, cb, fa, fb, z in zip(*(part[c] for c in TERM_COLUMNS[2:]))]})
    return {"by": by, "rest": REST, "groups": groups, "terms": vocab, "lines": by_term, "comparisons": comparisons,
            "note": note}


def explorer_page(terms: pd.DataFrame, lines: pd.DataFrame, *, by: str, title: str = "",
                  max_bytes: int = 5_000_000, why_empty: str = "") -> str:
    """The HTML of one explorer page: ``terms`` (:func:`explorer_terms`) and ``lines`` (:func:`explorer_lines`).

    When the page would exceed ``max_bytes`` (UTF-8), the least distinctive
    terms (the last of each comparison) are dropped until it fits; the page
    says how many. With no terms the page holds one sentence (``why_empty``).
    """
    max_bytes = int_arg("max_bytes", max_bytes, minimum=1)
    kept, dropped = terms, 0
    while True:
        note = (f"{dropped:,} less distinctive term(s) left out to keep this page under {max_bytes:,} bytes."
                if dropped else "")
        if not len(kept):
            note = why_empty or f"No keyness terms for the grouping {by}."
        page = _html(_json_for_html(_page_data(kept, lines, by=by, note=note)), by=by, title=title)
        size = len(page.encode("utf-8"))
        if size <= max_bytes or not len(kept):
            return page
        keep = max(0, int(len(kept) * min(0.95, max_bytes / size)) - 1)
        rank = kept.groupby(["group_a", "group_b"], sort=False).cumcount()
        n_comp = kept.groupby(["group_a", "group_b"], sort=False).ngroups
        new = kept.loc[rank < keep // max(n_comp, 1)]
        dropped += len(kept) - len(new)
        kept = new


def term_explorer(keyness: pd.DataFrame, shards: Iterable, *, by: str, max_terms: int, max_lines: int,
                  width: int = 60, max_groups: int = 12, max_bytes: int = 5_000_000, title: str = "") -> str:
    """Rule term_explorer: the explorer page of grouping ``by`` (see the module's text) as HTML text.

    ``keyness`` is the keyness table; ``shards`` yields what
    :func:`explorer_lines` reads. A grouping with fewer than two groups has no
    keyness rows: its page says so in one sentence.
    """
    terms = explorer_terms(keyness, by=by, max_terms=max_terms, max_groups=max_groups)
    labels = keyness.loc[keyness["by"].astype(str) == by, "group_a"] if len(keyness) else pd.Series(dtype=object)
    groups = sorted(pd.unique(labels[known(labels)].astype(str)))
    lines = explorer_lines(shards if len(terms) else (), terms["term"].tolist(), by=by, max_lines=max_lines,
                           width=width, groups=groups)
    why = (f"The grouping {by} has fewer than two groups with counted terms, so it has no keyness terms to explore."
           if not len(terms) else "")
    return explorer_page(terms, lines, by=by, title=title, max_bytes=max_bytes, why_empty=why)


def _html(data_json: str, *, by: str, title: str) -> str:
    digest = base64.b64encode(hashlib.sha256(_SCRIPT.encode("utf-8")).digest()).decode("ascii")
    csp = (f"default-src 'none'; script-src 'sha256-{digest}'; style-src 'unsafe-inline'; img-src 'none'; "
           "connect-src 'none'; form-action 'none'; base-uri 'none'")
    heading = html.escape(f"Term explorer: {by}" + (f" ({title})" if title else ""), quote=True)
    values = {"CSP": html.escape(csp, quote=True), "HEADING": heading, "DATA": data_json, "SCRIPT": _SCRIPT}
    # one pass: a value is never searched for placeholders (a term may read "{{SCRIPT}}")
    return re.sub(r"\{\{(CSP|HEADING|DATA|SCRIPT)\}\}", lambda m: values[m.group(1)], _TEMPLATE)


_TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{{CSP}}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{HEADING}}</title>
<style>
body{font-family:system-ui,sans-serif;margin:1em;color:#222;max-width:1200px}
#controls{display:flex;flex-wrap:wrap;gap:.6em;align-items:center;margin:.4em 0}
#plot{width:100%;max-width:900px;height:auto;border:1px solid #ccc;display:block}
#plot circle{cursor:pointer}
#plot circle.sel{stroke:#000;stroke-width:2}
#detail{margin-top:.8em}
#lines{border-collapse:collapse;width:100%;table-layout:fixed;font-family:monospace;font-size:90%}
#lines td{padding:.15em .3em;overflow:hidden;white-space:nowrap;vertical-align:top}
#lines td.l{text-align:right;width:38%;direction:rtl}
#lines td.l span{direction:ltr;unicode-bidi:embed}
#lines td.m{font-weight:bold;width:14%;text-align:center}
#lines td.r{width:38%}
#lines td.g{width:10%;color:#666;text-overflow:ellipsis}
#note{color:#666}
.a{fill:#1b6ca8}.b{fill:#c8553d}.n{fill:#999}
</style>
</head>
<body>
<h1 id="heading">{{HEADING}}</h1>
<p id="note"></p>
<div id="controls">
<label>comparison <select id="comparison"></select></label>
<label>axes <select id="mode"><option value="z">z against frequency</option>
<option value="freq">count in each group</option></select></label>
<label>term <input id="find" list="termlist" size="18"></label><datalist id="termlist"></datalist>
</div>
<svg id="plot" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 900 560" role="img"
 aria-label="terms by keyness"></svg>
<div id="detail"><h2 id="term"></h2><p id="stats"></p>
<table id="lines"><tbody id="linebody"></tbody></table></div>
<script type="application/json" id="data">{{DATA}}</script>
<script>{{SCRIPT}}</script>
</body>
</html>
"""

# the page's own script: reads the data with JSON.parse and writes every data value with textContent
_SCRIPT = r"""
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("data").textContent);
  var NS = "http://www.w3.org/2000/svg";
  var W = 900, H = 560, L = 60, R = 20, T = 20, B = 50;
  var svg = document.getElementById("plot");
  var comp = 0, mode = "z", selected = null;
  function $(id) { return document.getElementById(id); }
  function el(name, attrs, text) {
    var e = document.createElementNS(NS, name);
    for (var k in attrs) { e.setAttribute(k, String(attrs[k])); }
    if (text !== undefined) { e.textContent = text; }
    return e;
  }
  function name(i) { return i < 0 ? D.rest : D.groups[i]; }
  function fmt(x, d) { return x === null ? "n/a" : Number(x).toFixed(d); }
  $("note").textContent = D.note;
  D.comparisons.forEach(function (c, i) {
    var o = document.createElement("option");
    o.value = String(i);
    o.textContent = name(c.a) + " vs " + name(c.b);
    $("comparison").appendChild(o);
  });
  D.terms.forEach(function (t) {
    var o = document.createElement("option");
    o.value = t;
    $("termlist").appendChild(o);
  });
  function rowOf(term) {
    var c = D.comparisons[comp];
    if (!c) { return null; }
    for (var i = 0; i < c.rows.length; i++) { if (D.terms[c.rows[i][0]] === term) { return c.rows[i]; } }
    return null;
  }
  function draw() {
    while (svg.firstChild) { svg.removeChild(svg.firstChild); }
    var c = D.comparisons[comp];
    if (!c) { return; }
    var xs = [], ys = [];
    c.rows.forEach(function (r) {
      if (mode === "z") { xs.push(Math.log10(r[1] + r[2])); ys.push(r[5] === null ? 0 : r[5]); }
      else { xs.push(Math.log10(r[2] + 1)); ys.push(Math.log10(r[1] + 1)); }
    });
    function range(v) {
      var lo = Math.min.apply(null, v.concat([0])), hi = Math.max.apply(null, v.concat([1]));
      return [lo, hi === lo ? lo + 1 : hi];
    }
    var rx = range(xs), ry = mode === "z" ? range(ys) : range(xs.concat(ys));
    if (mode !== "z") { rx = ry; }
    function sx(x) { return L + (x - rx[0]) / (rx[1] - rx[0]) * (W - L - R); }
    function sy(y) { return H - B - (y - ry[0]) / (ry[1] - ry[0]) * (H - T - B); }
    svg.appendChild(el("line", {x1: L, y1: H - B, x2: W - R, y2: H - B, stroke: "#444"}));
    svg.appendChild(el("line", {x1: L, y1: T, x2: L, y2: H - B, stroke: "#444"}));
    var xl = mode === "z" ? "log10 count in both" : "log10 (count in " + name(c.b) + " + 1)";
    var yl = mode === "z" ? "log-odds z (> 0: " + name(c.a) + ")" : "log10 (count in " + name(c.a) + " + 1)";
    svg.appendChild(el("text", {x: (L + W - R) / 2, y: H - 12, "text-anchor": "middle", "font-size": 13}, xl));
    svg.appendChild(el("text", {x: 14, y: (T + H - B) / 2, "text-anchor": "middle", "font-size": 13,
      transform: "rotate(-90 14 " + (T + H - B) / 2 + ")"}, yl));
    function ticks(r) {  // round steps of 1, 2 or 5 times a power of ten, at most about 6 ticks
      var raw = (r[1] - r[0]) / 5, p = Math.pow(10, Math.floor(Math.log10(raw))), out = [];
      var step = [1, 2, 5, 10].map(function (m) { return m * p; }).filter(function (v) { return v >= raw; })[0];
      for (var v = Math.ceil(r[0] / step) * step; v <= r[1] + 1e-9; v += step) { out.push(v); }
      return {values: out, digits: Math.max(0, -Math.floor(Math.log10(step)))};
    }
    var tx = ticks(rx), ty = ticks(ry);
    tx.values.forEach(function (x) {
      svg.appendChild(el("text", {x: sx(x), y: H - B + 16, "text-anchor": "middle", "font-size": 11},
        fmt(x, tx.digits)));
    });
    ty.values.forEach(function (y) {
      svg.appendChild(el("text", {x: L - 4, y: sy(y) + 4, "text-anchor": "end", "font-size": 11}, fmt(y, ty.digits)));
    });
    if (mode === "z" && ry[0] < 0 && ry[1] > 0) {
      svg.appendChild(el("line", {x1: L, y1: sy(0), x2: W - R, y2: sy(0), stroke: "#bbb", "stroke-dasharray": "4"}));
    }
    var order = c.rows.map(function (r, i) { return i; });
    order.sort(function (i, j) { return Math.abs(c.rows[j][5] || 0) - Math.abs(c.rows[i][5] || 0); });
    var labelled = {}, placed = [];
    order.slice(0, 16).forEach(function (i) { labelled[i] = true; });
    c.rows.forEach(function (r, i) {
      var term = D.terms[r[0]], z = r[5] || 0;
      var dot = el("circle", {cx: sx(xs[i]), cy: sy(ys[i]), r: 3.5, "fill-opacity": 0.7,
        "class": z >= 1.96 ? "a" : (z <= -1.96 ? "b" : "n")});
      dot.appendChild(el("title", {}, term + "  z = " + fmt(r[5], 2)));
      dot.addEventListener("click", function () { select(term); });
      if (term === selected) { dot.setAttribute("class", dot.getAttribute("class") + " sel"); }
      svg.appendChild(dot);
      if (labelled[i]) {
        var shown = term.length > 24 ? term.slice(0, 23) + "\u2026" : term;
        var box = [sx(xs[i]) + 5, sy(ys[i]) - 16, sx(xs[i]) + 5 + 6.5 * shown.length, sy(ys[i]) - 3];
        var free = placed.every(function (p) {
          return box[2] < p[0] || p[2] < box[0] || box[3] < p[1] || p[3] < box[1];
        });
        if (free && box[2] <= W) {  // no label over another, none off the canvas
          placed.push(box);
          var lab = el("text", {x: box[0], y: box[3] - 2, "font-size": 11}, shown);
          lab.addEventListener("click", function () { select(term); });
          svg.appendChild(lab);
        }
      }
    });
  }
  function select(term) {
    selected = term;
    if (!rowOf(term)) {  // a term of another comparison: show that one
      var was = comp;
      for (comp = 0; comp < D.comparisons.length && !rowOf(term); comp++) {}
      if (comp >= D.comparisons.length) { comp = was; }
      $("comparison").value = String(comp);
    }
    var c = D.comparisons[comp], r = rowOf(term);
    $("term").textContent = term;
    if (r) {
      $("stats").textContent = "z = " + fmt(r[5], 2) + "; count " + r[1] + " in " + name(c.a) + " (" +
        fmt(r[3], 3) + " per 1,000 tokens), " + r[2] + " in " + name(c.b) + " (" + fmt(r[4], 3) + " per 1,000)";
    } else {
      $("stats").textContent = "not among the terms of " + (c ? name(c.a) + " vs " + name(c.b) : "this page");
    }
    var body = $("linebody");
    while (body.firstChild) { body.removeChild(body.firstChild); }
    var ti = D.terms.indexOf(term);
    (ti < 0 ? [] : D.lines[ti]).forEach(function (ln) {
      var tr = document.createElement("tr");
      [[ln[0] >= 0 ? D.groups[ln[0]] : ln[1], "g"], [ln[2], "l"], [ln[3], "m"], [ln[4], "r"]].forEach(function (p) {
        var td = document.createElement("td"), span = document.createElement("span");
        td.className = p[1];
        span.textContent = p[0];  // in a span: the left context overflows to the left, its end stays in view
        td.appendChild(span);
        td.title = p[0];
        tr.appendChild(td);
      });
      tr.className = "line";
      body.appendChild(tr);
    });
    draw();
  }
  function fromHash() {
    var h = location.hash.replace(/^#/, ""), want = null;
    h.split("&").forEach(function (kv) {
      var i = kv.indexOf("=");
      if (i < 0) { return; }
      var k = kv.slice(0, i), v;
      try { v = decodeURIComponent(kv.slice(i + 1)); } catch (e) { return; }
      if (k === "term") { want = v; }
      if (k === "group") {
        D.comparisons.forEach(function (c, j) { if (name(c.a) === v) { comp = j; } });
        $("comparison").value = String(comp);
      }
      if (k === "mode" && (v === "z" || v === "freq")) { mode = v; $("mode").value = v; }
    });
    if (want !== null) { select(want); } else { draw(); }
  }
  $("comparison").addEventListener("change", function () { comp = Number(this.value); draw(); });
  $("mode").addEventListener("change", function () { mode = this.value; draw(); });
  $("find").addEventListener("change", function () { if (D.terms.indexOf(this.value) >= 0) { select(this.value); } });
  window.addEventListener("hashchange", fromHash);
  fromHash();
})();
"""
