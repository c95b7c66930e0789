"""Replicate sums of repeated columns are computed once: results bit for bit those of one column at a time."""

import numpy as np
import pandas as pd

from analysis.stats import cluster_bootstrap_ratio, replicate_sums


def test_nearly_repeated_columns_are_not_merged():
    # columns equal but in one cluster, the last bit of one value, or the position of a value: each its own sum
    base = np.array([1.0, 0, 2, 0, 3, 0.1])
    values = np.column_stack([base, base, np.where(np.arange(6) == 2, 2.5, base), base * (1 + 2**-52),
                              np.roll(base, 1), np.zeros(6)])
    assert values[:, 3].tolist() != base.tolist()
    together = replicate_sums(values, n_boot=200, seed=4, chunk=9)
    for j in range(values.shape[1]):
        assert np.array_equal(together[:, j], replicate_sums(values[:, j], n_boot=200, seed=4)[:, 0])
    assert np.array_equal(together[:, 0], together[:, 1]) and not np.array_equal(together[:, 0], together[:, 3])


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
        alone = cluster_bootstrap_ratio(hits[:, [j, other]], np.column_stack([tokens, tokens + 1]), n_boot=400, seed=5,
                                        scale=1000.0)
        cols = ["estimate", "ci_low", "ci_high", "se", "n_clusters", "n_valid"]
        pd.testing.assert_series_equal(together.loc[j, cols], alone.loc[0, cols], check_names=False, check_exact=True)
