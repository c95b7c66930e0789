"""Collocates of frames: the words that keep company with each frame's terms.

For every frame, the corpus's word tokens fall into a 2x2 table: whether a
token stands in the *context* of the frame (within ``window`` tokens of one of
its matches, in the same sentence) and whether it is the word ``w``. The four
marginals are those of NLTK's bigram association measures
(:class:`nltk.metrics.association.BigramAssocMeasures`), with the frame in the
place of the first word of a bigram and ``w`` in the place of the second:

- ``n_ii``: tokens of ``w`` in the frame's context;
- ``n_ix``: tokens in the frame's context (its "slots"), any word;
- ``n_xi``: tokens of ``w`` in the corpus;
- ``n_xx``: tokens in the corpus.

Every count is of *distinct token positions*: a token within reach of two
matches of the same frame is one slot, not two, so ``n_ii <= min(n_ix,
n_xi)`` and ``n_ix <= n_xx`` always hold and the table's four cells are never
negative (NLTK's windowed ``BigramCollocationFinder`` counts a token once per
neighbour and does not guarantee this).

Reference: manning1999foundations (ch. 5, collocations and the measures);
dunning1993accurate (log-likelihood ratio); church1990word (pointwise mutual
information).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pandas as pd
from nltk.metrics.association import BigramAssocMeasures

from analysis.errors import bad_value

__all__ = ["MEASURES", "frame_collocations"]

#: Association measures by name: NLTK's bigram measures, each called as
#: ``f(n_ii, (n_ix, n_xi), n_xx)``.
MEASURES = {
    "likelihood_ratio": BigramAssocMeasures.likelihood_ratio,
    "pmi": BigramAssocMeasures.pmi,
    "chi_sq": BigramAssocMeasures.chi_sq,
    "student_t": BigramAssocMeasures.student_t,
    "poisson_stirling": BigramAssocMeasures.poisson_stirling,
    "dice": BigramAssocMeasures.dice,
    "jaccard": BigramAssocMeasures.jaccard,
    "raw_freq": BigramAssocMeasures.raw_freq,
}

_TOKEN_COLUMNS = ("thread_id", "comment_id", "doc", "sentence", "index", "norm", "is_stopword")
_HIT_COLUMNS = ("thread_id", "comment_id", "doc", "frame", "token_start", "token_end")
_KEY = ["thread_id", "comment_id", "doc"]
_WORD = re.compile(r"[^\W_]")  # a letter or a digit


def frame_collocations(
    tokens: pd.DataFrame,
    hits: pd.DataFrame,
    *,
    window: int = 5,
    min_count: int = 3,
    measures: Sequence[str] = ("likelihood_ratio", "pmi"),
    top: int | None = 20,
) -> pd.DataFrame:
    """The words most associated with each frame's matches, by NLTK association measures.

    Meaning: for each frame, which words occur near its terms more often than
    their overall frequency predicts, i.e. what a frame is talked about
    *with* (e.g. ``regime`` near the dictatorship terms, ``moderate`` near
    ``rebels``).

    Inputs: ``tokens`` with the TOKENS columns (at least thread_id,
    comment_id, doc, sentence, index, norm, is_stopword; one row per
    (document, index)); ``hits`` with one row per frame match: thread_id,
    comment_id, doc, frame, token_start, token_end, where ``[token_start,
    token_end)`` is the match's range of ``index`` in its document (as
    :func:`analysis.framing.match_frames` gives it; filter it to the
    matches to count, e.g. ``counted``, beforehand).

    Counting (vectorised over token arrays):

    - a *word token* is one that is not a stopword and has a letter or a
      digit; only word tokens are counted, and ``n_xx`` is their number;
    - the context of a match is the tokens whose ``index`` is within
      ``window`` positions before its first or after its last token, in the
      same document and the same sentence (left context: the sentence of
      the first token, right context: of the last). Distance is counted in
      ``index`` positions, so stopwords and punctuation take up room in the
      window although they are never counted;
    - the tokens of every match of the frame are not its context (a term is
      not its own collocate, nor is a second term of the same frame nearby);
      tokens matched by *other* frames are, and can be collocates;
    - ``n_ix`` is the number of distinct word-token positions in the
      frame's context over the corpus, ``n_ii`` those holding ``w`` (its
      ``norm``), ``n_xi`` the corpus count of ``w``.

    Each (frame, word) pair with ``n_ii >= min_count`` is scored with each of
    ``measures`` (names of :data:`MEASURES`; NLTK's functions, called with
    ``(n_ii, (n_ix, n_xi), n_xx)``); a measure undefined for a table (a
    division by zero, e.g. ``chi_sq`` when every token is in the context)
    gives NaN. Rows are ordered by frame name, then by the first measure
    (highest first; NaN last), then ``n_ii`` (highest first) and word; only
    the first ``top`` of each frame are kept (``None``: all).

    Returns columns frame, word, n_ii, n_ix, n_xi, n_xx and one column per
    measure.

    Higher means: a larger ``likelihood_ratio`` (Dunning's G²) is stronger
    evidence that the word's rate in the frame's context differs from its
    rate elsewhere; a larger ``pmi`` (log2 of observed over expected) is a
    stronger attraction, whatever the evidence.

    Caveats: G² and chi-square are two-sided: a word *rarer* near the frame
    than elsewhere also scores high (its ``pmi`` is then negative; keep
    ``pmi`` among the measures, or check ``n_ii`` against
    ``n_ix * n_xi / n_xx``). PMI favours rare words; ``min_count`` tempers
    that. Counts pool all documents, so one long, repetitive comment can
    dominate a frame's collocates; the measures assume independent tokens,
    which text is not, so treat scores as rankings rather than tests. A
    multi-word expression joined by tokenization is one token (``civil
    war``), and is counted as one word.

    Reference: manning1999foundations; dunning1993accurate; church1990word.
    """
    _check_int("window", window, 1)
    _check_int("min_count", min_count, 1)
    if top is not None:
        _check_int("top", top, 1)
    if isinstance(measures, str):
        measures = (measures,)
    measures = tuple(measures)
    unknown = [m for m in measures if m not in MEASURES]
    if not measures or unknown:
        raise bad_value("measures", measures, f"one or more of {sorted(MEASURES)}")
    for name, df, cols in (("tokens", tokens, _TOKEN_COLUMNS), ("hits", hits, _HIT_COLUMNS)):
        missing = [c for c in cols if c not in df.columns]
        if missing:
            raise bad_value(name, list(df.columns), f"a DataFrame with columns {list(cols)} (missing {missing})")

    out_columns = ["frame", "word", "n_ii", "n_ix", "n_xi", "n_xx", *measures]
    if len(tokens) == 0 or len(hits) == 0:
        return _empty(out_columns, measures)

    # documents: one code per (thread_id, comment_id, doc), shared by tokens and hits
    keys = pd.concat([tokens[_KEY], hits[_KEY]], ignore_index=True).astype(str)
    doc_codes = pd.MultiIndex.from_frame(keys).factorize()[0].astype(np.int64)
    tok_doc, hit_doc = doc_codes[: len(tokens)], doc_codes[len(tokens) :]

    # tokens, sorted by (document, index), so that a position is found by binary search
    tok_index = tokens["index"].to_numpy(dtype=np.int64)
    if (tok_index < 0).any():
        raise bad_value("tokens.index", int(tok_index.min()), "token numbers >= 0")
    span = int(tok_index.max()) + 1
    tok_key = tok_doc * span + tok_index
    order = np.argsort(tok_key, kind="stable")
    tok_key = tok_key[order]
    if len(tok_key) > 1 and (np.diff(tok_key) == 0).any():
        raise bad_value("tokens", "duplicate rows", "one row per (thread_id, comment_id, doc, index)")
    sentence = tokens["sentence"].to_numpy(dtype=np.int64)[order]
    norm_codes, vocab = pd.factorize(tokens["norm"].astype(str))
    norm_codes = norm_codes.astype(np.int64)[order]
    # a letter or digit: tested once per distinct norm, not per token
    wordlike = np.fromiter((_WORD.search(w) is not None for w in vocab), dtype=bool, count=len(vocab))
    is_word = ~tokens["is_stopword"].to_numpy(dtype=bool)[order] & wordlike[norm_codes]
    word_of = np.where(is_word, norm_codes, -1)
    n_xx = int(is_word.sum())
    n_xi_all = np.bincount(norm_codes[is_word], minlength=len(vocab)).astype(np.int64)

    def row_of(doc: np.ndarray, pos: np.ndarray) -> np.ndarray:
        """Token row of each (document, position); -1 where there is no such token."""
        inside = (pos >= 0) & (pos < span)
        key = doc * span + np.where(inside, pos, 0)
        at = np.searchsorted(tok_key, key)
        at_c = np.minimum(at, len(tok_key) - 1)
        found = inside & (at < len(tok_key)) & (tok_key[at_c] == key)
        return np.where(found, at_c, -1)

    # hits
    frame_codes, frames = pd.factorize(hits["frame"].astype(str), sort=True)
    frame_codes = frame_codes.astype(np.int64)
    h_start = hits["token_start"].to_numpy(dtype=np.int64)
    h_end = hits["token_end"].to_numpy(dtype=np.int64)
    if (h_end <= h_start).any():
        raise bad_value("hits", "token_end <= token_start", "token_start < token_end in every row")
    first_row = row_of(hit_doc, h_start)
    last_row = row_of(hit_doc, h_end - 1)
    if (first_row < 0).any() or (last_row < 0).any():
        bad = int(np.flatnonzero((first_row < 0) | (last_row < 0))[0])
        raise bad_value(
            "hits",
            hits.iloc[bad][list(_HIT_COLUMNS)].to_dict(),
            "matches whose first and last token are rows of tokens (same document and index)",
        )
    n_tok = len(tok_key)

    # the tokens of every match, per frame: (frame * n_tok + row)
    lengths = h_end - h_start
    which = np.repeat(np.arange(len(h_start)), lengths)
    offset = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    own_rows = row_of(hit_doc[which], h_start[which] + offset)
    own = np.unique(frame_codes[which][own_rows >= 0] * n_tok + own_rows[own_rows >= 0])

    # context positions: window before the first token, window after the last
    steps = np.arange(1, window + 1, dtype=np.int64)
    pos = np.concatenate([h_start[:, None] - steps[None, :], (h_end - 1)[:, None] + steps[None, :]], axis=1)
    anchor = np.concatenate(
        [np.repeat(first_row[:, None], window, axis=1), np.repeat(last_row[:, None], window, axis=1)], axis=1
    )
    hit_of = np.repeat(np.arange(len(h_start))[:, None], 2 * window, axis=1)
    pos, anchor, hit_of = pos.ravel(), anchor.ravel(), hit_of.ravel()
    rows = row_of(hit_doc[hit_of], pos)
    ok = rows >= 0
    rows, anchor, hit_of = rows[ok], anchor[ok], hit_of[ok]
    ok = (sentence[rows] == sentence[anchor]) & is_word[rows]
    rows, hit_of = rows[ok], hit_of[ok]
    slot = np.unique(frame_codes[hit_of] * n_tok + rows)  # distinct (frame, position)
    slot = slot[~np.isin(slot, own, assume_unique=True)]
    slot_frame, slot_row = slot // n_tok, slot % n_tok

    n_ix_all = np.bincount(slot_frame, minlength=len(frames)).astype(np.int64)
    pair = slot_frame * len(vocab) + word_of[slot_row]
    pairs, n_ii = np.unique(pair, return_counts=True)
    keep = n_ii >= min_count
    pairs, n_ii = pairs[keep], n_ii[keep].astype(np.int64)
    if not len(pairs):
        return _empty(out_columns, measures)
    p_frame, p_word = pairs // len(vocab), pairs % len(vocab)

    table = pd.DataFrame(
        {
            "frame": np.asarray(frames, dtype=object)[p_frame],
            "word": np.asarray(vocab, dtype=object)[p_word],
            "n_ii": n_ii,
            "n_ix": n_ix_all[p_frame],
            "n_xi": n_xi_all[p_word],
            "n_xx": np.full(len(pairs), n_xx, dtype=np.int64),
        }
    )
    for name in measures:
        table[name] = [
            _score(MEASURES[name], a, b, c, n_xx) for a, b, c in zip(table["n_ii"], table["n_ix"], table["n_xi"])
        ]
    first = measures[0]
    table = table.sort_values(
        ["frame", first, "n_ii", "word"], ascending=[True, False, False, True], na_position="last", kind="stable"
    )
    if top is not None:
        table = table.groupby("frame", sort=False).head(top)
    return table[out_columns].reset_index(drop=True)


def _score(fn, n_ii: int, n_ix: int, n_xi: int, n_xx: int) -> float:
    try:
        return float(fn(int(n_ii), (int(n_ix), int(n_xi)), int(n_xx)))
    except (ZeroDivisionError, ValueError, OverflowError):
        return float("nan")


def _check_int(name: str, value, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise bad_value(name, value, f"a whole number >= {minimum}")


def _empty(columns: list[str], measures: Sequence[str]) -> pd.DataFrame:
    dtypes = {"frame": object, "word": object, "n_ii": "int64", "n_ix": "int64", "n_xi": "int64", "n_xx": "int64"}
    dtypes.update({m: "float64" for m in measures})
    return pd.DataFrame({c: pd.Series(dtype=dtypes[c]) for c in columns})
