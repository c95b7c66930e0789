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
import numbers
import re

import pandas as pd

__all__ = ["escape", "myst_text", "html_table", "fmt_number"]


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


def fmt_number(value, *, digits: int = 2) -> str:
    """Numbers as a reader wants them: 3,051 and 0.42."""
    if isinstance(value, bool) or not isinstance(value, numbers.Number):
        return str(value)
    if value != value:  # NaN: not estimable
        return "–"
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.{digits}f}"


def html_table(df: pd.DataFrame, *, headers: dict[str, str] | None = None, caption: str = "",
               max_chars: int = 300) -> str:
    """An escaped HTML table; numbers right-aligned, long text cut at ``max_chars`` (with …)."""
    headers = headers or {}
    cols = list(df.columns)
    out = ['<div class="ts-table-wrap"><table class="ts-table">']
    if caption:
        out.append(f"<caption>{escape(caption)}</caption>")
    out.append("<thead><tr>" + "".join(f"<th>{escape(headers.get(c, c))}</th>" for c in cols) + "</tr></thead><tbody>")
    for row in df.itertuples(index=False):
        cells = []
        for value in row:
            if isinstance(value, numbers.Number) and not isinstance(value, bool):  # NaN shows as –
                cells.append(f'<td class="num">{escape(fmt_number(value))}</td>')
            else:
                text = "" if value is None else str(value)
                if len(text) > max_chars:
                    text = text[: max_chars - 1] + "…"
                cells.append(f"<td>{escape(text)}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table></div>")
    return "\n".join(out) + "\n"
