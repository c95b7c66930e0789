"""Everything the workflow reads off the words of one shard, in one pass: the work of rule ``annotate``.

Tokens (:func:`analysis.tokenization.token_table`), frame matches and
per-document frame hits (:func:`analysis.framing.score_frames`), stance and
incivility (:func:`analysis.stance.score_stance`). One process per shard
instead of one per step: the token table is scored in memory instead of
being written and read back twice, one token index serves every dictionary
of both scorers, and the interpreter starts (pandas, pyarrow, NLTK) once.
The results are those of the three steps run one after the other on the
written tokens (a test checks this).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
import pyarrow as pa

from analysis.framing import TokenIndex, document_texts, score_frames
from analysis.lexicons import Lexicon
from analysis.stance import score_stance
from analysis.tokenization import multiword_tuples, token_table

__all__ = ["Annotations", "annotate", "documents"]

#: The token columns matching reads (not stem, is_mwe, is_stopword).
MATCH_TOKEN_COLUMNS = ["thread_id", "comment_id", "doc", "sentence", "index", "token", "norm", "start", "end"]


@dataclass
class Annotations:
    tokens: pa.Table  # the contract's tokens schema
    matches: pd.DataFrame  # frame matches (analysis.framing.MATCH_COLUMNS)
    docs: pd.DataFrame  # one row per document: hits per frame and attributes
    stance: pd.DataFrame  # analysis.columns.DOC_STANCE


def documents(comments: pd.DataFrame, threads: pd.DataFrame) -> pd.DataFrame:
    """The documents of a shard, as tokenization takes them: article bodies (non-empty), then comments."""
    articles = threads.loc[threads["article_text"] != "", ["thread_id", "article_text"]]
    articles = articles.rename(columns={"article_text": "text"}).assign(comment_id="", doc="article")
    return pd.concat([articles, comments[["thread_id", "comment_id", "text"]].assign(doc="comment")],
                     ignore_index=True)[["thread_id", "comment_id", "doc", "text"]]


def annotate(
    comments: pd.DataFrame,
    threads: pd.DataFrame,
    *,
    punkt,
    lexicons: Sequence[Lexicon],
    stance_lexicon: Lexicon,
    incivility_lexicon: Lexicon,
    tokenize: dict,
    framing: dict,
    flip_negated: bool,
    stopwords: frozenset[str] = frozenset(),
) -> Annotations:
    """Tokens, frame matches, document frame hits and stance of the documents of one shard.

    ``comments`` and ``threads`` are the shard's canonical tables;
    ``tokenize`` the config section of that name (lowercase, stem),
    ``stopwords`` its resolved stopword set; ``framing`` the framing section
    (negation_window, count_quoted, count_negated). The frame dictionaries'
    multi-word terms are joined into single tokens (MWEs).
    """
    mwes = multiword_tuples(t for lx in lexicons for t in lx.terms())
    tokens = token_table(documents(comments, threads), punkt=punkt, mwes=mwes, lowercase=tokenize["lowercase"],
                         stem=tokenize["stem"], stopwords=stopwords)
    # one token index and one text lookup serve both scorers
    index = TokenIndex(tokens.select(MATCH_TOKEN_COLUMNS))
    texts = document_texts(comments, threads)
    matches, docs = score_frames(tokens, comments, threads, lexicons, negation_window=framing["negation_window"],
                                 count_quoted=framing["count_quoted"], count_negated=framing["count_negated"], index=index,
                                 texts=texts)
    stance = score_stance(tokens, comments, threads, stance_lexicon=stance_lexicon, incivility_lexicon=incivility_lexicon,
                          flip_negated=flip_negated, negation_window=framing["negation_window"],
                          count_quoted=framing["count_quoted"], index=index, texts=texts)
    return Annotations(tokens=tokens, matches=matches, docs=docs, stance=stance)
