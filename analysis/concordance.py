"""Concordance: a keyword-in-context line for every frame match (the evidence a reader checks).

:func:`concordance_lines` builds the lines of some matches from their
documents' texts; :func:`concordance` (rule ``concordance``) writes the lines
of every shard to one Parquet table and one CSV, shard by shard.

The CSV is written by :func:`pyarrow.csv.write_csv`'s writer: every string
cell is quoted (its double quotes doubled, so commas, quotes and line breaks
inside a line's text stay inside its cell), booleans are ``true``/``false``,
lines end in ``\\n``, UTF-8. ``pandas.read_csv(path, keep_default_na=False)``
reads back the table's values; R's ``read.csv`` reads the quoted strings as
text and the flags as logicals.

``left`` and ``right`` are the text *before* and *after* the match, in the
text's own (logical) order, whatever the script. :func:`display_sides` lays
lines out for a page: in a right-to-left line (Arabic) the words before the
match stand on its right.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from analysis import io
from analysis.matcher import document_texts
from analysis.render import text_direction

__all__ = ["COLUMNS", "concordance", "concordance_lines", "display_sides"]

COLUMNS = ["thread_id", "comment_id", "doc", "author_id", "lexicon", "lexicon_sha", "frame", "term", "left", "match",
           "right", "quoted", "negated", "counted"]
"""The columns of a concordance, in order."""

MATCH_COLUMNS = ["thread_id", "comment_id", "doc", "lexicon", "lexicon_sha", "frame", "term", "match", "start", "end",
                 "quoted", "negated", "counted"]
"""The columns of the matches table that the lines are made of."""

# whitespace runs fold to one space in Arrow (RE2), all lines at once: the class is exactly the
# characters Python's re matches with \s in str patterns (a test checks every code point)
_OTHER_SPACE = r"\t-\r\x1c-\x1f\x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}"
_SPACE_RUN = f"[ {_OTHER_SPACE}]+"
# a line changes only where a run is not one plain space: it has another space character, or two spaces
_CHANGES = f"[{_OTHER_SPACE}]|  "


def concordance(
    matches: Sequence[str | Path],
    comments: Sequence[str | Path],
    threads: Sequence[str | Path],
    *,
    table: str | Path,
    csv: str | Path,
    width: int = 60,
) -> int:
    """Write the concordance of every shard to the Parquet file ``table`` and the CSV file ``csv``; the number of lines.

    ``matches``, ``comments`` and ``threads`` are the shard files of those
    tables, in shard order (the files of one position hold the same threads).
    Each shard's lines (:func:`concordance_lines`, ``width`` characters each
    side) are appended in shard order, so the files hold the lines of one
    pass over all shards while memory holds one shard. With no line at all,
    both files hold the empty table (the CSV its header only).
    """
    parquet_writer, csv_writer, first_empty, n_lines = None, None, None, 0
    try:
        for matches_path, comments_path, threads_path in zip(matches, comments, threads, strict=True):
            m = io.read_table(matches_path, columns=MATCH_COLUMNS)
            c = io.read_table(comments_path, columns=["thread_id", "comment_id", "author_id", "text"])
            t = io.read_table(threads_path, columns=["thread_id", "article_text"])
            authors = dict(zip(zip(c["thread_id"].tolist(), c["comment_id"].tolist()), c["author_id"].tolist()))
            kwic = concordance_lines(m, document_texts(c, t), width=width, authors=authors)
            del m, c, t, authors
            n_lines += len(kwic)
            if not len(kwic):  # no rows to write; its column types may be undetermined
                first_empty = kwic if first_empty is None else first_empty
                continue
            lines = pa.Table.from_pandas(kwic, preserve_index=False)
            if parquet_writer is None:
                parquet_writer = pq.ParquetWriter(table, lines.schema, compression="snappy")
                csv_writer = pa_csv.CSVWriter(csv, lines.schema)
            lines = lines.cast(parquet_writer.schema)
            parquet_writer.write_table(lines)
            csv_writer.write_table(lines)
    finally:
        for writer in (parquet_writer, csv_writer):
            if writer is not None:
                writer.close()
    if parquet_writer is None:  # no line at all: the empty table, as one pass would write it
        if first_empty is None:
            first_empty = concordance_lines(pd.DataFrame(columns=MATCH_COLUMNS), {}, width=width)
        first_empty.to_parquet(table, index=False)
        pa_csv.write_csv(pa.Table.from_pandas(first_empty, preserve_index=False), csv)
    return n_lines


def concordance_lines(matches: pd.DataFrame, texts: dict, *, width: int = 60,
                      authors: dict | None = None) -> pd.DataFrame:
    """Keyword-in-context lines for every match: ``width`` characters each side, whitespace folded.

    ``texts`` maps ``(thread_id, comment_id, doc)`` to a document's text
    (:func:`analysis.framing.document_texts`), ``authors`` maps
    ``(thread_id, comment_id)`` to its author (``''`` when absent). Columns:
    :data:`COLUMNS`. Text is untrusted: escape it wherever it is shown.
    """
    n = len(matches)
    left, right, authors_of = [], [], []
    if n:
        # matches come in runs of one document: its text and author are looked up once per run
        new = np.zeros(n, dtype=bool)
        new[0] = True
        for k in ("thread_id", "comment_id", "doc"):
            new |= matches[k].ne(matches[k].shift()).to_numpy(dtype=bool)
        first = np.flatnonzero(new)
        bounds = np.append(first, n).tolist()
        starts, ends = matches["start"].tolist(), matches["end"].tolist()
        get = (authors or {}).get
        run_author = []
        for r, key in enumerate(zip(*(matches[k].iloc[first].tolist() for k in ("thread_id", "comment_id", "doc")))):
            text = texts[key]
            a, b = bounds[r], bounds[r + 1]
            left += [text[max(0, s - width) : s] for s in starts[a:b]]
            right += [text[e : e + width] for e in ends[a:b]]
            run_author.append(get(key[:2], ""))
        authors_of = np.empty(len(run_author), dtype=object)  # the values as they are, as a list of them would be
        authors_of[:] = run_author
        authors_of = authors_of[np.cumsum(new) - 1]
    left, middle, right = _fold(left), _fold(matches["match"].tolist()), _fold(right)
    out = matches[["thread_id", "comment_id", "doc", "lexicon", "lexicon_sha", "frame", "term"]].copy()
    out["author_id"] = authors_of
    out["left"], out["match"], out["right"] = left, middle, right
    for flag in ("quoted", "negated", "counted"):
        out[flag] = matches[flag]
    return out[COLUMNS]


def display_sides(kwic: pd.DataFrame) -> pd.DataFrame:
    """Concordance lines as a page lays them out, left to right: a copy with a column ``dir``, ``"rtl"`` for a
    line whose match is right-to-left text (its first strong letter, :func:`analysis.render.text_direction`) and
    ``"ltr"`` otherwise, and in the ``"rtl"`` lines ``left`` and ``right`` swapped: ``left`` then holds the text
    after the match and ``right`` the text before it, which is where a reader of Arabic finds them. The table's
    own ``left``/``right`` (the Parquet and CSV files) stay in text order."""
    out = kwic.copy()
    rtl = np.array([text_direction(m) == "rtl" for m in out["match"].tolist()], dtype=bool)
    out["dir"] = np.where(rtl, "rtl", "ltr")
    if rtl.any():
        before, after = out["left"].to_numpy(copy=True), out["right"].to_numpy(copy=True)
        out["left"] = np.where(rtl, after, before)
        out["right"] = np.where(rtl, before, after)
    return out


def _fold(values: list[str]):
    """The lines with whitespace runs folded: the few lines that change are found by a match (cheap) and rewritten."""
    if not len(values):
        return []  # as a list, so that an empty table keeps the column types it always had
    lines = pa.array(values, type=pa.large_string())
    change = pc.match_substring_regex(lines, _CHANGES).fill_null(False)
    if pc.any(change).as_py():
        lines = pc.replace_with_mask(lines, change, pc.replace_substring_regex(lines.filter(change), _SPACE_RUN, " "))
    return pd.array(lines, dtype="str")
