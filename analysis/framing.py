"""Framing: where the terms of a frame dictionary occur, and how often.

Matches come from the project's dictionary matcher (:mod:`analysis.matcher`,
whose docstring states the matching rules: case, wildcards, multi-word terms,
longest match, quotation and negation scope, what counts as a word). This
module turns them into the framing tables of rule ``annotate``: every match
of every active frame dictionary, and one row per document with its word
tokens and counted hits per frame (:func:`score_frames`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis.lexicons import Lexicon, unique_frames
from analysis.matcher import MATCH_COLUMNS, TokenIndex, document_texts, match_frames

__all__ = [
    "doc_frame_counts",
    "frames_of",
    "score_frames",
]


def doc_frame_counts(index: TokenIndex, matches: pd.DataFrame, *, frames: Sequence[str]) -> pd.DataFrame:
    """One row per document: word tokens and counted hits of each frame.

    ``index`` is the :class:`~analysis.matcher.TokenIndex` of the tokens
    ``matches`` were found in. Columns ``thread_id``, ``comment_id``, ``doc``,
    ``n_tokens`` and one ``hits_<frame>`` column per frame (counted matches
    only), plus ``n_matches`` (all matches, counted or not). Documents without
    word tokens are absent (they have no denominator). Words are counted per
    run of a document's rows, then per document key.
    """
    keys = ["thread_id", "comment_id", "doc"]
    doc = index.doc
    n_runs = int(doc[-1]) + 1 if len(doc) else 0
    runs = index.keys_at(index.run_first())
    runs["n_tokens"] = np.bincount(doc[index.is_word()], minlength=n_runs).astype(np.int64)
    runs = runs[runs["n_tokens"] > 0]
    base = runs.groupby(keys, sort=True)["n_tokens"].sum().rename("n_tokens").reset_index()
    counted = matches.loc[matches["counted"], keys + ["frame"]]
    hits = counted.groupby(keys + ["frame"]).size().unstack("frame", fill_value=0)
    hits = hits.reindex(columns=list(frames), fill_value=0).add_prefix("hits_")
    n_matches = matches.groupby(keys).size().rename("n_matches")
    out = base.merge(hits, left_on=keys, right_index=True, how="left").merge(n_matches, left_on=keys,
                                                                              right_index=True, how="left")
    cols = [f"hits_{f}" for f in frames] + ["n_matches"]
    out[cols] = out[cols].fillna(0).astype("int64")
    return out


def frames_of(lexicons: Sequence[Lexicon]) -> list[str]:
    """All frame names of the active dictionaries, in file order; names must be unique across them."""
    return unique_frames((lx.path, lx.frames) for lx in lexicons)


def score_frames(
    index: TokenIndex,
    comments: pd.DataFrame,
    threads: pd.DataFrame,
    lexicons: Sequence[Lexicon],
    *,
    negation_window: int = 3,
    count_quoted: bool = False,
    count_negated: bool = True,
    texts: dict | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Matches of every active dictionary, and one row per document with its hits and attributes.

    ``index`` is the :class:`~analysis.matcher.TokenIndex` of the documents'
    tokens (rule ``annotate`` shares it with
    :func:`analysis.stance.score_stance`). Each dictionary is matched on its
    own (a token can count once per dictionary). The document table carries
    what groupings need: source, depth (0 for the article), author, time and
    the comments' metadata. ``texts`` is
    :func:`~analysis.matcher.document_texts` of ``comments`` and ``threads``,
    when the caller already has it.
    """
    texts = document_texts(comments, threads) if texts is None else texts
    parts = [
        match_frames(index, lx, texts=texts, negation_window=negation_window, count_quoted=count_quoted,
                     count_negated=count_negated)
        for lx in lexicons
    ]
    matches = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=MATCH_COLUMNS)
    matches = matches.sort_values(["thread_id", "comment_id", "doc", "start", "lexicon", "frame"],
                                  kind="stable").reset_index(drop=True)
    docs = doc_frame_counts(index, matches, frames=frames_of(lexicons))
    core = {"thread_id", "comment_id", "parent_id", "depth", "position", "author_id", "created_at", "text", "source",
            "file", "record", "rule", "is_placeholder", "shard"}
    meta = [c for c in comments.columns if c not in core]
    attrs = comments[["thread_id", "comment_id", "source", "depth", "author_id", "created_at",
                      *meta]].assign(doc="comment")
    art = threads[["thread_id", "source"]].assign(comment_id="", doc="article", depth=0, author_id="",
                                                  created_at=pd.NaT)
    attrs = pd.concat([attrs, art], ignore_index=True)
    docs = docs.merge(attrs, on=["thread_id", "comment_id", "doc"], how="left", validate="one_to_one")
    hits = [c for c in docs.columns if c.startswith("hits_")]
    docs = docs[["thread_id", "comment_id", "doc", "source", "depth", "author_id", "created_at", "n_tokens",
                 "n_matches", *hits, *meta]]
    return matches, docs
