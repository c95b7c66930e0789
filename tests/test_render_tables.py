"""html_table's hooks for the book's table style and script: numeric headers, unbreakable runs, classed columns."""

import pandas as pd

from analysis.render import html_table


def test_numeric_headers_long_runs_and_classed_columns():
    df = pd.DataFrame({"name": ["a b", "x" * 30, "https://example.org/" + "y" * 30],
                       "n": [1, 2, 3], "flag": [True, False, True], "ctx": ["<i>", "b", "c"]})
    out = html_table(df, classes={"ctx": "kwic-left"}, kind="ts-kwic")
    assert out.startswith('<div class="ts-table-wrap ts-kwic"><table class="ts-table">')
    # by hand: n is the only numeric column (booleans are not), ctx carries its class
    assert '<th>name</th><th class="num">n</th><th>flag</th><th class="kwic-left">ctx</th>' in out
    assert '<td>a b</td>' in out  # breakable text: no class
    assert f'<td class="ts-long">{"x" * 30}</td>' in out  # 30 characters no line can break
    assert '<td class="ts-long">https://example.org/' + "y" * 30 in out
    assert '<td class="kwic-left"><span><bdi>&lt;i&gt;</bdi></span></td>' in out


def test_a_header_may_wrap_after_an_underscore_and_stays_escaped():
    out = html_table(pd.DataFrame({"baseline_low": [0.5], "<b>_x": ["t"]}))
    assert "<th class=\"num\">baseline_<wbr>low</th>" in out and "<th>&lt;b&gt;_<wbr>x</th>" in out
