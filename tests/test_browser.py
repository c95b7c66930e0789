"""Untrusted text in the built book is shown as text and never runs (issue #5).

The workflow builds the book on a hostile corpus (``tests/fixtures/hostile/``):
comments, titles, thread ids, author names and a metadata column full of
``<script>``, event handlers, ``javascript:`` links, raw HTML, MyST directives
and roles, LaTeX, ``{{ substitutions }}`` and odd Unicode, each next to frame
terms so it reaches the concordance, keyness and polarization tables and the
prose that names groups. Every payload that could run JavaScript would set
``document.title`` to ``PWNED-<id>``; the ids are read from the fixtures.

Then every built page is checked twice:

* statically, with the standard library's HTML parser: no payload survives
  as live markup (no ``on*`` attribute but the theme's own, no
  ``javascript:`` URL, no ``<img src=x>``, no ``<script>`` but the theme's,
  no attribute carrying a payload id);
* in headless Chromium (offline: every host name fails to resolve), whose
  DOM after the page's scripts have run must show no trace of a payload and
  must show the payloads' text, e.g. the literal ``<script>`` and ``{math}``.

The browser test is skipped, with the reason, where no Chromium or Chrome is
installed; ``.ci/run`` installs Debian's ``chromium`` so that CI runs it.
"""

from __future__ import annotations

import csv
import re
import shutil
import string
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
import yaml
from helpers import with_sample_dictionaries

from analysis.render import html_table, myst_text

ROOT = Path(__file__).resolve().parents[1]
SNAKEMAKE = shutil.which("snakemake", path=str(Path(sys.executable).parent)) or shutil.which("snakemake")
HOSTILE = ROOT / "tests" / "fixtures" / "hostile"
BROWSERS = ("chromium", "chromium-browser", "google-chrome")
MARKER = re.compile(r"PWNED-[A-Z]\d+")

# What Sphinx and the theme (sphinx-book-theme, pydata-sphinx-theme, thebe, togglebutton) put in pages: two
# buttons' handlers, scripts from _static/, the search index and MathJax, inline scripts that begin as below,
# and index.html's redirect to the first page. Anything else fails the test, naming it.
THEME_HANDLERS = {("button", "onclick", "window.print()"), ("button", "onclick", "toggleFullScreen()")}
THEME_SCRIPT_SRC = re.compile(r"^(_static/|searchindex\.js$|https://cdn\.jsdelivr\.net/npm/mathjax@3/)")
THEME_INLINE_SCRIPT = re.compile(r"^($|document\.documentElement\.dataset\.(mode|theme) = localStorage\.getItem\(|"
                                 r"let toggleHint(Show|Hide) = |let toggleOpenOnPrint = |var togglebuttonSelector = |"
                                 r"const THEBE_JS_URL = |window\.MathJax = \{|MathJax\.Hub\.Config\(|"
                                 r"DOCUMENTATION_OPTIONS\.|\{ requestKernel: |"
                                 r"kernelName = |// Activate the search field on page load)")
THEME_REFRESH = re.compile(r"^\s*0\s*;\s*url=[\w.-]+\.html\s*$")
NEVER_IN_A_PAGE = {"iframe", "frame", "frameset", "object", "embed", "applet", "base"}
BAD_URL = re.compile(r"^(javascript|vbscript|livescript|data:text/html)", re.I)

# Text every page must show as text (whitespace runs compared as one space).
# Prose pages go through Sphinx's smart quotes, so their strings avoid quotes.
SHOWN = {
    "evidence.html": [  # concordance lines, and authors (pseudonymisation is off in this run)
        "<script>document.title='PWNED-P01'</script> The",
        "<img src=x onerror=\"document.title='PWNED-P02'\">",
        "<svg onload=\"document.title='PWNED-P03'\"></svg> the",
        "[click for the",
        "](javascript:document.title='PWNED-P04') about",
        "{raw} html <script>document.title='PWNED-P06'</script> ```",
        "') # Heading about the",
        ":::{admonition}",
        "{math}`\\text{",
        "{download}`secret </etc/passwd>` and $$ \\frac{",
        "{{ data.n_comments }} and {{ run.title }} and {% raw %}",
        "&#60;img src=x onerror=document.title='PWNED-P12'&#62;",
        "\\href{javascript:document.title='PWNED-P23'}{",
        "<b onmouseover=\"document.title='PWNED-P45'\">Mallory</b>",
        "{math}`\\beta` [Trudy](javascript:document.title='PWNED-P46')",
        "Oscar $$\\frac{1}{2}$$ &amp; &lt;b&gt;",
        "&lt;b&gt;entity&lt;/b&gt; &#x3C;script&#x3E; `code` ```",
        "c<4>",
        "{math}`c8`",
    ],
    "data.html": [  # thread titles and ids in the threads table; the example thread's id in the prose
        "<script>document.title='PWNED-P43'</script> Civil war or terrorism? {math}`\\alpha` $$E=mc^2$$",
        "\"><img src=x onerror=\"document.title='PWNED-P44'\"> # ISIS {{ run.title }} ```{raw} html",
        "hostile:t2{math}`x` $$y$$",
        "reply tree of thread hostile:t1<svg onload=",
    ],
    "framing.html": [  # frame rates by the hostile metadata column: the caption names the highest and lowest group
        "pro <img src=x onerror=\"document.title='PWNED-P41'\"> {math}`a` $$b$$",
    ],
    "polarization.html": [  # the groups named in the prose, and in the tables
        "(anti [civil war](javascript:document.title=",
        "**bold** {{ data.n_comments }}: 3, pro <img src=x onerror=",
        "{math}`a` $$b$$: 3)",
        "anti [civil war](javascript:document.title='PWNED-P42') **bold** {{ data.n_comments }}",
    ],
    "intro.html": [
        "Leave-out partisanship between anti [civil war](javascript:document.title=",
        "**bold** {{ data.n_comments }} and pro <img src=x onerror=",
    ],
}

def _norm(text: str) -> str:
    return " ".join(text.split())


def _hostile_rows() -> list[dict]:
    with open(HOSTILE / "comments.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _payload_ids() -> set[str]:
    text = "".join((HOSTILE / name).read_text(encoding="utf-8") for name in ("comments.csv", "scraped.txt"))
    return set(MARKER.findall(text))


def find_browser() -> str | None:
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    return None


class Page(HTMLParser):
    """What a page holds: its elements, scripts, title and visible text."""

    HIDDEN = {"script", "style", "title", "noscript", "template"}

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.scripts: list[dict] = []
        self.titles: list[str] = []  # the page's, then any in inline SVG icons
        self._text: list[str] = []
        self._hidden: str | None = None
        self.feed(html)
        self.close()

    @property
    def text(self) -> str:
        return _norm(" ".join(self._text))

    @property
    def title(self) -> str:
        return self.titles[0] if self.titles else ""

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, attrs))
        if tag == "title":
            self.titles.append("")
        if tag == "script":
            self.scripts.append({"src": dict(attrs).get("src"), "text": ""})
        if tag in self.HIDDEN:
            self._hidden = tag

    def handle_startendtag(self, tag, attrs):
        self.elements.append((tag, attrs))

    def handle_endtag(self, tag):
        if tag == self._hidden:
            self._hidden = None

    def handle_data(self, data):
        if self._hidden == "script":
            self.scripts[-1]["text"] += data
        elif self._hidden == "title":
            self.titles[-1] += data
        elif self._hidden is None:
            self._text.append(data)


def live_markup(page: Page) -> list[str]:
    """Every trace of a payload that would be markup, not text, in a parsed page."""
    found = []
    for tag, attrs in page.elements:
        values = dict(attrs)
        for name, value in attrs:
            value = value or ""
            if name.startswith("on") and (tag, name, value) not in THEME_HANDLERS:
                found.append(f"<{tag} {name}={value[:60]!r}>: event handler")
            if MARKER.search(value):
                found.append(f"<{tag} {name}={value[:60]!r}>: payload in an attribute")
            if BAD_URL.match(re.sub(r"[\x00-\x20]", "", value)):
                found.append(f"<{tag} {name}={value[:60]!r}>: script URL")
        if tag in NEVER_IN_A_PAGE:
            found.append(f"<{tag}> element")
        if tag == "img" and (values.get("src") or "").strip() == "x":
            found.append("<img src=x>")
        if (tag == "meta" and (values.get("http-equiv") or "").lower() == "refresh"
                and not THEME_REFRESH.match(values.get("content") or "")):
            found.append(f"<meta http-equiv=refresh content={values.get('content')!r}>")
    for s in page.scripts:
        where = f"<script src={s['src']!r}>" if s["src"] is not None else f"<script>{s['text'].strip()[:60]!r}"
        if (not THEME_SCRIPT_SRC.match(s["src"]) or ".." in s["src"].replace("_static/../mathjax/", "", 1)
                if s["src"] is not None else not THEME_INLINE_SCRIPT.match(_norm(s["text"]))):
            found.append(f"{where}: not a theme script")
        if MARKER.search(s["text"] + (s["src"] or "")):
            found.append(f"{where}: payload script")
    return found


# ---------------------------------------------------------------- unit level


def _hostile_strings() -> list[str]:
    values = {v for row in _hostile_rows() for v in row.values() if v}
    scraped = (HOSTILE / "scraped.txt").read_text(encoding="utf-8")
    values |= {line.strip() for line in scraped.splitlines() if line.strip()}
    return sorted(values)


def test_myst_text_renders_every_payload_as_its_text():
    """A substitution value passed through myst_text is text in MyST, inline and as a block."""
    from docutils.core import publish_string
    from myst_parser.parsers.docutils_ import Parser

    values = _hostile_strings() + [string.punctuation, "{{ data.n }}", "1. list", "    code", "---", "> quote"]
    source = "\n\n".join(f"Before {{{{ v{i} }}}} after.\n\n{{{{ v{i} }}}}" for i in range(len(values))) + "\n"
    html = publish_string(source, parser=Parser(), writer_name="html5", settings_overrides={
        "myst_enable_extensions": ["substitution", "dollarmath", "colon_fence", "deflist"],
        "myst_substitutions": {f"v{i}": myst_text(v) for i, v in enumerate(values)} | {"data": {"n": "LEAK"}},
        "output_encoding": "unicode", "smart_quotes": False, "report_level": 2, "halt_level": 5,
    })
    main = html.split("<main>", 1)[1].split("</main>", 1)[0]
    assert {tag for tag, _ in Page(main).elements} == {"p"}, "markup other than paragraphs came out of substitutions"
    shown = [Page(p).text for p in re.findall(r"<p>(.*?)</p>", main, flags=re.S)]
    assert len(shown) == 2 * len(values)
    for i, value in enumerate(values):
        text = _norm(value.replace("\x00", "\ufffd"))
        assert shown[2 * i] == _norm(f"Before {text} after."), value
        assert shown[2 * i + 1] == text, value
    assert "LEAK" not in html


def test_html_table_cells_are_text():
    values = _hostile_strings()
    page = Page(html_table(pd.DataFrame({"text": values}), caption="<b>caption</b> {math}`x`", max_chars=10**6))
    assert {tag for tag, _ in page.elements} <= {"div", "table", "caption", "thead", "tbody", "tr", "th", "td", "br"}
    assert live_markup(page) == []
    for value in values:
        assert _norm(value) in page.text


# ------------------------------------------------------------- the workflow


@pytest.fixture(scope="module")
def hostile_book(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("hostile")
    example = "hostile:" + _hostile_rows()[0]["thread_id"]
    config = {
        "sources": [
            {"id": "hostile", "format": "csv", "path": "tests/fixtures/hostile/comments.csv",
             "columns": {"id": "comment_id", "parent_id": "parent_id", "thread_id": "thread_id", "author": "user",
                         "created_at": "posted", "text": "body", "title": "thread_title"}},
            {"id": "scraped", "format": "scraped_text", "path": "tests/fixtures/hostile/scraped.txt"},
        ],
        "results": str(tmp / "results"),
        "n_shards": 1,
        "pseudonymise": False,  # author fields are shown as written, so they are under test too
        # the side groups are named in the rates-by-group caption (keyness lists only terms with z >= 1.96)
        "framing": {"n_boot": 50, "n_perm": 99, "keyness_groups": ["doc", "side"], "keyness_min_count": 1,
                    "group_by": ["doc", "side"]},
        "polarization": {"groups": "column", "group_column": "side", "n_boot": 20, "n_perm": 20, "min_term_count": 1},
        "validation": {"per_stratum": 2},
        "book": {"example_thread": example},
    }
    config = with_sample_dictionaries(config)
    cfg = tmp / "config.yaml"
    cfg.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    done = subprocess.run([SNAKEMAKE, "--cores", "2", "--configfile", str(cfg), "--nolock"], cwd=ROOT,
                          capture_output=True, text=True, timeout=900)
    if done.returncode != 0:
        error = re.compile(r"\s*(Error in rule|\w*(Error|Exception):)")
        errors = [line for line in done.stderr.splitlines() if error.match(line)]
        pytest.fail("the workflow failed on the hostile corpus:\n" + "\n".join(errors[-12:]) + "\n...\n"
                    + done.stderr[-3000:])
    html = tmp / "results" / "book" / "_build" / "html"
    assert (html / "index.html").is_file()
    return html


def pages(html: Path) -> list[Path]:
    found = sorted(html.glob("*.html"))
    assert {"data.html", "evidence.html", "framing.html", "polarization.html", "intro.html"} <= {p.name for p in found}
    return found


@pytest.mark.workflow
def test_hostile_text_reaches_the_book(hostile_book):
    """The corpus is hostile where it matters: payloads are in the concordance, tables and prose."""
    evidence = Page((hostile_book / "evidence.html").read_text(encoding="utf-8"))
    shown = set(MARKER.findall(evidence.text))
    assert len(shown) >= 30, f"only {sorted(shown)} of {sorted(_payload_ids())} reached the concordance"


@pytest.mark.workflow
def test_no_payload_is_live_markup(hostile_book):
    files = pages(hostile_book) + sorted(hostile_book.rglob("*.svg"))
    problems = [f"{path.relative_to(hostile_book)}: {p}" for path in files
                for p in live_markup(Page(path.read_text(encoding="utf-8")))]
    assert not problems, "payloads are live markup:\n" + "\n".join(problems)


@pytest.mark.workflow
def test_payloads_are_shown_as_text(hostile_book):
    for name, expected in SHOWN.items():
        text = Page((hostile_book / name).read_text(encoding="utf-8")).text
        missing = [e for e in expected if _norm(e) not in text]
        assert not missing, f"{name} does not show as text: {missing}"


@pytest.fixture(scope="module")
def browser() -> str:
    path = find_browser()
    if path is None:
        pytest.skip(f"chromium not installed: none of {', '.join(BROWSERS)} is on PATH "
                    "(.ci/run installs Debian's chromium package)")
    return path


@pytest.mark.workflow
def test_no_payload_runs_in_chromium(browser, hostile_book, tmp_path):  # browser first: skips before the build
    problems = []
    for page in pages(hostile_book):
        static = Page(page.read_text(encoding="utf-8"))
        cmd = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--no-first-run", "--disable-component-update", "--disable-sync", "--disable-extensions",
               "--disable-default-apps", "--mute-audio", f"--user-data-dir={tmp_path / 'profile'}",
               "--host-resolver-rules=MAP * ~NOTFOUND",  # offline: CDN scripts of the theme fail at once
               "--virtual-time-budget=5000", "--dump-dom", page.as_uri()]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0 and "</html>" in done.stdout, \
            f"{browser} failed on {page.name}: {done.stderr[-2000:]}"
        dom = Page(done.stdout)
        if MARKER.search(dom.title) or (static.title and dom.title != static.title):
            problems.append(f"{page.name}: a payload ran (title is now {dom.title!r})")
        problems += [f"{page.name} (DOM): {p}" for p in live_markup(dom) if "payload" in p or "handler" in p]
        missing = [e for e in SHOWN.get(page.name, []) if _norm(e) not in dom.text]
        if missing:
            problems.append(f"{page.name}: not shown as text in the browser: {missing}")
        if page.name == "evidence.html" and "<script>" not in dom.text:
            problems.append("evidence.html: the literal <script> is not shown")
        if page.name in ("evidence.html", "framing.html") and not re.search(r'<input[^>]*"ts-filter"', done.stdout):
            problems.append(f"{page.name}: the table script did not run (no filter box above the long tables)")
    assert not problems, "\n".join(problems)


# ------------------------------------------------ the book's table script

TABLE_SCRIPT = ROOT / "book" / "_static" / "threadscope-tables.js"


def run_in_chromium(browser: str, page: Path, tmp_path: Path) -> str:
    """The DOM of a file:// page after its scripts ran, offline (no CDP: --dump-dom)."""
    cmd = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           f"--user-data-dir={tmp_path / 'profile'}", "--host-resolver-rules=MAP * ~NOTFOUND",
           "--allow-file-access-from-files", "--virtual-time-budget=5000", "--dump-dom", page.as_uri()]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "</html>" in done.stdout, f"{browser} failed: {done.stderr[-2000:]}"
    return done.stdout


class Rows(HTMLParser):
    """The body rows of the first table of a page, in DOM order: (hidden, [cell texts])."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.rows: list[tuple[bool, list[str]]] = []
        self._body = self._table_done = False
        self._cell: list[str] | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if self._table_done:
            return
        if tag == "tbody":
            self._body = True
        elif tag == "tr" and self._body:
            self.rows.append(("hidden" in dict(attrs), []))
        elif tag == "td" and self._body:
            self._cell = []
        elif tag == "br" and self._cell is not None:
            self._cell.append(" ")

    def handle_endtag(self, tag):
        if tag == "td" and self._cell is not None:
            self.rows[-1][1].append(_norm("".join(self._cell)))
            self._cell = None
        elif tag == "tbody" and self._body:
            self._body, self._table_done = False, True

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def test_table_script_sorts_numbers_by_value_filters_and_pages_and_runs_no_cell(browser, tmp_path):
    """A table of html_table, hostile text in every text cell, under the book's script in Chromium: a click on a
    numeric header sorts by value (1,000 after 99, as text would not), the filter keeps the rows holding the
    words typed, 50 rows a page, and no payload runs. Expected orders come from Python's sort of the numbers."""
    hostile = _hostile_strings()
    n = 120
    counts = [(i * 7919) % 1501 for i in range(n)]  # distinct, in no order; 0 to 1,500 (some with a comma)
    counts[5] = float("nan")  # shown as – and kept last
    words = ["Quagga" if i % 3 == 0 else "okapi" for i in range(n)]
    df = pd.DataFrame({"text": [f"{words[i]} {hostile[i % len(hostile)]}" for i in range(n)], "count": counts})
    table = html_table(df, caption="hostile <script>document.title='PWNED-T1'</script>", max_chars=10**6)
    page = tmp_path / "table.html"
    page.write_text(
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>table test</title>"
        f"<script src='{TABLE_SCRIPT.as_uri()}'></script></head><body>{table}"
        "<script>window.addEventListener('load', function () {"
        "  document.querySelectorAll('th button.ts-sort')[1].click();"  # sort by count, ascending
        "  var box = document.querySelector('input.ts-filter'); box.value = 'qUAGGA';"
        "  box.dispatchEvent(new Event('input'));"
        "});</script></body></html>", encoding="utf-8")
    dom = run_in_chromium(browser, page, tmp_path)
    parsed = Page(dom)
    assert parsed.title == "table test", f"a payload ran: the title is {parsed.title!r}"
    assert [p for p in live_markup(parsed) if "payload" in p or "handler" in p] == []
    rows = Rows(dom).rows
    assert len(rows) == n, "rows were lost or added"
    # oracle: the row indices sorted by count as numbers, NaN last
    order = sorted(range(n), key=lambda i: (counts[i] != counts[i], counts[i] if counts[i] == counts[i] else 0))
    assert [cells[0] for _, cells in rows] == [_norm(df["text"][i]) for i in order]
    shown_counts = [cells[1] for _, cells in rows]
    values = [float(c.replace(",", "")) for c in shown_counts[:-1]]
    assert shown_counts[-1] == "–" and values == sorted(values)
    assert shown_counts[:-1] != sorted(shown_counts[:-1]), "sorting as text would pass too: the test could not fail"
    # the filter ('qUAGGA', any case) keeps the rows holding it; the first 50 of them, in sorted order, are shown
    kept = [i for i in order if "quagga" in df["text"][i].lower()]
    assert len(kept) == 40
    visible = [cells[0] for hidden, cells in rows if not hidden]
    assert visible == [_norm(df["text"][i]) for i in kept]  # 40 rows: one page
    assert "40 rows (filtered from 120)" in _norm(Page(dom).text)
    for value in {hostile[i % len(hostile)] for i in range(n)}:  # every cell still shows its text
        assert _norm(value) in parsed.text, value


def test_table_script_pages_long_tables(browser, tmp_path):
    """Without a filter, a table of 120 rows shows rows 1 to 50; 'next' twice shows rows 101 to 120."""
    df = pd.DataFrame({"label": [f"row {i:03d}" for i in range(120)], "x": range(120)})
    page = tmp_path / "pages.html"
    page.write_text(
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>pages</title>"
        f"<script src='{TABLE_SCRIPT.as_uri()}'></script></head><body>{html_table(df)}"
        "<script>window.addEventListener('load', function () {"
        "  var next = document.querySelectorAll('button.ts-page')[1]; next.click(); next.click(); next.click();"
        "});</script></body></html>", encoding="utf-8")
    dom = run_in_chromium(browser, page, tmp_path)
    visible = [cells[0] for hidden, cells in Rows(dom).rows if not hidden]
    assert visible == [f"row {i:03d}" for i in range(100, 120)]
    assert "rows 101–120 of 120" in _norm(Page(dom).text)


@pytest.mark.workflow
def test_rates_by_group_table_holds_every_grouping(hostile_book):
    """framing.html tabulates every row of rates.csv but the overall one: grouping, group (hostile names as text),
    frame, hits as counted, the rate as rounded from the CSV's value."""
    rates = pd.read_csv(hostile_book.parents[2] / "framing" / "rates.csv", dtype={"group": str}, keep_default_na=False)
    rates = rates[rates["by"] != "all"]
    page = (hostile_book / "framing.html").read_text(encoding="utf-8")
    table = next(t for t in re.findall(r"<table.*?</table>", page, re.S) if "Hits per 1,000 word tokens by group" in t)
    head = [Page(h).text for h in re.findall(r"<th[^>]*>(.*?)</th>", table, re.S)]
    body = [[Page(c).text for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>")[1], re.S)]
    assert head[:4] == ["grouping", "group", "frame", "rate"] and len(body) == len(rates)
    assert set(rates["by"]) == {"doc", "side"}  # the config's framing.group_by
    by_key = {(_norm(r["by"]), _norm(r["group"]), _norm(r["frame"])): r for _, r in rates.iterrows()}
    assert {tuple(cells[:3]) for cells in body} == set(by_key)
    for cells in body:
        r = by_key[tuple(cells[:3])]
        assert cells[head.index("hits")] == f"{int(r['hits']):,}"
        shown = cells[3]  # the rate, rounded to the decimals shown
        assert shown == "–" if r["rate"] != r["rate"] else abs(float(shown) - r["rate"]) <= 0.5 * 10 ** -(
            len(shown.split(".")[1]) if "." in shown else 0) + 1e-12


@pytest.mark.workflow
def test_the_whole_concordance_is_on_the_page_and_in_the_download(hostile_book):
    results = hostile_book.parents[2]
    n = len(pd.read_parquet(results / "framing" / "concordance.parquet"))
    evidence = (hostile_book / "evidence.html").read_text(encoding="utf-8")
    assert f"Concordance: all {n:,} matches" in evidence
    assert evidence.count('<td class="kwic-match">') == n
    links = re.findall(r'href="(_downloads/[^"]+/concordance\.csv)"', evidence)
    assert links, "no download link to the concordance CSV"
    with open(hostile_book / links[0], encoding="utf-8", newline="") as f:
        assert sum(1 for _ in csv.DictReader(f)) == n
