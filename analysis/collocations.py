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
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
from nltk.metrics.association import BigramAssocMeasures

from analysis.codes import combined_codes, key_codes, numbers, string_codes
from analysis.errors import bad_value

__all__ = [
    "MEASURES", "CollocationCounts", "add_collocation_counts", "collocation_counts", "frame_collocations",
    "score_collocations",
]

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
    :func:`analysis.matcher.match_frames` gives it; filter it to the
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
    measures = _check_scoring(min_count, measures, top)
    counts = collocation_counts(_arrow(tokens), _arrow(hits), window=window)
    return score_collocations(counts, min_count=min_count, measures=measures, top=top)


def _arrow(df: pd.DataFrame) -> pa.Table:
    return pa.Table.from_pandas(df, preserve_index=False)


@dataclass(frozen=True)
class CollocationCounts:
    """The counts behind :func:`frame_collocations`, before any filtering: additive over disjoint sets of documents.

    ``frames`` and ``words`` label the arrays (each name once, in no
    particular order); ``n_ix[f]`` is the number of context slots of frame
    ``f``, ``n_xi[w]`` the corpus count of word ``w`` (every word token's
    norm appears, with a count >= 1), ``n_xx`` the number of word tokens;
    ``pair_frame``, ``pair_word``, ``pair_n`` list each (frame, word) with
    ``n_ii >= 1`` once. A context window never crosses a document, so the
    counts of two sets of documents with no document in common add up
    (:func:`add_collocation_counts`) to the counts of their union.
    """

    frames: list
    words: list
    n_xx: int
    n_xi: np.ndarray
    n_ix: np.ndarray
    pair_frame: np.ndarray
    pair_word: np.ndarray
    pair_n: np.ndarray


def _no_counts() -> CollocationCounts:
    i64 = np.zeros(0, dtype=np.int64)
    return CollocationCounts([], [], 0, i64, i64, i64, i64, i64)


def add_collocation_counts(parts) -> CollocationCounts:
    """The sum of :class:`CollocationCounts` of disjoint sets of documents (e.g. of shards), consumed one at a time.

    Words and frames are matched by name; every count is summed. Only the
    running totals and one part are held at once, so a generator of
    per-shard counts needs the memory of one shard.
    """
    frame_id: dict = {}
    word_id: dict = {}
    n_xx = 0
    n_xi = np.zeros(0, dtype=np.int64)
    n_ix = np.zeros(0, dtype=np.int64)
    pf, pw, pn = [], [], []
    for part in parts:
        fmap = np.fromiter((frame_id.setdefault(f, len(frame_id)) for f in part.frames), dtype=np.int64,
                           count=len(part.frames))
        wmap = np.fromiter((word_id.setdefault(w, len(word_id)) for w in part.words), dtype=np.int64,
                           count=len(part.words))
        n_xx += int(part.n_xx)
        n_xi = _grow(n_xi, len(word_id))
        np.add.at(n_xi, wmap, part.n_xi)
        n_ix = _grow(n_ix, len(frame_id))
        np.add.at(n_ix, fmap, part.n_ix)
        pf.append(fmap[part.pair_frame])
        pw.append(wmap[part.pair_word])
        pn.append(np.asarray(part.pair_n, dtype=np.int64))
    if not pf:
        return _no_counts()
    pf, pw, pn = np.concatenate(pf), np.concatenate(pw), np.concatenate(pn)
    pairs, inverse = np.unique(pf * max(len(word_id), 1) + pw, return_inverse=True)
    total = np.bincount(inverse.ravel(), weights=pn, minlength=len(pairs)).astype(np.int64) if len(pairs) else pn[:0]
    n_words = max(len(word_id), 1)
    return CollocationCounts(list(frame_id), list(word_id), n_xx, n_xi, n_ix, pairs // n_words, pairs % n_words, total)


def _unique(a: np.ndarray) -> np.ndarray:
    """Sorted distinct values (by a sort: much faster than ``np.unique``'s hashing of a million int64)."""
    a = np.sort(a)
    return a[np.r_[True, a[1:] != a[:-1]]] if len(a) else a


def _grow(a: np.ndarray, n: int) -> np.ndarray:
    return a if len(a) >= n else np.concatenate([a, np.zeros(n - len(a), dtype=a.dtype)])


def _check_scoring(min_count, measures, top) -> tuple:
    _check_int("min_count", min_count, 1)
    if top is not None:
        _check_int("top", top, 1)
    if isinstance(measures, str):
        measures = (measures,)
    measures = tuple(measures)
    unknown = [m for m in measures if m not in MEASURES]
    if not measures or unknown:
        raise bad_value("measures", measures, f"one or more of {sorted(MEASURES)}")
    return measures


def _runs(index: np.ndarray, keys) -> np.ndarray | None:
    """First row of each document if the tokens lie as the tokenizer writes them, else None.

    That is: each document's rows together, with ``index`` 0, 1, 2, ... in
    row order. Then the row of (document, position) is its first row plus
    the position, with no sort and no search.
    """
    n = len(index)
    if n == 0 or index[0] != 0:
        return None
    starts = np.flatnonzero(index == 0)
    steps = np.flatnonzero(index[1:] != index[:-1] + 1) + 1
    if not np.array_equal(steps, starts[1:]):
        return None
    for codes, _, _ in keys:
        changes = np.flatnonzero(codes[1:] != codes[:-1]) + 1
        if len(changes) and not np.isin(changes, starts, assume_unique=True).all():
            return None
    return starts


def _doc_rows(tokens, hits, keys):
    """``row_of(doc, pos)``, the token row of each document code and position (-1: none), and the hits' document
    codes."""
    index = numbers(tokens, "index")
    if len(index) and index.min() < 0:
        raise bad_value("tokens.index", int(index.min()), "token numbers >= 0")
    starts = _runs(index, keys)
    if starts is not None:
        run_key, hit_key = combined_codes([(codes[starts], hit_codes, n) for codes, hit_codes, n in keys])
        order = np.argsort(run_key, kind="stable")
        sorted_key = run_key[order]
        if not (len(sorted_key) > 1 and (np.diff(sorted_key) == 0).any()):  # else a document in two runs: duplicates
            at = np.minimum(np.searchsorted(sorted_key, hit_key), len(sorted_key) - 1)
            hit_doc = np.where((hit_key >= 0) & (sorted_key[at] == hit_key), order[at], -1)
            lengths = np.diff(np.append(starts, len(index)))

            def row_of(doc: np.ndarray, pos: np.ndarray) -> np.ndarray:
                d = np.maximum(doc, 0)
                found = (doc >= 0) & (pos >= 0) & (pos < lengths[d])
                return np.where(found, starts[d] + pos, -1)

            return row_of, hit_doc

    # any order: sort by (document, index) and search
    tok_doc, hit_doc = combined_codes(keys)
    span = int(index.max()) + 1
    if (int(max(tok_doc.max(), hit_doc.max())) + 1) * span >= 2**62:
        both, _ = pd.factorize(np.concatenate([tok_doc, hit_doc]))
        tok_doc, hit_doc = both[: len(tok_doc)].astype(np.int64), np.where(hit_doc < 0, -1, both[len(tok_doc) :])
    tok_key = tok_doc * span + index
    order = np.argsort(tok_key, kind="stable")
    tok_key = tok_key[order]
    if len(tok_key) > 1 and (np.diff(tok_key) == 0).any():
        raise bad_value("tokens", "duplicate rows", "one row per (thread_id, comment_id, doc, index)")

    def row_of(doc: np.ndarray, pos: np.ndarray) -> np.ndarray:
        inside = (pos >= 0) & (pos < span) & (doc >= 0)
        key = np.where(inside, doc * span + pos, 0)
        at = np.searchsorted(tok_key, key)
        at_c = np.minimum(at, len(tok_key) - 1)
        found = inside & (at < len(tok_key)) & (tok_key[at_c] == key)
        return np.where(found, order[at_c], -1)

    return row_of, hit_doc


def collocation_counts(tokens: pa.Table, hits: pa.Table, *, window: int = 5) -> CollocationCounts:
    """The additive counts of :func:`frame_collocations` for one set of documents (e.g. one shard).

    ``tokens`` and ``hits`` are as in :func:`frame_collocations`, as Arrow
    tables (string columns may be dictionary-encoded, as
    :func:`analysis.io.read_arrow` gives them: a shard of millions of tokens
    then costs a few hundred MB). Every hit's
    document must be among the tokens' documents; the counts of shards
    that share no document add up with :func:`add_collocation_counts`, and
    :func:`score_collocations` turns them into the table.
    """
    _check_int("window", window, 1)
    for name, df, cols in (("tokens", tokens, _TOKEN_COLUMNS), ("hits", hits, _HIT_COLUMNS)):
        names = df.column_names
        missing = [c for c in cols if c not in names]
        if missing:
            raise bad_value(name, names, f"a DataFrame with columns {list(cols)} (missing {missing})")
    if len(tokens) == 0:
        return _no_counts()

    # words: a letter or digit (tested once per distinct norm, not per token), not a stopword;
    # counted over all tokens, also those of a set of documents without any match
    stop = numbers(tokens, "is_stopword").astype(bool)
    norm_codes, vocab = string_codes(tokens.column("norm"))
    vocab = vocab.to_pylist()
    wordlike = np.fromiter((_WORD.search(w) is not None for w in vocab), dtype=bool, count=len(vocab))
    n_xi_all = np.bincount(norm_codes[~stop], minlength=len(vocab)).astype(np.int64) * wordlike
    n_xx = int(n_xi_all.sum())
    present = np.flatnonzero(n_xi_all)
    if len(hits) == 0:
        none = np.zeros(0, dtype=np.int64)
        return CollocationCounts([], [vocab[i] for i in present], n_xx, n_xi_all[present], none, none, none, none)

    # documents: row_of(document, position) -> token row, for the hits' documents
    row_of, hit_doc = _doc_rows(tokens, hits, key_codes(tokens, hits, _KEY))
    n_tok = len(tokens)
    sentence = numbers(tokens, "sentence")

    def is_word(rows: np.ndarray) -> np.ndarray:
        return ~stop[rows] & wordlike[norm_codes[rows]]

    # hits
    frame_codes, frames = string_codes(hits.column("frame"))
    frame_codes, frames = frame_codes.astype(np.int64), frames.to_pylist()
    h_start = numbers(hits, "token_start").astype(np.int64)
    h_end = numbers(hits, "token_end").astype(np.int64)
    if (h_end <= h_start).any():
        raise bad_value("hits", "token_end <= token_start", "token_start < token_end in every row")
    first_row = row_of(hit_doc, h_start)
    last_row = row_of(hit_doc, h_end - 1)
    if (first_row < 0).any() or (last_row < 0).any():
        bad = int(np.flatnonzero((first_row < 0) | (last_row < 0))[0])
        row = hits.slice(bad, 1).to_pylist()[0]
        raise bad_value(
            "hits",
            {c: row[c] for c in _HIT_COLUMNS},
            "matches whose first and last token are rows of tokens (same document and index)",
        )

    # the tokens of every match, per frame: (frame * n_tok + row)
    lengths = h_end - h_start
    which = np.repeat(np.arange(len(h_start)), lengths)
    offset = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    own_rows = row_of(hit_doc[which], h_start[which] + offset)
    own = _unique(frame_codes[which][own_rows >= 0] * n_tok + own_rows[own_rows >= 0])

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
    ok = (sentence[rows] == sentence[anchor]) & is_word(rows)
    rows, hit_of = rows[ok], hit_of[ok]
    slot = _unique(frame_codes[hit_of] * n_tok + rows)  # distinct (frame, position)
    slot = slot[~np.isin(slot, own, assume_unique=True)]
    slot_frame, slot_row = slot // n_tok, slot % n_tok

    n_ix = np.bincount(slot_frame, minlength=len(frames)).astype(np.int64)
    # words: the norms of word tokens only, relabelled 0..n-1
    relabel = np.full(len(vocab), -1, dtype=np.int64)
    relabel[present] = np.arange(len(present))
    pair = slot_frame * max(len(present), 1) + relabel[norm_codes[slot_row]]
    pairs, n_ii = np.unique(pair, return_counts=True)
    n_words = max(len(present), 1)
    return CollocationCounts(
        frames,
        [vocab[i] for i in present],
        n_xx,
        n_xi_all[present],
        n_ix,
        pairs // n_words,
        pairs % n_words,
        n_ii.astype(np.int64),
    )


def score_collocations(
    counts: CollocationCounts,
    *,
    min_count: int = 3,
    measures: Sequence[str] = ("likelihood_ratio", "pmi"),
    top: int | None = 20,
) -> pd.DataFrame:
    """The table of :func:`frame_collocations` from its counts (of one shard, or summed over shards)."""
    measures = _check_scoring(min_count, measures, top)
    out_columns = ["frame", "word", "n_ii", "n_ix", "n_xi", "n_xx", *measures]
    keep = counts.pair_n >= min_count
    if not keep.any():
        return _empty(out_columns, measures)
    p_frame, p_word, n_ii = counts.pair_frame[keep], counts.pair_word[keep], counts.pair_n[keep].astype(np.int64)
    n_xx = int(counts.n_xx)
    table = pd.DataFrame(
        {
            "frame": np.asarray(counts.frames, dtype=object)[p_frame],
            "word": np.asarray(counts.words, dtype=object)[p_word],
            "n_ii": n_ii,
            "n_ix": np.asarray(counts.n_ix, dtype=np.int64)[p_frame],
            "n_xi": np.asarray(counts.n_xi, dtype=np.int64)[p_word],
            "n_xx": np.full(len(n_ii), n_xx, dtype=np.int64),
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
