"""Rendering data into the book safely.

Text from the data (comments, titles, author fields, concordance lines) is
untrusted: it may hold HTML, ``<script>``, event handlers, MyST directives and
roles, LaTeX or Markdown links. It therefore never goes through the Markdown
parser: tables are written as HTML fragments in which every cell is escaped
with :func:`html.escape` (quotes included), and pages include them with the
``raw`` directive's ``:file:`` option, so no fence or directive in the data
can end the block or start a new one.

Where a data value must sit in prose that *is* parsed as MyST Markdown (a
substitution such as ``{{ tree.thread_id }}``, or a sentence naming the
groups of a metadata column), it goes through :func:`myst_text` first: every
ASCII punctuation character is backslash-escaped, so no HTML, role, directive,
math, link, emphasis or nested ``{{ substitution }}`` can start, and the value
is shown as its text (whitespace runs as single spaces; Sphinx's smart quotes
still curl its quotes unless the book's config turns them off).
"""

from __future__ import annotations

import html
import math
import numbers
import re
import unicodedata

import pandas as pd

__all__ = ["escape", "myst_text", "html_table", "fmt_number", "fmt_estimate", "fmt_p", "decimals_for",
           "text_direction", "isolate"]


def text_direction(text) -> str:
    """The direction of a text as HTML's ``dir="auto"`` decides it: ``"rtl"`` when its first strongly directional
    character is right-to-left (Arabic, Hebrew, ...), ``"ltr"`` when it is left-to-right, ``""`` with none (digits,
    punctuation, emoji only). Text inside an isolate (:func:`isolate`) is skipped, as the Unicode bidirectional
    algorithm skips it (rule P2)."""
    depth = 0
    for ch in _text(text):
        kind = unicodedata.bidirectional(ch)
        if kind in ("LRI", "RLI", "FSI"):
            depth += 1
        elif kind == "PDI":
            depth = max(0, depth - 1)
        elif depth:
            continue
        elif kind == "L":
            return "ltr"
        elif kind in ("R", "AL"):
            return "rtl"
    return ""


def isolate(text) -> str:
    """A data value to be set inside text the program composes (a list "term 12%; term 8%"): a right-to-left value
    is wrapped in FIRST STRONG ISOLATE ... POP DIRECTIONAL ISOLATE (U+2068, U+2069), so it is laid out right to left
    without reordering the list around it; any other value is returned unchanged."""
    text = _text(text)
    return f"\u2068{text}\u2069" if text_direction(text) == "rtl" else text


def _text(value) -> str:
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


def escape(value) -> str:
    """Escape any value for HTML text or attribute context; newlines become <br>."""
    return html.escape(_text(value), quote=True).replace("`", "&#96;").replace("\n", "<br>")


# CommonMark lets a backslash escape any ASCII punctuation character, and an
# escaped character is always literal text (MyST's roles, directives, dollar
# math and substitutions all start with one of these characters).
_MARKDOWN_PUNCTUATION = re.compile(r"""([!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~])""")


def myst_text(value) -> str:
    """Any value as inline MyST Markdown that renders as exactly its text.

    For data text placed in prose that is parsed as Markdown (substitution
    values); tables take :func:`escape` instead. Whitespace runs (newlines
    included) become one space, so the value cannot start a block; NUL, which
    Markdown turns into U+FFFD anyway, is replaced here.
    """
    text = " ".join(_text(value).replace("\x00", "\ufffd").split())
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", text)


def decimals_for(value=None, *, width=None) -> int:
    """How many decimals a number is shown with: two significant digits of its interval's ``width`` when it has
    one (an estimate 0.505 with interval 0.500 to 0.510 keeps 3 decimals, so a 0.005 effect shows), otherwise two
    decimals, or two significant digits for values below 0.1 (0.000031, not 0.00)."""
    if width is not None and width == width and width > 0:
        least = 1 if value is not None and value == value and abs(value) < 100 else 0
        return int(min(8, max(least, 1 - math.floor(math.log10(width)))))
    if value is None or value != value or value == 0 or abs(value) >= 0.1:
        return 2
    return int(min(8, 1 - math.floor(math.log10(abs(value)))))


def fmt_number(value, *, width: float | None = None, digits: int | None = None, grouping: bool = True) -> str:
    """Every number the book shows, formatted here once: counts as 3,051; other numbers with
    :func:`decimals_for` decimals (from the interval ``width`` when given; ``digits`` fixes them); NaN as –.

    ``grouping=False`` for identifiers that are not quantities (seeds, years, ids): no thousands separator.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Number):
        return str(value)
    if value != value:  # NaN: not estimable
        return "–"
    sep = "," if grouping else ""
    if isinstance(value, numbers.Integral) or (width is None and digits is None and float(value).is_integer()):
        return f"{int(value):{sep}}"
    d = digits if digits is not None else decimals_for(value, width=width)
    text = f"{value:{sep}.{d}f}"
    return "0" if text in ("-0", "0") else ("0." + "0" * d if text == "-0." + "0" * d else text)


def fmt_estimate(value, low, high, *, sep: str = " to ") -> str:
    """An estimate with its interval, all three with the decimals of the interval's width: '0.505 (0.500 to 0.510)'.

    Without an interval (NaN ends) the value alone; NaN value: –."""
    if value is None or value != value:
        return "–"
    if low is None or high is None or low != low or high != high:
        return fmt_number(value)
    w = float(high) - float(low)
    return (f"{fmt_number(value, width=w)} ({fmt_number(low, width=w)}{sep}"
            f"{fmt_number(high, width=w)})")


def _p_digits(p) -> int:
    """Decimals that show a p-value to two significant digits, counted after rounding (0.00995 reads 0.010,
    not 0.0100)."""
    return max(2, decimals_for(float(f"{float(p):.2g}")))


def fmt_p(p, *, n_perm: int, n_labellings: int | None = None, short: bool = False) -> str:
    """A permutation p-value as text that claims no more than the test can show.

    At its floor 1/(n+1) (no shuffled labelling of ``n_perm`` as extreme as the
    observed one) it reads "p ≤ 1/(n+1)" with n named; when the data allow
    fewer distinct labellings than permutations (``n_labellings``, e.g. 17
    documents of which one is the article), that count is stated, since p
    cannot fall below 1/``n_labellings``. Otherwise two significant digits.
    ``short``: the value alone (``0.035``, ``≤ 1/201``), for a table cell.
    """
    if p is None or p != p:
        return "–" if short else "p not available"
    floor = 1.0 / (int(n_perm) + 1)
    if short:  # a table cell: the number, or its floor; the table states the labellings in a column of their own
        return (f"≤ 1/{fmt_number(int(n_perm) + 1)}" if p <= floor * (1 + 1e-9)
                else fmt_number(float(p), digits=_p_digits(p)))
    if p <= floor * (1 + 1e-9):
        text = f"p ≤ 1/{fmt_number(int(n_perm) + 1)}: none of {fmt_number(int(n_perm))} shuffled labellings " \
               "was as extreme"
    else:
        text = f"p = {fmt_number(float(p), digits=_p_digits(p))}"
    if n_labellings is not None and n_labellings <= n_perm:
        text += (f"; the data allow only {fmt_number(int(n_labellings))} distinct labellings, so p cannot be "
                 f"below 1/{fmt_number(int(n_labellings))} = {fmt_number(1 / int(n_labellings), digits=3)}")
    return text


#: A run of characters no line can break (a hash, a URL, a path): its cell may wrap inside it.
_LONG = re.compile(r"[^\s\-/]{25,}")


def html_table(df: pd.DataFrame, *, headers: dict[str, str] | None = None, caption: str = "",
               max_chars: int = 300, intervals: dict[str, tuple[str, str]] | None = None,
               ids: tuple[str, ...] = ("seed", "year"), classes: dict[str, str] | None = None,
               kind: str = "", joined: bool = False, directions: dict[str, str] | None = None) -> str:
    """An escaped HTML table; numbers right-aligned (formatted by :func:`fmt_number`), long text cut at
    ``max_chars`` (with …).

    ``intervals`` maps an estimate column to its (low, high) columns: the three cells of a row then take the
    decimals of that row's interval width, as the prose does (:func:`fmt_estimate`). Columns named in ``ids``
    are identifiers, shown without thousands separators. ``classes`` gives text columns a CSS class (their
    cells then hold the text in a ``<span><bdi>``, an isolated run the style sheet can align or shorten, as the
    concordance's contexts are); ``kind`` is a class of the table's wrapper (``ts-kwic``). The book's script
    ``_static/threadscope-tables.js`` makes every such table sortable, and filterable and paged when long.
    ``joined``: each estimate of ``intervals`` and its interval share one cell, "0.505 (0.500–0.510)"
    (:func:`fmt_estimate`), headed "<estimate> (95% CI)" unless ``headers`` names it, and the low and high columns
    go: a table of several intervals half as wide.
    Right-to-left text: a text cell whose text begins (in its first strong letter) right-to-left gets
    ``dir="rtl"`` (:func:`text_direction`); ``directions`` maps a text column to a column of ``"rtl"``/``"ltr"``
    per row (not shown) that sets its cells' direction whatever their own first letter (the concordance: a context
    starting with a digit or a Latin name in an Arabic line). Left-to-right cells get no attribute.
    """
    classes = classes or {}
    headers = dict(headers or {})
    directions = directions or {}
    dir_of = {c: df[d].astype(str).tolist() for c, d in directions.items()}
    df = df.drop(columns=sorted(set(directions.values())))
    joined_cols: set[str] = set()
    if joined:
        pairs = {e: lh for e, lh in (intervals or {}).items() if {e, *lh} <= set(df.columns)}
        df = df.assign(**{e: [fmt_estimate(v, lo, hi, sep="–") for v, lo, hi in zip(df[e], df[l_], df[h_])]
                          for e, (l_, h_) in pairs.items()})
        df = df.drop(columns=[c for lh in pairs.values() for c in lh])
        for e in pairs:
            headers.setdefault(e, f"{e} (95% CI)")
        joined_cols, intervals = set(pairs), None
    cols = list(df.columns)
    digits_of: dict[str, list] = {}
    for est, (lo, hi) in (intervals or {}).items():
        if est in df.columns and lo in df.columns and hi in df.columns:
            d = [decimals_for(v, width=float(h) - float(low)) if pd.notna(low) and pd.notna(h) else None
                 for v, low, h in zip(df[est], df[lo], df[hi])]
            for c in (est, lo, hi):
                digits_of[c] = d
    wrap = "ts-table-wrap" + (f" {escape(kind)}" if kind else "")
    out = [f'<div class="{wrap}"><table class="ts-table">']
    if caption:
        out.append(f"<caption>{escape(caption)}</caption>")
    numeric = {c for c in cols if pd.api.types.is_numeric_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c])}
    numeric |= joined_cols
    out.append("<thead><tr>" + "".join(
        (f'<th class="{escape(classes[c])}">' if c in classes else '<th class="num">' if c in numeric else "<th>")
        + escape(headers.get(c, c)).replace("_", "_<wbr>") + "</th>"  # a header may wrap after an underscore
        for c in cols) + "</tr></thead><tbody>")
    for i, row in enumerate(df.itertuples(index=False)):
        cells = []
        for col, value in zip(cols, row):
            if isinstance(value, numbers.Number) and not isinstance(value, bool):  # NaN shows as –
                d = digits_of[col][i] if col in digits_of else None
                cells.append(f'<td class="num">{escape(fmt_number(value, digits=d, grouping=col not in ids))}</td>')
            elif col in joined_cols:
                cells.append(f'<td class="num">{escape(value)}</td>')
            else:
                text = "" if value is None else str(value)
                if len(text) > max_chars:
                    text = text[: max_chars - 1] + "…"
                rtl = ' dir="rtl"' if (dir_of[col][i] if col in dir_of else text_direction(text)) == "rtl" else ""
                cells.append(f'<td class="{escape(classes[col])}"{rtl}><span><bdi>{escape(text)}</bdi></span></td>'
                             if col in classes else f'<td class="ts-long"{rtl}>{escape(text)}</td>'
                             if _LONG.search(text) else f"<td{rtl}>{escape(text)}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table></div>")
    return "\n".join(out) + "\n"
