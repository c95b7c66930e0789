"""The term explorer (issue 16 item 6): the data a page embeds, its escaping and size, and the page in Chromium.

Expected values are worked out here by hand or by a second route: the z of a
page is compared with the keyness estimator's own table (analysis.keyness),
the chosen terms with a sort by |z| written in the test, the lines with
slices of the texts written here, and the embedded data with what Python's
json module reads back from the page.
"""

from __future__ import annotations

import json
import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from analysis.keyness import keyness
from analysis.term_explorer import explorer_lines, explorer_page, explorer_terms, term_explorer

ROOT = Path(__file__).resolve().parents[1]
HOSTILE_TERM = "</script><script>document.title='PWNED'</script>"
HOSTILE_TEXT = "<img src=x onerror=\"document.title='PWNED'\"> & &amp; \u2028 {{SCRIPT}}"


class _Parts(HTMLParser):
    """The text of each <script> element, and the page's elements, as a browser's parser splits them."""

    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.scripts: list[tuple[dict, str]] = []
        self.tags: list[str] = []
        self._in = None
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "script":
            self.scripts.append((dict(attrs), ""))
            self._in = True

    def handle_endtag(self, tag):
        if tag == "script":
            self._in = None

    def handle_data(self, data):
        if self._in:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)


def embedded(page: str) -> dict:
    parts = _Parts(page)
    data = [text for attrs, text in parts.scripts if attrs.get("type") == "application/json"]
    assert len(data) == 1, "expected exactly one JSON data element"
    return json.loads(data[0])


def _keyness_table(counts, groups, terms, *, by="side"):
    return keyness(np.asarray(counts), groups=groups, terms=terms, min_count=1).assign(by=by)


# ------------------------------------------------------------------ the terms a page shows


def test_two_groups_show_one_comparison_with_the_keyness_z_of_the_top_terms():
    terms = ["gun", "rights", "safety", "law", "crime", "vote"]
    counts = [[30, 20, 2, 10, 5, 7], [5, 4, 25, 10, 20, 6]]
    table = _keyness_table(counts, ["anti", "pro"], terms)
    shown = explorer_terms(table, by="side", max_terms=4)
    # the oracle: the 4 terms of anti's rows with the largest |z|, sorted in the test
    anti = table[table["group_a"] == "anti"]
    expected = sorted(zip(anti["term"], anti["z"]), key=lambda tz: (-abs(tz[1]), tz[0]))[:4]
    assert list(shown["term"]) == [t for t, _ in expected]
    assert list(shown["z"]) == [z for _, z in expected]  # the very values, not estimated again
    assert set(shown["group_a"]) == {"anti"} and set(shown["group_b"]) == {"pro"}  # the pair, not "(rest)"
    # counts of the pair as given: gun 30 in anti, 5 in pro
    gun = shown[shown["term"] == "gun"].iloc[0]
    assert (gun["count_a"], gun["count_b"]) == (30, 5)


def test_more_groups_each_against_the_rest_sharing_max_terms():
    terms = [f"t{i}" for i in range(8)]
    counts = [[9, 1, 1, 1, 5, 5, 5, 5], [1, 9, 1, 1, 5, 5, 5, 5], [1, 1, 9, 9, 50, 5, 5, 5]]
    table = _keyness_table(counts, ["a", "b", "c"], terms, by="topic")
    shown = explorer_terms(table, by="topic", max_terms=6, max_groups=2)
    # groups with the most counted tokens first: c (85), then a and b (32 each; a by name)
    assert list(dict.fromkeys(shown["group_a"])) == ["c", "a"]
    assert set(shown["group_b"]) == {"(rest)"}
    assert shown.groupby("group_a").size().to_dict() == {"a": 3, "c": 3}
    assert explorer_terms(table, by="other", max_terms=6).empty


@pytest.mark.parametrize("missing", ["", "  ", None])
def test_documents_without_a_label_get_no_comparison(missing):
    """CreateDebate: 54 posts without a side are a group "" (read back as NaN) of the keyness table."""
    table = _keyness_table([[9, 1, 3], [1, 9, 3], [2, 2, 3]], ["anti", "pro", "?"], ["a", "b", "x"])
    table["group_a"] = table["group_a"].replace("?", missing)
    shown = explorer_terms(table, by="side", max_terms=6)
    # two labelled groups of three: each against the rest (which holds the unlabelled posts), not against each other
    assert list(dict.fromkeys(shown["group_a"])) == ["anti", "pro"]
    assert set(shown["group_b"]) == {"(rest)"}
    texts = {("t", "1", "comment"): "a b", ("t", "2", "comment"): "a x"}
    lines = explorer_lines([_shard(texts, {("t", "1", "comment"): "anti", ("t", "2", "comment"): missing})], ["a"],
                           by="side", max_lines=5)
    assert lines["group"].tolist() == ["anti"]
    page = term_explorer(table, [_shard(texts, {("t", "1", "comment"): "anti", ("t", "2", "comment"): missing})],
                         by="side", max_terms=6, max_lines=5)
    assert embedded(page)["groups"] == ["anti", "pro"]


# ------------------------------------------------------------------ the lines


def _shard(texts: dict, groups: dict):
    """tokens of every word of the texts (norm = lowercase word), with the docs table giving each text's group."""
    rows = []
    for (thread, comment, doc), text in texts.items():
        for m in re.finditer(r"\w+", text):
            rows.append((thread, comment, doc, m.group().lower(), m.start(), m.end()))
    tokens = pa.table({k: [r[i] for r in rows] for i, k in
                       enumerate(["thread_id", "comment_id", "doc", "norm", "start", "end"])})
    docs = pd.DataFrame([(t, c, d, groups[(t, c, d)]) for (t, c, d) in texts], columns=["thread_id", "comment_id",
                                                                                         "doc", "side"])
    comments = pd.DataFrame([(t, c, x) for (t, c, d), x in texts.items() if d == "comment"],
                            columns=["thread_id", "comment_id", "text"])
    threads = pd.DataFrame({"thread_id": sorted({t for t, _, _ in texts}), "article_text": ""})
    return tokens, docs, comments, threads


def test_lines_are_slices_of_the_text_round_robin_over_groups():
    texts = {("t1", "1", "comment"): "I like guns a lot, guns are fine",
             ("t1", "2", "comment"): "No guns here",
             ("t1", "3", "comment"): "guns guns guns"}
    groups = {("t1", "1", "comment"): "pro", ("t1", "2", "comment"): "anti", ("t1", "3", "comment"): "pro"}
    lines = explorer_lines([_shard(texts, groups)], ["guns"], by="side", max_lines=3, width=7)
    # by hand: the first of each group (anti: comment 2 at 3; pro: comment 1 at 7), then pro's second (comment 1 at 19)
    assert lines.to_dict("records") == [
        {"term": "guns", "group": "anti", "left": "No ", "match": "guns", "right": " here"},
        {"term": "guns", "group": "pro", "left": "I like ", "match": "guns", "right": " a lot,"},
        {"term": "guns", "group": "pro", "left": "a lot, ", "match": "guns", "right": " are fi"},
    ]


def test_lines_by_a_key_column():
    """Grouping by ``doc`` (article vs comments), a column that is also a document key (the sample's grouping)."""
    texts = {("t1", "1", "comment"): "a war here", ("t1", "", "article"): "the war"}
    tokens, docs, comments, _ = _shard(texts, {k: k[2] for k in texts})
    threads = pd.DataFrame({"thread_id": ["t1"], "article_text": ["the war"]})
    lines = explorer_lines([(tokens, docs.drop(columns="side"), comments, threads)], ["war"], by="doc", max_lines=5,
                           width=4)
    assert lines[["group", "left", "right"]].values.tolist() == [["article", "the ", ""], ["comment", "a ", " her"]]


def test_lines_stop_at_max_lines_over_shards():
    a = {("t1", "1", "comment"): "war war war"}
    b = {("t2", "1", "comment"): "war again"}
    first, second = _shard(a, dict.fromkeys(a, "x")), _shard(b, dict.fromkeys(b, "x"))
    # the workflow reads norm dictionary-encoded; the first shard's is, the second's is not
    tokens = first[0]
    first = (tokens.set_column(tokens.schema.get_field_index("norm"), "norm",
                               tokens.column("norm").dictionary_encode()), *first[1:])
    for groups in ((), ["x"]):  # knowing the groups only saves work
        lines = explorer_lines([first, second], ["war", "peace"], by="side", max_lines=2, width=4, groups=groups)
        assert lines[["left", "match", "right"]].values.tolist() == [["", "war", " war"], ["war ", "war", " war"]]


# ------------------------------------------------------------------ the page


def test_page_embeds_hostile_text_escaped_and_reads_back_exactly():
    table = _keyness_table([[9, 1, 3], [1, 9, 3]], ["<b>a</b>", "b & c"], [HOSTILE_TERM, "plain", "x"])
    shown = explorer_terms(table, by="side", max_terms=10)
    lines = pd.DataFrame([{"term": HOSTILE_TERM, "group": "<b>a</b>", "left": HOSTILE_TEXT, "match": HOSTILE_TERM,
                           "right": "</script>"}])
    page = explorer_page(shown, lines, by="side")
    parts = _Parts(page)
    assert [attrs.get("type") for attrs, _ in parts.scripts] == ["application/json", None]  # no script from the data
    assert "img" not in parts.tags
    body = page.split('<script type="application/json" id="data">', 1)[1].split("</script>", 1)[0]
    assert not set("<>&") & set(body), "raw <, > or & in the embedded JSON"
    data = embedded(page)
    assert data["terms"][0] == HOSTILE_TERM
    assert data["groups"] == ["<b>a</b>", "b & c"]
    group, _, left, match, right = data["lines"][0][0]
    assert (data["groups"][group], left, match, right) == ("<b>a</b>", HOSTILE_TEXT, HOSTILE_TERM, "</script>")
    # the numbers are the keyness table's
    row = {data["terms"][r[0]]: r for r in data["comparisons"][0]["rows"]}
    first = table[table["group_a"] == "<b>a</b>"].set_index("term")
    for term, r in row.items():
        assert r[1:] == [first.at[term, c] for c in ("count_a", "count_b", "freq_a", "freq_b", "z")]
    # the script writes data with textContent only
    script = parts.scripts[1][1]
    assert "innerHTML" not in script and "insertAdjacentHTML" not in script and "document.write" not in script


def test_page_keeps_under_its_byte_budget_by_dropping_the_least_distinctive_terms():
    rng = np.random.default_rng(1)
    terms = [f"term{i:04d}" for i in range(600)]
    counts = rng.integers(1, 50, size=(2, 600))
    table = _keyness_table(counts, ["a", "b"], terms)
    shown = explorer_terms(table, by="side", max_terms=600)
    lines = pd.DataFrame([{"term": t, "group": "a", "left": "<" * 60, "match": t, "right": "&" * 60} for t in terms])
    full = explorer_page(shown, lines, by="side", max_bytes=10**8)
    budget = len(full.encode("utf-8")) // 3
    page = explorer_page(shown, lines, by="side", max_bytes=budget)
    assert len(page.encode("utf-8")) <= budget < len(full.encode("utf-8"))
    data = embedded(page)
    kept = [data["terms"][r[0]] for r in data["comparisons"][0]["rows"]]
    assert kept == list(shown["term"])[: len(kept)]  # the most distinctive stay, in order
    assert re.search(r"[\d,]+ less distinctive term", data["note"])


def test_a_grouping_without_terms_gets_one_sentence():
    page = term_explorer(pd.DataFrame(columns=["by", "group_a", "group_b", "term", "count_a", "count_b", "freq_a",
                                               "freq_b", "z"]), [], by="side", max_terms=10, max_lines=2)
    data = embedded(page)
    assert data["comparisons"] == [] and "fewer than two groups" in data["note"]


# ------------------------------------------------------------------ in Chromium, from file://


@pytest.fixture
def browser() -> str:
    from test_browser import find_browser

    path = find_browser()
    if path is None:
        pytest.skip("chromium not installed: none of chromium, chromium-browser, google-chrome is on PATH")
    return path


def _dom(browser: str, page: str, hash_: str, tmp_path) -> str:
    path = tmp_path / "page.html"
    path.write_text(page, encoding="utf-8")
    cmd = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
           "--no-first-run", "--disable-component-update", "--disable-sync", "--disable-extensions",
           f"--user-data-dir={tmp_path / 'profile'}", "--host-resolver-rules=MAP * ~NOTFOUND",
           "--virtual-time-budget=3000", "--dump-dom", path.as_uri() + hash_]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "</html>" in done.stdout, done.stderr[-2000:]
    return done.stdout


def test_a_term_of_another_comparison_opens_that_comparison_in_chromium(browser, tmp_path):
    table = _keyness_table([[9, 1, 1, 3], [1, 9, 1, 3], [1, 1, 9, 3]], ["a", "b", "c"], ["wa", "wb", "wc", "x"])
    shown = explorer_terms(table, by="side", max_terms=3)  # one term per comparison: wa, wb, wc
    assert sorted(shown["term"]) == ["wa", "wb", "wc"]
    dom = _dom(browser, explorer_page(shown, pd.DataFrame(columns=["term", "group", "left", "match", "right"]),
                                      by="side"), "#term=wb", tmp_path)
    z = table.loc[(table["group_a"] == "b") & (table["term"] == "wb"), "z"].iloc[0]
    stats = re.search(r'<p id="stats">(.*?)</p>', dom, re.S).group(1)
    assert stats.startswith(f"z = {z:.2f}; count 9 in b ") and "in (rest)" in stats


def test_explorer_shows_a_terms_lines_in_chromium_offline(browser, tmp_path):
    texts = {("t1", "1", "comment"): "The guns debate " + HOSTILE_TEXT + " never ends",
             ("t1", "2", "comment"): "Safety first, always safety, said nobody",
             ("t1", "3", "comment"): "guns and more guns"}
    groups = {("t1", "1", "comment"): "pro", ("t1", "2", "comment"): "anti", ("t1", "3", "comment"): "pro"}
    table = _keyness_table([[3, 0, 1], [0, 2, 1]], ["pro", "anti"], ["guns", "safety", "x"])
    page = term_explorer(table, [_shard(texts, groups)], by="side", max_terms=10, max_lines=3, width=30)
    dom = _dom(browser, page, "#term=guns", tmp_path)
    assert "PWNED" not in re.search(r"<title>(.*?)</title>", dom, re.S).group(1)
    heading = re.search(r'<h2 id="term">(.*?)</h2>', dom, re.S).group(1)
    assert heading == "guns"
    z = table.loc[(table["group_a"] == "pro") & (table["term"] == "guns"), "z"].iloc[0]
    stats = re.search(r'<p id="stats">(.*?)</p>', dom, re.S).group(1)
    assert stats.startswith(f"z = {z:.2f}; count 3 in pro")
    rows = re.findall(r'<tr class="line">(.*?)</tr>', dom, re.S)
    cells = [re.findall(r"<td[^>]*><span>(.*?)</span></td>", r, re.S) for r in rows]
    # pro's first line: the hostile text shown as text (escaped by the browser's serialiser), not as an element
    assert cells[0][0] == "pro" and cells[0][2] == "guns"
    assert cells[0][3].startswith(" debate &lt;img src=x onerror=")
    assert "img" not in _Parts(dom).tags
    assert [c[0] for c in cells] == ["pro", "pro", "pro"]  # three lines of pro, anti never wrote "guns"
    assert len(re.findall(r"<circle", dom)) == 3  # every term of the comparison is a point


# ------------------------------------------------------------------ the book's links


def test_book_links_each_page_escaped():
    from analysis.book import explorer_links

    html = explorer_links(["results/term_explorer/side_stance.html", 'results/term_explorer/a"<b>.html'])
    assert '<a href="_static/term_explorer/side_stance.html">side_stance</a>' in html
    # the second name as text and as a quoted URL: no attribute or element can start
    assert '<a href="_static/term_explorer/a%22%3Cb%3E.html">a&quot;&lt;b&gt;</a>' in html
    assert "keyness_groups" in explorer_links([])  # no page: one sentence naming the key


# ------------------------------------------------------------------ the rule, on the embedded sample


@pytest.mark.workflow
def test_rule_term_explorer_on_the_sample_works_in_chromium(browser, tmp_path):
    """Rule term_explorer on the sample (doc: article vs comments): each line is a piece of a text of the run, and
    Chromium shows the first term's first line from file://."""
    from test_workflow import run_workflow

    results = tmp_path / "results"
    page_path = results / "term_explorer" / "doc.html"
    done = run_workflow({"results": str(results)}, tmp_path, str(page_path))
    assert done.returncode == 0, done.stderr[-3000:]
    data = embedded(page_path.read_text(encoding="utf-8"))
    assert data["comparisons"] and data["comparisons"][0]["rows"]
    # the oracle: the run's own texts, whitespace folded, hold every line; the match is the term up to case
    comments = pd.read_parquet(results / "comments")
    threads = pd.read_parquet(results / "threads")
    corpus = [" ".join(t.split()) for t in [*comments["text"], *threads["article_text"]]]
    n_lines = 0
    for term, lines in zip(data["terms"], data["lines"]):
        for _, _, left, match, right in lines:
            assert match.lower() == term
            assert any(left + match + right in text for text in corpus), (term, left, match, right)
            n_lines += 1
    assert n_lines >= len(data["terms"])
    # the page names no author: the names of the sample's "Name Avatar" lines are nowhere in it
    seed = "\n".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "data" / "seed").glob("*.txt")))
    names = {re.sub(r"^\s*\d+\.\s*", "", line).removesuffix(" Avatar").strip()
             for line in seed.splitlines() if line.rstrip().endswith(" Avatar")}
    assert names, "the sample names its authors on 'Name Avatar' lines"
    page_text = json.dumps(data, ensure_ascii=False)
    assert not [n for n in names if n in page_text]
    keyness = pd.read_csv(results / "keyness" / "keyness.csv", keep_default_na=False)
    first = keyness[(keyness["by"] == "doc") & (keyness["group_a"] == "article")].set_index("term")
    term = data["terms"][data["comparisons"][0]["rows"][0][0]]
    assert data["comparisons"][0]["rows"][0][5] == pytest.approx(first.at[term, "z"], rel=1e-12)
    dom = _dom(browser, page_path.read_text(encoding="utf-8"), "#term=" + term, tmp_path)
    assert re.search(r'<h2 id="term">(.*?)</h2>', dom, re.S).group(1) == term
    first_line = data["lines"][data["terms"].index(term)][0]
    row = re.search(r'<tr class="line">(.*?)</tr>', dom, re.S).group(1)
    cells = re.findall(r"<td[^>]*><span>(.*?)</span></td>", row, re.S)
    assert cells[2] == first_line[3]  # the match as the browser shows it
