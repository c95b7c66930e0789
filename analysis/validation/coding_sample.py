"""Rule ``coding_sample``: the stratified sample to code by hand, one blind sheet per coder, the codebook.

Shard by shard: the documents are put in strata one shard at a time
(:func:`analysis.validation.sampling.draw_coding_sample`), and texts are kept
only for the drawn documents and the comments they reply to. Each shard is
read as Arrow, only the columns the sample needs.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from analysis import io
from analysis.framing import frames_of
from analysis.language import UNDETERMINED
from analysis.lexicons import Lexicon
from analysis.validation.common import KEYS, as_strings, joined_key
from analysis.validation.sampling import SAMPLE_COLUMNS, draw_coding_sample
from analysis.validation.sheets import codebook, coding_sheets

__all__ = ["CodingSample", "coding_sample", "documents_with_text"]


#: The codebook of a run without frame dictionaries (``lexicons: []``).
NO_FRAMES_CODEBOOK = ("# Codebook\n\nThis run names no frame dictionaries (`lexicons: []`), so there are no "
                      "frames to code.\n")


class CodingSample(NamedTuple):
    """What rule ``coding_sample`` writes: the sample, a sheet per coder (in coder order), the codebook."""

    sample: pd.DataFrame
    sheets: dict[str, pd.DataFrame]
    codebook: str


def coding_sample(
    *,
    docs: Sequence[str | Path],
    matches: Sequence[str | Path],
    comments: Sequence[str | Path],
    threads: Sequence[str | Path],
    lexicons: Sequence[Lexicon],
    coders: Sequence[str],
    per_stratum: int,
    seed: int,
) -> CodingSample:
    """The coding sample of a run's shards, for every frame of ``lexicons``; its sheets and codebook.

    ``docs``, ``matches``, ``comments`` and ``threads`` are the Parquet files
    of each shard (the framing documents and matches, the comments and
    threads tables), shard i at position i of each. The sample is
    :func:`~analysis.validation.sampling.draw_coding_sample` of those shards;
    the sheets are :func:`~analysis.validation.sheets.coding_sheets` of it
    for ``coders`` (with the text of each drawn comment's parent as context;
    ``seed`` orders them too); the codebook is
    :func:`~analysis.validation.sheets.codebook` of ``lexicons``.

    Languages: when the comments carry a ``language`` column (and the
    threads ``article_language``), the documents carry their language
    (:func:`documents_with_text`), and a frame is drawn only from the
    documents where it is measured (``hits_<frame>`` not missing in the
    framing documents). The sample and the sheets carry a ``language``
    column when the sample holds two or more determined languages; with
    one, they are those of a run without languages.
    """
    frames = frames_of(lexicons)

    def load_shard(i: int) -> tuple[pa.Table, pa.Table]:
        """(docs with their text, language and hits, matches) of shard i, as Arrow tables."""
        hits = _present(docs[i], [f"hits_{f}" for f in frames])  # missing where a frame is not measured
        shard = documents_with_text(io.read_arrow(docs[i], columns=KEYS + hits),
                                    io.read_arrow(comments[i], columns=["thread_id", "comment_id", "text"]
                                                  + _present(comments[i], ["language"])),
                                    io.read_arrow(threads[i], columns=["thread_id", "article_text"]
                                                  + _present(threads[i], ["article_language"])))
        return shard, io.read_arrow(matches[i], columns=KEYS + ["frame", "term", "counted"])

    if frames:
        sample = draw_coding_sample(load_shard, len(docs), frames=frames, per_stratum=per_stratum, seed=seed,
                                    lexicons=lexicons)
        if "language" in sample.columns and len(set(sample["language"]) - {UNDETERMINED}) < 2:
            sample = sample.drop(columns="language")  # one language: the sample and sheets as without languages
    else:  # no frame dictionaries (lexicons: []): nothing to code, and the sheets and codebook say so by being empty
        sample = pd.DataFrame({c: pd.Series(dtype="str") for c in SAMPLE_COLUMNS})
    sheets = coding_sheets(sample, coders=coders, context=_context_rows(sample, comments), lexicons=lexicons, seed=seed)
    book = codebook(lexicons) if lexicons else NO_FRAMES_CODEBOOK
    return CodingSample(sample, sheets, book)


def _present(path: str | Path, columns: Sequence[str]) -> list[str]:
    """The ``columns`` the Parquet file ``path`` has (read from its schema only)."""
    names = set(pq.read_schema(path).names)
    return [c for c in columns if c in names]


def _pair_keys(table: pa.Table, thread: str = "thread_id", comment: str = "comment_id") -> pa.ChunkedArray:
    return pc.binary_join_element_wise(table.column(thread), table.column(comment), "\x00")


def _context_rows(sample: pd.DataFrame, comments: Sequence[str | Path]) -> pd.DataFrame:
    """The rows of the comments tables that coding_sheets reads: the drawn comments and their parents, in table
    order."""
    drawn = sample[sample["doc"].astype(str) == "comment"]
    wanted = pa.array(sorted(set(drawn["thread_id"].astype(str) + "\x00" + drawn["comment_id"].astype(str))),
                      type=pa.string())
    parents = []
    for p in comments:
        t = io.read_arrow(p, columns=["thread_id", "comment_id", "parent_id"])
        t = t.filter(pc.and_(pc.is_in(_pair_keys(t), value_set=wanted), pc.not_equal(t.column("parent_id"), "")))
        parents.append(_pair_keys(t, comment="parent_id").combine_chunks())
    keep = pc.unique(pa.concat_arrays([wanted, *parents]))
    parts = []
    for p in comments:
        t = io.read_arrow(p, columns=["thread_id", "comment_id", "parent_id", "text"])
        parts.append(t.filter(pc.is_in(_pair_keys(t), value_set=keep)))
    return pa.concat_tables(parts).to_pandas()


def documents_with_text(docs: pa.Table, comments: pa.Table, threads: pa.Table) -> pa.Table:
    """``docs`` (keys) with the column ``text`` of each document, as :func:`analysis.matcher.document_texts` gives them.

    A ``comment`` document gets the text of its comment (by thread_id,
    comment_id; the last one when a comment is repeated), an ``article``
    document with an empty comment_id the non-empty ``article_text`` of its
    thread (the last one when a thread is repeated); any other document, or
    one without a text, gets ``""``. All in Arrow, one shard at a time.

    When ``comments`` carry a ``language`` column (rule ``shard``'s), the
    documents get one too: a comment document its comment's, an article
    document its thread's ``article_language`` (null when the threads have
    none), any other document null. The other columns of ``docs`` (e.g.
    ``hits_<frame>``) are kept as they are.
    """
    thread, comment, doc = (as_strings(docs.column(k)) for k in KEYS)
    null = pa.scalar(None, pa.string())

    def last_row(keys_docs, keys_table):
        """For each document, the row of the last entry of ``keys_table`` with its key (null where none)."""
        n = len(keys_table)
        if not n:
            return pa.nulls(len(keys_docs), type=pa.int64())
        back = keys_table.take(pa.array(np.arange(n - 1, -1, -1)))
        at = pc.index_in(keys_docs, value_set=back).cast(pa.int64())
        return pc.subtract(pa.scalar(n - 1, type=pa.int64()), at)

    texts = (as_strings(comments.column("text")).combine_chunks() if comments.num_rows
             else pa.array([], type=pa.string()))
    c_row = last_row(joined_key(thread, comment),
                     joined_key(as_strings(comments.column("thread_id")), as_strings(comments.column("comment_id"))))
    articles = threads.filter(pc.not_equal(pc.fill_null(as_strings(threads.column("article_text")), ""), ""))
    bodies = (as_strings(articles.column("article_text")).combine_chunks() if articles.num_rows
              else pa.array([], type=pa.string()))
    a_row = last_row(thread.combine_chunks(), as_strings(articles.column("thread_id")).combine_chunks())
    is_comment = pc.equal(doc, "comment")
    is_article = pc.and_(pc.equal(doc, "article"), pc.equal(comment, ""))
    text = pc.coalesce(pc.if_else(is_comment, texts.take(c_row), null),
                       pc.if_else(is_article, bodies.take(a_row), null), pa.scalar("", pa.string()))
    out = {**{k: c for k, c in zip(KEYS, (thread, comment, doc))}, "text": text}
    if "language" in comments.column_names:
        c_lang = as_strings(comments.column("language")).combine_chunks() if comments.num_rows else pa.array(
            [], type=pa.string())
        a_lang = (as_strings(articles.column("article_language")).combine_chunks()
                  if "article_language" in articles.column_names and articles.num_rows
                  else pa.nulls(articles.num_rows, type=pa.string()))
        out["language"] = pc.coalesce(pc.if_else(is_comment, c_lang.take(c_row), null),
                                      pc.if_else(is_article, a_lang.take(a_row), null))
    others = [c for c in docs.column_names if c not in KEYS and c not in out]
    return pa.table({**out, **{c: docs.column(c) for c in others}})
