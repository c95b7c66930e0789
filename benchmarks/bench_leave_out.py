"""Benchmark of the leave-out partisanship estimator on a corpus-sized sparse matrix.

Not a test: run it by hand, ``python benchmarks/bench_leave_out.py``.

Data: 100,000 authors x 50,000 terms, int64 counts; per author
1 + Poisson(66) term draws (about 50 distinct terms each, since frequent
terms repeat), term ranks drawn from a Zipf law (p(rank r) ~ 1 / r^1.07),
each draw adding Geometric(0.5) >= 1 occurrences; groups are random halves.
It prints:

* the median of 5 runs of :func:`analysis.polarization.leave_out_partisanship`
  (including its input checks and copies), and of a bare baseline on the same
  matrix in the same run, one pass ``counts.sum(axis=0)``, and their ratio;
* the brute force (for each author, group totals recomputed from scratch,
  leaving the author out, then ρ over all terms): timed on the first 300
  authors of the full matrix and extrapolated linearly to all authors
  (each author's recomputation touches the whole matrix);
* a check that the vectorised estimator equals the brute force on a
  300-author sub-corpus.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis.polarization import leave_out_partisanship  # noqa: E402

N_AUTHORS = 100_000
N_TERMS = 50_000
DRAWS_PER_AUTHOR = 67
ZIPF_EXPONENT = 1.07
N_RUNS = 5
N_BRUTE = 300


def make_corpus(seed: int = 0) -> tuple[sp.csr_array, np.ndarray]:
    rng = np.random.default_rng(seed)
    p = 1.0 / np.arange(1, N_TERMS + 1) ** ZIPF_EXPONENT
    p /= p.sum()
    per_author = rng.poisson(DRAWS_PER_AUTHOR - 1, size=N_AUTHORS) + 1
    rows = np.repeat(np.arange(N_AUTHORS), per_author)
    cols = rng.choice(N_TERMS, size=len(rows), p=p)
    vals = rng.geometric(0.5, size=len(rows)).astype(np.int64)
    counts = sp.coo_array((vals, (rows, cols)), shape=(N_AUTHORS, N_TERMS)).tocsr()  # duplicates summed
    counts.sum_duplicates()
    groups = rng.random(N_AUTHORS) < 0.5
    return counts, groups


def median_time(fn, runs: int = N_RUNS) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def brute_force_scores(counts: sp.csr_array, groups: np.ndarray, authors) -> list[float]:
    """Per author i: q_i . ρ_{-i} (R) or q_i . (1 - ρ_{-i}) (D), totals recomputed from scratch for each author."""
    n = counts.shape[0]
    scores = []
    for i in authors:
        others = np.ones(n)
        others[i] = 0.0
        in_r = groups.astype(float) * others
        in_d = (~groups).astype(float) * others
        tot_r = in_r @ counts  # a fresh pass over the whole matrix
        tot_d = in_d @ counts
        f_r, f_d = tot_r / tot_r.sum(), tot_d / tot_d.sum()
        both = f_r + f_d
        with np.errstate(divide="ignore", invalid="ignore"):
            rho = np.where(both > 0, f_r / both, 0.5)
        row = counts[[i]].toarray().ravel()
        q = row / row.sum()
        scores.append(float(q @ (rho if groups[i] else 1.0 - rho)))
    return scores


def brute_force(counts: sp.csr_array, groups: np.ndarray) -> float:
    keep = np.asarray(counts.sum(axis=1)).ravel() > 0
    counts, groups = counts[keep], groups[keep]
    scores = np.array(brute_force_scores(counts, groups, range(counts.shape[0])))
    return 0.5 * scores[groups].mean() + 0.5 * scores[~groups].mean()


def main() -> None:
    start = time.perf_counter()
    counts, groups = make_corpus()
    built = time.perf_counter() - start
    nnz = counts.nnz
    print(f"corpus: {N_AUTHORS:,} authors x {N_TERMS:,} terms, {nnz:,} non-zeros "
          f"({nnz / N_AUTHORS:.1f} distinct terms per author), built in {built:.1f} s")

    value = leave_out_partisanship(counts, groups)  # warm-up
    t_fast = median_time(lambda: leave_out_partisanship(counts, groups))
    t_base = median_time(lambda: counts.sum(axis=0))
    print(f"leave_out_partisanship = {value:.6f}")
    print(f"leave_out_partisanship: median of {N_RUNS} runs {t_fast:.3f} s")
    print(f"baseline counts.sum(axis=0): median of {N_RUNS} runs {t_base:.4f} s")
    print(f"ratio to baseline: {t_fast / t_base:.1f}x")

    start = time.perf_counter()
    brute_force_scores(counts, groups, range(N_BRUTE))
    t_brute = time.perf_counter() - start
    per_author = t_brute / N_BRUTE
    print(f"brute force: {N_BRUTE} authors in {t_brute:.2f} s ({per_author * 1000:.1f} ms per author); "
          f"extrapolated to {N_AUTHORS:,} authors: {per_author * N_AUTHORS:.0f} s "
          f"({per_author * N_AUTHORS / 3600:.2f} h), {per_author * N_AUTHORS / t_fast:.0f}x the vectorised run")

    sub = counts[:N_BRUTE]
    exact = brute_force(sub, groups[:N_BRUTE])
    fast = leave_out_partisanship(sub, groups[:N_BRUTE])
    print(f"check on a {N_BRUTE}-author sub-corpus: brute force {exact:.12f}, vectorised {fast:.12f}, "
          f"|difference| {abs(exact - fast):.1e}")


if __name__ == "__main__":
    main()
