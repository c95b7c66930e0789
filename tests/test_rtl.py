"""Right-to-left text: Arabic figure labels shaped and in display order; Arabic concordance lines and table cells
laid out right to left in the book's HTML, still escaped. Arabic words here are hand-made fixtures."""

from __future__ import annotations

import re
import warnings
from html.parser import HTMLParser

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib import ft2font

from analysis import figures, plotting
from analysis.book import concordance_table
from analysis.concordance import MATCH_COLUMNS, concordance_lines, display_sides
from analysis.render import html_table, isolate, text_direction

# Hand-worked shaping (Unicode Arabic Presentation Forms-B): kaf-ta-ba "كتب" is kaf initial U+FEDB, ta medial
# U+FE98, ba final U+FE90; ba-ya-ta "بيت" is ba initial U+FE91, ya medial U+FEF4, ta final U+FE96. Unjoined, they
# would be U+FED9 U+FE95 U+FE8F. Drawn left to right, a right-to-left word is its letters reversed.
KATABA, BAYT = "كتب", "بيت"
KATABA_FORMS, BAYT_FORMS = "\ufedb\ufe98\ufe90", "\ufe91\ufef4\ufe96"
KATABA_DRAWN, BAYT_DRAWN = KATABA_FORMS[::-1], BAYT_FORMS[::-1]


def test_display_text_for_a_renderer_that_draws_left_to_right():
    def shaped(text):
        return plotting.display_text(text, renderer_shapes=False)

    assert shaped(KATABA) == KATABA_DRAWN
    # two words, right to left: the first word is drawn rightmost
    assert shaped(f"{KATABA} {BAYT}") == f"{BAYT_DRAWN} {KATABA_DRAWN}"
    # a left-to-right line keeps its order; the Arabic run inside it is reversed and shaped
    assert shaped(f"group = {KATABA}") == f"group = {KATABA_DRAWN}"
    # every line on its own
    assert shaped(f"{KATABA}\n{BAYT}") == f"{KATABA_DRAWN}\n{BAYT_DRAWN}"


def test_display_text_leaves_text_to_a_renderer_that_shapes():
    assert plotting.display_text(f"{KATABA} {BAYT}", renderer_shapes=True) == f"{KATABA} {BAYT}"


@pytest.mark.parametrize("shapes", [True, False])
@pytest.mark.parametrize("text", ["civil war", "x = 3 $", "Ünïcode – naïve", "", "😂 123"])
def test_left_to_right_text_is_unchanged(text, shapes):
    assert plotting.display_text(text, renderer_shapes=shapes) == text
    assert plotting.inert(text) == text.replace("$", r"\$")


def pixels(text: str) -> np.ndarray:
    """``text`` drawn by matplotlib (Agg, as the PNGs are) at a fixed place and size."""
    fig = plt.figure(figsize=(3, 0.8), dpi=100)
    fig.text(0.05, 0.3, text, fontsize=20)
    fig.canvas.draw()
    out = np.asarray(fig.canvas.buffer_rgba())[..., :3].copy()
    plt.close(fig)
    return out


def drawn_right(forms: str, drawn: str) -> np.ndarray:
    """The correct drawing, by a second route: the joined letter forms typed by hand (presentation forms need no
    shaping), in text order for a renderer that orders right-to-left runs itself (libraqm, matplotlib >= 3.11),
    in drawing order for one that draws left to right (asked of matplotlib here, not of the code under test)."""
    return pixels(forms if hasattr(ft2font, "__libraqm_version__") else drawn)


def test_a_figure_draws_arabic_terms_joined_and_right_to_left(monkeypatch, tmp_path):
    drawn = {}

    def keep(fig, data, stem, **kw):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            fig.canvas.draw()
        drawn["warnings"] = [str(w.message) for w in caught]
        drawn["ticks"] = [t.get_text() for ax in fig.axes for t in ax.get_yticklabels()]
        drawn["titles"] = [ax.get_title() for ax in fig.axes]
        return []

    monkeypatch.setattr(plotting, "save_figure", keep)
    table = pd.DataFrame({"by": "lang", "group": [KATABA, KATABA, "en", "en"],
                          "term": [KATABA, f"{KATABA} {BAYT}", "war", "peace"], "z": [3.0, 2.5, 3.0, 2.0]})
    figures.keyness(tmp_path / "keyness", table=table)
    assert not [w for w in drawn["warnings"] if "missing from" in w]  # the font has the Arabic glyphs
    assert len(drawn["ticks"]) == 4 and {"war", "peace"} <= set(drawn["ticks"])
    one, two = sorted((t for t in drawn["ticks"] if t not in ("war", "peace")), key=len)
    assert np.array_equal(pixels(one), drawn_right(KATABA_FORMS, KATABA_DRAWN))
    assert np.array_equal(pixels(two), drawn_right(f"{KATABA_FORMS} {BAYT_FORMS}", f"{BAYT_DRAWN} {KATABA_DRAWN}"))
    # not the letters unjoined
    assert not np.array_equal(pixels(one), pixels("\ufed9\ufe95\ufe8f"))
    title = [t for t in drawn["titles"] if t.startswith("lang = ") and "en" not in t]
    assert len(title) == 1
    assert np.array_equal(pixels(title[0]), drawn_right(f"lang = {KATABA_FORMS}", f"lang = {KATABA_DRAWN}"))


class Cells(HTMLParser):
    """The cells of an HTML table as (attributes, text) per row."""

    def __init__(self):
        super().__init__()
        self.rows, self._cell = [], None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag == "td":
            self._cell = [dict(attrs), ""]

    def handle_data(self, data):
        if self._cell is not None:
            self._cell[1] += data

    def handle_endtag(self, tag):
        if tag == "td" and self._cell is not None:
            self.rows[-1].append(tuple(self._cell))
            self._cell = None


def cells(html: str) -> list[list[tuple[dict, str]]]:
    parser = Cells()
    parser.feed(html)
    return [r for r in parser.rows if r]


def kwic_of(text: str, word: str) -> pd.DataFrame:
    start = text.index(word)
    m = pd.DataFrame([{"thread_id": "t", "comment_id": "c1", "doc": "comment", "lexicon": "x", "lexicon_sha": "0",
                       "frame": "f", "term": word, "match": word, "start": start, "end": start + len(word),
                       "quoted": False, "negated": False, "counted": True}])[MATCH_COLUMNS]
    return concordance_lines(m, {("t", "c1", "comment"): text}, width=60)


def test_arabic_concordance_line_has_the_words_before_the_match_on_the_right():
    before, after = f"{BAYT} <b>{BAYT}</b> ", f" {KATABA} & {BAYT}"
    kwic = kwic_of(before + KATABA + after, KATABA)
    # the table keeps text order: left = before, right = after
    assert (kwic["left"].iloc[0], kwic["right"].iloc[0]) == (before, after)
    html = concordance_table(kwic)
    assert "<b>" not in html and "&lt;b&gt;" in html  # still escaped
    (row,) = cells(html)
    by_class = {a.get("class"): (a, t) for a, t in row}
    left_attrs, left_text = by_class["kwic-left"]
    right_attrs, right_text = by_class["kwic-right"]
    match_attrs, match_text = by_class["kwic-match"]
    assert (right_text, match_text, left_text) == (before, KATABA, after)  # before the match: on its right
    assert left_attrs.get("dir") == right_attrs.get("dir") == match_attrs.get("dir") == "rtl"
    # the right cell begins with the words nearest the match once drawn right to left: its HTML column is the
    # last of the three context columns
    classes = [a.get("class") for a, _ in row]
    assert classes.index("kwic-left") < classes.index("kwic-match") < classes.index("kwic-right")


def test_english_concordance_line_is_as_before():
    kwic = kwic_of("They said the civil war began", "civil war")
    (row,) = cells(concordance_table(kwic))
    by_class = {a.get("class"): (a, t) for a, t in row}
    assert by_class["kwic-left"] == ({"class": "kwic-left"}, "They said the ")
    assert by_class["kwic-right"] == ({"class": "kwic-right"}, " began")
    assert not [a for a, _ in row if "dir" in a]


def test_an_rtl_line_whose_context_starts_with_latin_stays_rtl():
    kwic = kwic_of(f"@User.IDX {BAYT} {KATABA} 2019 ok", KATABA)
    laid = display_sides(kwic)
    assert list(laid["dir"]) == ["rtl"]
    assert (laid["left"].iloc[0], laid["right"].iloc[0]) == (" 2019 ok", f"@User.IDX {BAYT} ")
    (row,) = cells(concordance_table(kwic))
    assert {a.get("class"): a.get("dir") for a, _ in row if a.get("dir")} == {
        "kwic-left": "rtl", "kwic-match": "rtl", "kwic-right": "rtl"}  # the frame and id cells stay as they are


def test_table_cells_of_arabic_text_are_rtl_and_escaped():
    df = pd.DataFrame({"term": [KATABA, "war", f"{KATABA} <i>x</i>", "2019"], "n": [1, 2, 3, 4]})
    rows = cells(html_table(df))
    assert [r[0][0].get("dir") for r in rows] == ["rtl", None, "rtl", None]
    assert "<i>" not in html_table(df)
    assert re.search(r'<td dir="rtl">كتب &lt;i&gt;x&lt;/i&gt;</td>', html_table(df))


@pytest.mark.parametrize(("text", "expected"), [(KATABA, "rtl"), ("war", "ltr"), ("12 " + KATABA, "rtl"),
                                                ("@x " + KATABA, "ltr"), ("", ""), ("123 !", ""), ("שלום", "rtl"),
                                                (f"\u2068{KATABA}\u2069 3%; war", "ltr"),
                                                (f"\u2068{KATABA}\u2069 3%", "")])
def test_text_direction_is_the_first_strong_letter(text, expected):
    assert text_direction(text) == expected



def test_arabic_terms_in_a_composed_list_are_isolated_and_the_cell_stays_left_to_right():
    assert isolate("civil war") == "civil war" and isolate(KATABA) == f"\u2068{KATABA}\u2069"
    listed = "; ".join(f"{isolate(t)} {n}%" for t, n in ((f"{KATABA}*", 50), ("war", 30)))
    (row,) = cells(html_table(pd.DataFrame({"terms": [listed]})))
    assert row[0] == ({}, f"\u2068{KATABA}*\u2069 50%; war 30%")  # no dir: the list reads left to right
