"""Replicate sums of repeated columns are computed once: results bit for bit those of one column at a time."""

import numpy as np
import pandas as pd
import scipy.sparse as sp

from analysis.stats import _distinct_rows, cluster_bootstrap_ratio, replicate_sums


def test_distinct_rows_by_hand():
    m = sp.csr_array(np.array([[1.0, 0, 2], [0, 0, 0], [1.0, 0, 2], [1.0, 2, 0], [0, 0, 0], [1.0, 0, 2.5]]))
    distinct, copy_of = _distinct_rows(m)
    assert distinct.tolist() == [0, 1, 3, 5] and copy_of.tolist() == [0, 1, 0, 2, 1, 3]


def test_repeated_columns_equal_separate_sums():
    rng = np.random.default_rng(0)
    base = rng.random((60, 3)) * (rng.random((60, 3)) < 0.7)  # fractions: the order of terms shows in the last bits
    values = np.column_stack([base, base[:, 0], base[:, 1], base[:, 0], rng.poisson(1.0, 60)])
    values[5] = 0  # a cluster that adds to no sum
    together = replicate_sums(values, n_boot=300, seed=3, chunk=7)
    for j in range(values.shape[1]):
        assert np.array_equal(together[:, j], replicate_sums(values[:, j], n_boot=300, seed=3)[:, 0])


def test_repeated_denominators_equal_separate_ratios():
    rng = np.random.default_rng(1)
    tokens = rng.integers(1, 100, (40, 1)).astype(float)
    hits = rng.random((40, 4)) * 3
    together = cluster_bootstrap_ratio(hits, np.repeat(tokens, 4, axis=1), n_boot=400, seed=5, scale=1000.0)
    for j in range(4):  # beside a different column (one column alone would have its se summed pairwise by numpy)
        other = (j + 1) % 4
        alone = cluster_bootstrap_ratio(hits[:, [j, other]], np.column_stack([tokens, tokens + 1]), n_boot=400, seed=5, scale=1000.0)
        cols = ["estimate", "ci_low", "ci_high", "se", "n_clusters", "n_valid"]
        pd.testing.assert_series_equal(together.loc[j, cols], alone.loc[0, cols], check_names=False, check_exact=True)
