"""Framing: where the terms of a frame dictionary occur, and how often.

Matches come from the project's dictionary matcher (:mod:`analysis.matcher`,
whose docstring states the matching rules: case, wildcards, multi-word terms,
longest match, quotation and negation scope, what counts as a word). This
module turns them into the framing tables of rule ``annotate``: every match
of every active frame dictionary, and one row per document with its word
tokens and counted hits per frame (:func:`score_frames`).

Languages: a dictionary is matched only on documents of its ``language``
(:func:`document_languages` says which language each document is read as).
A document whose language no dictionary of a frame covers has that frame's
hits missing (``<NA>``: not measured), never 0, so that no rate counts its
words in the denominator of a frame it could not have matched.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis.lexicons import Lexicon, frame_languages, unique_frames
from analysis.matcher import MATCH_COLUMNS, TokenIndex, document_texts, match_frames

__all__ = [
    "UNDETERMINED",
    "doc_frame_counts",
    "document_languages",
    "in_language",
    "mark_not_measured",
    "reading_language",
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
    """All frame names of the active dictionaries, in file order; names must be unique within a language.

    The same frame id in dictionaries of two languages is one frame, measured
    in each language by its own dictionary (it appears once here).
    """
    return unique_frames((lx.path, lx.frames, lx.language) for lx in lexicons)


#: The language code of a text whose language could not be determined.
UNDETERMINED = "und"

_KEYS = ["thread_id", "comment_id", "doc"]


def document_languages(comments: pd.DataFrame, threads: pd.DataFrame, *,
                       languages: Sequence[str] | None = None) -> pd.DataFrame | None:
    """The language each document is read as, for matching: columns ``thread_id``, ``comment_id``, ``doc``,
    ``language``; None when the comments carry no ``language`` column (every document is then in every
    dictionary's language: the behaviour before languages existed).

    Comments take their ``language`` column, article bodies the threads'
    ``article_language`` (``und`` when the threads have none), read by
    :func:`reading_language`: in a one-language study every document is in
    that language; with several, a document in none of them (``und`` or
    another language) stays ``und`` and no dictionary is matched on it.
    """
    if "language" not in comments.columns:
        return None
    com = comments[["thread_id", "comment_id"]].assign(doc="comment", language=comments["language"].to_numpy())
    art_lang = threads["article_language"] if "article_language" in threads.columns else UNDETERMINED
    art = threads[["thread_id"]].assign(comment_id="", doc="article", language=art_lang)
    out = pd.concat([com, art], ignore_index=True)
    return out.assign(language=reading_language(out["language"], languages=languages))[[*_KEYS, "language"]]


def reading_language(values: pd.Series, *, languages: Sequence[str] | None = None) -> pd.Series:
    """The language documents of language ``values`` are read in (matched, counted, compared): the one rule of
    every measure.

    With one study language (config ``languages``) every document is read
    in it: an undetermined one (``und``, missing) and one identified as a
    language outside the study alike (identification errs on short texts:
    0.6% of CreateDebate's English comments looked like another language;
    the book's languages section says how many there are, and warns above
    10%). With several, a document is read in its own language when that is
    a study language, and in none (``und``) otherwise. Without ``languages``
    the value itself, ``und`` for a missing one.
    """
    lang = values.astype(object).where(values.notna(), UNDETERMINED).astype(str)
    if languages is not None and len(languages) == 1:
        return pd.Series(languages[0], index=values.index, dtype=object)
    if languages:
        lang = lang.where(lang.isin(list(languages)), UNDETERMINED)
    return lang


def in_language(rows: pd.DataFrame, doc_languages: pd.DataFrame | None, language: str) -> np.ndarray:
    """Which ``rows`` (with the document keys) belong to documents read as ``language`` (all when
    ``doc_languages`` is None)."""
    if doc_languages is None:
        return np.ones(len(rows), dtype=bool)
    return _languages_of(rows, doc_languages) == language


def _languages_of(rows: pd.DataFrame, doc_languages: pd.DataFrame) -> np.ndarray:
    """The reading language of each row's document (:func:`document_languages`); ``und`` for a document it
    does not list. One hash join on the document keys."""
    keyed = rows[_KEYS].astype(str).merge(doc_languages.astype({k: str for k in _KEYS}), on=_KEYS, how="left",
                                          validate="many_to_one")
    return keyed["language"].fillna(UNDETERMINED).to_numpy(dtype=object)


def mark_not_measured(docs: pd.DataFrame, doc_languages: pd.DataFrame | None,
                      lexicons: Sequence[Lexicon]) -> pd.DataFrame:
    """``docs`` with ``hits_<frame>`` missing (``<NA>``) in the documents whose language no dictionary of the
    frame covers: not measured, never 0. Unchanged (same dtypes) when every document is measured."""
    if doc_languages is None or docs.empty:
        return docs
    docs = docs.copy()
    language = _languages_of(docs, doc_languages)
    for f, langs in frame_languages(lexicons).items():
        measured = np.isin(language, langs)
        if not measured.all():
            docs[f"hits_{f}"] = docs[f"hits_{f}"].astype("Int64").where(measured, pd.NA)
    return docs


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
    languages: Sequence[str] | None = None,
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

    Languages: when ``comments`` carry a ``language`` column, each
    dictionary's matches are kept only in documents of its ``language``
    (:func:`document_languages`; ``languages`` are the study's languages,
    which decide how undetermined documents are read), and a frame's hits
    are missing (``<NA>``) in documents of a language none of its
    dictionaries covers (:func:`mark_not_measured`). The table then carries
    the documents' ``language`` (articles: the threads' ``article_language``).
    """
    texts = document_texts(comments, threads) if texts is None else texts
    doc_languages = document_languages(comments, threads, languages=languages)
    parts = []
    for lx in lexicons:
        found = match_frames(index, lx, texts=texts, negation_window=negation_window, count_quoted=count_quoted,
                             count_negated=count_negated)
        if doc_languages is not None and len(found):
            found = found[in_language(found, doc_languages, lx.language)]
        parts.append(found)
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
    if "language" in meta:  # an article's language is its thread's article_language
        art["language"] = threads["article_language"] if "article_language" in threads.columns else UNDETERMINED
    attrs = pd.concat([attrs, art], ignore_index=True)
    docs = docs.merge(attrs, on=["thread_id", "comment_id", "doc"], how="left", validate="one_to_one")
    docs = mark_not_measured(docs, doc_languages, lexicons)
    hits = [c for c in docs.columns if c.startswith("hits_")]
    docs = docs[["thread_id", "comment_id", "doc", "source", "depth", "author_id", "created_at", "n_tokens",
                 "n_matches", *hits, *meta]]
    return matches, docs
