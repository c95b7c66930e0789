"""Frame rates and framing indices by group, with cluster-bootstrap intervals.

A *rate* is hits per 1,000 word tokens, pooled over the documents of a group
(a ratio of sums: long comments weigh more than short ones). The *framing
index* of a pair of frames (A, B) is (hits_A − hits_B) / (hits_A + hits_B):
+1 when only A is used, −1 when only B is, 0 when both are used equally.
It is reported pooled (ratio of sums over the group) and document-averaged
(mean over documents that use A or B of their own index).

Uncertainty: 95% percentile intervals from a cluster bootstrap that resamples
whole threads (or authors), because comments in one thread are not
independent; replicates are drawn from a seeded generator, so reruns are
identical :cite:`field2007bootstrapping`. With fewer than ``min_clusters``
threads a thread bootstrap is meaningless (one thread resampled is always
itself); the unit then falls back to the document, and every output says
which unit was used and why.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp

from analysis.describe import depth_bins
from analysis.matcher import capital_word, long_word
from analysis.stats import cluster_bootstrap_ratio, percentile_interval, permutation_test, replicate_sums

__all__ = ["choose_cluster", "cluster_codes", "add_period", "frame_rates", "framing_index", "article_vs_comments",
           "rates_and_indices", "columns_needed", "headline_numbers", "frames_not_available", "require_comments",
           "distinct_labellings", "shouted_matches", "fit_term_hits", "dictionary_fit", "dictionary_fit_of_shards",
           "depth_bands", "band_order", "DEPTH_BAND_FROM", "DEPTH_BANDS", "FIT_SINGLE_TERM_SHARE", "FIT_TOP_TERMS",
           "measured_hits", "main_language", "in_main_language", "rates_by_language", "language_numbers",
           "LANGUAGE_COLUMNS"]


def choose_cluster(docs: pd.DataFrame, *, preferred: str = "thread_id", min_clusters: int = 10) -> tuple[str, str]:
    """The resampling unit and the reason for it: ``preferred`` if it has enough distinct values.

    For ``author_id``, documents without a known author each form their own
    cluster (an unknown author is not one person).
    """
    if preferred == "author_id":
        n = docs.loc[docs["author_id"] != "", "author_id"].nunique()
        unknown = int((docs["author_id"] == "").sum())
        if n + unknown >= min_clusters:
            return "author_id", (f"authors ({n} known; {unknown} documents without author "
                                 "each count as their own cluster)")
        return "doc_key", f"documents (only {n + unknown} author cluster(s), fewer than {min_clusters})"
    n = docs[preferred].nunique()
    if n >= min_clusters:
        return preferred, f"{preferred.removesuffix('_id')}s ({n} clusters)"
    return "doc_key", (f"documents (only {n} {preferred.removesuffix('_id')}(s), fewer than {min_clusters}, "
                       "so resampling them says nothing)")


def cluster_codes(docs: pd.DataFrame, cluster: str) -> np.ndarray:
    """Each document's cluster as an integer code, for the unit :func:`choose_cluster` chose.

    ``doc_key``: every document its own cluster (codes 0, 1, ...). Otherwise
    the distinct values of column ``cluster`` in sorted order; for
    ``author_id``, a document without author is a cluster of its own.
    """
    if cluster == "doc_key":
        return np.arange(len(docs))
    values = docs[cluster].astype(str)
    if cluster == "author_id":  # unknown authors: one cluster per document
        values = values.where(values != "", "__doc__" + pd.Series(np.arange(len(docs)), index=docs.index).astype(str))
    return pd.factorize(values, sort=True)[0]


def add_period(docs: pd.DataFrame, *, period: str) -> pd.DataFrame:
    """Add a ``period`` column ('2021-03' for months, '2021' for years, '2021-W09' for weeks)."""
    fmt = {"month": "%Y-%m", "year": "%Y", "week": "%G-W%V", "day": "%Y-%m-%d"}
    if period not in fmt:
        raise ValueError(f"period={period!r}: expected one of {sorted(fmt)}")
    t = pd.to_datetime(docs["created_at"], utc=True)
    # every format names a calendar day or coarser: format each distinct day once, not every timestamp
    codes, days = pd.factorize(t.dt.floor("D"))
    labels = np.append(np.asarray(days.strftime(fmt[period]), dtype=object), "unknown")  # code -1 (no time): last
    return docs.assign(period=pd.Series(labels[codes], index=docs.index, dtype="str"))


def _group_codes(docs: pd.DataFrame, by: str) -> tuple[np.ndarray, np.ndarray]:
    """The sorted group labels of column ``by`` (as strings) and each document's index into them.

    The same as ``np.unique(labels, return_inverse=True)`` over every
    document's label, but only the distinct values are turned into strings
    and sorted (the documents are hashed, not sorted).
    """
    codes, uniques = pd.factorize(docs[by].fillna("(none)"))  # "(none)": a source without the column
    labels = np.asarray(pd.Series(uniques, dtype=uniques.dtype).astype(str).to_numpy(), dtype=object)
    groups, inverse = np.unique(labels, return_inverse=True)  # distinct values may print alike: merged here
    groups = groups.astype(object)
    return groups, inverse.ravel()[codes].astype(np.int64)


class _Cells:
    """The (cluster, group) cells of the documents, for summing many values per cell.

    Cells are numbered in column-major order (group, then cluster), the order
    of a CSC matrix's entries, so each value's sums fill one directly.
    """

    def __init__(self, cluster_codes: np.ndarray, gcode: np.ndarray, n_groups: int):
        self.cluster_codes, self.gcode = cluster_codes, gcode
        self.shape = (int(cluster_codes.max()) + 1 if len(cluster_codes) else 0, n_groups)
        key = gcode.astype(np.int64) * self.shape[0] + cluster_codes
        cells, self.cell = np.unique(key, return_inverse=True)
        self.cell = self.cell.ravel()
        self.rows = (cells % max(self.shape[0], 1)).astype(np.int32)
        self.indptr = np.concatenate([[0], np.cumsum(np.bincount(cells // max(self.shape[0], 1),
                                                                 minlength=n_groups))]).astype(np.int32)

    def matrix(self, v: np.ndarray) -> sp.csc_matrix:
        """Per-cell sums of ``v`` as a sparse (n_clusters × n_groups) matrix, a cell present for every occupied cell."""
        v = np.asarray(v)
        if v.dtype.kind in "biu":  # integers (hits, tokens): exact as floats while every partial sum is below 2**53
            integral = len(v) == 0 or float(np.abs(v).max()) * len(v) < 2.0**53
        else:
            integral = bool(np.abs(v).sum() < 2.0**53) and np.array_equal(v, np.trunc(v))
        v = v.astype(float)
        if not integral:
            # non-integer values: a float sum depends on the order of its terms; keep scipy's order
            return sp.coo_matrix((v, (self.cluster_codes, self.gcode)), shape=self.shape).tocsc()
        # integers: every order of summation gives the same sums, exactly
        data = np.bincount(self.cell, weights=v, minlength=len(self.rows))
        return sp.csc_matrix((data, self.rows, self.indptr), shape=self.shape)




class _Clusters:
    """The resampling unit of a set of documents and its cluster codes, and each grouping's cells, computed once.

    :func:`rates_and_indices` measures every frame and index pair in every
    grouping of the same documents with the same unit: one of these serves
    all of those calls.
    """

    def __init__(self, docs: pd.DataFrame, *, cluster: str, min_clusters: int):
        self.docs = docs
        self.unit, self.reason = choose_cluster(docs, preferred=cluster, min_clusters=min_clusters)
        self.codes = cluster_codes(docs, self.unit)
        self._groupings: dict[str, tuple] = {}

    def grouping(self, by: str):
        """The groups of ``by``, each document's group code, and the (cluster, group) cells (:class:`_Cells`)."""
        if by not in self._groupings:
            groups, gcode = _group_codes(self.docs, by)
            self._groupings[by] = groups, gcode, _Cells(self.codes, gcode, len(groups))
        return self._groupings[by]


def _single_cluster_no_ci(ci: pd.DataFrame) -> pd.DataFrame:
    """No interval from fewer than two clusters: resampling one cluster returns it unchanged."""
    ci = ci.reset_index(drop=True).copy()
    few = ci["n_clusters"] < 2
    ci.loc[few, ["ci_low", "ci_high", "se"]] = np.nan
    return ci


def frame_rates(
    docs: pd.DataFrame,
    *,
    frames: Sequence[str],
    by: str,
    cluster: str = "thread_id",
    min_clusters: int = 10,
    n_boot: int = 1000,
    seed: int = 0,
    level: float = 0.95,
) -> pd.DataFrame:
    """Hits per 1,000 word tokens of each frame in each group of ``by``, with bootstrap CIs.

    ``docs`` has one row per document with ``n_tokens``, ``hits_<frame>``,
    the grouping column ``by`` and the cluster column. Higher means the frame
    is used more often in that group. Caveat: a rate counts dictionary terms,
    not meanings (see the validation chapter).
    """
    clusters = _Clusters(docs, cluster=cluster, min_clusters=min_clusters)
    return _frame_rates_many(clusters, frames=frames, bys=[by], n_boot=n_boot, seed=seed, level=level)[0]


def _frame_rates_many(clusters: _Clusters, *, frames: Sequence[str], bys: Sequence[str], n_boot: int, seed: int,
                      level: float) -> list[pd.DataFrame]:
    """:func:`frame_rates` for each grouping in ``bys``, all bootstrapped in one pass (:func:`_bootstrap_together`)."""
    docs = clusters.docs
    if not len(frames):  # no frame dictionary: no rate, but tables with their columns
        return [pd.DataFrame(columns=RATE_COLUMNS) for _ in bys]
    tokens = docs["n_tokens"].to_numpy()
    values = {"tokens": tokens}
    measured = {}  # frame -> documents where it is measured, for frames missing (not measured) in some documents
    for f in frames:
        hits, ok = measured_hits(docs, f)
        values[f] = hits
        if not ok.all():
            measured[f] = ok
            values[f"tokens {f}"] = np.where(ok, tokens, 0)  # the frame's denominator: the words it was measured on
    parts = []
    for by in bys:
        groups, gcode, cells = clusters.grouping(by)
        mats = {name: cells.matrix(v) for name, v in values.items()}
        num = sp.hstack([mats[f] for f in frames]).tocsc()
        den = sp.hstack([mats[f"tokens {f}" if f in measured else "tokens"] for f in frames]).tocsc()
        n_docs = np.concatenate([np.bincount(gcode, weights=measured[f] if f in measured else None,
                                             minlength=len(groups)).astype(np.int64) for f in frames])
        parts.append((by, groups, n_docs, num, den))
    cis = _bootstrap_together([(num, den) for *_, num, den in parts], n_boot=n_boot, seed=seed, level=level,
                              scale=1000.0, keep_se=True)
    return [_rates_table(clusters, frames, by, groups, n_docs, num, den, ci, n_boot)
            for (by, groups, n_docs, num, den), ci in zip(parts, cis)]


def measured_hits(docs: pd.DataFrame, frame: str) -> tuple[np.ndarray, np.ndarray]:
    """A frame's hits per document as int64 (0 where not measured) and where it is measured.

    ``hits_<frame>`` is missing (``<NA>`` or NaN once read from Parquet) in
    the documents of a language whose dictionaries lack the frame
    (:func:`analysis.framing.mark_not_measured`): those documents count
    neither in the frame's hits nor in its denominator.
    """
    col = docs[f"hits_{frame}"]
    if isinstance(col.dtype, np.dtype) and col.dtype.kind in "iu":  # plain integers: measured everywhere
        return col.to_numpy(), np.ones(len(col), dtype=bool)
    ok = col.notna().to_numpy()
    return col.fillna(0).to_numpy(dtype=np.int64), ok


#: The columns of :func:`frame_rates` and :func:`framing_index` (also of their tables with no row).
RATE_COLUMNS = ["by", "group", "frame", "hits", "tokens", "n_docs", "rate", "ci_low", "ci_high", "se", "n_clusters",
                "unit", "n_boot"]
INDEX_COLUMNS = ["by", "group", "frame_a", "frame_b", "hits_a", "hits_b", "n_docs_using", "pooled", "pooled_low",
                 "pooled_high", "doc_mean", "doc_mean_low", "doc_mean_high", "unit", "n_boot"]
TEST_COLUMNS = ["frame", "rate_article", "rate_comments", "difference", "p_value", "n_perm", "n_threads",
                "n_labellings"]


def _rates_table(clusters, frames, by, groups, n_docs, num, den, ci, n_boot) -> pd.DataFrame:
    out = pd.DataFrame(
        {
            "by": by,
            "group": np.tile(groups, len(frames)),
            "frame": np.repeat(list(frames), len(groups)),
            "hits": np.asarray(num.sum(axis=0)).ravel().astype(int),
            "tokens": np.asarray(den.sum(axis=0)).ravel().astype(int),
            "n_docs": n_docs,
        }
    )
    out = pd.concat([out, _single_cluster_no_ci(ci)[["estimate", "ci_low", "ci_high", "se", "n_clusters"]]], axis=1)
    out = out.rename(columns={"estimate": "rate"})
    out["unit"] = clusters.reason
    out["n_boot"] = n_boot
    return out


def _bootstrap_together(blocks, *, n_boot: int, seed: int, level: float, scale: float,
                        keep_se: bool) -> list[pd.DataFrame]:
    """:func:`cluster_bootstrap_ratio` of each ``(numerator, denominator)`` block, the blocks side by side in one call.

    The blocks have the same clusters (rows), so one pass of replicates (the
    same draws as a separate call would make with ``seed``) serves them all,
    instead of drawing them again per block. Each column's replicate sums add
    its own clusters' values in cluster order whatever stands beside it, so
    estimates, intervals and ``n_clusters`` are those of separate calls,
    bit for bit; so is ``se``, which numpy sums column by column in the same
    order for any width of two or more, but pairwise for a single column:
    with ``keep_se`` a one-column block is therefore bootstrapped alone.
    Returns one table per block, as :func:`cluster_bootstrap_ratio` would.
    """
    common = dict(n_boot=n_boot, seed=seed, level=level, scale=scale)
    out: list = [None] * len(blocks)
    together = [i for i, (num, _) in enumerate(blocks) if not keep_se or num.shape[1] != 1]
    if len(together) == 1:
        together = []  # nothing to share
    if together:
        ci = cluster_bootstrap_ratio(sp.hstack([blocks[i][0] for i in together], format="csc"),
                                     sp.hstack([blocks[i][1] for i in together], format="csc"), **common)
        offset = 0
        for i in together:
            k = blocks[i][0].shape[1]
            out[i] = ci.iloc[offset:offset + k].reset_index(drop=True).assign(quantity=np.arange(k))
            offset += k
    for i, (num, den) in enumerate(blocks):
        if out[i] is None:
            out[i] = cluster_bootstrap_ratio(num, den, **common)
    return out


def framing_index(
    docs: pd.DataFrame,
    *,
    pair: tuple[str, str],
    by: str,
    cluster: str = "thread_id",
    min_clusters: int = 10,
    n_boot: int = 1000,
    seed: int = 0,
    level: float = 0.95,
) -> pd.DataFrame:
    """Framing index (A − B) / (A + B) per group, pooled and document-averaged, with CIs.

    Higher (towards +1) means frame A dominates, lower (towards −1) frame B.
    Groups where neither frame occurs have no index (NaN).
    """
    clusters = _Clusters(docs, cluster=cluster, min_clusters=min_clusters)
    return _framing_index_many(clusters, jobs=[(pair, by)], n_boot=n_boot, seed=seed, level=level)[0]


def _framing_index_many(clusters: _Clusters, *, jobs: Sequence[tuple[tuple[str, str], str]], n_boot: int, seed: int,
                        level: float) -> list[pd.DataFrame]:
    """:func:`framing_index` for each ``(pair, by)`` of ``jobs``, all bootstrapped in one pass
    (:func:`_bootstrap_together`)."""
    docs = clusters.docs
    if not jobs:  # no index pair configured: one empty table with the index's columns
        return [pd.DataFrame(columns=INDEX_COLUMNS)]
    per_pair = {}  # a pair's per-document values, the same in every grouping
    for pair in dict.fromkeys(pair for pair, _ in jobs):
        (a, ok_a), (b, ok_b) = (measured_hits(docs, f) for f in pair)
        both = ok_a & ok_b  # a document where one of the two frames is not measured has no index
        a, b = np.where(both, a, 0).astype(float), np.where(both, b, 0).astype(float)
        used = (a + b) > 0
        doc_index = np.where(used, (a - b) / np.where(used, a + b, 1), 0.0)
        per_pair[pair] = a, b, used, {"diff": a - b, "total": a + b, "doc_index": doc_index, "used": used.astype(float)}
    parts = []
    for pair, by in jobs:
        a, b, used, values = per_pair[pair]
        groups, gcode, cells = clusters.grouping(by)
        m = {name: cells.matrix(v) for name, v in values.items()}
        counts = [np.bincount(gcode, weights=w, minlength=len(groups)).astype(int) for w in (a, b, used)]
        parts.append((pair, by, groups, counts, m))
    blocks = [(m["diff"], m["total"]) for *_, m in parts] + [(m["doc_index"], m["used"]) for *_, m in parts]
    cis = _bootstrap_together(blocks, n_boot=n_boot, seed=seed, level=level, scale=1.0, keep_se=False)  # no se reported
    tables = []
    for j, (pair, by, groups, (hits_a, hits_b, n_using), _m) in enumerate(parts):
        pooled, averaged = _single_cluster_no_ci(cis[j]), _single_cluster_no_ci(cis[len(parts) + j])
        out = pd.DataFrame(
            {
                "by": by,
                "group": groups,
                "frame_a": pair[0],
                "frame_b": pair[1],
                "hits_a": hits_a,
                "hits_b": hits_b,
                "n_docs_using": n_using,
                "pooled": pooled["estimate"].to_numpy(),
                "pooled_low": pooled["ci_low"].to_numpy(),
                "pooled_high": pooled["ci_high"].to_numpy(),
                "doc_mean": averaged["estimate"].to_numpy(),
                "doc_mean_low": averaged["ci_low"].to_numpy(),
                "doc_mean_high": averaged["ci_high"].to_numpy(),
            }
        )
        out["unit"] = clusters.reason
        out["n_boot"] = n_boot
        tables.append(out)
    return tables


def distinct_labellings(strata: np.ndarray, labels: np.ndarray, *, cap: int = 10**15) -> int:
    """How many distinct labellings a within-stratum permutation can make: the product over strata of
    C(size, number labelled True), capped at ``cap``. A permutation p-value cannot fall below 1 / this number
    (one thread of 17 documents with one article: 17 labellings, p >= 1/17)."""
    from math import comb

    out = 1
    sizes = np.bincount(strata)
    trues = np.bincount(strata, weights=labels.astype(np.int64), minlength=len(sizes)).astype(np.int64)
    for n, k in zip(sizes.tolist(), trues.tolist()):
        out *= comb(n, k)
        if out >= cap:
            return cap
    return int(out)


def article_vs_comments(docs: pd.DataFrame, *, frames: Sequence[str], n_perm: int = 9999,
                        seed: int = 0) -> pd.DataFrame:
    """Permutation test per frame: is the article's rate different from its comments'?

    Labels (article or comment) are permuted within threads that have an
    article, so each thread keeps one "article"; the statistic is the
    difference in pooled rates per 1,000 tokens (article − comments).
    Caveat: with one thread there are only as many distinct permutations as
    documents, so the smallest possible p-value is 1 / (documents).
    """
    is_article = (docs["doc"] == "article").to_numpy()
    # thread has an article
    with_article = docs["thread_id"].isin(docs.loc[is_article, "thread_id"].unique()).to_numpy()
    sub = docs[with_article]
    if not sub.empty:
        strata, threads = pd.factorize(sub["thread_id"])
        n_threads = len(threads)
        labels, tokens = is_article[with_article], sub["n_tokens"].to_numpy()
        n_labellings = distinct_labellings(strata, labels)
    rows = []
    for f in frames:
        hits, ok = measured_hits(sub, f) if not sub.empty else (None, None)
        if not sub.empty and not ok.all():  # the frame is not measured in some documents: test the others
            part = sub[ok]
            part = part[part["thread_id"].isin(part.loc[part["doc"] == "article", "thread_id"])]
            rows.append(article_vs_comments(part, frames=[f], n_perm=n_perm, seed=seed).iloc[0].to_dict()
                        if len(part) else {"frame": f, "rate_article": np.nan, "rate_comments": np.nan,
                                           "difference": np.nan, "p_value": np.nan, "n_perm": 0, "n_threads": 0,
                                           "n_labellings": 0})
            continue
        if sub.empty:
            rows.append({"frame": f, "rate_article": np.nan, "rate_comments": np.nan, "difference": np.nan,
                         "p_value": np.nan, "n_perm": 0, "n_threads": 0, "n_labellings": 0})
            continue
        res = permutation_test(hits, tokens, labels, strata=strata, n_perm=n_perm, seed=seed, scale=1000.0)
        rows.append({"frame": f, "rate_article": res["rate_true"], "rate_comments": res["rate_false"],
                     "difference": res["observed"], "p_value": res["p_value"], "n_perm": res["n_perm"],
                     "n_threads": n_threads, "n_labellings": n_labellings})
    return pd.DataFrame(rows, columns=TEST_COLUMNS)


def require_comments(docs: pd.DataFrame, *, sources: Sequence[Mapping], results: str = "results") -> None:
    """Stop with one line naming the sources when the documents hold no comment (nothing to measure).

    A header-only table, a scraped page without comments, or a source whose
    every record was quarantined leaves no comment; the framing measures
    (rates, indices, the article-vs-comments test) are then undefined, so
    the run ends here with an error that names each configured source and
    where its ingest report is, instead of a failure deep inside the bootstrap.
    """
    if len(docs) and (docs["doc"] == "comment").any():
        return
    from analysis.errors import InputError

    names = "; ".join(f"source {s['id']!r} ({s['path']})" for s in sources) or "no source configured"
    n_articles = int((docs["doc"] == "article").sum()) if len(docs) else 0
    raise InputError(names, f"no comment was kept from the input ({n_articles} article text(s) only), so there is "
                            "nothing to measure: is the table header-only, does the page have no comments, or was "
                            f"every record quarantined? See {results}/ingest_report.json and "
                            f"{results}/quarantine.parquet")


def rates_and_indices(docs: pd.DataFrame, *, frames: Sequence[str], period: str, group_by: Sequence[str],
                      index_pairs: Sequence[Sequence[str]], min_clusters: int, n_boot: int, seed: int,
                      cluster: str = "thread_id") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Frame rates and framing indices for every grouping of ``group_by`` (plus 'all' and article vs comments).

    The keywords are those of the config's ``framing`` section: ``period``
    for :func:`add_period`, the grouping columns, the frame pairs of the
    indices, and the bootstrap's ``min_clusters``, ``n_boot``, ``seed`` and
    preferred ``cluster`` (:func:`choose_cluster`).
    """
    from analysis.errors import ConfigError

    docs = add_period(docs, period=period).assign(all="all")
    docs["doc_key"] = np.arange(len(docs))
    for by in group_by:
        if by not in docs.columns:
            raise ConfigError("framing.group_by",
                              f"no column {by!r}; available: "
                              f"{sorted(c for c in docs.columns if not c.startswith('hits_'))}")
    for pair in index_pairs:
        for f in pair:
            if f not in frames:
                raise ConfigError("framing.index_pairs",
                                  f"no frame {f!r}; frames of the active dictionaries: {list(frames)}")
    # one unit, one set of cluster codes and one set of cells per grouping for every call below, and one pass of
    # bootstrap replicates for all rates and one for all indices (the same draws as a call per grouping would make)
    groupings = list(dict.fromkeys(["all", "doc", *group_by]))  # article vs comments always
    if "depth" in group_by:  # deep reply levels are thin one by one: also in bands, each with its own interval
        docs["depth_band"] = depth_bands(docs["depth"])
        groupings.append("depth_band")
    clusters = _Clusters(docs, cluster=cluster, min_clusters=min_clusters)
    common = dict(n_boot=n_boot, seed=seed, level=0.95)
    rates = pd.concat(_frame_rates_many(clusters, frames=frames, bys=groupings, **common), ignore_index=True)
    jobs = [(tuple(pair), by) for pair in index_pairs for by in groupings]
    index = pd.concat(_framing_index_many(clusters, jobs=jobs, **common), ignore_index=True)
    return rates, index


#: Reply depths up to this one are a band of their own; deeper ones are in bands of doubling width, at most
#: DEPTH_BANDS bands in all (the deepest band open-ended: "49+").
DEPTH_BAND_FROM = 3
DEPTH_BANDS = 8


def depth_bands(depths) -> np.ndarray:
    """Each document's reply-depth band (grouping ``depth_band``): 0 (the article), 1, 2, 3, then 4-6, 7-12,
    13-24, 25-48, 49+ (:func:`analysis.describe.depth_bins` from :data:`DEPTH_BAND_FROM`, at most
    :data:`DEPTH_BANDS` bands of replies). A threaded forum's deep levels hold few threads each; in bands,
    every point of the by-depth figures has a bootstrap interval."""
    d = np.asarray(depths, dtype=int)
    labels, _ = depth_bins(d, start=DEPTH_BAND_FROM, max_bins=DEPTH_BANDS + int((d == 0).any()))
    return labels


def band_order(labels) -> list[str]:
    """Depth-band labels in depth order (by the first depth of each band)."""
    return sorted(dict.fromkeys(str(g) for g in labels), key=lambda g: int(re.match(r"\d+", g).group()))


def main_language(lexicons: Sequence, *, languages: Sequence[str] = ()) -> str | None:
    """The language the framing chapter's main tables are computed in, or None when one language is all there is.

    None when every frame dictionary has the same language (each frame is
    then measured in one language, and the documents of any other language
    are simply not measured). Otherwise the first study language
    (``languages``) that a frame dictionary has, else the first dictionary's:
    rates are never pooled over the words of two languages, so with
    dictionaries in several languages the main tables hold one language and
    :func:`rates_by_language` compares the languages.
    """
    langs = list(dict.fromkeys(lx.language for lx in lexicons))
    if len(langs) < 2:
        return None
    return next((lang for lang in languages if lang in langs), langs[0])


def in_main_language(docs: pd.DataFrame, language: str | None, *, languages: Sequence[str] = ()) -> pd.DataFrame:
    """The documents read as ``language`` (:func:`analysis.framing.reading_language`); all of them when
    ``language`` is None or the documents carry no ``language`` column."""
    if language is None or "language" not in docs.columns:
        return docs
    from analysis.framing import reading_language

    keep = (reading_language(docs["language"], languages=languages) == language).to_numpy()
    return docs[keep].reset_index(drop=True)


#: Columns of :func:`rates_by_language`.
LANGUAGE_COLUMNS = ["frame", "language", "status", "lexicon", "hits", "tokens", "n_docs", "rate", "ci_low", "ci_high",
                    "unit", "reference", "difference", "diff_low", "diff_high", "diff_unit", "n_boot"]


def rates_by_language(docs: pd.DataFrame, lexicons: Sequence, *, languages: Sequence[str] = (),
                      cluster: str = "thread_id", min_clusters: int = 10, n_boot: int = 1000, seed: int = 0,
                      level: float = 0.95) -> pd.DataFrame:
    """Each frame's rate in each language, with its CI, and its difference from the first language, with its CI.

    One row per (frame, language) of :func:`analysis.lexicons.frame_coverage`
    (the study's ``languages``, then the dictionaries'). ``status``:
    ``measured``, ``missing: ...`` (no dictionary of that language defines
    the frame: no rate, never 0), or ``no documents``. A rate is hits per
    1,000 word tokens of the documents read in that language
    (:func:`analysis.framing.reading_language`) and its CI is
    :func:`frame_rates` of those documents alone (the same as running that
    language on its own: words of two languages never share an estimate).
    ``reference`` is the first language in which the frame has a rate;
    ``difference`` = rate − reference rate, with a percentile interval from
    one cluster bootstrap of the documents of both languages (whole threads
    resampled, so a thread holding both languages moves both rates
    together; ``diff_unit`` says which unit :func:`choose_cluster` chose).

    Higher means: a positive ``difference`` is a frame used more often, per
    word, in this language than in the reference one. Caveats: the two term
    lists are different instruments (words, morphology, tokenization); a
    difference is one of dictionary-measured salience, to be read with each
    list's validation (provenance and precision in the book). Reference:
    field2007bootstrapping.
    """
    from analysis.framing import reading_language
    from analysis.lexicons import frame_coverage

    cover = frame_coverage(lexicons, languages=languages)
    if not len(cover):  # no frame dictionary (lexicons: []): no frame to compare
        return pd.DataFrame({c: pd.Series(dtype="Int64" if c in ("hits", "tokens", "n_docs") else object)
                             for c in LANGUAGE_COLUMNS})
    read = (reading_language(docs["language"], languages=languages) if "language" in docs.columns
            else pd.Series(next(iter(dict.fromkeys(lx.language for lx in lexicons)), "en"), index=docs.index))
    common = dict(cluster=cluster, min_clusters=min_clusters, n_boot=n_boot, seed=seed, level=level)
    per_language = {}  # language -> its documents and the rates of its frames, bootstrapped in one pass
    for lang, sub in cover[cover["measured"]].groupby("language", sort=False):
        mine = docs[(read == lang).to_numpy()]
        if len(mine):
            rates = frame_rates(mine.assign(all="all", doc_key=np.arange(len(mine))), frames=list(sub["frame"]),
                                by="all", **common).set_index("frame")
            per_language[lang] = mine, rates
    rows = []
    for f, sub in cover.groupby("frame", sort=False):
        reference = None
        for r in sub.itertuples(index=False):
            row = dict.fromkeys(LANGUAGE_COLUMNS, np.nan) | {"frame": f, "language": r.language,
                                                              "lexicon": r.lexicon, "n_boot": n_boot}
            if not r.measured:
                rows.append(row | {"status": r.note, "hits": pd.NA, "tokens": pd.NA,
                                   "n_docs": int((read == r.language).sum())})
                continue
            if r.language not in per_language:
                rows.append(row | {"status": "no documents", "hits": 0, "tokens": 0, "n_docs": 0})
                continue
            mine, rates = per_language[r.language]
            rate = rates.loc[f]
            row |= {"status": "measured", "hits": int(rate["hits"]), "tokens": int(rate["tokens"]),
                    "n_docs": int(rate["n_docs"]), "rate": rate["rate"], "ci_low": rate["ci_low"],
                    "ci_high": rate["ci_high"], "unit": rate["unit"]}
            if reference is None:
                reference = (r.language, mine)
            else:
                row |= _rate_difference(reference[1], mine, f, **common) | {"reference": reference[0]}
            rows.append(row)
    out = pd.DataFrame(rows, columns=LANGUAGE_COLUMNS)
    for c in ("hits", "tokens", "n_docs"):
        out[c] = out[c].astype("Int64")
    return out


def language_numbers(by_language: pd.DataFrame, *, main: str | None) -> dict:
    """What the framing chapter says about languages, from :func:`rates_by_language`: the languages, the one the
    main tables hold (``main``, '' when they hold every document), the frames compared across languages and the
    (frame, language) pairs a dictionary misses."""
    missing = by_language[by_language["status"].str.startswith("missing")]
    compared = by_language[by_language["difference"].notna()]
    frames = list(dict.fromkeys(compared["frame"].str.replace("_", " ")))
    pairs = [f"{f.replace('_', ' ')} in {lang}" for f, lang in zip(missing["frame"], missing["language"])]
    return {
        "list": ", ".join(dict.fromkeys(by_language["language"])),
        "main": main or "",
        "n_compared": int(len(frames)),
        "compared": (f"{len(frames)} frame(s) are measured in two or more languages: {', '.join(frames)}." if frames
                     else "No frame is measured in two languages, so none is compared."),
        "n_missing": int(len(missing)),
        "missing": (f"Frames missing in a language: {'; '.join(pairs)}." if pairs
                    else "Every frame is measured in every language."),
    }


def _rate_difference(ref: pd.DataFrame, other: pd.DataFrame, frame: str, *, cluster: str, min_clusters: int,
                     n_boot: int, seed: int, level: float) -> dict:
    """Rate of ``other`` − rate of ``ref`` (per 1,000 tokens) of ``frame``, with a cluster-bootstrap interval
    resampling the clusters of both document sets together."""
    both = pd.concat([ref.assign(_side=0), other.assign(_side=1)], ignore_index=True)
    both["doc_key"] = np.arange(len(both))
    clusters = _Clusters(both, cluster=cluster, min_clusters=min_clusters)
    _groups, _gcode, cells = clusters.grouping("_side")
    hits, _ok = measured_hits(both, frame)
    num, den = cells.matrix(hits).toarray(), cells.matrix(both["n_tokens"].to_numpy()).toarray()
    estimate = 1000.0 * (num[:, 1].sum() / den[:, 1].sum() - num[:, 0].sum() / den[:, 0].sum())
    reps = replicate_sums(np.hstack([num, den]), n_boot=n_boot, seed=seed)
    with np.errstate(divide="ignore", invalid="ignore"):
        diff = 1000.0 * (reps[:, 1] / reps[:, 3] - reps[:, 0] / reps[:, 2])
    diff[~np.isfinite(diff)] = np.nan
    low, high = percentile_interval(diff, level=level) if (clusters.codes.max() >= 1) else (np.nan, np.nan)
    return {"difference": estimate, "diff_low": low, "diff_high": high, "diff_unit": clusters.reason}


def columns_needed(available: Sequence[str], *, group_by: Sequence[str],
                   cluster: str = "thread_id") -> list[str] | None:
    """The columns of the documents table that :func:`rates_and_indices`, :func:`article_vs_comments`,
    :func:`headline_numbers` and :func:`rates_by_language` read, in table order; None (read all) when a
    configured column is not there, so that the error names every column there is."""
    made = {"period", "all", "doc_key"}  # added by rates_and_indices
    wanted = {"thread_id", "doc", "n_tokens", "created_at", cluster, *group_by}
    if not wanted - made <= set(available):
        return None
    if "language" in available:  # the main tables' language, and the comparison across languages
        wanted.add("language")
    return [c for c in available if c in wanted or c.startswith("hits_")]


def headline_numbers(rates: pd.DataFrame, index: pd.DataFrame, test: pd.DataFrame, docs: pd.DataFrame, *,
                     n_boot: int, n_perm: int, seed: int, count_quoted: bool, count_negated: bool,
                     negation_window: int, index_pairs: Sequence[Sequence[str]]) -> dict:
    """The numbers the book quotes, keyed for MyST substitutions (plain values).

    The keywords are the settings of the config's ``framing`` section that the book states.
    """
    def pick(df, **eq):
        sel = df
        for k, v in eq.items():
            sel = sel[sel[k] == v]
        return sel.iloc[0] if len(sel) else None

    out: dict = {
        "n_docs": int(len(docs)),
        "n_comment_docs": int((docs["doc"] == "comment").sum()),
        "n_article_docs": int((docs["doc"] == "article").sum()),
        "n_tokens": int(docs["n_tokens"].sum()),
        "n_boot": int(n_boot),
        "n_perm": int(n_perm),
        "seed": int(seed),
        "count_quoted": "counted" if count_quoted else "not counted",
        "count_negated": "counted" if count_negated else "not counted",
        "negation_window": int(negation_window),
        "unit": str(rates.loc[rates["by"] == "all", "unit"].iloc[0]) if len(rates) else "",
        "frames": {},
        "index": {},
    }
    for f in rates["frame"].unique():
        row_all = pick(rates, by="all", frame=f)
        row_c = pick(rates, by="doc", group="comment", frame=f)
        row_a = pick(rates, by="doc", group="article", frame=f)
        t = pick(test, frame=f)
        out["frames"][f] = {
            "hits": int(row_all["hits"]),
            "rate": _r(row_all["rate"]), "rate_low": _r(row_all["ci_low"]), "rate_high": _r(row_all["ci_high"]),
            "rate_comments": _r(row_c["rate"]) if row_c is not None else "n/a",
            "rate_article": _r(row_a["rate"]) if row_a is not None else "n/a",
            "p_article_vs_comments": _r(t["p_value"], 3) if t is not None and pd.notna(t["p_value"]) else "n/a",
        }
    for (a, b), sub in index.groupby(["frame_a", "frame_b"], sort=False):
        row = pick(sub, by="all")
        row_c = pick(sub, by="doc", group="comment")
        row_a = pick(sub, by="doc", group="article")
        out["index"][f"{a}_vs_{b}"] = {
            "pooled": _r(row["pooled"]), "low": _r(row["pooled_low"]), "high": _r(row["pooled_high"]),
            "comments": _r(row_c["pooled"]) if row_c is not None else "n/a",
            "comments_low": _r(row_c["pooled_low"]) if row_c is not None else "n/a",
            "comments_high": _r(row_c["pooled_high"]) if row_c is not None else "n/a",
            "article": _r(row_a["pooled"]) if row_a is not None else "n/a",
            "hits_a": int(row["hits_a"]), "hits_b": int(row["hits_b"]),
        }
    if out["index"]:
        first = next(iter(out["index"]))
        a, b = index_pairs[0]
        main = dict(out["index"][first], a=a.replace("_", " "), b=b.replace("_", " "))
        if main["article"] == "n/a":
            main["by_doc"] = "This corpus has no article text, so all of it comes from comments."
        else:
            main["by_doc"] = (f"In the comments alone it is {main['comments']} (95% CI {main['comments_low']} to "
                              f"{main['comments_high']}); in the article(s) it is {main['article']}.")
        out["main_index"] = main
    all_rates = rates[rates["by"] == "all"].sort_values(["hits", "frame"], ascending=[False, True])
    if len(all_rates):
        top = all_rates.iloc[0]
        out["top_frame"] = {"name": str(top["frame"]).replace("_", " "), "rate": _r(top["rate"]),
                            "low": _r(top["ci_low"]), "high": _r(top["ci_high"]), "hits": int(top["hits"])}
    out["n_frames_used"] = int((all_rates["hits"] > 0).sum())
    out["n_frames"] = int(len(all_rates))
    out["not_available"] = frames_not_available(n_frames=out["n_frames"], index_pairs=index_pairs)
    return out


def frames_not_available(*, n_frames: int, index_pairs: Sequence[Sequence[str]]) -> list[str]:
    """Why the framing measures that cannot be computed are missing, one phrase each (empty when all can be).

    Without a frame dictionary (config ``lexicons: []``) there is no frame to count: no rate, index, article-vs-
    comments test, uptake, use, collocate, concordance line or coding sample. With frames but no
    ``framing.index_pairs``, only the framing index is missing.
    """
    if not n_frames:
        return ["frame rates, the framing index, the article-vs-comments test, frames down reply chains, collocates, "
                "the concordance and the coding sample: this run has no frame dictionary (config key lexicons is "
                "empty)"]
    if not len(index_pairs):
        return ["framing index: no pair of frames is configured (config key framing.index_pairs is empty)"]
    return []


def _r(x, digits: int | None = None):
    """A plain float for the book, unrounded (the book formats each number once); NaN becomes 'n/a'."""
    return "n/a" if x is None or pd.isna(x) else float(x)


# ---------------------------------------------------------------- how well each dictionary fits this corpus

#: A frame is *carried by a single term* when one term gives at least this share of its counted hits: its rate then
#: measures that word more than the frame (a frame of one word is a word count).
FIT_SINGLE_TERM_SHARE = 0.8
#: Terms listed per frame in the dictionary-fit table.
FIT_TOP_TERMS = 5
#: Columns of :func:`dictionary_fit` (the CSV ``framing/dictionary_fit.csv``).
FIT_COLUMNS = ["frame", "n_docs", "docs_with_hit", "share_docs", "hits", "rank", "term", "case_sensitive",
               "term_hits", "term_share", "shouted_hits", "warning"]
_FIT_KEYS = ["thread_id", "comment_id", "doc"]
#: The columns of the matches and tokens tables :func:`dictionary_fit_of_shards` reads.
FIT_MATCH_COLUMNS = [*_FIT_KEYS, "frame", "term", "sentence", "token_start", "token_end", "counted"]
FIT_TOKEN_COLUMNS = [*_FIT_KEYS, "sentence", "index", "token"]


def shouted_matches(matches: pd.DataFrame, tokens: pd.DataFrame) -> np.ndarray:
    """Whether each match sits in a sentence written in capitals: more than half of the sentence's other words of
    two or more letters are all capitals ("WHY IS" at the end of a post: yes; "HTS, IS and the SAA": no).

    ``matches`` has the document keys, ``sentence``, ``token_start`` and ``token_end``; ``tokens`` the document
    keys, ``sentence``, ``index`` and ``token`` (the surface form) of at least those sentences. The matcher
    already drops a case-sensitive all-capitals term with two shouted neighbours; this sentence-wide test finds
    what is left (a shouted word with one shouted neighbour), for the warnings of :func:`dictionary_fit`.
    """
    out = np.zeros(len(matches), dtype=bool)
    if not len(matches) or not len(tokens):
        return out
    keys = [*_FIT_KEYS, "sentence"]
    codes, vocab = pd.factorize(tokens["token"].astype(str))
    t = tokens[keys + ["index"]].assign(
        word=np.asarray([long_word(v) for v in vocab], dtype=bool)[codes],
        caps=np.asarray([capital_word(v) for v in vocab], dtype=bool)[codes])
    t = t.astype({"sentence": "int64", "index": "int64"})
    per_sentence = t.groupby(keys, sort=False)[["word", "caps"]].sum()
    m = matches[keys + ["token_start", "token_end"]].astype({"sentence": "int64"}).reset_index(drop=True)
    m["row"] = np.arange(len(m))
    # the match's own tokens are not its context
    own = m.assign(index=[list(range(a, b)) for a, b in zip(m["token_start"], m["token_end"])]).explode("index")
    own = own.dropna(subset=["index"]).astype({"index": "int64"}).merge(t, on=[*_FIT_KEYS, "sentence", "index"])
    own = own.groupby("row")[["word", "caps"]].sum()
    ctx = m.join(per_sentence, on=keys).fillna({"word": 0, "caps": 0})
    word = ctx["word"].to_numpy(dtype=np.int64) - own["word"].reindex(ctx["row"], fill_value=0).to_numpy()
    caps = ctx["caps"].to_numpy(dtype=np.int64) - own["caps"].reindex(ctx["row"], fill_value=0).to_numpy()
    return (word > 0) & (2 * caps > word)


def fit_term_hits(matches: pd.DataFrame, *, shouted: np.ndarray | None = None) -> pd.DataFrame:
    """Counted hits per (frame, term) of a matches table (or a shard of it), and how many of them are shouted
    (``shouted``: one flag per match row, e.g. :func:`shouted_matches`). Tables of shards add up by
    ``groupby(["frame", "term"]).sum()``."""
    flags = np.zeros(len(matches), dtype=bool) if shouted is None else np.asarray(shouted, dtype=bool)
    counted = matches["counted"].to_numpy(dtype=bool)
    m = pd.DataFrame({"frame": matches["frame"].to_numpy()[counted], "term": matches["term"].to_numpy()[counted],
                      "hits": 1, "shouted_hits": flags[counted].astype(np.int64)})
    return m.groupby(["frame", "term"], as_index=False, sort=True)[["hits", "shouted_hits"]].sum()


def dictionary_fit(docs: pd.DataFrame, term_hits: pd.DataFrame, *, frames: Sequence[str],
                   case_sensitive: Sequence[tuple[str, str]] = (), top: int = FIT_TOP_TERMS,
                   single_term_share: float = FIT_SINGLE_TERM_SHARE) -> pd.DataFrame:
    """How each frame's dictionary fits this corpus: documents with a hit, the terms that give its hits, warnings.

    ``docs`` is the documents table (one ``hits_<frame>`` column of counted hits per frame); ``term_hits`` the
    counted hits per (frame, term) (:func:`fit_term_hits`, summed over shards); ``case_sensitive`` the (frame,
    term) pairs matched as written. One row per frame and listed term (frames without a hit: one row, rank 0 and
    no term): ``n_docs`` documents, ``docs_with_hit`` of them with at least one hit of the frame and their
    ``share_docs``; the frame's ``hits``; its ``top`` terms by hits (ties: term order), ``rank`` 1, 2, ..., each
    with ``term_hits`` and ``term_share`` of the frame's hits; a case-sensitive term with ``shouted_hits`` is
    listed even below the top. ``warning`` (one sentence, or empty) on the row it is about: the first term of a
    frame when it gives at least ``single_term_share`` of the frame's hits (the frame's rate then measures one
    word), a case-sensitive term with hits in sentences written in capitals (:func:`shouted_matches`).

    Higher means: a higher ``share_docs`` is a dictionary that reaches more of the corpus; a ``term_share`` near 1
    is a frame that stands or falls with one word. Caveat: a good fit in coverage says nothing about validity;
    the validation chapter compares the dictionaries with human codes.
    """
    from analysis.render import fmt_number

    n_docs = int(len(docs))
    cs = {(str(f), str(t)) for f, t in case_sensitive}
    th = term_hits.groupby(["frame", "term"], as_index=False, sort=True)[["hits", "shouted_hits"]].sum()
    rows = []
    for f in frames:
        col = f"hits_{f}"
        with_hit = int((docs[col] > 0).sum()) if col in docs.columns else 0
        n_f = int(docs[col].notna().sum()) if col in docs.columns else n_docs  # documents where it is measured
        frame = {"frame": f, "n_docs": n_f, "docs_with_hit": with_hit,
                 "share_docs": with_hit / n_f if n_f else np.nan}
        sub = th[th["frame"] == f]
        sub = sub[sub["hits"] > 0].sort_values(["hits", "term"], ascending=[False, True], kind="stable")
        total = int(sub["hits"].sum())
        if not total:
            rows.append(frame | {"hits": 0, "rank": 0, "term": "", "case_sensitive": False, "term_hits": 0,
                                 "term_share": np.nan, "shouted_hits": 0, "warning": ""})
            continue
        sub = sub.assign(rank=np.arange(1, len(sub) + 1))
        loud = np.array([(f, str(t)) in cs for t in sub["term"]], dtype=bool) & (sub["shouted_hits"].to_numpy() > 0)
        sub = sub[(sub["rank"].to_numpy() <= top) | loud]
        for r in sub.itertuples(index=False):
            share = r.hits / total
            shouted = int(r.shouted_hits) if (f, str(r.term)) in cs else 0
            warning = ""
            if r.rank == 1 and share >= single_term_share:
                what = (f"its only hit is the term “{r.term}”" if total == 1 else
                        f"all {fmt_number(total)} of its hits are the one term “{r.term}”" if r.hits == total else
                        f"the one term “{r.term}” gives {fmt_number(100 * share, digits=0)}% of its "
                        f"{fmt_number(total)} hits")
                warning = f"Frame {f}: {what}, so its rate counts that word more than the frame."
            if shouted:
                which = ("its only hit" if r.hits == 1 else
                         f"{fmt_number(shouted)} of its {fmt_number(int(r.hits))} hits")
                warning = " ".join(filter(None, [warning, (
                    f"The case-sensitive term “{r.term}” ({f}) has {which} in sentences written in capitals, where it "
                    "may be a common word shouted rather than the name it stands for.")]))
            rows.append(frame | {"hits": total, "rank": int(r.rank), "term": r.term,
                                 "case_sensitive": (f, str(r.term)) in cs, "term_hits": int(r.hits),
                                 "term_share": share, "shouted_hits": shouted, "warning": warning})
    return pd.DataFrame(rows, columns=FIT_COLUMNS)


def dictionary_fit_of_shards(docs: pd.DataFrame, shards: Iterable[tuple[pd.DataFrame, Callable]], *,
                             frames: Sequence[str], lexicons: Sequence) -> pd.DataFrame:
    """:func:`dictionary_fit` of a corpus given shard by shard, for the active ``lexicons``.

    ``shards`` yields ``(matches, read_tokens)`` per shard: the shard's matches (at least the counted ones,
    :data:`FIT_MATCH_COLUMNS`) and a function that returns the shard's tokens (:data:`FIT_TOKEN_COLUMNS`) of at
    least the documents whose comment ids it is given. Tokens are read only for the documents holding a counted hit
    of a case-sensitive all-capitals term (``IS``, ``SAA``): the only hits that shouted text can fake.
    """
    terms = [lx.term_table() for lx in lexicons]
    terms = pd.concat(terms, ignore_index=True) if terms else pd.DataFrame(columns=["frame", "term",
                                                                                     "case_sensitive", "exclude"])
    sensitive = terms[terms["case_sensitive"].astype(bool) & ~terms["exclude"].astype(bool)]
    pairs = list(zip(sensitive["frame"], sensitive["term"]))
    caps = {(f, t) for f, t in pairs if str(t).isupper()}
    parts = [pd.DataFrame(columns=["frame", "term", "hits", "shouted_hits"])]
    for matches, read_tokens in shards:
        counted = matches["counted"].to_numpy(dtype=bool)
        loud = counted & np.fromiter(((f, t) in caps for f, t in zip(matches["frame"], matches["term"])),
                                     dtype=bool, count=len(matches))
        shouted = None
        if loud.any():
            keys = matches.loc[loud, _FIT_KEYS].drop_duplicates()
            tokens = read_tokens(sorted(set(keys["comment_id"]))).merge(keys, on=_FIT_KEYS)
            shouted = loud.copy()
            shouted[loud] = shouted_matches(matches[loud], tokens)
        parts.append(fit_term_hits(matches, shouted=shouted))
    hits = pd.concat(parts, ignore_index=True).astype({"hits": "int64", "shouted_hits": "int64"})
    return dictionary_fit(docs, hits, frames=frames, case_sensitive=sorted(set(pairs)))
