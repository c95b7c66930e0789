"""Resampling inference for corpus rates: cluster bootstrap and permutation tests.

Comments in one thread are not independent (they answer each other, share a
topic and often an author), so the unit of resampling here is the *cluster*
(typically the thread): a rate such as "frame hits per 1,000 tokens of group g"
is a ratio of two sums over clusters, and its uncertainty comes from
resampling whole clusters with replacement (field2007bootstrapping).

Everything is vectorised: a bootstrap replicate is a row of multinomial
weights ``W[b]`` over clusters, and a replicate's sums of all quantities
are one sparse matrix-vector product ``X.T @ W[b]`` (the sums of the matrix
product ``W @ X``, without holding ``W``). Functions are pure: arrays in, new
objects out.

References (bibtex keys of ``book/references.bib``): efron1994bootstrap,
field2007bootstrapping, good2005permutation.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp

from analysis.errors import bad_value, int_arg, level_arg, shape_text

__all__ = [
    "bootstrap_weights",
    "replicate_sums",
    "cluster_bootstrap_ratio",
    "cluster_bootstrap_mean",
    "permutation_test",
    "percentile_interval",
]

_INT32_MAX = int(np.iinfo(np.int32).max)
# permutation test: at most this many (permutation x observation) cells per chunk (~24 bytes each)
_PERM_CELLS = 1 << 22


# ---------------------------------------------------------------- argument checks


def _positive_arg(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) or not (
        np.isfinite(value) and value > 0
    ):
        raise bad_value(name, value, "a finite number > 0")
    return float(value)


def _numeric_vector(x, name: str, *, nonnegative: bool) -> np.ndarray:
    """A 1-D float64 copy of ``x``; finite (and >= 0 when asked) or ValueError."""
    a = np.asarray(x)
    if a.ndim != 1 or not (np.issubdtype(a.dtype, np.number) or a.dtype == bool):
        raise ValueError(f"{name}={shape_text(a)}: expected a 1-D numeric array")
    a = a.astype(np.float64)
    if not np.isfinite(a).all():
        raise ValueError(f"{name}={shape_text(a)}: expected finite values (no NaN or inf)")
    if nonnegative and (a < 0).any():
        raise ValueError(f"{name}={shape_text(a)}: expected values >= 0")
    return a


def _cluster_matrix(x, name: str, *, nonnegative: bool) -> sp.csr_array:
    """(n_clusters x k) float64 CSR copy of an array or sparse matrix; 1-D becomes one column."""
    if sp.issparse(x):
        m = sp.coo_array(x)
        if m.ndim == 1:
            m = m.reshape((m.shape[0], 1))
    else:
        a = np.asarray(x)
        if a.ndim == 1:
            a = a[:, None]
        if a.ndim != 2 or not (np.issubdtype(a.dtype, np.number) or a.dtype == bool):
            raise ValueError(f"{name}={shape_text(a)}: expected a 1-D or 2-D numeric array or a scipy.sparse matrix")
        m = sp.coo_array(a.astype(np.float64))
    if m.ndim != 2:
        raise ValueError(f"{name}={shape_text(m)}: expected a 1-D or 2-D array or a scipy.sparse matrix")
    m = sp.csr_array(m, dtype=np.float64)
    if not np.isfinite(m.data).all():
        raise ValueError(f"{name}={shape_text(m)}: expected finite values (no NaN or inf)")
    if nonnegative and (m.data < 0).any():
        raise ValueError(f"{name}={shape_text(m)}: expected values >= 0")
    m.eliminate_zeros()
    return m


# ---------------------------------------------------------------- bootstrap weights


def _draw_counts(rng: np.random.Generator, n: int) -> np.ndarray:
    """One replicate: how often each of ``n`` clusters is drawn in ``n`` draws with replacement.

    Counting ``n`` uniform draws is an exact Multinomial(n; 1/n, ..., 1/n)
    sample, and 5-10x faster than ``Generator.multinomial`` for many
    categories. Each replicate is exactly one ``integers`` call, so the
    stream consumed per replicate never depends on how replicates are grouped.
    """
    return np.bincount(rng.integers(0, n, size=n, dtype=np.int32), minlength=n)


def bootstrap_weights(n_clusters: int, *, n_boot: int, seed: int) -> np.ndarray:
    """Multinomial cluster-resampling counts: row b says how often each cluster is drawn in replicate b.

    Returns an ``(n_boot, n_clusters)`` int32 matrix whose rows each sum to
    ``n_clusters`` (a bootstrap sample has as many clusters as the data,
    drawn uniformly with replacement; efron1994bootstrap). Row b is the b-th
    replicate of the stream ``np.random.default_rng(seed)``, one replicate
    at a time, so the result is deterministic per seed and
    ``bootstrap_weights(n, n_boot=B, seed=s)[:b]`` equals
    ``bootstrap_weights(n, n_boot=b, seed=s)``. :func:`cluster_bootstrap_ratio`
    uses the very same replicates.

    Higher means: a cluster with weight 3 counts three times in that replicate;
    weight 0 means it was left out.

    Caveats: memory is ``n_boot * n_clusters * 4`` bytes (1000 x 1,000,000
    is 4 GB); for large corpora let :func:`cluster_bootstrap_ratio` generate
    the weights chunk by chunk instead of materialising them here.
    ``n_clusters`` is limited to 2**31 - 1.

    Reference: efron1994bootstrap.
    """
    n = int_arg("n_clusters", n_clusters, minimum=1, maximum=_INT32_MAX)
    b = int_arg("n_boot", n_boot, minimum=1)
    rng = np.random.default_rng(int_arg("seed", seed, minimum=0))
    out = np.empty((b, n), dtype=np.int32)
    for r in range(b):  # loop over replicates, each vectorised over clusters
        out[r] = _draw_counts(rng, n)
    return out


# ---------------------------------------------------------------- intervals


def percentile_interval(replicates, level: float = 0.95) -> tuple:
    """Percentile bootstrap interval: the (1-level)/2 and (1+level)/2 quantiles of the replicates.

    ``replicates`` is 1-D (one quantity; returns two floats) or
    ``(n_boot, k)`` (returns two length-k arrays). NaN replicates are
    ignored; a column with no finite replicate gives NaN bounds. Quantiles
    use numpy's default linear interpolation (Hyndman-Fan type 7).

    Higher means: a wider interval is more sampling uncertainty.

    Caveats: the percentile interval is first-order accurate only; it
    undercovers for skewed statistics and few clusters (efron1994bootstrap,
    ch. 13-14), where a BCa interval would be the refinement.

    Reference: efron1994bootstrap.
    """
    level = level_arg(level)
    r = np.asarray(replicates, dtype=np.float64)
    if r.ndim not in (1, 2) or r.shape[0] == 0:
        raise ValueError(f"replicates={shape_text(r)}: expected a non-empty 1-D or 2-D array (n_boot x k)")
    tail = (1.0 - level) / 2.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns -> NaN bounds
        low, high = np.nanquantile(r, [tail, 1.0 - tail], axis=0)
    if r.ndim == 1:
        return float(low), float(high)
    return low, high


def _nan_sd(r: np.ndarray, n_valid: np.ndarray) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        sd = np.nanstd(r, axis=0, ddof=1)
    return np.where(n_valid > 1, sd, np.nan)


# ---------------------------------------------------------------- cluster bootstrap


def _replicate_sum_chunks(x: sp.csr_array, *, n_boot: int, seed: int, chunk: int):
    """Yield ``(start, W[start:start+c] @ x)`` chunk by chunk: the replicate sums of every column of ``x``.

    ``W`` is the weight stream of :func:`bootstrap_weights` (same seed, same
    rows), drawn one replicate at a time. Clusters whose row of ``x`` is all
    zero are still drawn (they use up draws) but left out of the product.
    Each replicate's sums of all columns are one sparse matrix-vector product
    (``x`` transposed, one row per column, times the replicate's cluster
    counts): no replicates x clusters matrix is held, and every sum adds the
    same terms in the same order (clusters ascending) as a product with such
    a matrix would, so results are bitwise those of one. Columns of ``x``
    that are identical (the same denominator repeated for several
    quantities) are summed once and copied: the same terms in the same order
    give the same sum. Memory: the counts of one replicate
    (``n_clusters * 8`` bytes) and ``chunk * k`` sums.
    """
    n = x.shape[0]
    active = np.flatnonzero(np.diff(x.indptr) > 0)  # clusters that contribute to any sum
    all_active = len(active) == n
    xt = (x if all_active else x[active]).T.tocsr()  # (k x n_active), one row per column of x
    distinct, copy_of = _distinct_rows(xt)
    if len(distinct) < xt.shape[0]:
        xt = xt[distinct]
    else:
        copy_of = None
    rng = np.random.default_rng(seed)
    for start in range(0, n_boot, chunk):
        c = min(chunk, n_boot - start)
        sums = np.empty((c, x.shape[1]), dtype=np.float64)
        for r in range(c):  # one replicate per draw: results do not depend on the chunk size
            counts = _draw_counts(rng, n)
            row = xt @ (counts if all_active else counts[active]).astype(np.float64)
            sums[r] = row if copy_of is None else row[copy_of]
        yield start, sums


def _distinct_rows(m: sp.csr_array) -> tuple[np.ndarray, np.ndarray]:
    """The first of each set of identical rows of ``m`` (same stored positions and value bits), and for every
    row the position of its set's first row among them."""
    first: dict[tuple[bytes, bytes], int] = {}
    copy_of = np.empty(m.shape[0], dtype=np.intp)
    distinct = []
    for i, (s, e) in enumerate(zip(m.indptr[:-1], m.indptr[1:])):
        key = (m.indices[s:e].tobytes(), m.data[s:e].tobytes())
        j = first.setdefault(key, len(distinct))
        if j == len(distinct):
            distinct.append(i)
        copy_of[i] = j
    return np.asarray(distinct, dtype=np.intp), copy_of


def replicate_sums(values, *, n_boot: int = 1000, seed: int = 0, chunk: int = 50) -> np.ndarray:
    """Cluster-bootstrap replicates of column sums: row b is ``W[b] @ values``.

    ``values`` is ``(n_clusters, k)`` (array or scipy.sparse; 1-D is one
    column) of per-cluster sums; returns an ``(n_boot, k)`` float64 array
    whose row b sums each column over the clusters drawn in replicate b
    (weights ``bootstrap_weights(n_clusters, n_boot=n_boot, seed=seed)``, the
    same replicates as :func:`cluster_bootstrap_ratio` with that seed). Use it
    for statistics that are functions of several sums (e.g. a difference of
    two ratios): compute the statistic row-wise on the replicate sums, then
    :func:`percentile_interval`.

    Higher means: a larger replicate sum is more of the quantity in that
    resample; the spread across rows is the between-cluster variability.

    Caveats: as for :func:`cluster_bootstrap_ratio` (independent clusters, a
    fair number of them); memory: one replicate's cluster counts
    (``n_clusters * 8`` bytes) while running, plus the ``n_boot * k`` result.

    References: field2007bootstrapping, efron1994bootstrap.
    """
    x = _cluster_matrix(values, "values", nonnegative=False)
    int_arg("n_clusters", x.shape[0], minimum=1, maximum=_INT32_MAX)
    n_boot = int_arg("n_boot", n_boot, minimum=1)
    seed = int_arg("seed", seed, minimum=0)
    chunk = int_arg("chunk", chunk, minimum=1)
    out = np.empty((n_boot, x.shape[1]), dtype=np.float64)
    for start, sums in _replicate_sum_chunks(x, n_boot=n_boot, seed=seed, chunk=chunk):
        out[start : start + len(sums)] = sums
    return out


def cluster_bootstrap_ratio(
    numerator,
    denominator,
    *,
    n_boot: int = 1000,
    seed: int = 0,
    level: float = 0.95,
    scale: float = 1.0,
    chunk: int = 50,
    names: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Cluster-bootstrap a ratio of sums, ``scale * sum(numerator) / sum(denominator)``, for k quantities at once.

    ``numerator`` and ``denominator`` are ``(n_clusters, k)`` arrays or
    scipy.sparse matrices of per-cluster sums (e.g. hits of frame f in group
    g per thread, and tokens of group g per thread); a 1-D array is one
    quantity. Column k's estimate is ``scale * sum(num[:, k]) / sum(den[:, k])``;
    replicate b resamples whole clusters with the multinomial weights ``W[b]``
    of :func:`bootstrap_weights` and is ``scale * (W[b] @ num[:, k]) /
    (W[b] @ den[:, k])``, computed for all quantities of a replicate as one
    sparse matrix-vector product.

    Returns one row per quantity: ``quantity`` (``names`` or 0..k-1),
    ``estimate``, ``ci_low``/``ci_high`` (percentile interval at ``level``,
    :func:`percentile_interval`), ``se`` (standard deviation of the
    replicates, ddof=1), ``n_clusters`` (clusters with denominator > 0 in that
    column), ``n_boot`` and ``n_valid`` (replicates with a denominator > 0;
    the others are NaN and ignored).

    Higher means: ``estimate`` is the rate itself (higher = more hits per
    unit of denominator); a larger ``se`` or a wider interval is more
    between-cluster uncertainty.

    Chunking and determinism: replicates are generated ``chunk`` at a time
    from the single stream ``np.random.default_rng(seed)``, one replicate per
    draw, so replicate b is identical to ``bootstrap_weights(n_clusters,
    n_boot=n_boot, seed=seed)[b]`` whatever ``chunk`` is, and the result is
    the same for every chunk size. Memory beyond the inputs is small: one
    replicate's cluster counts (``n_clusters * 8`` bytes) and the ``n_boot x
    k`` replicates; 1,000 replicates over 1,000,000 clusters take about 7 s of
    CPU (``benchmarks/run.py --stages bootstrap``).

    Caveats: all clusters are resampled (also those with a zero denominator
    in some column, which keeps the quantities' joint sampling structure),
    so the number of contributing clusters varies between replicates. The
    cluster bootstrap assumes independent clusters and needs a fair number of
    them (a few dozen at least; with few clusters intervals are too narrow,
    field2007bootstrapping). A ratio estimator is biased in small samples;
    the percentile interval does not correct for that. Denominators must be
    >= 0.

    References: field2007bootstrapping (resampling clusters),
    efron1994bootstrap (bootstrap, percentile interval).
    """
    num = _cluster_matrix(numerator, "numerator", nonnegative=False)
    den = _cluster_matrix(denominator, "denominator", nonnegative=True)
    if num.shape != den.shape:
        raise ValueError(
            f"denominator={shape_text(den)}: expected the shape of numerator {num.shape} (clusters x quantities)"
        )
    n, k = num.shape
    int_arg("n_clusters", n, minimum=1, maximum=_INT32_MAX)
    n_boot = int_arg("n_boot", n_boot, minimum=1)
    seed = int_arg("seed", seed, minimum=0)
    level = level_arg(level)
    scale = _positive_arg("scale", scale)
    chunk = int_arg("chunk", chunk, minimum=1)
    labels = list(range(k)) if names is None else list(names)
    if len(labels) != k:
        raise bad_value("names", names, f"{k} names, one per column")

    stacked = sp.hstack([num, den], format="csr")
    totals = np.asarray(stacked.sum(axis=0)).ravel()
    with np.errstate(divide="ignore", invalid="ignore"):
        estimate = np.where(totals[k:] > 0, scale * totals[:k] / np.where(totals[k:] > 0, totals[k:], 1.0), np.nan)
    n_clusters = np.asarray((den > 0).sum(axis=0)).ravel().astype(np.int64)

    reps = np.empty((n_boot, k), dtype=np.float64)
    for start, sums in _replicate_sum_chunks(stacked, n_boot=n_boot, seed=seed, chunk=chunk):
        top, bottom = sums[:, :k], sums[:, k:]
        with np.errstate(divide="ignore", invalid="ignore"):
            reps[start : start + len(sums)] = np.where(bottom > 0, scale * top / np.where(bottom > 0, bottom, 1.0),
                                                       np.nan)

    n_valid = np.isfinite(reps).sum(axis=0)
    low, high = percentile_interval(reps, level=level)
    return pd.DataFrame(
        {
            "quantity": labels,
            "estimate": estimate,
            "ci_low": low,
            "ci_high": high,
            "se": _nan_sd(reps, n_valid),
            "n_clusters": n_clusters,
            "n_boot": np.full(k, n_boot, dtype=np.int64),
            "n_valid": n_valid.astype(np.int64),
        }
    )


def cluster_bootstrap_mean(
    values,
    clusters,
    *,
    n_boot: int = 1000,
    seed: int = 0,
    level: float = 0.95,
    chunk: int = 50,
    names: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Cluster-bootstrap the mean of a per-observation value (e.g. comment length), resampling whole clusters.

    ``values`` is 1-D (n_obs) or ``(n_obs, k)``; ``clusters`` gives each
    observation's cluster label (e.g. thread id; any hashable, no missing
    values). The mean over observations is the ratio ``sum(values) /
    n_obs``, so values and counts are summed per cluster (``np.bincount`` /
    ``scipy.sparse.coo_array``) and passed to :func:`cluster_bootstrap_ratio`
    with the same seed, level and chunk; see there for the columns and the
    determinism guarantee. ``quantity`` is ``"mean"`` for 1-D values.

    Higher means: a higher estimate is a higher average value per
    observation; wider intervals are more between-cluster uncertainty.

    Caveats: observations are weighted equally, so large clusters weigh
    more (this is the pooled mean, not the mean of cluster means); few
    clusters give too-narrow intervals (field2007bootstrapping).

    References: field2007bootstrapping, efron1994bootstrap.
    """
    v = np.asarray(values)
    if v.ndim == 1:
        v = v[:, None]
        labels = ["mean"] if names is None else names
    else:
        labels = names
    if v.ndim != 2 or not (np.issubdtype(v.dtype, np.number) or v.dtype == bool):
        raise ValueError(f"values={shape_text(v)}: expected a 1-D or 2-D numeric array (observations x quantities)")
    v = v.astype(np.float64)
    if not np.isfinite(v).all():
        raise ValueError(f"values={shape_text(v)}: expected finite values (no NaN or inf)")
    cl = np.asarray(clusters)
    if cl.ndim != 1 or len(cl) != v.shape[0] or len(cl) == 0:
        raise ValueError(f"clusters={shape_text(cl)}: "
                         f"expected a non-empty 1-D array with one label per observation ({v.shape[0]})")
    codes, uniques = pd.factorize(cl)
    if (codes < 0).any():
        raise ValueError(f"clusters={shape_text(cl)}: expected no missing cluster labels")
    g, k = len(uniques), v.shape[1]
    rows = np.repeat(codes, k)
    cols = np.tile(np.arange(k), len(codes))
    num = sp.coo_array((v.ravel(), (rows, cols)), shape=(g, k)).tocsr()  # duplicates are summed
    size = np.bincount(codes, minlength=g).astype(np.float64)
    den = np.repeat(size[:, None], k, axis=1)
    return cluster_bootstrap_ratio(num, den, n_boot=n_boot, seed=seed, level=level, chunk=chunk, names=labels)


# ---------------------------------------------------------------- permutation test


def permutation_test(
    hits,
    tokens,
    labels,
    *,
    strata=None,
    n_perm: int = 9999,
    seed: int = 0,
    scale: float = 1000.0,
    chunk: int | None = None,
) -> dict:
    """Two-sided permutation test that a rate (hits per ``scale`` tokens) is equal for labels True and False.

    One entry per observation (e.g. comment or document): its ``hits`` and
    ``tokens`` and a boolean ``labels`` (e.g. "comment by side A"). The
    statistic is ``rate_true - rate_false`` with ``rate = scale *
    sum(hits) / sum(tokens)`` over the observations of each label. Labels are
    shuffled ``n_perm`` times; with ``strata`` (e.g. thread ids) only within
    each stratum, so every stratum keeps its number of True labels.

    Returns a dict: ``observed`` (rate_true - rate_false), ``p_value`` =
    (1 + #{|permuted difference| >= |observed|}) / (n_valid + 1), where a
    tolerance of 1e-12 * max(1, |observed|) absorbs floating-point noise
    and the +1 counts the observed labelling, so p is never 0
    (good2005permutation); ``n_perm``; ``n_valid`` (permutations where both
    labels have tokens > 0; others are undefined and skipped);
    ``rate_true``; ``rate_false``.

    Higher means: ``observed`` > 0 means the rate is higher for True; a
    smaller ``p_value`` is stronger evidence against equal rates.

    Assumption (exchangeability): under the null hypothesis the labels are
    exchangeable among the observations (within each stratum when given),
    i.e. any reassignment of labels is as likely as the observed one. This
    fails when observations are dependent across the permuted unit: comments
    of one thread are not exchangeable with another thread's, so permute
    within threads (``strata``) or test at the thread level. Strata where
    all labels are equal contribute a fixed amount to both rates.

    Implementation: per chunk of permutations (``chunk`` rows, default
    automatic, about 100 MB), a 2-D array of random keys, sorted together with
    the stratum code (one int64 key: stratum in the high bits, random bits in
    the low bits, which orders like ``np.lexsort((key, stratum))``), gives a
    within-stratum shuffle per row; the rates of all rows are one matrix
    product. The keys come from one stream ``np.random.default_rng(seed)``
    filled row by row, so results are identical for every ``chunk``, and
    ``strata=None`` equals one common stratum.

    Reference: good2005permutation.
    """
    h = _numeric_vector(hits, "hits", nonnegative=False)
    t = _numeric_vector(tokens, "tokens", nonnegative=True)
    lab = np.asarray(labels)
    if lab.dtype != bool or lab.ndim != 1:
        raise ValueError(f"labels={shape_text(lab)}: expected a 1-D boolean array")
    n = len(lab)
    if len(h) != n or len(t) != n:
        raise ValueError(f"tokens={shape_text(t)}: expected hits, tokens and labels of equal length ({n})")
    n_perm = int_arg("n_perm", n_perm, minimum=1)
    seed = int_arg("seed", seed, minimum=0)
    scale = _positive_arg("scale", scale)
    if chunk is not None:
        chunk = int_arg("chunk", chunk, minimum=1)
    if t[lab].sum() <= 0 or t[~lab].sum() <= 0:
        raise ValueError("labels=<array>: expected observations with tokens > 0 under both True and False")

    if strata is None:
        codes = np.zeros(n, dtype=np.int64)
    else:
        s = np.asarray(strata)
        if s.ndim != 1 or len(s) != n:
            raise ValueError(f"strata={shape_text(s)}: expected a 1-D array with one stratum per observation ({n})")
        codes = pd.factorize(s)[0].astype(np.int64)
        if (codes < 0).any():
            raise ValueError(f"strata={shape_text(s)}: expected no missing stratum labels")

    # only strata with both labels can change; the others add a fixed amount
    n_true = np.bincount(codes, weights=lab.astype(np.float64))
    n_all = np.bincount(codes)
    movable = ((n_true > 0) & (n_true < n_all))[codes]
    fixed = lab & ~movable
    fixed_h, fixed_t = h[fixed].sum(), t[fixed].sum()
    total_h, total_t = h.sum(), t.sum()

    idx = np.flatnonzero(movable)
    idx = idx[np.argsort(codes[idx], kind="stable")]  # grouped by stratum
    m = len(idx)
    x = np.column_stack([h[idx], t[idx]])
    lab_m = lab[idx].astype(np.float64)
    dense = np.unique(codes[idx], return_inverse=True)[1].astype(np.int64).reshape(-1)
    shift = 62 - (int(dense.max()).bit_length() if m else 0)
    high = dense << shift

    def difference(sums: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        ht, tt = fixed_h + sums[:, 0], fixed_t + sums[:, 1]
        hf, tf = total_h - ht, total_t - tt
        ok = (tt > 0) & (tf > 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            rt = np.where(ok, scale * ht / np.where(ok, tt, 1.0), np.nan)
            rf = np.where(ok, scale * hf / np.where(ok, tf, 1.0), np.nan)
        return rt - rf, rt, rf

    observed, rate_true, rate_false = (float(a[0]) for a in difference((lab_m @ x)[None, :]))
    threshold = abs(observed) - 1e-12 * max(1.0, abs(observed))

    rows = chunk if chunk is not None else max(1, min(n_perm, _PERM_CELLS // max(m, 1)))
    rng = np.random.default_rng(seed)
    n_extreme = n_valid = 0
    for start in range(0, n_perm, rows):
        c = min(rows, n_perm - start)
        if m:
            keys = high[None, :] | rng.integers(0, 1 << shift, size=(c, m), dtype=np.int64)
            perm_lab = lab_m[np.argsort(keys, axis=1)]  # row b: labels shuffled within strata
            sums = perm_lab @ x
        else:
            sums = np.zeros((c, 2))
        diff = difference(sums)[0]
        valid = np.isfinite(diff)
        n_valid += int(valid.sum())
        n_extreme += int((np.abs(diff[valid]) >= threshold).sum())
    return {
        "observed": observed,
        "p_value": (1.0 + n_extreme) / (n_valid + 1.0),
        "n_perm": n_perm,
        "n_valid": n_valid,
        "rate_true": rate_true,
        "rate_false": rate_false,
    }
