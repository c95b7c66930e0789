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
from nltk.tokenize.punkt import PunktSentenceTokenizer

from analysis.framing import document_languages, in_language, score_frames
from analysis.lexicons import Lexicon
from analysis.matcher import MATCH_COLUMNS, TOKEN_COLUMNS, TokenIndex, document_texts, match_frames
from analysis.quotes import in_quote, tokens_in_quote
from analysis.stance import score_stance
from analysis.tokenization import multiword_tuples, token_table

__all__ = ["Annotations", "annotate", "documents"]


@dataclass
class Annotations:
    tokens: pa.Table  # the contract's tokens schema
    matches: pd.DataFrame  # frame matches (analysis.matcher.MATCH_COLUMNS)
    docs: pd.DataFrame  # one row per document: hits per frame and attributes
    stance: pd.DataFrame  # analysis.columns.DOC_STANCE


def documents(comments: pd.DataFrame, threads: pd.DataFrame) -> pd.DataFrame:
    """The documents of a shard, as tokenization takes them: article bodies (non-empty), then comments.

    When the comments have a ``language`` column (or the threads an ``article_language`` column), the documents
    get a ``language`` column: the comment's, the article's (a document of the other kind without one: ``und``).
    Without either, no ``language`` column: every document is English (:func:`analysis.tokenization.token_table`).
    """
    cols = ["thread_id", "comment_id", "doc", "text"]
    articles = threads.loc[threads["article_text"] != "", ["thread_id", "article_text"]
                           + (["article_language"] if "article_language" in threads.columns else [])]
    articles = articles.rename(columns={"article_text": "text", "article_language": "language"})
    articles = articles.assign(comment_id="", doc="article")
    own = comments[["thread_id", "comment_id", "text"] + (["language"] if "language" in comments.columns else [])]
    out = pd.concat([articles, own.assign(doc="comment")], ignore_index=True)
    if "language" not in out.columns:
        return out[cols]
    return out.assign(language=out["language"].fillna("und").astype(str))[[*cols, "language"]]


def annotate(
    comments: pd.DataFrame,
    threads: pd.DataFrame,
    *,
    punkt: PunktSentenceTokenizer,
    lexicons: Sequence[Lexicon],
    stance_lexicon: Lexicon,
    incivility_lexicon: Lexicon,
    lowercase: bool,
    stem: bool,
    stopwords: frozenset[str] = frozenset(),
    negation_window: int,
    count_quoted: bool,
    count_negated: bool,
    flip_negated: bool,
    quotes: pd.DataFrame | None = None,
    count_quoted_text: bool = False,
    languages: Sequence[str] | None = None,
) -> Annotations:
    """Tokens, frame matches, document frame hits and stance of the documents of one shard.

    ``comments`` and ``threads`` are the shard's canonical tables; ``punkt``
    the shard's sentence splitter (:func:`analysis.punkt.punkt_from_params`);
    ``lowercase``, ``stem`` and ``stopwords`` (the resolved set) the
    ``tokenize`` options of :func:`analysis.tokenization.token_table`;
    ``negation_window``, ``count_quoted`` and ``count_negated`` the
    ``framing`` options of :func:`analysis.matcher.match_frames` (stance
    always counts negated cues, flipped or not by ``flip_negated``). The frame
    dictionaries' multi-word terms are joined into single tokens (MWEs).

    ``quotes``: the shard's quoted passages (:func:`analysis.quotes.find_quotes`).
    Unless ``count_quoted_text``, the tokens inside them are left out of
    every measure: the token table returned (and written) holds the words
    that count, frame hits, word counts, stance and incivility are those of
    own words, and the frame matches inside quoted passages are kept with
    ``in_quote`` true and ``counted`` false (reply dynamics tell copying a
    frame from using it). With ``count_quoted_text``, every token counts and
    ``in_quote`` only marks the matches.
    """
    mwes = multiword_tuples(t for lx in lexicons for t in lx.terms())
    # the document keys dictionary-encoded while the shard is worked on (numbered and filtered without copying
    # or hashing a string per token), plain strings only in the table returned
    tokens = token_table(documents(comments, threads), punkt=punkt, mwes=mwes, lowercase=lowercase, stem=stem,
                         stopwords=stopwords, dictionary_keys=True)
    texts = document_texts(comments, threads)
    quoted = tokens_in_quote(tokens, quotes if quotes is not None else pd.DataFrame())
    copied = pd.DataFrame(columns=MATCH_COLUMNS)
    if quoted.any() and not count_quoted_text:
        # matches inside quoted passages: kept, flagged, never counted; everything else sees own words only
        quoted_index = TokenIndex(tokens.filter(pa.array(quoted)).select(TOKEN_COLUMNS))
        doc_languages = document_languages(comments, threads, languages=languages)
        found = []
        for lx in lexicons:
            m = match_frames(quoted_index, lx, texts=texts, negation_window=negation_window,
                             count_quoted=count_quoted, count_negated=count_negated)
            found.append(m[in_language(m, doc_languages, lx.language)] if len(m) else m)
        copied = pd.concat(found or [copied], ignore_index=True)
        copied = copied.assign(in_quote=True, counted=False)
        del quoted_index
        tokens = tokens.filter(pa.array(~quoted))
    # one token index (of the tokens that count) and one text lookup serve both scorers
    index = TokenIndex(tokens.select(TOKEN_COLUMNS))
    matches, docs = score_frames(index, comments, threads, lexicons, negation_window=negation_window,
                                 count_quoted=count_quoted, count_negated=count_negated, texts=texts,
                                 languages=languages)
    if quoted.any() and count_quoted_text:
        matches["in_quote"] = in_quote(matches, matches["start"].to_numpy(), quotes)
    elif len(copied):
        matches = pd.concat([matches, copied[MATCH_COLUMNS]], ignore_index=True).sort_values(
            ["thread_id", "comment_id", "doc", "start", "lexicon", "frame"], kind="stable").reset_index(drop=True)
    stance = score_stance(index, comments, threads, stance_lexicon=stance_lexicon,
                          incivility_lexicon=incivility_lexicon,
                          flip_negated=flip_negated, negation_window=negation_window, count_quoted=count_quoted,
                          texts=texts, languages=languages)
    del index
    plain = pa.schema([f.with_type(f.type.value_type) if pa.types.is_dictionary(f.type) else f for f in tokens.schema])
    return Annotations(tokens=tokens.cast(plain), matches=matches, docs=docs, stance=stance)
