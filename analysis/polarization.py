"""Polarization of language and of positions: leave-out partisanship and Esteban-Ray polarization.

* :func:`leave_out_partisanship` is the leave-out estimator π̂_LO of
  gentzkow2019measuring, as applied to social media by demszky2019analyzing:
  the expected posterior probability that an observer who knows the two
  groups' term frequencies, but not the author, assigns to the author's true
  group after hearing one term drawn from the author's speech. 0.5 is
  chance (no partisanship), 1 is perfect separation. Each author's own
  speech is left out of the group frequencies used to judge that author,
  which removes the finite-sample bias that makes the plug-in estimator
  report partisanship where there is none.
* :func:`term_contributions` splits π̂_LO - 0.5 into one additive part per term.
* :func:`partisanship` adds an author-bootstrap interval, a shuffled-label
  baseline and a permutation p-value; :func:`partisanship_by_group` does the
  same for more than two groups (one-vs-rest or pairwise).
* :func:`leave_out_multigroup` / :func:`partisanship_multigroup`: one
  estimate for K groups (the leave-out posterior of a speaker's own group,
  chance 1/K); :func:`partisanship_by_stratum` the same within each stratum
  (topic, thread, period) and pooled over strata, weighted by speakers.
* :func:`esteban_ray` is the polarization index of esteban1994measurement
  over a distribution of positions (e.g. stance scores).

Inputs are an (authors x terms) count matrix (scipy.sparse, or a 2-D array)
and the authors' groups. Everything is vectorised over the non-zeros of the
matrix: one estimate costs O(nnz + n_terms + n_authors), with no loop over
authors or terms. Functions are pure: arrays in, new objects out.

References (bibtex keys): gentzkow2019measuring, demszky2019analyzing,
esteban1994measurement, efron1994bootstrap, good2005permutation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from analysis.errors import bad_value, count_matrix_arg, int_arg, level_arg, shape_text
from analysis.stats import bootstrap_weights, percentile_interval

__all__ = [
    "leave_out_partisanship",
    "term_contributions",
    "partisanship",
    "partisanship_by_group",
    "esteban_ray",
    "leave_out_multigroup",
    "partisanship_multigroup",
    "partisanship_by_stratum",
    "REST",
    "POOLED",
]

REST = "(rest)"
"""``group_b`` of one-vs-rest rows of :func:`partisanship_by_group`: all other groups."""

# a permuted statistic counts as ">= observed" within this relative tolerance (floating-point noise)
_TOLERANCE = 1e-12
# non-zeros per block of the estimator's second pass: its temporaries (~10 arrays) stay in cache
_BLOCK = 1 << 15
# replicates whose group totals come from one sparse product, and a bound on that product's dense matrices (bytes)
_BATCH = 32
_BATCH_BYTES = 1 << 26


# ---------------------------------------------------------------- argument checks


def _count_matrix(counts) -> tuple[sp.csr_array, bool]:
    """(authors x terms) CSR view or copy with canonical, strictly positive entries, and whether all are whole numbers.

    Integer counts keep their dtype (no float copy); other numeric input
    becomes float64. The caller's arrays are never modified.
    """
    m = count_matrix_arg(counts, rows="authors")
    if m.dtype == bool:
        m = m.astype(np.int64)
    elif not (np.issubdtype(m.dtype, np.integer) or np.issubdtype(m.dtype, np.floating)):
        raise ValueError(f"counts={shape_text(m)}: expected real counts (integer or float), not {m.dtype}")
    elif np.issubdtype(m.dtype, np.floating) and m.dtype != np.float64:
        m = m.astype(np.float64)
    if not m.has_canonical_format:  # duplicate entries: sum them, on a copy (never touch the caller's arrays)
        m = m.copy()
        m.sum_duplicates()
    integral = bool(np.issubdtype(m.dtype, np.integer))
    if not integral and not np.isfinite(m.data).all():
        raise ValueError(f"counts={shape_text(m)}: expected finite counts >= 0")
    if (m.data < 0).any():
        raise ValueError(f"counts={shape_text(m)}: expected finite counts >= 0")
    if (m.data == 0).any():
        m = m.copy()
        m.eliminate_zeros()
    if not integral:
        integral = bool(np.array_equal(m.data, np.floor(m.data)))
    return m, integral


def _boolean_groups(groups, n: int) -> np.ndarray:
    g = np.asarray(groups)
    if g.ndim != 1 or len(g) != n:
        raise ValueError(
            f"groups={shape_text(g)}: expected a 1-D array with one group per author (row of counts, {n})"
        )
    if g.dtype == bool:
        return g
    if np.issubdtype(g.dtype, np.number) and np.isin(g, (0, 1)).all():
        return g.astype(bool)
    raise ValueError(f"groups={shape_text(g)}: expected booleans or 0/1 (True or 1 = group R, False or 0 = group D)")


# ---------------------------------------------------------------- the one-pass core


@dataclass(frozen=True)
class _Speech:
    """A count matrix restricted to authors with tokens, in CSR arrays.

    ``indptr``/``cols``/``vals``: the CSR structure of the kept authors'
    rows (every row has at least one non-zero); ``length``: m_i per kept
    author; ``kept``: their original row numbers; ``integral``: all counts
    are whole numbers, so leave-out counts are exact. Nothing here depends
    on the labels, so bootstrap and permutation replicates reuse it.
    """

    indptr: np.ndarray
    cols: np.ndarray
    vals: np.ndarray
    length: np.ndarray
    kept: np.ndarray
    n_terms: int
    integral: bool

    @property
    def per_row(self) -> np.ndarray:
        return np.diff(self.indptr)


def _speech(m: sp.csr_array, integral: bool) -> _Speech:
    length_all = np.asarray(m.sum(axis=1)).ravel().astype(np.float64)
    kept = np.flatnonzero(length_all > 0)
    if len(kept) < m.shape[0]:
        m = m[kept]
    return _Speech(m.indptr, m.indices, m.data, length_all[kept], kept, m.shape[1], integral)


def _blocks(indptr: np.ndarray, size: int) -> list[tuple[int, int]]:
    """Row ranges [r0, r1) holding about ``size`` non-zeros each (a longer row is a block of its own)."""
    nnz = int(indptr[-1])
    cuts = np.unique(np.searchsorted(indptr, np.arange(0, nnz, size), side="right") - 1)
    bounds = [*cuts.tolist(), len(indptr) - 1]
    return [(a, b) for a, b in zip(bounds[:-1], bounds[1:]) if b > a]


def _labelling(s: _Speech, in_r: np.ndarray, weight: np.ndarray | None):
    """What one labelling (and bootstrap weights) gives every author: group code (0 = R, 1 = D), weight w_i,
    group sizes Σ w, the author's weighted length w_i m_i, and the groups' totals M_R, M_D."""
    code = (~in_r).astype(np.intp)
    w = np.ones(len(s.length)) if weight is None else weight
    size = np.bincount(code, weights=w, minlength=2)
    author_total = s.length if weight is None else weight * s.length
    total = np.bincount(code, weights=author_total, minlength=2)
    return code, w, size, author_total, total


def _combine(s: _Speech, sums: np.ndarray, code: np.ndarray, size: np.ndarray, weight: np.ndarray | None) -> float:
    """π̂_LO from the per-author sums of :meth:`_Passes.scores`: the weighted mean per group of sums / m_i."""
    per_author = sums / s.length  # q_i · share
    if weight is not None:
        per_author *= weight
    per_group = np.bincount(code, weights=per_author, minlength=2)
    return float(0.5 * per_group[0] / size[0] + 0.5 * per_group[1] / size[1])


class _Passes:
    """The estimator's passes over one speech: the point estimate, per-term scores, and bootstrap and
    permutation replicates, all by the same operations.

    For one labelling ``in_r`` (bool per kept author) and bootstrap
    multiplicities ``weight`` (per kept author, default 1), author i's score
    is Σ_j c_ij · (own-group leave-out share of j). The share is ρ_{-i,j}
    for i in R and 1 - ρ_{-i,j} for i in D; in both cases a / (a + b) with
    a = (C_gj - w_i c_ij) / (M_g - w_i m_i) the leave-out frequency of j in
    i's own group g (all w_i copies of author i left out) and b = C_hj / M_h
    its frequency in the other group h, computed as
    ``own / (own + (M_g - w_i m_i) · b)`` with 0/0 = ½. The caller
    guarantees >= 2 distinct authors with weight > 0 in each group, so
    every leave-out total M_g - w_i m_i is > 0.

    Two passes over the non-zeros: the group totals C_R, C_D are one sparse
    product ``counts.T @ [w·R, w·D]``; then blocks of about 32k non-zeros
    (so the temporaries stay in cache) look up each non-zero's own-group
    total and other-group rate by term and reduce per author
    (``np.add.reduceat`` over the CSR rows). Savings for many replicates:

    * the group totals of several replicates come from one sparse product
      ``counts.T @ [w·R_1, w·D_1, w·R_2, w·D_2, ...]`` (scipy adds up each
      output cell over the authors in the same order whatever the number of
      columns, so each column equals the product with its two columns alone);
    * the per-block slices of the non-zeros (columns as index type, values,
      row lengths, row starts) are cut once per speech, not per replicate;
    * lookups use ``np.take`` into reused buffers (about 3x faster than
      fancy indexing), and the 0/0 = ½ case is found from the per-author
      sums of a block (0/0 is the only NaN the pass can make) instead of a
      test on every non-zero; blocks with such a term are then patched.

    ``tests/test_polarization_speed.py`` holds the plain one-pass definition
    (no blocks, no batches) that every result here equals bit for bit.
    """

    def __init__(self, s: _Speech):
        self.s = s
        n, t = len(s.length), s.n_terms
        self.counts_t = sp.csr_array((s.vals, s.cols, s.indptr), shape=(n, t)).T  # CSC: authors are its columns
        cols = s.cols.astype(np.intp, copy=False)
        indptr = s.indptr
        self.blocks = []
        for r0, r1 in _blocks(indptr, _BLOCK):
            p0, p1 = int(indptr[r0]), int(indptr[r1])
            self.blocks.append((r0, r1, p0, np.diff(indptr[r0 : r1 + 1]), cols[p0:p1], s.vals[p0:p1],
                                indptr[r0:r1] - p0))
        self.width = max((len(vals) for *_, vals, _ in self.blocks), default=0)
        # replicates per sparse product: at most _BATCH, and the two dense (n + t) x 2k matrices within _BATCH_BYTES
        self.batch = int(max(1, min(_BATCH, _BATCH_BYTES // (16 * (n + t)))))

    def estimates(self, replicates) -> np.ndarray:
        """π̂_LO of each (in_r, weight or None) pair of an iterable, consumed ``self.batch`` at a time."""
        out: list[float] = []
        it = iter(replicates)
        while True:
            chunk = [r for _, r in zip(range(self.batch), it)]
            if not chunk:
                return np.array(out, dtype=np.float64)
            out.extend(_combine(self.s, sums, code, size, weight) for sums, code, size, weight in self._batch(chunk))

    def scores(
        self, in_r: np.ndarray, weight: np.ndarray | None = None, *, per_term: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """One labelling: (score per author, group code per author: 0 = R, 1 = D, group sizes Σ w).

        The scores are not yet divided by m_i nor weighted by w_i. With
        ``per_term`` (an array of length nnz), the per-non-zero scores
        c_ij · share_ij are also written there.
        """
        sums, code, size, _ = self._batch([(in_r, weight)], per_term=per_term)[0]
        return sums, code, size

    def _batch(self, chunk: list, *, per_term: np.ndarray | None = None) -> list[tuple]:
        s = self.s
        n = len(s.length)
        rows = np.arange(n)
        sides = np.zeros((n, 2 * len(chunk)))
        setup = []
        for k, (in_r, weight) in enumerate(chunk):
            code, w, size, author_total, total = _labelling(s, in_r, weight)
            sides[rows, 2 * k + code] = w
            setup.append((code, weight, size, author_total, total))
        products = np.asarray(self.counts_t @ sides)  # (t, 2k): C_R and C_D of each replicate
        del sides
        out = []
        for k, (code, weight, size, author_total, total) in enumerate(setup):
            group_term = np.concatenate([products[:, 2 * k], products[:, 2 * k + 1]])
            sums = self._sums(code, weight, author_total, total, group_term, per_term)
            out.append((sums, code, size, weight))
        return out

    def _sums(self, code, weight, author_total, total, group_term, per_term) -> np.ndarray:
        """The per-author scores of one labelling, from the group totals ``group_term`` (C_R then C_D)."""
        s = self.s
        t = s.n_terms
        # cell (g, j): the *other* group's relative frequency of j, as seen from group g
        other_rate = np.concatenate([group_term[t:] / total[1], group_term[:t] / total[0]])
        leave_total = total[code] - author_total  # M_g - w_i m_i
        offset = code * t
        sums = np.empty(len(s.length))
        own_buf, den_buf = np.empty(self.width), np.empty(self.width)
        with np.errstate(invalid="ignore"):  # 0/0 (nobody else uses j) is NaN here, then set to ½ below
            for r0, r1, p0, per_row, cols, vals, starts in self.blocks:  # blocks of rows; each is vectorised
                k = len(vals)
                index = offset[r0:r1].repeat(per_row)
                index += cols
                wc = vals if weight is None else weight[r0:r1].repeat(per_row) * vals
                if s.integral:
                    own = group_term.take(index, out=own_buf[:k], mode="wrap")  # index < 2t: never wraps
                    own -= wc  # leave-out count of j in i's own group
                else:
                    in_group = group_term.take(index, mode="wrap")
                    own = np.subtract(in_group, wc, out=own_buf[:k])
                    # exactly 0 when only author i uses j in its group; with non-integer counts rounding can leave
                    # a tiny remainder, which would turn the 0/0 = ½ convention into a spurious share of 1
                    own[own <= 1e-12 * in_group] = 0.0
                den = other_rate.take(index, out=den_buf[:k], mode="wrap")
                den *= leave_total[r0:r1].repeat(per_row)
                den += own
                np.divide(own, den, out=own)
                own *= vals
                block = np.add.reduceat(own, starts)  # every row is non-empty
                if np.isnan(block).any():  # some den == 0, nobody else uses j: share ½ there
                    nobody = den == 0
                    own[nobody] = 0.5 * vals[nobody]
                    block = np.add.reduceat(own, starts)
                sums[r0:r1] = block
                if per_term is not None:
                    per_term[p0 : p0 + k] = own
        return sums


def _prepare(counts, groups) -> tuple[_Speech, np.ndarray, int]:
    """Validated speech and labels (authors with m_i > 0 only) and the number of authors dropped."""
    m, integral = _count_matrix(counts)
    g = _boolean_groups(groups, m.shape[0])
    s = _speech(m, integral)
    in_r = g[s.kept]
    n_r, n_d = int(in_r.sum()), int((~in_r).sum())
    if n_r < 2 or n_d < 2:
        raise ValueError(
            f"groups={shape_text(g)}: expected at least 2 authors with tokens in each group "
            f"(found {n_r} in R and {n_d} in D); the leave-out frequencies need another author of the group"
        )
    return s, in_r, m.shape[0] - len(s.kept)


# ---------------------------------------------------------------- the estimator


def leave_out_partisanship(counts, groups) -> float:
    """Leave-out partisanship π̂_LO: how well one term of an author's speech reveals the author's group (0.5 = chance).

    ``counts`` is an (authors x terms) scipy.sparse matrix (or 2-D array) of
    term counts c_i per author; ``groups`` a boolean or 0/1 array, True (1) =
    group R, False (0) = group D. With m_i = Σ_j c_ij, q_i = c_i / m_i, group
    totals C_g = Σ_{k∈g} c_k and M_g = Σ_{k∈g} m_k::

        q̂^R_{-i} = (C_R - c_i) / (M_R - m_i),  q̂^D = C_D / M_D          (i ∈ R)
        q̂^D_{-i} = (C_D - c_i) / (M_D - m_i),  q̂^R = C_R / M_R          (i ∈ D)
        ρ_{-i,j} = q̂^R_{-i,j} / (q̂^R_{-i,j} + q̂^D_{-i,j})
        π̂_LO    = ½ · mean_{i∈R} q_i·ρ_{-i} + ½ · mean_{i∈D} q_i·(1 - ρ_{-i})

    (gentzkow2019measuring, the leave-out estimator; used for
    tweets by demszky2019analyzing). ρ_{-i,j} is the posterior probability
    of R after hearing term j, judged from everyone's speech but i's.

    Conventions (decisions of this module; the formula leaves 0/0 open, and
    corpora are usually pruned of rare terms first, which makes it rare):

    * 0/0 = ½: a term nobody but author i uses (so both leave-out
      frequencies are 0) gives the observer no information, so ρ = ½ —
      chance. Such a term then contributes exactly what it would under no
      partisanship (its part in :func:`term_contributions` is 0), instead of
      counting as evidence against the author's group (as ρ = 0 would).
    * Authors with m_i = 0 (no tokens) are dropped: q_i is undefined and
      they say nothing. Each group needs at least 2 authors with tokens
      (ValueError otherwise), so that every leave-out total M_g - m_i is > 0.
    * Every author has equal weight (the mean over authors), however much
      they wrote; a term's weight within an author is its share q_ij.

    Implementation: for i ∈ R only the terms with c_ij > 0 matter (q_ij = 0
    elsewhere), and on those the leave-out frequency is (C_Rj - c_ij) /
    (M_R - m_i). So the group totals C_R, C_D are one sparse product over
    the matrix, and a second pass over the non-zeros (in cache-sized blocks
    of rows) looks up each non-zero's group total and the other group's
    rate and sums per author. Cost O(nnz + n_terms + n_authors) time and
    memory; no per-author loop, no dense matrix (on 100,000 authors x 50,000
    terms with 5 million non-zeros, about 13 times one ``counts.sum(axis=0)``;
    see ``benchmarks/bench_leave_out.py``).

    Higher means: more division — authors' word choice reveals their group
    more. 0.5 is no partisanship (guessing the group from one word does no
    better than a coin); 1 is perfect separation (every term is used by one
    group only). Values slightly below 0.5 are sampling noise.

    Caveats: leaving each author out removes the own-speech bias (the large
    upward bias of the plug-in estimator when terms are many and authors
    write little; gentzkow2019measuring), but π̂_LO stays noisy when authors
    write little; it is not comparable across corpora with very different
    vocabularies or author lengths, and terms used by only a few authors
    are noisy evidence. Compare with the shuffled-label baseline of
    :func:`partisanship`. The paper's penalised (multinomial-regression)
    estimator is not implemented.

    References: gentzkow2019measuring, demszky2019analyzing.
    """
    s, in_r, _ = _prepare(counts, groups)
    return float(_Passes(s).estimates([(in_r, None)])[0])


def term_contributions(counts, groups, terms: Sequence[str]) -> pd.DataFrame:
    """Each term's additive part of the leave-out partisanship above chance: the parts sum to π̂_LO - 0.5.

    Decomposition: π̂_LO = Σ_j s_j with the per-term summand
    ``s_j = ½ mean_{i∈R} q_ij ρ_{-i,j} + ½ mean_{i∈D} q_ij (1 - ρ_{-i,j})``
    (same conventions as :func:`leave_out_partisanship`). With no
    partisanship (ρ ≡ ½) the summand would be ``¼ (q̄^R_j + q̄^D_j)``, where
    q̄^g_j = mean_{i∈g} q_ij is the term's average share in the group's
    authors; these sum to 0.5 over terms. The contribution is::

        contribution_j = s_j - ¼ (q̄^R_j + q̄^D_j)
                       = ½ mean_{i∈R} q_ij (ρ_{-i,j} - ½) + ½ mean_{i∈D} q_ij (½ - ρ_{-i,j})

    so Σ_j contribution_j = π̂_LO - 0.5 exactly. ``part_R`` and ``part_D``
    are the two halves (from R's and from D's authors); contribution =
    part_R + part_D.

    Returns one row per term: ``term``, ``contribution``, ``part_R``,
    ``part_D``, ``freq_R`` and ``freq_D`` (pooled relative frequency C_gj /
    M_g in each group, all authors), ``favours`` ("R" if freq_R > freq_D,
    "D" if lower, "" if equal), ``n_authors`` (authors with tokens who use
    the term). Sorted by contribution descending (ties: term order).

    Higher means: a larger contribution is a term that does more of the work
    of revealing authors' groups; a negative contribution is a term whose
    use points the other way than the author's group (noise, or a term both
    sides use in a way the leave-out frequencies mispredict). A term used by
    one author only contributes exactly 0 (the 0/0 = ½ convention).

    Caveats: frequent terms dominate (a term's weight is its share of
    authors' speech); the parts are descriptive, not tests.

    References: gentzkow2019measuring, demszky2019analyzing.
    """
    s, in_r, _ = _prepare(counts, groups)
    t = s.n_terms
    names = np.asarray([str(x) for x in terms], dtype=object)
    if len(names) != t:
        raise ValueError(f"terms=<{len(names)} labels>: expected {t}, one per column of counts")
    scores = np.empty(len(s.vals))
    _, code, size = _Passes(s).scores(in_r, per_term=scores)
    per_row = s.per_row
    index = np.repeat(code * t, per_row) + s.cols
    per_author = np.repeat(1.0 / (s.length * size[code]), per_row)  # 1 / (m_i |g|)
    chance = 0.25 * np.bincount(index, weights=s.vals * per_author, minlength=2 * t)  # ¼ q̄^g_j
    scores *= 0.5  # in place: 0.5 · score · per_author without two more arrays of nnz
    scores *= per_author
    del per_author
    parts = np.bincount(index, weights=scores, minlength=2 * t) - chance
    del scores
    part_r, part_d = parts[:t], parts[t:]
    group_term = np.bincount(index, weights=s.vals, minlength=2 * t)
    total = np.bincount(code, weights=s.length, minlength=2)
    freq_r, freq_d = group_term[:t] / total[0], group_term[t:] / total[1]
    favours = np.where(freq_r > freq_d, "R", np.where(freq_r < freq_d, "D", ""))
    contribution = part_r + part_d
    order = np.lexsort((np.arange(t), -contribution))
    return pd.DataFrame(
        {
            "term": names[order],
            "contribution": contribution[order],
            "part_R": part_r[order],
            "part_D": part_d[order],
            "freq_R": freq_r[order],
            "freq_D": freq_d[order],
            "favours": favours[order].astype(object),
            "n_authors": np.bincount(s.cols, minlength=t)[order],
        }
    )


# ---------------------------------------------------------------- inference


def _bootstrap_seeds(seed: int) -> tuple[int, int]:
    """Seeds of the R and D author-resampling streams, derived from one seed."""
    a, b = np.random.SeedSequence(seed).generate_state(2)
    return int(a), int(b)


def _bootstrap(
    s: _Speech, in_r: np.ndarray, *, n_boot: int, seed: int, passes: _Passes | None = None
) -> np.ndarray:
    idx_r, idx_d = np.flatnonzero(in_r), np.flatnonzero(~in_r)
    seed_r, seed_d = _bootstrap_seeds(seed)
    w_r = bootstrap_weights(len(idx_r), n_boot=n_boot, seed=seed_r)
    w_d = bootstrap_weights(len(idx_d), n_boot=n_boot, seed=seed_d)
    # one distinct author in a group: no leave-out frequencies, NaN
    valid = [b for b in range(n_boot) if np.count_nonzero(w_r[b]) >= 2 and np.count_nonzero(w_d[b]) >= 2]

    def weights():
        for b in valid:  # each replicate is one O(nnz) pass
            weight = np.zeros(len(in_r))
            weight[idx_r] = w_r[b]
            weight[idx_d] = w_d[b]
            yield in_r, weight

    out = np.full(n_boot, np.nan)
    out[valid] = (passes or _Passes(s)).estimates(weights())
    return out


def _permutations(
    s: _Speech, in_r: np.ndarray, *, n_perm: int, seed: int, passes: _Passes | None = None
) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return (passes or _Passes(s)).estimates((rng.permutation(in_r), None) for _ in range(n_perm))


def _inference(s: _Speech, in_r: np.ndarray, *, n_perm: int, n_boot: int, seed: int, level: float) -> dict:
    passes = _Passes(s)
    estimate = float(passes.estimates([(in_r, None)])[0])
    boot = _bootstrap(s, in_r, n_boot=n_boot, seed=seed, passes=passes)
    n_valid = int(np.isfinite(boot).sum())
    ci_low, ci_high = percentile_interval(boot, level) if n_valid else (np.nan, np.nan)
    perm = _permutations(s, in_r, n_perm=n_perm, seed=seed, passes=passes)
    threshold = estimate - _TOLERANCE * max(1.0, abs(estimate))
    base_low, base_high = percentile_interval(perm, level)
    return {
        "estimate": estimate,
        "ci_low": ci_low,
        "ci_high": ci_high,
        "n_boot": n_boot,
        "n_boot_valid": n_valid,
        "baseline_mean": float(perm.mean()),
        "baseline_low": base_low,
        "baseline_high": base_high,
        "n_perm": n_perm,
        "p_value": (1.0 + float((perm >= threshold).sum())) / (n_perm + 1.0),
        "level": level,
    }


def _inference_args(n_perm, n_boot, seed, level) -> tuple[int, int, int, float]:
    return (
        int_arg("n_perm", n_perm, minimum=1),
        int_arg("n_boot", n_boot, minimum=1),
        int_arg("seed", seed, minimum=0),
        level_arg(level),
    )


def partisanship(
    counts,
    groups,
    *,
    terms: Sequence[str] | None = None,
    n_perm: int = 200,
    n_boot: int = 200,
    seed: int = 0,
    level: float = 0.95,
) -> dict:
    """Leave-out partisanship with an author-bootstrap interval, a shuffled-label baseline and a permutation p-value.

    ``counts`` and ``groups`` as in :func:`leave_out_partisanship` (authors
    without tokens are dropped first). Returns a dict:

    * ``estimate``: π̂_LO.
    * ``ci_low``, ``ci_high``: percentile interval at ``level``
      (:func:`analysis.stats.percentile_interval`) of ``n_boot`` bootstrap
      replicates that resample authors with replacement *within each group*
      (group sizes fixed). Replicate b uses the multiplicities
      ``bootstrap_weights(n_R, n_boot=n_boot, seed=s_R)[b]`` for R's
      authors (in row order) and likewise for D with ``s_D``, where
      ``s_R, s_D = np.random.SeedSequence(seed).generate_state(2)``. An
      author drawn w times counts w times in the group totals and in the
      mean, and *all* w copies are left out of that author's own leave-out
      frequencies (a copy is the same speaker, so keeping it would bring
      back the own-speech bias). A replicate that draws a single distinct
      author in a group has no leave-out frequencies and is NaN (skipped);
      ``n_boot_valid`` counts the others.
    * ``baseline_mean``, ``baseline_low``, ``baseline_high``: mean and
      percentile interval of π̂_LO over ``n_perm`` random permutations of the
      group labels among the authors (group sizes fixed; permutation b is the
      b-th ``rng.permutation`` of ``np.random.default_rng(seed)``). This is
      the value of the estimator when groups carry no information about
      speech: about 0.5, slightly off in small or skewed samples.
    * ``p_value``: one-sided permutation p-value (1 + #{permuted >=
      observed}) / (n_perm + 1) (good2005permutation; a relative tolerance of
      1e-12 absorbs rounding), for "more partisan than shuffled labels".
    * ``n_authors_R``, ``n_authors_D``: authors with tokens per group;
      ``n_dropped``: authors without tokens; ``n_boot``, ``n_perm``, ``level``.
    * ``contributions`` (only when ``terms`` is given): :func:`term_contributions`.

    Higher means: as :func:`leave_out_partisanship`; a small p-value is
    evidence that the groups' speech differs more than chance.

    Cost: (1 + n_boot + n_perm) passes over the non-zeros, each
    O(nnz + n_terms); the bootstrap weights take n_boot x n_authors x 4
    bytes.

    Caveats: the bootstrap treats authors as independent draws from their
    group (not threads; authors who reply to each other are not
    independent), and the percentile interval of a biased, bounded statistic
    is only approximate (efron1994bootstrap); gentzkow2019measuring use
    subsampling instead. The permutation test assumes authors are
    exchangeable between groups under the null hypothesis.

    References: gentzkow2019measuring, demszky2019analyzing,
    efron1994bootstrap, good2005permutation.
    """
    n_perm, n_boot, seed, level = _inference_args(n_perm, n_boot, seed, level)
    s, in_r, dropped = _prepare(counts, groups)
    out = _inference(s, in_r, n_perm=n_perm, n_boot=n_boot, seed=seed, level=level)
    out.update(n_authors_R=int(in_r.sum()), n_authors_D=int((~in_r).sum()), n_dropped=dropped)
    if terms is not None:
        out["contributions"] = term_contributions(counts, groups, terms)
    return out


def partisanship_by_group(
    counts,
    labels,
    *,
    pairwise: bool = False,
    n_perm: int = 200,
    n_boot: int = 200,
    seed: int = 0,
    level: float = 0.95,
) -> pd.DataFrame:
    """Leave-out partisanship for more than two groups: each group against the rest, or every pair.

    ``labels`` gives each author's group (any hashable values; None, NaN and
    "" are unknown and those authors are left out). Comparisons:

    * ``pairwise=False`` (one-vs-rest): for each group a, R = a and D = all
      other known authors (``group_b`` is ``"(rest)"``). π̂_LO is symmetric in
      R and D, so with exactly two groups both rows are the same comparison.
    * ``pairwise=True``: every unordered pair (a, b) once, in sorted label
      order, on the authors of a and b only.

    Each row is exactly :func:`partisanship` on that comparison's authors
    (R = group_a) with the same ``seed``, so rows are reproducible one by
    one. Columns: ``group_a``, ``group_b``, ``estimate``, ``ci_low``,
    ``ci_high``, ``n_boot_valid``, ``baseline_mean``, ``baseline_low``,
    ``baseline_high``, ``p_value``, ``n_a``, ``n_b`` (authors with tokens).
    Every group needs at least 2 authors with tokens (ValueError otherwise).

    Higher means: as :func:`leave_out_partisanship`, for that comparison.

    Caveats: one-vs-rest pools heterogeneous groups into "rest", so its
    values depend on the mix of the other groups; pairwise values are
    comparable between pairs only when the groups have similar sizes and
    lengths. No correction for multiple comparisons is applied to p-values.

    References: gentzkow2019measuring, demszky2019analyzing.
    """
    n_perm, n_boot, seed, level = _inference_args(n_perm, n_boot, seed, level)
    if not isinstance(pairwise, (bool, np.bool_)):
        raise bad_value("pairwise", pairwise, "True or False")
    m, integral = _count_matrix(counts)
    lab = pd.Series(np.asarray(labels, dtype=object))
    if lab.ndim != 1 or len(lab) != m.shape[0]:
        raise ValueError(f"labels=<{len(lab)} labels>: expected one per author (row of counts, {m.shape[0]})")
    present = lab.notna()
    known = present.to_numpy(dtype=bool) & (lab.where(present, "").astype(str) != "").to_numpy(dtype=bool)
    s = _speech(m, integral)
    lab_kept = lab.to_numpy()[s.kept]
    known_kept = known[s.kept]
    uniques = sorted({v for v in lab_kept[known_kept]}, key=lambda v: (str(type(v)), v))
    if len(uniques) < 2:
        raise ValueError(f"labels=<{len(lab)} labels>: expected at least 2 groups with authors who have tokens")
    sizes = {g: int(((lab_kept == g) & known_kept).sum()) for g in uniques}
    small = [g for g, n in sizes.items() if n < 2]
    if small:
        raise ValueError(f"labels=<{len(lab)} labels>: groups {small} have fewer than 2 authors with tokens")
    if pairwise:
        comparisons = [(a, b) for i, a in enumerate(uniques) for b in uniques[i + 1 :]]
    else:
        comparisons = [(a, None) for a in uniques]
    rows = []
    for a, b in comparisons:  # loop over comparisons; each is vectorised over the non-zeros
        is_a = known_kept & (lab_kept == a)
        members = is_a | (known_kept & (lab_kept == b) if b is not None else known_kept)
        sub = s if members.all() else _subset(s, members)
        in_r = is_a[members]
        res = _inference(sub, in_r, n_perm=n_perm, n_boot=n_boot, seed=seed, level=level)
        rows.append(
            {
                "group_a": a,
                "group_b": REST if b is None else b,
                **{k: res[k] for k in ("estimate", "ci_low", "ci_high", "n_boot_valid")},
                **{k: res[k] for k in ("baseline_mean", "baseline_low", "baseline_high", "p_value")},
                "n_a": int(in_r.sum()),
                "n_b": int((~in_r).sum()),
            }
        )
    return pd.DataFrame(rows)


def _subset(s: _Speech, members: np.ndarray) -> _Speech:
    """The speech of the kept authors where ``members`` is True."""
    keep_nz = np.repeat(members, s.per_row)
    indptr = np.concatenate([[0], np.cumsum(s.per_row[members])]).astype(s.indptr.dtype)
    return _Speech(
        indptr, s.cols[keep_nz], s.vals[keep_nz], s.length[members], s.kept[members], s.n_terms, s.integral
    )


# ---------------------------------------------------------------- Esteban-Ray


def esteban_ray(positions, *, alpha: float = 1.3, weights=None, bins: int | None = None, scale: float = 1.0) -> float:
    """Esteban-Ray polarization of a distribution of positions: P = K Σ_i Σ_j π_i^(1+α) π_j |y_i - y_j|.

    ``positions`` are one position per individual (e.g. a stance score per
    author); ``weights`` (optional, >= 0, positive sum) their population
    weights. The distribution is discrete: the distinct positions y_i with
    population shares π_i (shares of the total weight; identical positions
    are pooled into one group, as the index requires — it is not invariant
    to splitting a group). With ``bins`` (an integer), positions are first
    binned into ``bins`` equal-width bins over [min, max] (numpy's
    ``histogram`` edges; the last bin is closed) and each bin is a group at
    its midpoint; empty bins have π = 0 and drop out.

    ``alpha`` (α, "polarization sensitivity") must be in [0, 1.6]
    (esteban1994measurement, Theorem 1: the axioms pin α to (0, α*] with α*
    ≈ 1.6; α = 0 gives the Gini mean difference, Σ Σ π_i π_j |y_i - y_j|,
    i.e. twice the Gini coefficient times the mean). ``scale`` is the
    normalisation constant K > 0, default 1.

    Higher means: a more polarized distribution — mass concentrated in a few
    large, distant groups (identification within groups, alienation
    between them). 0 for a single position.

    Caveats: P is not bounded in [0, 1]: it has the units of the positions
    (doubling every y doubles P) and depends on α, so compare values only at
    the same α and on the same scale. With continuous positions the result
    depends on the binning: without ``bins`` every distinct value is its own
    group, so with continuous data each has a tiny share and the factor
    π^(1+α) drives P toward 0 as the number of distinct values grows;
    choose bins that mean something.

    Cost: O(k log k) for k distinct positions (sorting and prefix sums),
    not O(k²).

    Reference: esteban1994measurement.
    """
    y = np.asarray(positions)
    if y.ndim != 1 or len(y) == 0 or not (np.issubdtype(y.dtype, np.number) or y.dtype == bool):
        raise ValueError(f"positions={shape_text(y)}: expected a non-empty 1-D numeric array")
    y = y.astype(np.float64)
    if not np.isfinite(y).all():
        raise ValueError(f"positions={shape_text(y)}: expected finite values")
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float, np.integer, np.floating)) or not (
        0.0 <= alpha <= 1.6
    ):
        raise bad_value("alpha", alpha, "a number in [0, 1.6] (esteban1994measurement)")
    if isinstance(scale, bool) or not isinstance(scale, (int, float, np.integer, np.floating)) or not (
        np.isfinite(scale) and scale > 0
    ):
        raise bad_value("scale", scale, "a finite number > 0")
    if weights is None:
        w = np.ones(len(y))
    else:
        w = np.asarray(weights)
        if w.shape != y.shape or not (np.issubdtype(w.dtype, np.number) or w.dtype == bool):
            raise ValueError(f"weights={shape_text(w)}: expected one numeric weight per position ({len(y)})")
        w = w.astype(np.float64)
        if not np.isfinite(w).all() or (w < 0).any() or w.sum() <= 0:
            raise ValueError(f"weights={shape_text(w)}: expected finite weights >= 0 with a positive sum")
    if bins is not None:
        bins = int_arg("bins", bins, minimum=1)
        mass, edges = np.histogram(y, bins=bins, weights=w)
        values = (edges[:-1] + edges[1:]) / 2.0
    else:
        values, inverse = np.unique(y, return_inverse=True)
        mass = np.bincount(inverse.ravel(), weights=w, minlength=len(values))
    keep = mass > 0
    values, share = values[keep], mass[keep] / mass.sum()  # np.unique and histogram give sorted values
    # d_i = Σ_j π_j |y_i - y_j| by prefix sums over the sorted positions
    below_mass = np.cumsum(share) - share
    below_moment = np.cumsum(share * values) - share * values
    above_mass = 1.0 - below_mass - share
    above_moment = float((share * values).sum()) - below_moment - share * values
    distance = values * below_mass - below_moment + above_moment - values * above_mass
    return float(scale * np.sum(share ** (1.0 + alpha) * distance))


# ---------------------------------------------------------------- any number of groups


def _group_codes(labels, n: int) -> tuple[np.ndarray, list]:
    """Integer code per author (-1: no group) and the sorted group names; None, NaN and '' have no group."""
    lab = pd.Series(np.asarray(labels, dtype=object))
    if len(lab) != n:
        raise ValueError(f"labels=<{len(lab)} labels>: expected one per author (row of counts, {n})")
    present = lab.notna().to_numpy(dtype=bool)
    text = lab.where(lab.notna(), "").astype(str).to_numpy()
    known = present & (text != "")
    names = sorted(set(text[known]))
    code = np.full(n, -1, dtype=np.intp)
    code[known] = np.searchsorted(np.asarray(names, dtype=object), text[known])
    return code, names


def _multigroup_score(s: _Speech, code: np.ndarray, k: int, weight: np.ndarray | None) -> float:
    """The K-group leave-out estimate of one labelling (``code`` in 0..k-1 per kept author), one pass over the
    non-zeros; bootstrap multiplicities ``weight`` as in :func:`partisanship` (all w_i copies of i left out)."""
    n, t = len(s.length), s.n_terms
    w = np.ones(n) if weight is None else weight
    onehot = sp.csr_array((w, (np.arange(n), code)), shape=(n, k))
    group_term = np.asarray((sp.csr_array((s.vals, s.cols, s.indptr), shape=(n, t)).T @ onehot).todense())  # t x k
    total = np.bincount(code, weights=w * s.length, minlength=k)  # M_g
    size = np.bincount(code, weights=w, minlength=k)
    rate = group_term / total  # C_gj / M_g
    # the other groups' summed rate, as seen from group g: added up without g (no cancellation error)
    other = np.zeros_like(rate)
    for g in range(k):
        for h in range(k):
            if h != g:
                other[:, g] += rate[:, h]
    row = np.repeat(np.arange(n), s.per_row)
    g_nz = code[row]
    wc = s.vals * w[row]
    in_group = group_term[s.cols, g_nz]
    own = in_group - wc
    if not s.integral:
        own[own <= 1e-12 * in_group] = 0.0
    own /= (total[code] - w * s.length)[row]
    den = own + other[s.cols, g_nz]
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(den > 0, own / np.where(den > 0, den, 1.0), 1.0 / k)  # 0/0: no information, chance 1/K
    score = np.bincount(row, weights=s.vals * share, minlength=n) / s.length
    per_group = np.bincount(code, weights=w * score, minlength=k)
    return float(np.mean(per_group / size))


def _multigroup_prepare(counts, labels) -> tuple[_Speech, np.ndarray, list, int]:
    """Speech of the authors with a group and tokens, their group codes, the group names and authors dropped."""
    m, integral = _count_matrix(counts)
    code, names = _group_codes(labels, m.shape[0])
    s = _speech(m, integral)
    keep = code[s.kept] >= 0
    s = s if keep.all() else _subset(s, keep)
    code = code[s.kept]
    sizes = np.bincount(code, minlength=len(names))
    if len(names) < 2 or (sizes < 2).any():
        raise ValueError(f"labels=<{len(code)} labelled authors>: expected at least 2 groups with at least 2 authors "
                         f"with tokens each (found {dict(zip(names, sizes.tolist()))})")
    return s, code, names, m.shape[0] - len(s.kept)


def leave_out_multigroup(counts, labels) -> float:
    """Multi-group leave-out partisanship: the leave-out posterior probability of a speaker's own group (1/K = chance).

    ``counts`` is an (authors x terms) count matrix as in
    :func:`leave_out_partisanship`; ``labels`` one group per author (any
    values; None, NaN and "" are no group and those authors are left out).
    With K groups, group totals C_g, M_g, and for author i in group g::

        q̂^g_{-i,j} = (C_gj - c_ij) / (M_g - m_i)       (i's own group, i left out)
        q̂^h_j      = C_hj / M_h                       (every other group h)
        ρ^g_{-i,j} = q̂^g_{-i,j} / (q̂^g_{-i,j} + Σ_{h≠g} q̂^h_j)
        π̂_K       = (1/K) Σ_g mean_{i∈g} q_i · ρ^g_{-i}

    the probability that an observer with equal priors on the K groups, who
    knows every group's term frequencies (the speaker's own speech left out)
    and hears one term drawn from the speaker's speech, assigns the speaker's
    own group; groups weigh equally, speakers equally within their group.
    With K = 2 it is exactly π̂_LO of :func:`leave_out_partisanship`
    (gentzkow2019measuring, demszky2019analyzing); the K-group form is this
    module's generalisation (the posterior with equal priors), not a formula
    of those papers. A term nobody but i uses gives ρ = 1/K (no information).

    Higher means: speech reveals the speaker's group more. 1/K is chance,
    1 perfect separation. Cost one pass over the non-zeros, O(nnz + K·n_terms).

    Caveats: as :func:`leave_out_partisanship`; values for different K are
    not comparable (chance moves), so compare with the shuffled baseline of
    :func:`partisanship_multigroup`.

    References: gentzkow2019measuring, demszky2019analyzing.
    """
    s, code, names, _ = _multigroup_prepare(counts, labels)
    return _multigroup_score(s, code, len(names), None)


def _multigroup_inference(s: _Speech, code: np.ndarray, k: int, *, n_perm: int, n_boot: int, seed: int,
                          level: float) -> tuple[dict, np.ndarray, np.ndarray]:
    """Estimate, bootstrap interval (speakers resampled within groups), shuffled-label baseline and p-value;
    also the bootstrap and permutation replicates (for pooling strata)."""
    estimate = _multigroup_score(s, code, k, None)
    members = [np.flatnonzero(code == g) for g in range(k)]
    seeds = np.random.SeedSequence(seed).generate_state(k)
    draws = [bootstrap_weights(len(idx), n_boot=n_boot, seed=int(sd)) for idx, sd in zip(members, seeds)]
    boot = np.full(n_boot, np.nan)
    for b in range(n_boot):
        if all(np.count_nonzero(d[b]) >= 2 for d in draws):
            weight = np.zeros(len(code))
            for idx, d in zip(members, draws):
                weight[idx] = d[b]
            boot[b] = _multigroup_score(s, code, k, weight)
    rng = np.random.default_rng(seed)
    perm = np.array([_multigroup_score(s, rng.permutation(code), k, None) for _ in range(n_perm)])
    return _summary(estimate, boot, perm, level=level), boot, perm


def _summary(estimate: float, boot: np.ndarray, perm: np.ndarray, *, level: float) -> dict:
    """Estimate, percentile interval of the finite bootstrap replicates, baseline and one-sided permutation p."""
    n_valid = int(np.isfinite(boot).sum())
    ci_low, ci_high = percentile_interval(boot, level) if n_valid else (np.nan, np.nan)
    perm = perm[np.isfinite(perm)]
    base_low, base_high = percentile_interval(perm, level) if len(perm) else (np.nan, np.nan)
    threshold = estimate - _TOLERANCE * max(1.0, abs(estimate))
    return {
        "estimate": estimate, "ci_low": ci_low, "ci_high": ci_high, "n_boot": len(boot), "n_boot_valid": n_valid,
        "baseline_mean": float(perm.mean()) if len(perm) else np.nan, "baseline_low": base_low,
        "baseline_high": base_high, "n_perm": len(perm),
        "p_value": (1.0 + float((perm >= threshold).sum())) / (len(perm) + 1.0) if len(perm) else np.nan,
        "level": level,
    }


def partisanship_multigroup(counts, labels, *, n_perm: int = 200, n_boot: int = 200, seed: int = 0,
                            level: float = 0.95) -> dict:
    """:func:`leave_out_multigroup` with a bootstrap interval, a shuffled-label baseline and a permutation p-value.

    Returns a dict: ``estimate``; ``ci_low``, ``ci_high`` (percentile
    interval of ``n_boot`` replicates that resample speakers with
    replacement within each group, all copies of a speaker left out of its
    own leave-out frequencies; a replicate with fewer than 2 distinct
    speakers in a group is skipped, ``n_boot_valid`` counts the others);
    ``baseline_mean``, ``baseline_low``, ``baseline_high`` (the estimate
    over ``n_perm`` random permutations of the labels: about 1/K);
    ``p_value`` (one-sided, (1 + #{permuted >= observed}) / (n_perm + 1));
    ``chance`` (1/K), ``n_groups``, ``groups`` (sorted names), ``n_per_group``
    (speakers with tokens), ``n_dropped`` (authors without tokens or group).

    Higher means: as :func:`leave_out_multigroup`. Caveats: as
    :func:`partisanship`. Cost (1 + n_boot + n_perm) passes over the non-zeros.

    References: gentzkow2019measuring, demszky2019analyzing, efron1994bootstrap, good2005permutation.
    """
    n_perm, n_boot, seed, level = _inference_args(n_perm, n_boot, seed, level)
    s, code, names, dropped = _multigroup_prepare(counts, labels)
    out, _, _ = _multigroup_inference(s, code, len(names), n_perm=n_perm, n_boot=n_boot, seed=seed, level=level)
    out.update(chance=1.0 / len(names), n_groups=len(names), groups=names,
               n_per_group=dict(zip(names, np.bincount(code, minlength=len(names)).tolist())), n_dropped=dropped)
    return out


def _fill_invalid(boot: np.ndarray, estimate: float, *, seed: int) -> np.ndarray:
    """A stratum's bootstrap replicates for pooling: an invalid (NaN) replicate, one that drew fewer than 2 distinct
    speakers in a group, is replaced by one of the stratum's valid replicates drawn at random (the stratum's
    bootstrap conditional on a valid draw); with none valid, by its estimate (no spread from that stratum).
    Otherwise one small stratum would make nearly every pooled replicate NaN."""
    bad = ~np.isfinite(boot)
    if not bad.any():
        return boot
    good = boot[~bad]
    out = boot.copy()
    out[bad] = np.random.default_rng(seed).choice(good, size=int(bad.sum())) if len(good) else estimate
    return out


POOLED = "(pooled)"
"""``stratum`` of the pooled row of :func:`partisanship_by_stratum`."""


def partisanship_by_stratum(counts, labels, strata, *, n_perm: int = 200, n_boot: int = 200, seed: int = 0,
                            level: float = 0.95) -> pd.DataFrame:
    """:func:`partisanship_multigroup` within each stratum (topic, thread, period, ...), and their pooled estimate.

    ``counts`` (speakers x terms), ``labels`` (group per speaker) and
    ``strata`` (stratum per speaker; a speaker is a speaker *within* its
    stratum, e.g. an author within a topic, so one author is a row per
    stratum) are aligned by row. Within each stratum the estimate, its
    bootstrap interval and its shuffled-label baseline use only that
    stratum's speakers (labels are permuted within the stratum). Each
    stratum's resampling streams come from ``SeedSequence([seed, i])`` for
    the i-th stratum in sorted order.

    Rows: one per stratum (sorted), with ``stratum``, the columns of
    :func:`partisanship_multigroup` (``groups`` joined by " | "),
    ``n_speakers`` and ``reason`` (why a stratum has no estimate: fewer than
    2 groups of 2 speakers with tokens; such strata are left out of the
    pooled row); then the ``(pooled)`` row: Σ_s n_s π̂_s / Σ_s n_s over the
    estimable strata, weighted by their speakers n_s, with an interval from
    the same weighted mean of the strata's b-th bootstrap replicates (strata
    resampled independently; a stratum's invalid replicate, with fewer than 2
    distinct speakers drawn in a group, is replaced by a random valid one of
    the same stratum, or by its estimate when it has none) and a baseline and
    p-value from the weighted mean of their b-th permutations.

    Higher means: as :func:`leave_out_multigroup`, within strata: the pooled
    row measures division *within* topics (threads, periods), free of the
    mix of strata that a pooled-corpus estimate also measures.

    Caveats: strata with few speakers are noisy and weigh little; chance is
    1/K_s in a stratum with K_s groups, so pool strata with the same groups.
    The percentile interval of the bootstrap of this biased statistic (all
    copies of a drawn speaker are left out together) is approximate, and with
    only a few speakers per group (e.g. strata by thread) it can miss its
    own estimate: read such strata by their shuffled baseline and p-value.

    References: gentzkow2019measuring, demszky2019analyzing.
    """
    n_perm, n_boot, seed, level = _inference_args(n_perm, n_boot, seed, level)
    m, integral = _count_matrix(counts)
    stratum = pd.Series(np.asarray(strata, dtype=object)).astype(str).to_numpy()
    if len(stratum) != m.shape[0]:
        raise ValueError(f"strata=<{len(stratum)} values>: expected one per speaker (row of counts, {m.shape[0]})")
    lab = np.asarray(labels, dtype=object)
    rows, boots, perms, weights = [], [], [], []
    for i, value in enumerate(sorted(set(stratum))):
        at = np.flatnonzero(stratum == value)
        try:
            s, code, names, _ = _multigroup_prepare(m[at], lab[at])
        except ValueError:
            code_all, names_all = _group_codes(lab[at], len(at))
            rows.append({"stratum": value, "estimate": np.nan, "n_speakers": int((code_all >= 0).sum()),
                         "groups": " | ".join(names_all),
                         "reason": "fewer than 2 groups with at least 2 speakers with tokens"})
            continue
        sub_seed = int(np.random.SeedSequence([seed, i]).generate_state(1)[0])
        res, boot, perm = _multigroup_inference(s, code, len(names), n_perm=n_perm, n_boot=n_boot, seed=sub_seed,
                                                level=level)
        boot = _fill_invalid(boot, res["estimate"], seed=sub_seed)
        rows.append({"stratum": value, **res, "chance": 1.0 / len(names), "n_groups": len(names),
                     "groups": " | ".join(names), "n_speakers": len(code), "reason": ""})
        boots.append(boot)
        perms.append(perm)
        weights.append(len(code))
    if weights:
        w = np.asarray(weights, dtype=np.float64) / sum(weights)
        estimate = float(sum(wi * r["estimate"] for wi, r in zip(w, [r for r in rows if r["reason"] == ""])))
        pooled = _summary(estimate, w @ np.vstack(boots), w @ np.vstack(perms), level=level)
        chance = float(sum(wi * r["chance"] for wi, r in zip(w, [r for r in rows if r["reason"] == ""])))
        rows.append({"stratum": POOLED, **pooled, "chance": chance, "n_speakers": int(sum(weights)),
                     "n_strata": len(weights), "reason": ""})
    return pd.DataFrame(rows)
