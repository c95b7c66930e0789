"""Keyness: which words distinguish one group of comments from another.

Two complementary measures per word, both vectorised over the vocabulary:

* the log-odds ratio with an informative Dirichlet prior ("Fightin' Words",
  monroe2008fightin): an effect size shrunk toward zero for rare words, and
  its z-score;
* Dunning's log-likelihood G² (dunning1993accurate): a significance statistic
  for the word's 2x2 table (this word vs all other words, group a vs b).

:func:`keyness` builds the tidy table for all groups of a (groups x terms)
sparse count matrix. Functions are pure: arrays in, new objects out.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import scipy.sparse as sp
from scipy.special import erfc, xlogy

from analysis.codes import combined_codes, key_codes, numbers, run_starts, string_codes
from analysis.errors import bad_value, count_matrix_arg, shape_text

__all__ = ["term_mask", "repeated_documents", "term_spread", "TermSpread", "log_odds_dirichlet", "g_squared",
           "g_squared_pvalue", "direction",
           "group_term_counts", "TermCountSum", "keyness", "keyness_by_grouping"]

REST = "(rest)"
"""``group_b`` of one-vs-rest rows: all groups other than ``group_a``."""


# ---------------------------------------------------------------- argument checks


def _count_vector(x, name: str) -> np.ndarray:
    a = np.asarray(x)
    if a.ndim != 1 or not (np.issubdtype(a.dtype, np.number) or a.dtype == bool):
        raise ValueError(f"{name}={shape_text(a)}: expected a 1-D numeric array over the vocabulary")
    a = a.astype(np.float64)
    if not np.isfinite(a).all() or (a < 0).any():
        raise ValueError(f"{name}={shape_text(a)}: expected finite counts >= 0")
    return a


def _pair(counts_i, counts_j) -> tuple[np.ndarray, np.ndarray]:
    yi = _count_vector(counts_i, "counts_i")
    yj = _count_vector(counts_j, "counts_j")
    if yi.shape != yj.shape:
        raise ValueError(f"counts_j={shape_text(yj)}: expected the length of counts_i ({len(yi)})")
    return yi, yj


# ---------------------------------------------------------------- the measures (cores take validated arrays)


def _log_odds(yi, yj, alpha, n_i, n_j, alpha0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    ai, aj = yi + alpha, yj + alpha
    delta = (np.log(ai) - np.log(n_i + alpha0 - ai)) - (np.log(aj) - np.log(n_j + alpha0 - aj))
    var = 1.0 / ai + 1.0 / aj
    return delta, var, delta / np.sqrt(var)


def _g2(a, b, n_i, n_j) -> np.ndarray:
    total = n_i + n_j
    if total <= 0:
        return np.zeros_like(a)
    word = a + b
    other = total - word
    g = np.zeros_like(a)
    for observed, row_total, column_total in (
        (a, word, n_i),
        (b, word, n_j),
        (n_i - a, other, n_i),
        (n_j - b, other, n_j),
    ):
        expected = row_total * column_total / total
        # O ln(O/E) with 0 ln 0 = 0; E = 0 only where O = 0
        g += xlogy(observed, observed / np.where(expected > 0, expected, 1.0))
    return np.maximum(2.0 * g, 0.0)  # clip rounding noise below 0


def _direction(a, b, n_i, n_j) -> np.ndarray:
    return np.sign(a * n_j - b * n_i).astype(np.int8)


def log_odds_dirichlet(counts_i, counts_j, *, prior) -> pd.DataFrame:
    """Log-odds ratio of each word between groups i and j, with an informative Dirichlet prior ("Fightin' Words").

    ``counts_i``, ``counts_j`` are word counts over one vocabulary;
    ``prior`` is the Dirichlet pseudo-count α_w per word (an array, or one
    number for a flat prior), all > 0 — e.g. ``α0 * background share of w``.
    With n = Σ y and α0 = Σ α::

        delta_w = log((y_wi + α_w) / (n_i + α0 - y_wi - α_w))
                - log((y_wj + α_w) / (n_j + α0 - y_wj - α_w))
        var_w  ≈ 1 / (y_wi + α_w) + 1 / (y_wj + α_w)
        z_w    = delta_w / sqrt(var_w)

    Returns a DataFrame with columns ``delta``, ``var``, ``z`` (one row per word).

    Higher means: delta > 0 (z > 0) means the word is relatively more
    frequent in group i than in j; |z| is the evidence, comparable across
    frequent and rare words.

    Caveats: the prior shrinks rare words toward no difference; its total
    α0 sets how strongly (α0 comparable to n behaves like a second corpus of
    that size). z treats word counts as multinomial draws, so it is
    overconfident when words cluster in few documents or threads (burstiness);
    use it to rank words, not as a calibrated test.

    Reference: monroe2008fightin (eqs. 16, 19-22).
    """
    yi, yj = _pair(counts_i, counts_j)
    if len(yi) < 2:
        raise ValueError(f"counts_i={shape_text(yi)}: expected a vocabulary of at least 2 words")
    if np.ndim(prior) == 0:
        if isinstance(prior, bool) or not isinstance(prior, (int, float, np.integer, np.floating)):
            raise bad_value("prior", prior, "a number > 0 or an array of pseudo-counts > 0")
        alpha = np.full(len(yi), float(prior))
    else:
        alpha = _count_vector(prior, "prior")
        if alpha.shape != yi.shape:
            raise ValueError(f"prior={shape_text(alpha)}: expected one pseudo-count per word ({len(yi)})")
    if not (np.isfinite(alpha).all() and (alpha > 0).all()):
        raise bad_value("prior", prior if np.ndim(prior) == 0 else shape_text(alpha), "pseudo-counts > 0")
    delta, var, z = _log_odds(yi, yj, alpha, yi.sum(), yj.sum(), alpha.sum())
    return pd.DataFrame({"delta": delta, "var": var, "z": z})


def g_squared(counts_i, counts_j) -> np.ndarray:
    """Dunning's log-likelihood G² of each word's 2x2 table: this word vs all other words, group i vs group j.

    With a = y_wi, b = y_wj, c = n_i - a, d = n_j - b and E the expected
    counts under independence, ``G² = 2 Σ O ln(O / E)`` over the four cells,
    with 0 ln 0 = 0. Returns an array of G² (>= 0), one per word; see
    :func:`direction` for which group the word leans to and
    :func:`g_squared_pvalue` for p-values.

    Higher means: a larger G² is stronger evidence that the word's relative
    frequency differs between the groups (it is unsigned).

    Caveats: G² grows with corpus size, so with large corpora nearly every
    word is "significant" — rank by an effect size (log-odds) too. The
    chi²(1) reference distribution assumes independent tokens; burstiness
    makes p-values too small.

    Reference: dunning1993accurate.
    """
    yi, yj = _pair(counts_i, counts_j)
    return _g2(yi, yj, yi.sum(), yj.sum())


def g_squared_pvalue(g2) -> np.ndarray:
    """Upper-tail p-value of G² under the chi² distribution with one degree of freedom.

    Higher means: a higher p-value is weaker evidence of a frequency
    difference. Caveats: asymptotic; unreliable for expected cell counts
    below about 5 and too small under burstiness (see :func:`g_squared`).

    Reference: dunning1993accurate.
    """
    g = np.asarray(g2, dtype=np.float64)
    if (np.isnan(g) | (g < 0)).any():
        raise ValueError(f"g2={shape_text(g)}: expected values >= 0")
    return _chi2_1_sf(g)


def _chi2_1_sf(g: np.ndarray) -> np.ndarray:
    # chi²(1) is the square of a standard normal: P(X > g) = P(|Z| > sqrt(g)) = erfc(sqrt(g / 2));
    # the same value as scipy.stats.chi2.sf(g, 1), about 20x faster on millions of terms
    return erfc(np.sqrt(g / 2.0))


def direction(counts_i, counts_j) -> np.ndarray:
    """Which group each word leans to: +1 if relatively more frequent in i (y_wi/n_i > y_wj/n_j), -1 if in j, 0 if
    equal.

    Higher means: +1 is the i side. Caveats: the sign of a raw frequency
    difference, with no notion of evidence; pair it with G² or z.

    Reference: dunning1993accurate (G² itself is unsigned; the sign is the
    usual convention of keyness lists).
    """
    yi, yj = _pair(counts_i, counts_j)
    return _direction(yi, yj, yi.sum(), yj.sum())


# ---------------------------------------------------------------- which tokens are terms

_URL = re.compile(r"(?:[a-z][a-z0-9+.-]*://|www\.)\S*|[\w-]+(?:\.[\w-]+)*\.[a-z]{2,24}(?:/\S*)?", re.IGNORECASE)
_NUMBER = re.compile(r"[+\-−]?[$€£¥]?\d[\d.,:/%\-–]*%?")
_HANDLE = re.compile(r"@\w+")
# a data set's own placeholder for what it removed: <url>, <user>, <number> (MPOLD writes <url> for links)
_ANGLE_PLACEHOLDER = re.compile(r"<[^\W\d_]+>")


def term_mask(terms: Sequence[str] | pd.Series, *, drop_noise: bool = True,
              ignore: Iterable[str] = ()) -> np.ndarray:
    """Which tokens may be terms of a term list (keyness, partisanship): a boolean per entry of ``terms``.

    Always left out: tokens without a letter or digit (the rule of the
    frame-rate denominator, :func:`analysis.matcher.is_word`) and the
    placeholders and pseudonyms that stand for personal data
    (:func:`analysis.privacy.is_redacted`), and a data set's own
    placeholders written as a word in angle brackets (``<url>``, ``<user>``),
    and the tokens of ``ignore`` (config ``terms.ignore``; compared
    case-folded: a data set's own placeholders such as MPOLD's ``IDX`` of
    ``@User.IDX``, or authors' names when names are not pseudonymised).
    With ``drop_noise`` (the default; config ``terms.drop_noise``) also:
    URLs and web domains (``https://…``, ``www.…``, ``bloomberg.com``),
    numbers (digits with number punctuation only: ``2013``, ``32,000``,
    ``10%``, ``$5``) and ``@handles``.

    Caveat: a number that names an event (``9/11``) is a number here.
    """
    from analysis.matcher import is_word  # the same definition of a word token as the rates
    from analysis.privacy import is_redacted

    series = pd.Series(list(terms), dtype=object)
    keep = np.asarray(is_word(series), dtype=bool) & ~is_redacted(series)
    ignored = {str(n).casefold() for n in ignore}
    keep &= ~np.fromiter((isinstance(t, str) and (_ANGLE_PLACEHOLDER.fullmatch(t) is not None
                                                  or (bool(ignored) and t.casefold() in ignored)) for t in series),
                         dtype=bool, count=len(series))
    if drop_noise and len(series):
        noise = [isinstance(t, str) and (_URL.fullmatch(t) is not None or _NUMBER.fullmatch(t) is not None
                                         or _HANDLE.fullmatch(t) is not None)
                 for t in series]
        keep &= ~np.asarray(noise, dtype=bool)
    return keep


_MIX = np.uint64(0x9E3779B97F4A7C15)  # odd: multiplying by it modulo 2**64 loses nothing


def repeated_documents(tokens: pa.Table, *, seen: frozenset = frozenset()) -> tuple[np.ndarray, frozenset]:
    """Which token rows belong to a repeated document, and the fingerprints of the documents seen so far.

    A document (a run of rows with the same ``thread_id``, ``comment_id``,
    ``doc``) repeats when its sequence of ``norm`` values (the text up to
    case, when norms are case-folded, and whitespace) equals that of an
    earlier document: earlier in ``tokens``, or one whose fingerprint is in
    ``seen`` (the second value returned for the shards before). The first
    one counts, the repeats do not: one post pasted 35 times is one
    document of term counts. A fingerprint is a 64-bit polynomial hash of
    the norms' own 64-bit hashes (BLAKE2b), so equal sequences always match
    and different ones collide with odds of about 2**-64 per pair.
    """
    n = tokens.num_rows
    if n == 0:
        return np.zeros(0, dtype=bool), seen
    codes = [string_codes(tokens.column(k))[0] for k in ("thread_id", "comment_id", "doc")]
    starts = np.flatnonzero(run_starts(codes, n))
    norm_codes, vocab = string_codes(tokens.column("norm"))
    word_hash = np.fromiter(
        (int.from_bytes(hashlib.blake2b(str(v).encode("utf-8"), digest_size=8).digest(), "little")
         for v in vocab.to_pylist()), dtype=np.uint64, count=len(vocab))
    lengths = np.diff(np.append(starts, n))
    position = (np.arange(n) - np.repeat(starts, lengths)).astype(np.uint64)
    with np.errstate(over="ignore"):
        token_hash = np.where(norm_codes >= 0, word_hash[np.maximum(norm_codes, 0)], np.uint64(0))
        mixed = (token_hash + position) * _MIX ^ (position * np.uint64(0xBF58476D1CE4E5B9))
        doc_hash = np.add.reduceat(mixed, starts) + lengths.astype(np.uint64) * _MIX
    first = pd.Series(doc_hash).duplicated(keep="first").to_numpy()
    repeat = first | np.isin(doc_hash, np.fromiter(seen, dtype=np.uint64, count=len(seen)))
    return np.repeat(repeat, lengths), seen | frozenset(int(h) for h in doc_hash)


# ---------------------------------------------------------------- the count matrix

def group_term_counts(
    tokens: pa.Table, docs: pd.DataFrame, *, by: str, drop_stopwords: bool = True, drop_noise: bool = True,
    exclude: np.ndarray | None = None, ignore: Sequence[str] = (),
) -> tuple[sp.csr_array, list[str], list[str]]:
    """How often each term occurs in each group of documents: the (groups x terms) input of :func:`keyness`.

    ``tokens`` has ``thread_id``, ``comment_id``, ``doc``, ``norm`` and
    ``is_stopword`` (the tokens table); ``docs`` has the same three keys and
    the grouping column ``by`` (one row per document). A term is a token's
    ``norm``; only tokens :func:`term_mask` keeps count (word tokens, never
    placeholders or pseudonyms; no URLs, numbers or handles unless
    ``drop_noise`` is false; never the tokens of ``ignore``), and stopwords are dropped unless
    ``drop_stopwords`` is false. ``exclude`` (a boolean per token row, e.g.
    the repeats of :func:`repeated_documents`) leaves those rows out. Documents
    without a value of ``by`` are left out; group values are compared as
    strings. Returns ``(counts, groups, terms)``: an int64 CSR matrix and
    its sorted row and column labels (groups without any counted token do
    not appear). ``tokens`` is an Arrow table, string columns plain or
    dictionary-encoded (a shard as :func:`analysis.io.read_arrow` reads it;
    a DataFrame converts with ``pa.Table.from_pandas(df, preserve_index=False)``);
    the counts of shards add up with :class:`TermCountSum`.

    Higher means: a larger count is more occurrences of the term in the group.
    Caveats: counts pool all documents of a group, so a few long or
    repetitive documents can dominate a group's counts.

    Reference: monroe2008fightin (word counts per group as the unit of comparison).
    """
    keys = ["thread_id", "comment_id", "doc"]
    names = tokens.column_names
    missing = [c for c in [*keys, "norm", "is_stopword"] if c not in names]
    if missing:
        raise ValueError(f"tokens=<columns {names}>: expected columns {missing} as well")
    if by not in docs.columns or any(c not in docs.columns for c in keys):
        raise bad_value("by", by, f"a column of docs, which also needs {keys}; docs has {list(docs.columns)}")
    groups_of = docs.loc[docs[by].notna(), list(dict.fromkeys([*keys, by]))].drop_duplicates(keys)
    empty = sp.csr_array((0, 0), dtype=np.int64), [], []
    if tokens.num_rows == 0 or len(groups_of) == 0:
        return empty
    # each token's document, by codes: the documents' keys in the tokens' dictionaries, looked up once per
    # run of rows of one document (a shard holds its tokens document by document: a few runs, not millions)
    doc_keys = pa.table({k: pa.array(groups_of[k].astype(str).to_numpy(), type=pa.string()) for k in keys})
    keys_codes = key_codes(tokens, doc_keys, keys)
    n = tokens.num_rows
    starts = np.flatnonzero(run_starts([codes for codes, _, _ in keys_codes], n))
    run_key, doc_key = combined_codes([(codes[starts], doc_codes, size) for codes, doc_codes, size in keys_codes])
    doc_group, group_labels = pd.factorize(groups_of[by].astype(str))
    known = doc_key >= 0
    doc_key, doc_group = doc_key[known], doc_group[known]
    order = np.argsort(doc_key, kind="stable")
    doc_key, doc_group = doc_key[order], doc_group[order]
    if not len(doc_key):
        return empty
    at = np.minimum(np.searchsorted(doc_key, run_key), len(doc_key) - 1)
    run_group = np.where(doc_key[at] == run_key, doc_group[at], -1)
    tok_group = np.repeat(run_group, np.diff(np.append(starts, n)))
    # word tokens (tested once per distinct norm), without stopwords unless asked
    norm_codes, vocab = string_codes(tokens.column("norm"))
    vocab = vocab.to_pylist()
    keep = (tok_group >= 0) & term_mask(vocab, drop_noise=drop_noise, ignore=ignore)[norm_codes]
    if exclude is not None:
        keep &= ~np.asarray(exclude, dtype=bool)
    if drop_stopwords:
        keep &= ~numbers(tokens, "is_stopword").astype(bool)
    n_groups, n_terms = len(group_labels), len(vocab)
    if _dense_ok(n_groups * n_terms, n):  # few groups: count into a dense table
        cell = tok_group[keep] * n_terms + norm_codes[keep]
        dense = np.bincount(cell, minlength=n_groups * n_terms).reshape(n_groups, n_terms)
        rows, cols = np.flatnonzero(dense.sum(axis=1)), np.flatnonzero(dense.sum(axis=0))
        rows = np.asarray(sorted(rows, key=lambda i: group_labels[i]), dtype=np.int64)
        cols = np.asarray(sorted(cols, key=vocab.__getitem__), dtype=np.int64)
        counts = sp.csr_array(dense[np.ix_(rows, cols)].astype(np.int64))
        return counts, [str(group_labels[i]) for i in rows], [vocab[i] for i in cols]
    counts = sp.coo_array(
        (np.ones(int(keep.sum()), dtype=np.int64), (tok_group[keep], norm_codes[keep])), shape=(n_groups, n_terms)
    ).tocsr()  # duplicates are summed
    # only groups and terms with a counted token, in sorted order (labels compared as strings)
    rows = np.flatnonzero(np.asarray(counts.sum(axis=1)).ravel())
    cols = np.flatnonzero(np.asarray(counts.sum(axis=0)).ravel())
    rows = np.asarray(sorted(rows, key=lambda i: group_labels[i]), dtype=np.int64)
    cols = np.asarray(sorted(cols, key=vocab.__getitem__), dtype=np.int64)
    return counts[rows][:, cols].tocsr(), [str(group_labels[i]) for i in rows], [vocab[i] for i in cols]


def _dense_ok(cells: int, n_tokens: int) -> bool:
    """Count into a dense (groups x terms) table when it is no bigger than the tokens (or 65,536 cells)."""
    return cells <= max(n_tokens, 1 << 16)


class TermCountSum:
    """A running sum of :func:`group_term_counts` results over disjoint sets of documents (e.g. shards).

    ``add(counts, groups, terms)`` adds one part, matching groups and terms
    by label; ``total()`` gives the ``(counts, groups, terms)`` of all parts
    together, equal to :func:`group_term_counts` of their union: sorted
    labels, groups and terms without a counted token left out. Only the
    running total (consolidated as it grows) and one part are held at once.
    """

    def __init__(self) -> None:
        self._groups: dict = {}
        self._terms: dict = {}
        self._parts: list = []
        self._nnz = 0
        self._consolidated = 0

    def add(self, counts, groups: Sequence[str], terms: Sequence[str]) -> None:
        m = sp.coo_array(counts)
        gmap = np.fromiter((self._groups.setdefault(g, len(self._groups)) for g in groups), dtype=np.int64,
                           count=len(groups))
        tmap = np.fromiter((self._terms.setdefault(w, len(self._terms)) for w in terms), dtype=np.int64,
                           count=len(terms))
        self._parts.append((gmap[m.row], tmap[m.col], m.data.astype(np.int64)))
        self._nnz += m.nnz
        if self._nnz > 2 * max(self._consolidated, 1_000_000):
            self._consolidate()

    def _consolidate(self) -> sp.csr_array:
        shape = (len(self._groups), len(self._terms))
        if self._parts:
            rows, cols, data = (np.concatenate(x) for x in zip(*self._parts))
        else:
            rows = cols = data = np.zeros(0, dtype=np.int64)
        m = sp.coo_array((data, (rows, cols)), shape=shape).tocsr()  # duplicates are summed
        c = m.tocoo()
        self._parts = [(c.row.astype(np.int64), c.col.astype(np.int64), c.data.astype(np.int64))]
        self._nnz = self._consolidated = c.nnz
        return m

    def total(self) -> tuple[sp.csr_array, list[str], list[str]]:
        m = self._consolidate()
        groups, terms = list(self._groups), list(self._terms)
        rows = sorted(range(len(groups)), key=groups.__getitem__)
        cols = sorted(range(len(terms)), key=terms.__getitem__)
        m = (m[np.asarray(rows, dtype=np.int64)][:, np.asarray(cols, dtype=np.int64)].tocsr()
             if m.shape[0] and m.shape[1] else m)
        return sp.csr_array(m, dtype=np.int64), [groups[i] for i in rows], [terms[i] for i in cols]


_DOC = "__document__"
_SPEAKER = "__speaker__"


def term_spread(
    tokens: pa.Table, docs: pd.DataFrame, *, drop_stopwords: bool = True, drop_noise: bool = True,
    exclude: np.ndarray | None = None, ignore: Sequence[str] = (),
) -> tuple[sp.csr_array, list[str], list[str], sp.csr_array, list[str]]:
    """Who uses each term: ``(per_doc, speakers, terms, per_speaker, speaker_terms)``, with the terms
    :func:`group_term_counts` counts (same ``drop_stopwords``, ``drop_noise``, ``exclude``, ``ignore``).

    ``per_doc`` is a (1 x terms) row of how many documents of ``docs`` use each term; ``per_speaker`` a (speakers x
    terms) 0/1 matrix of which speaker uses which term (rows labelled ``speakers``; its columns ``speaker_terms``).
    A document's speaker is its ``author_id``; a document without a known author (or a ``docs`` without that
    column) is a speaker of its own, as in a cluster bootstrap by author (:func:`analysis.frame_rates.cluster_codes`).
    Documents lie in one shard, so document counts of shards add up; speakers do not (one speaker writes in many
    shards): add their rows with :class:`TermCountSum` and count the non-zero rows per term.
    """
    keys = ["thread_id", "comment_id", "doc"]
    d = docs[keys].drop_duplicates(keys)
    label = d["thread_id"].astype(str) + "\x1f" + d["comment_id"].astype(str) + "\x1f" + d["doc"].astype(str)
    author = (docs.drop_duplicates(keys)["author_id"].astype(object).fillna("").astype(str)
              if "author_id" in docs.columns else pd.Series("", index=d.index))
    d = d.assign(**{_DOC: label, _SPEAKER: np.where(author != "", "a\x1f" + author, "d\x1f" + label)})
    opts = dict(drop_stopwords=drop_stopwords, drop_noise=drop_noise, exclude=exclude, ignore=ignore)
    per_doc, _, terms = group_term_counts(tokens, d, by=_DOC, **opts)
    per_speaker, speakers, speaker_terms = group_term_counts(tokens, d, by=_SPEAKER, **opts)
    used = sp.csr_array((per_doc > 0).astype(np.int64).sum(axis=0).reshape(1, -1)) if per_doc.shape[1] else per_doc
    return used, speakers, terms, sp.csr_array((per_speaker > 0).astype(np.int64)), speaker_terms


class TermSpread:
    """Documents and distinct speakers per term, added up shard by shard from :func:`term_spread`."""

    def __init__(self) -> None:
        self._docs = TermCountSum()
        self._speakers = TermCountSum()

    def add(self, per_doc, speakers, terms, per_speaker, speaker_terms) -> None:
        self._docs.add(per_doc, ["docs"] if per_doc.shape[0] else [], terms)
        self._speakers.add(per_speaker, speakers, speaker_terms)

    def terms(self, *, min_docs: int = 1, min_speakers: int = 1) -> set[str]:
        """The terms used in at least ``min_docs`` documents by at least ``min_speakers`` distinct speakers."""
        per_doc, _, terms = self._docs.total()
        per_speaker, _, speaker_terms = self._speakers.total()
        n_docs = dict(zip(terms, np.asarray(per_doc.sum(axis=0)).ravel().tolist())) if len(terms) else {}
        n_speakers = (dict(zip(speaker_terms, np.asarray((per_speaker > 0).sum(axis=0)).ravel().tolist()))
                      if len(speaker_terms) else {})
        return {t for t, n in n_docs.items() if n >= min_docs and n_speakers.get(t, 0) >= min_speakers}


def keyness_by_grouping(
    shards: Iterable[tuple[pa.Table, pd.DataFrame]], *, groupings: Sequence[str], min_count: int,
    drop_noise: bool = True, min_docs: int = 1, min_speakers: int = 1, log: logging.Logger | None = None,
    ignore: Sequence[str] = (), languages: Sequence[str] | None = None,
) -> pd.DataFrame:
    """One-vs-rest :func:`keyness` of every grouping column, over documents given shard by shard.

    ``shards`` yields ``(tokens, docs)`` pairs as :func:`group_term_counts` takes them (a document lies in one
    shard); ``docs`` holds the key columns, ``author_id`` when known, and those of ``groupings`` it has. Each
    shard's counts are added to running totals (:class:`TermCountSum`), so memory is that of one shard.
    ``drop_noise`` and ``ignore``: see :func:`term_mask`. ``languages``: the study's (config ``languages``); a
    document is read in the language :func:`analysis.framing.reading_language` gives it. A document repeated
    verbatim counts once (:func:`repeated_documents`, over all shards). Only terms used in at least ``min_docs``
    documents by at least ``min_speakers`` distinct speakers (:func:`term_spread`; config
    ``framing.keyness_min_docs`` and ``framing.keyness_min_speakers``, demszky2019analyzing keep terms of at least
    two speakers) are reported; as with ``min_count``, the numbers of a reported term do not depend on which others
    are left out. A grouping with fewer than two groups gets no rows; one that no shard has is an error. Returns the
    tables of all groupings, with a column ``by`` naming the grouping. ``log`` (optional) gets a line per grouping.
    """
    for name, value in (("min_docs", min_docs), ("min_speakers", min_speakers)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise bad_value(name, value, "an integer >= 1")
    sums = {by: TermCountSum() for by in groupings}
    spread = TermSpread()
    seen: set = set()
    fingerprints: frozenset = frozenset()
    n_repeats = 0
    for tokens, docs in shards:
        present = [by for by in groupings if by in docs.columns]
        seen.update(present)
        repeats, fingerprints = repeated_documents(tokens, seen=fingerprints)
        n_repeats += int(repeats.sum())
        for by in present:
            labelled, column = _with_language(docs, by, languages)
            sums[by].add(*group_term_counts(tokens, labelled, by=column, drop_noise=drop_noise, exclude=repeats,
                                            ignore=ignore))
        if present and (min_docs > 1 or min_speakers > 1):
            spread.add(*term_spread(tokens, docs, drop_noise=drop_noise, exclude=repeats, ignore=ignore))
    allowed = spread.terms(min_docs=min_docs, min_speakers=min_speakers) if min_docs > 1 or min_speakers > 1 else None
    if log:
        log.info("%d token(s) of repeated documents not counted", n_repeats)
        if allowed is not None:
            log.info("%d term(s) used in >= %d documents by >= %d speakers", len(allowed), min_docs, min_speakers)
    tables = []
    for by in groupings:
        if by not in seen:
            raise bad_value("by", by, "a column of the framing docs tables")
        if by == "language":  # the words of two languages differ by construction: not a keyness contrast
            if log:
                log.info("grouping language: keyness compares groups within a language, not languages")
            continue
        strata = _language_strata(*sums[by].total())
        for language, (counts, groups, terms) in strata.items():
            where = f"grouping {by}" + (f" in language {language}" if len(strata) > 1 else "")
            if len(groups) < 2:
                if log:
                    log.info("%s has %d group(s): no keyness", where, len(groups))
                continue
            table = keyness(counts, groups=groups, terms=terms, comparison="one_vs_rest", min_count=min_count)
            if allowed is not None:
                table = table[table["term"].isin(allowed)].reset_index(drop=True)
            table = table.assign(by=by)
            tables.append(table.assign(language=language) if len(strata) > 1 else table)
            if log:
                log.info("%s: %d groups, %d terms", where, len(groups), len(terms))
    return pd.concat(tables, ignore_index=True) if tables else pd.DataFrame(columns=["by", "group", "term"])


_LANG_SEP = "\x1f"  # between a document's language and its group in the labels counted (never in either)


_LANG_BY = "_language_and_group"  # the column of those labels (``by`` itself may be a key: doc)


def _with_language(docs: pd.DataFrame, by: str, languages: Sequence[str] | None = None) -> tuple[pd.DataFrame, str]:
    """``docs`` and the column to count by: ``by``, or, when there is a ``language`` column, a column of ``by``'s
    values carrying the document's language (``en\x1fpro``), so that one counting pass keeps the languages
    apart (:func:`_language_strata` splits them again). ``by`` itself is left as it is: it may be a document
    key (``doc``)."""
    from analysis.framing import reading_language

    if "language" not in docs.columns or by == "language":
        return docs, by
    lang = reading_language(docs["language"], languages=languages)
    return docs.assign(**{_LANG_BY: (lang + _LANG_SEP + docs[by].astype(str)).where(docs[by].notna())}), _LANG_BY


def _language_strata(counts, groups: Sequence[str], terms: Sequence[str]) -> dict:
    """The (counts, groups, terms) of each language from counts whose group labels carry a language
    (:func:`_with_language`); ``{None: (counts, groups, terms)}`` when they carry none.

    Keyness is computed within a language, never over the words of two: with one determined language, the
    undetermined documents (``und``) are read as it (a one-language corpus gives the table it gave before
    languages existed); with several, they belong to none and are left out.
    """
    if not len(groups) or _LANG_SEP not in groups[0]:
        return {None: (counts, list(groups), list(terms))}
    split = [g.split(_LANG_SEP, 1) for g in groups]
    determined = sorted({lang for lang, _ in split if lang != "und"})
    out = {}
    for language in determined or ["und"]:
        rows = {}
        for i, (lang, group) in enumerate(split):
            if lang == language or (lang == "und" and len(determined) == 1):
                rows.setdefault(group, []).append(i)
        labels = sorted(rows)
        pick = sp.csr_array((np.ones(sum(len(r) for r in rows.values())),
                             (np.repeat(np.arange(len(labels)), [len(rows[g]) for g in labels]),
                              np.concatenate([rows[g] for g in labels]).astype(np.int64))),
                            shape=(len(labels), len(groups)))
        sub = (pick @ sp.csr_array(counts)).astype(np.int64)
        used = np.flatnonzero(np.asarray(sub.sum(axis=0)).ravel())
        out[language if len(determined) > 1 else None] = (sp.csr_array(sub[:, used]), labels,
                                                         [terms[j] for j in used])
    return out


# ---------------------------------------------------------------- the tidy table


def _count_matrix(counts) -> tuple[sp.csr_array, bool]:
    m = count_matrix_arg(counts, rows="groups")
    integral = np.issubdtype(m.dtype, np.integer) or m.dtype == bool
    m = m.astype(np.float64)
    if not np.isfinite(m.data).all() or (m.data < 0).any():
        raise ValueError(f"counts={shape_text(m)}: expected finite counts >= 0")
    return m, integral


def _labels(values, n: int, name: str, what: str) -> np.ndarray:
    out = np.asarray([str(v) for v in values], dtype=object)
    if len(out) != n:
        raise ValueError(f"{name}=<{len(out)} labels>: expected {n}, one per {what}")
    if len(set(out)) != n:
        raise ValueError(f"{name}=<{len(out)} labels>: expected unique labels")
    return out


def keyness(
    counts,
    *,
    groups: Sequence[str],
    terms: Sequence[str],
    comparison: str = "one_vs_rest",
    prior_scale: float | None = None,
    min_count: int = 5,
    top: int | None = None,
) -> pd.DataFrame:
    """Tidy keyness table: for each comparison of groups, each term's counts, frequencies, log-odds, z and G².

    ``counts`` is a (groups x terms) scipy.sparse matrix (or 2-D array) of
    term counts; ``groups`` and ``terms`` label its rows and columns.

    ``comparison``:

    * ``"one_vs_rest"``: each group a against the sum of all other groups
      (``group_b`` is ``"(rest)"``). With exactly two groups this reports the
      same comparison twice, mirrored (B's rows are A's with delta, z and
      direction negated and the counts swapped); use ``"pairwise"`` there.
    * ``"pairwise"``: every unordered pair once, in the order of ``groups``
      (``group`` is ``"A vs B"``); z > 0 leans to A, z < 0 to B. The output
      has n_groups*(n_groups-1)/2 x n_terms rows unless ``top`` is set.

    Prior (a documented choice, not fixed by monroe2008fightin, who leave the
    amount of shrinkage to the analyst): α_w = α0 * (corpus count of w /
    corpus total), the corpus itself as background, so it shrinks toward the
    pooled frequency of all groups. ``prior_scale`` is α0; the default
    ``None`` sets α0 to the corpus total, i.e. α_w = the corpus count of w
    (the common "corpus as its own prior" convention, as strong as the data).
    A smaller ``prior_scale`` shrinks less.

    Columns: ``group``, ``group_a``, ``group_b``, ``term``, ``count_a``,
    ``count_b``, ``freq_a``, ``freq_b`` (per 1,000 tokens of the group, all
    terms), ``log_odds`` (delta of :func:`log_odds_dirichlet`), ``z``,
    ``g2`` (:func:`g_squared`), ``g2_p`` (:func:`g_squared_pvalue`),
    ``direction`` (+1: relatively more frequent in group_a, -1: in group_b).

    Filtering and order: only terms with corpus count >= ``min_count`` are
    reported, but group totals, frequencies and α0 always use the whole
    vocabulary, so filtering never changes a reported number. Rows are
    ordered by comparison (the order of ``groups``), then z descending
    (ties: term order). ``top`` keeps, per comparison, the ``top`` terms
    with the highest z (one_vs_rest), or the ``top`` highest and ``top``
    lowest (pairwise: the terms of both sides).

    Higher means: higher z / log_odds is more characteristic of group_a;
    higher g2 is stronger (unsigned) evidence of a difference.

    Caveats: counts are treated as independent tokens (see
    :func:`log_odds_dirichlet`, :func:`g_squared`); a group with no tokens
    has NaN frequencies. Loops run over comparisons only; each is vectorised
    over terms.

    References: monroe2008fightin, dunning1993accurate.
    """
    m, integral = _count_matrix(counts)
    n_groups, n_terms = m.shape
    if n_groups < 2:
        raise ValueError(f"counts={shape_text(m)}: expected at least 2 groups (rows)")
    group_names = _labels(groups, n_groups, "groups", "row of counts")
    term_names = _labels(terms, n_terms, "terms", "column of counts")
    if comparison not in ("one_vs_rest", "pairwise"):
        raise bad_value("comparison", comparison, "'one_vs_rest' or 'pairwise'")
    if isinstance(min_count, bool) or not isinstance(min_count, (int, np.integer)) or min_count < 1:
        raise bad_value("min_count", min_count, "an integer >= 1")
    if top is not None and (isinstance(top, bool) or not isinstance(top, (int, np.integer)) or top < 1):
        raise bad_value("top", top, "None or an integer >= 1")
    if prior_scale is not None and (
        isinstance(prior_scale, bool)
        or not isinstance(prior_scale, (int, float, np.integer, np.floating))
        or not (np.isfinite(prior_scale) and prior_scale > 0)
    ):
        raise bad_value("prior_scale", prior_scale, "None or a finite number > 0")

    corpus = np.asarray(m.sum(axis=0)).ravel()
    total = float(corpus.sum())
    if (corpus > 0).sum() < 2:
        raise ValueError(f"counts={shape_text(m)}: expected at least 2 terms with a positive corpus count")
    group_total = np.asarray(m.sum(axis=1)).ravel()
    alpha0 = total if prior_scale is None else float(prior_scale)

    keep = np.flatnonzero(corpus >= min_count)
    kept = m[:, keep].tocsr()
    corpus_k = corpus[keep]
    alpha = alpha0 * corpus_k / total

    def row(g: int) -> np.ndarray:
        return kept[[g]].toarray().ravel()

    if comparison == "one_vs_rest":
        pairs = [(g, None) for g in range(n_groups)]
    else:
        pairs = [(g, h) for g in range(n_groups) for h in range(g + 1, n_groups)]

    pieces: dict[str, list] = {
        c: [] for c in ("group", "group_a", "group_b", "term", "ya", "yb", "fa", "fb", "delta", "z", "g2", "dir")
    }
    for g, h in pairs:  # loop over comparisons; each is vectorised over terms
        ya = row(g)
        n_a = group_total[g]
        if h is None:
            yb, n_b = corpus_k - ya, total - n_a
        else:
            yb, n_b = row(h), group_total[h]
        delta, _, z = _log_odds(ya, yb, alpha, n_a, n_b, alpha0)
        order = np.lexsort((np.arange(len(keep)), -z))
        if top is not None and len(order) > (top if h is None else 2 * top):
            order = order[:top] if h is None else np.concatenate([order[:top], order[-top:]])
        ya_o, yb_o = ya[order], yb[order]
        with np.errstate(divide="ignore", invalid="ignore"):
            pieces["fa"].append(1000.0 * ya_o / n_a if n_a > 0 else np.full(len(order), np.nan))
            pieces["fb"].append(1000.0 * yb_o / n_b if n_b > 0 else np.full(len(order), np.nan))
        name_a = group_names[g]
        name_b = REST if h is None else group_names[h]
        pieces["group"].append(np.full(len(order), name_a if h is None else f"{name_a} vs {name_b}", dtype=object))
        pieces["group_a"].append(np.full(len(order), name_a, dtype=object))
        pieces["group_b"].append(np.full(len(order), name_b, dtype=object))
        pieces["term"].append(keep[order])
        pieces["ya"].append(ya_o)
        pieces["yb"].append(yb_o)
        pieces["delta"].append(delta[order])
        pieces["z"].append(z[order])
        pieces["g2"].append(_g2(ya_o, yb_o, n_a, n_b))
        pieces["dir"].append(_direction(ya_o, yb_o, n_a, n_b))

    cat = {k: np.concatenate(v) for k, v in pieces.items()}
    count_type = np.int64 if integral else np.float64
    return pd.DataFrame(
        {
            "group": cat["group"],
            "group_a": cat["group_a"],
            "group_b": cat["group_b"],
            "term": term_names[cat["term"].astype(np.int64)],
            "count_a": np.rint(cat["ya"]).astype(count_type) if integral else cat["ya"],
            "count_b": np.rint(cat["yb"]).astype(count_type) if integral else cat["yb"],
            "freq_a": cat["fa"].astype(np.float64),
            "freq_b": cat["fb"].astype(np.float64),
            "log_odds": cat["delta"].astype(np.float64),
            "z": cat["z"].astype(np.float64),
            "g2": cat["g2"].astype(np.float64),
            "g2_p": _chi2_1_sf(cat["g2"].astype(np.float64)),
            "direction": cat["dir"].astype(np.int8),
        }
    )
