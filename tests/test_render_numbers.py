"""One number, one rounding (issue 16, item 3): the formatter every page's numbers go through.

Expected strings are worked out by hand from the rule stated in each test.
"""

import pandas as pd
import pytest

from analysis.book import figure_citation, read_together
from analysis.render import decimals_for, fmt_estimate, fmt_number, fmt_p, html_table


@pytest.mark.parametrize("value,low,high,expected", [
    # width 0.0097: two significant digits of the width need 4 decimals, so an effect of 0.005 shows
    (0.5052, 0.5001, 0.5098, "0.5052 (0.5001 to 0.5098)"),
    # width 0.010: 3 decimals
    (0.50512, 0.50012, 0.51012, "0.505 (0.500 to 0.510)"),
    # the 0.5652 with a wide interval: rounded once, to 0.57 (0.565 then 0.56 was rounding twice)
    (0.5652, 0.08, 0.66, "0.57 (0.08 to 0.66)"),
    # width 12: one decimal at least below 100
    (8.906, 2.58, 14.63, "8.9 (2.6 to 14.6)"),
    # width 300 on a count-like scale: no decimals, thousands separated
    (1234.4, 1000.2, 1300.0, "1,234 (1,000 to 1,300)"),
    (0.3, float("nan"), 0.5, "0.30"),
    (float("nan"), 0.1, 0.2, "–"),
])
def test_estimate_digits_follow_the_interval(value, low, high, expected):
    assert fmt_estimate(value, low, high) == expected


def test_counts_small_values_and_identifiers():
    assert fmt_number(3087) == "3,087" and fmt_number(16.0) == "16"
    assert fmt_number(0.9375) == "0.94"
    assert fmt_number(0.0000312) == "0.000031"  # two significant digits, not 0.00
    assert fmt_number(20171017, grouping=False) == "20171017"
    assert fmt_number(-0.0001, digits=2) == "0.00"  # no negative zero
    assert decimals_for(0.5, width=0.01) == 3 and decimals_for(0.5, width=0.1) == 2


def test_p_at_the_floor_of_a_permutation_test_names_n():
    assert fmt_p(1 / 201, n_perm=200) == "p ≤ 1/201: none of 200 shuffled labellings was as extreme"
    assert fmt_p(0.035, n_perm=200) == "p = 0.035"
    assert fmt_p(0.88, n_perm=9999) == "p = 0.88"
    assert fmt_p(1 / 10000, n_perm=9999, short=True) == "≤ 1/10,000"


def test_the_labellings_that_bound_p_are_stated():
    # one article among 17 documents of one thread: 17 distinct labellings, p >= 1/17 = 0.0588...
    text = fmt_p(1 / 17, n_perm=9999, n_labellings=17)
    assert text == "p = 0.059; the data allow only 17 distinct labellings, so p cannot be below 1/17 = 0.059"
    assert "labellings" not in fmt_p(0.2, n_perm=200, n_labellings=10**6)


def test_a_table_uses_the_prose_digits():
    df = pd.DataFrame({"estimate": [0.50512], "ci_low": [0.50012], "ci_high": [0.51012], "seed": [20171017]})
    out = html_table(df, intervals={"estimate": ("ci_low", "ci_high")})
    cells = [c.split("</td>")[0] for c in out.split('<td class="num">')[1:]]
    assert cells == ["0.505", "0.500", "0.510", "20171017"]
    assert f"{cells[0]} ({cells[1]} to {cells[2]})" == fmt_estimate(0.50512, 0.50012, 0.51012)


def test_a_significance_claim_is_read_with_its_interval():
    assert "weak" in read_together(0.005, 0.499, 0.511, null=0.5)  # p says yes, the interval includes 0.5
    assert "weak" in read_together(0.3, 0.51, 0.6, null=0.5)  # the interval excludes 0.5, p says no
    assert read_together(0.005, 0.501, 0.511, null=0.5) == ""
    assert read_together(0.3, 0.45, 0.6, null=0.5) == ""


def test_figure_citation_has_year_title_version_and_link():
    code = {"version": "0.1.0", "commit": "a" * 40}
    book = {"author": "Ann Author", "title": "Threads", "year": 2026, "url": "https://example.org/book", "doi": ""}
    text = figure_citation("frame_rates", title="Frame rates", data_sha256="b" * 64, code=code, book=book)
    for part in ("Ann Author (2026)", "Threads", "Frame rates", "threadscope 0\\.1\\.0", "aaaaaaaaaaaa",
                 "https\\:\\/\\/example\\.org\\/book", "bbbbbbbbbbbb"):
        assert part in text, part
    doi = figure_citation("frame_rates", title="Frame rates", data_sha256="b" * 64, code=code,
                          book=book | {"doi": "10.5281/zenodo.1"})
    assert "doi\\.org\\/10\\.5281\\/zenodo\\.1" in doi and "example" not in doi


def test_a_joined_table_puts_each_interval_in_its_estimate_cell():
    df = pd.DataFrame({"group": ["a"], "estimate": [0.50512], "ci_low": [0.50012], "ci_high": [0.51012],
                       "share": [0.25], "share_low": [0.11], "share_high": [0.39]})
    out = html_table(df, intervals={"estimate": ("ci_low", "ci_high"), "share": ("share_low", "share_high")},
                     joined=True, headers={"share": "share of replies"})
    cells = [c.split("</td>")[0] for c in out.split('<td class="num">')[1:]]
    assert cells == ["0.505 (0.500–0.510)", "0.25 (0.11–0.39)"]
    assert "ci_low" not in out and "share_low" not in out
    assert "estimate (95% CI)" in out.replace("_<wbr>", "_") and "share of replies<" in out


def test_a_p_value_has_two_significant_digits_after_rounding():
    # 2/201 = 0.00995...: two significant digits round it up to 0.010 (not "0.0100", three digits)
    assert fmt_p(2 / 201, n_perm=200, short=True) == "0.010"
    assert fmt_p(0.0995, n_perm=200) == "p = 0.10"
    assert fmt_p(0.0099, n_perm=200, short=True) == "0.0099"
