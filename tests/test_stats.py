"""Resampling: bootstrap weights, cluster bootstrap of ratios and means, permutation test.

Expected values are computed here from the definitions (loops over
replicates, full enumeration of resamples or labellings), never copied from
the code's output.
"""

import itertools
import math
import statistics

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from analysis.stats import (
    bootstrap_weights,
    cluster_bootstrap_mean,
    cluster_bootstrap_ratio,
    percentile_interval,
    permutation_test,
    replicate_sums,
)


def type7_quantile(values, p):
    """Hyndman-Fan type 7 quantile (numpy's default), written out."""
    x = sorted(values)
    h = (len(x) - 1) * p
    lo = math.floor(h)
    hi = min(lo + 1, len(x) - 1)
    return x[lo] + (h - lo) * (x[hi] - x[lo])


def ratio_by_definition(num, den, weights, scale=1.0):
    """Replicate b: draw cluster i weights[b, i] times, then scale * sum(num) / sum(den) of the drawn clusters."""
    num, den = np.asarray(num, dtype=float), np.asarray(den, dtype=float)
    reps = []
    for w in weights:
        drawn = [i for i in range(len(w)) for _ in range(int(w[i]))]
        row = []
        for k in range(num.shape[1]):
            top = sum(num[i, k] for i in drawn)
            bottom = sum(den[i, k] for i in drawn)
            row.append(scale * top / bottom if bottom > 0 else math.nan)
        reps.append(row)
    return np.array(reps)


# ---------------------------------------------------------------- bootstrap weights


def test_bootstrap_weights_rows_sum_to_n_and_are_deterministic():
    w = bootstrap_weights(7, n_boot=50, seed=3)
    assert w.shape == (50, 7) and w.dtype == np.int32
    assert (w.sum(axis=1) == 7).all() and (w >= 0).all()
    assert np.array_equal(w, bootstrap_weights(7, n_boot=50, seed=3))
    assert not np.array_equal(w, bootstrap_weights(7, n_boot=50, seed=4))
    # replicate b does not depend on how many replicates are asked for
    assert np.array_equal(w[:10], bootstrap_weights(7, n_boot=10, seed=3))


def test_bootstrap_weights_have_multinomial_moments():
    n, b = 5, 40_000
    w = bootstrap_weights(n, n_boot=b, seed=11).astype(float)
    # Multinomial(n; 1/n): mean 1, variance n * p * (1 - p) = 1 - 1/n, covariance -n * p * p = -1/n
    assert np.allclose(w.mean(axis=0), 1.0, atol=0.02)
    assert np.allclose(w.var(axis=0), 1 - 1 / n, atol=0.03)
    assert np.cov(w[:, 0], w[:, 1])[0, 1] == pytest.approx(-1 / n, abs=0.03)


# ---------------------------------------------------------------- cluster bootstrap of a ratio

NUM = np.array([[1, 2], [3, 0], [5, 1]])
DEN = np.array([[10, 5], [10, 0], [20, 4]])


def test_ratio_estimate_by_hand():
    out = cluster_bootstrap_ratio(NUM, DEN, n_boot=20, seed=0, scale=1000.0, names=["f1", "f2"])
    assert out["quantity"].tolist() == ["f1", "f2"]
    assert out["estimate"].tolist() == pytest.approx([1000 * 9 / 40, 1000 * 3 / 9], rel=1e-15)
    assert out["n_clusters"].tolist() == [3, 2]  # column 2 has a zero denominator in cluster 2
    assert out["n_boot"].tolist() == [20, 20]
    assert list(out.columns) == ["quantity", "estimate", "ci_low", "ci_high", "se", "n_clusters", "n_boot", "n_valid"]


def test_ratio_replicates_match_the_definition_with_the_same_weights():
    rng = np.random.default_rng(5)
    num = rng.integers(0, 20, size=(9, 3))
    den = num + rng.integers(1, 30, size=(9, 3))
    num[4] = den[4] = 0  # a cluster with nothing in it is still drawn
    b, seed, level = 300, 17, 0.9
    reps = ratio_by_definition(num, den, bootstrap_weights(9, n_boot=b, seed=seed), scale=2.0)
    out = cluster_bootstrap_ratio(num, den, n_boot=b, seed=seed, level=level, scale=2.0)
    for k in range(3):
        r = reps[:, k].tolist()
        assert out.loc[k, "se"] == pytest.approx(statistics.stdev(r), rel=1e-10)
        assert out.loc[k, "ci_low"] == pytest.approx(type7_quantile(r, 0.05), rel=1e-10)
        assert out.loc[k, "ci_high"] == pytest.approx(type7_quantile(r, 0.95), rel=1e-10)
        assert out.loc[k, "estimate"] == pytest.approx(2.0 * num[:, k].sum() / den[:, k].sum(), rel=1e-15)
        assert out.loc[k, "n_valid"] == b


def test_ratio_bootstrap_matches_the_exact_distribution_of_all_27_resamples():
    # 3 clusters: the 27 ordered resamples (i1, i2, i3) are equally likely
    num = np.array([2.0, 7.0, 1.0])
    den = np.array([10.0, 20.0, 15.0])
    exact = []
    for draw in itertools.product(range(3), repeat=3):
        exact.append(sum(num[i] for i in draw) / sum(den[i] for i in draw))
    exact_mean = sum(exact) / 27
    exact_sd = math.sqrt(sum((x - exact_mean) ** 2 for x in exact) / 27)
    out = cluster_bootstrap_ratio(num, den, n_boot=40_000, seed=2, chunk=5000)
    assert out.loc[0, "estimate"] == pytest.approx(10 / 45, rel=1e-15)
    assert out.loc[0, "se"] == pytest.approx(exact_sd, rel=0.03)
    # percentile bounds: the exact distribution's 2.5% and 97.5% points (atoms, not near a CDF step)
    atoms = sorted(set(exact))
    cdf = [sum(x <= a for x in exact) / 27 for a in atoms]
    q_low = next(a for a, c in zip(atoms, cdf) if c >= 0.025)
    q_high = next(a for a, c in zip(atoms, cdf) if c >= 0.975)
    assert out.loc[0, "ci_low"] == pytest.approx(q_low, abs=1e-12)
    assert out.loc[0, "ci_high"] == pytest.approx(q_high, abs=1e-12)


def test_ratio_results_do_not_depend_on_chunk_size():
    rng = np.random.default_rng(1)
    num = sp.random(60, 4, density=0.3, format="csr", random_state=3) * 10
    den = sp.csr_matrix(np.where(rng.random((60, 4)) < 0.7, rng.integers(1, 50, size=(60, 4)), 0))
    outs = [cluster_bootstrap_ratio(num, den, n_boot=101, seed=9, chunk=c) for c in (1, 7, 50, 101, 1000)]
    for other in outs[1:]:
        pd.testing.assert_frame_equal(outs[0], other, check_exact=True)


def test_ratio_sparse_dense_and_1d_inputs_agree():
    dense = cluster_bootstrap_ratio(NUM, DEN, n_boot=200, seed=4)
    sparse = cluster_bootstrap_ratio(sp.csr_matrix(NUM), sp.csc_array(DEN), n_boot=200, seed=4)
    pd.testing.assert_frame_equal(dense, sparse, check_exact=True)
    one = cluster_bootstrap_ratio(NUM[:, 0], DEN[:, 0], n_boot=200, seed=4)
    pd.testing.assert_frame_equal(one, dense.iloc[[0]], check_exact=False, rtol=1e-12)


def test_zero_denominators_give_nan_replicates_that_are_ignored():
    num = np.array([[0, 1], [0, 2], [2, 0]])
    den = np.array([[0, 0], [0, 0], [5, 0]])
    b, seed = 500, 6
    out = cluster_bootstrap_ratio(num, den, n_boot=b, seed=seed)
    # column 0: a replicate is defined iff it draws cluster 2, and then it is always 2/5
    drawn = bootstrap_weights(3, n_boot=b, seed=seed)[:, 2] > 0
    assert out.loc[0, "n_valid"] == drawn.sum() < b
    assert out.loc[0, "estimate"] == out.loc[0, "ci_low"] == out.loc[0, "ci_high"] == 0.4
    assert out.loc[0, "se"] == pytest.approx(0.0, abs=1e-12)
    assert out.loc[0, "n_clusters"] == 1
    # column 1: no denominator at all
    assert out.loc[1, "n_valid"] == 0 and out.loc[1, "n_clusters"] == 0
    assert np.isnan(out.loc[1, ["estimate", "ci_low", "ci_high", "se"]].to_numpy(dtype=float)).all()


def test_ratio_argument_errors():
    with pytest.raises(ValueError, match=r"^n_boot=0: expected"):
        cluster_bootstrap_ratio(NUM, DEN, n_boot=0)
    with pytest.raises(ValueError, match=r"^level=1.5: expected"):
        cluster_bootstrap_ratio(NUM, DEN, level=1.5)
    with pytest.raises(ValueError, match=r"^chunk=0: expected"):
        cluster_bootstrap_ratio(NUM, DEN, chunk=0)
    with pytest.raises(ValueError, match=r"^denominator=.*: expected the shape"):
        cluster_bootstrap_ratio(NUM, DEN[:2])
    with pytest.raises(ValueError, match=r"^denominator=.*: expected values >= 0"):
        cluster_bootstrap_ratio(NUM, -DEN)
    with pytest.raises(ValueError, match=r"^numerator=.*: expected finite"):
        cluster_bootstrap_ratio(np.array([[np.nan, 1.0]] * 3), DEN)
    with pytest.raises(ValueError, match=r"^names="):
        cluster_bootstrap_ratio(NUM, DEN, names=["only one"])
    with pytest.raises(ValueError, match=r"^n_clusters=0: expected"):
        bootstrap_weights(0, n_boot=3, seed=0)


def test_replicate_sums_are_weighted_column_sums():
    values = np.array([[1.0, 0.0], [0.0, 0.0], [4.0, 2.0], [3.0, 5.0]])
    w = bootstrap_weights(4, n_boot=30, seed=12)
    expected = [[sum(int(w[b, i]) * values[i, k] for i in range(4)) for k in range(2)] for b in range(30)]
    assert replicate_sums(values, n_boot=30, seed=12, chunk=7).tolist() == expected
    assert replicate_sums(sp.csr_matrix(values), n_boot=30, seed=12).tolist() == expected


# ---------------------------------------------------------------- cluster bootstrap of a mean


def test_cluster_bootstrap_mean_is_the_ratio_of_per_cluster_sums():
    values = np.array([1.0, 3.0, 2.0, 8.0, 4.0, 0.0, 5.0])
    clusters = np.array(["t1", "t1", "t2", "t3", "t3", "t3", "t2"])
    out = cluster_bootstrap_mean(values, clusters, n_boot=300, seed=8)
    assert out.loc[0, "quantity"] == "mean"
    assert out.loc[0, "estimate"] == pytest.approx(23 / 7, rel=1e-15)
    assert out.loc[0, "n_clusters"] == 3
    # clusters in order of first appearance: t1 (1+3, 2 obs), t2 (2+5, 2 obs), t3 (8+4+0, 3 obs)
    by_hand = cluster_bootstrap_ratio(np.array([4.0, 7.0, 12.0]), np.array([2.0, 2.0, 3.0]), n_boot=300, seed=8)
    pd.testing.assert_frame_equal(out, by_hand.assign(quantity=["mean"]), check_exact=True)


def test_cluster_bootstrap_mean_of_several_columns():
    values = np.array([[1.0, 10.0], [3.0, 0.0], [2.0, 5.0]])
    out = cluster_bootstrap_mean(values, [0, 0, 1], n_boot=50, seed=1, names=["a", "b"])
    assert out["quantity"].tolist() == ["a", "b"]
    assert out["estimate"].tolist() == pytest.approx([2.0, 5.0])


def test_cluster_bootstrap_mean_errors():
    with pytest.raises(ValueError, match=r"^clusters="):
        cluster_bootstrap_mean(np.ones(3), ["a", "b"])
    with pytest.raises(ValueError, match=r"^clusters=.*missing"):
        cluster_bootstrap_mean(np.ones(3), ["a", None, "b"])
    with pytest.raises(ValueError, match=r"^values=.*finite"):
        cluster_bootstrap_mean(np.array([1.0, np.inf]), ["a", "b"])


# ---------------------------------------------------------------- percentile interval


def test_percentile_interval():
    r = np.arange(101, dtype=float)
    assert percentile_interval(r, level=0.95) == pytest.approx((2.5, 97.5))
    assert percentile_interval(r, 0.95) == percentile_interval(r, level=0.95)
    assert percentile_interval(np.append(r, np.nan), level=0.9) == pytest.approx((5.0, 95.0))
    low, high = percentile_interval(np.column_stack([r, 2 * r, np.full(101, np.nan)]), level=0.5)
    assert low[:2] == pytest.approx([25.0, 50.0]) and high[:2] == pytest.approx([75.0, 150.0])
    assert np.isnan(low[2]) and np.isnan(high[2])
    with pytest.raises(ValueError, match=r"^level=0: expected"):
        percentile_interval(r, level=0)


# ---------------------------------------------------------------- permutation test


def rate_difference(hits, tokens, labels, scale=1000.0):
    ht = sum(h for h, lab in zip(hits, labels) if lab)
    tt = sum(t for t, lab in zip(tokens, labels) if lab)
    hf = sum(h for h, lab in zip(hits, labels) if not lab)
    tf = sum(t for t, lab in zip(tokens, labels) if not lab)
    return scale * ht / tt - scale * hf / tf


def exact_p(hits, tokens, labels, strata):
    """Enumerate every labelling that keeps each stratum's number of True labels."""
    observed = abs(rate_difference(hits, tokens, labels))
    by_stratum = {}
    for i, s in enumerate(strata):
        by_stratum.setdefault(s, []).append(i)
    choices = [list(itertools.combinations(idx, sum(labels[i] for i in idx))) for idx in by_stratum.values()]
    total = extreme = 0
    for combo in itertools.product(*choices):
        true = {i for part in combo for i in part}
        d = rate_difference(hits, tokens, [i in true for i in range(len(hits))])
        total += 1
        extreme += abs(d) >= observed - 1e-9
    return extreme / total


def test_permutation_p_value_converges_to_the_exact_one():
    hits = [8, 6, 1, 0]
    tokens = [10, 10, 10, 10]
    labels = np.array([True, True, False, False])
    p_exact = exact_p(hits, tokens, labels, [0, 0, 0, 0])  # 6 labellings; by hand: 650, 150, 50, -50, -150, -650
    assert p_exact == pytest.approx(2 / 6)
    out = permutation_test(hits, tokens, labels, n_perm=20_000, seed=1)
    assert out["observed"] == pytest.approx(1000 * (14 / 20 - 1 / 20))
    assert out["rate_true"] == pytest.approx(700.0) and out["rate_false"] == pytest.approx(50.0)
    assert out["n_perm"] == out["n_valid"] == 20_000
    assert out["p_value"] == pytest.approx(p_exact, abs=0.015)


def test_permutation_within_strata_converges_to_the_stratified_exact_p():
    hits = [2, 6, 7, 3, 4, 9, 8, 9]
    tokens = [9, 11, 12, 11, 12, 11, 11, 9]
    labels = np.array([True, False, True, False, True, True, False, False])
    strata = ["a", "a", "a", "b", "b", "b", "c", "c"]
    p_strat = exact_p(hits, tokens, labels, strata)
    p_free = exact_p(hits, tokens, labels, [0] * 8)
    assert abs(p_strat - p_free) > 0.15  # the example distinguishes the two designs
    out = permutation_test(hits, tokens, labels, strata=strata, n_perm=20_000, seed=3)
    assert out["p_value"] == pytest.approx(p_strat, abs=0.015)
    free = permutation_test(hits, tokens, labels, n_perm=20_000, seed=3)
    assert free["p_value"] == pytest.approx(p_free, abs=0.015)


def test_permutation_never_moves_labels_across_strata():
    # stratum s1 is all True (fixed contribution); in s2 the two documents are identical, so every
    # within-stratum shuffle reproduces the observed difference exactly: p must be exactly 1
    hits = [1, 0, 9, 9]
    tokens = [10, 10, 10, 10]
    labels = np.array([True, True, True, False])
    strata = ["s1", "s1", "s2", "s2"]
    out = permutation_test(hits, tokens, labels, strata=strata, n_perm=2000, seed=0)
    assert out["p_value"] == 1.0 and out["n_valid"] == 2000
    # across strata the labels do move: then 3 of the 4 labellings are as extreme
    assert exact_p(hits, tokens, labels, [0] * 4) == pytest.approx(3 / 4)
    assert permutation_test(hits, tokens, labels, n_perm=20_000, seed=0)["p_value"] == pytest.approx(3 / 4, abs=0.015)


def test_permutation_is_deterministic_and_chunk_invariant():
    rng = np.random.default_rng(0)
    hits = rng.integers(0, 10, size=40)
    tokens = hits + rng.integers(1, 30, size=40)
    labels = rng.random(40) < 0.4
    strata = rng.integers(0, 5, size=40)
    first = permutation_test(hits, tokens, labels, strata=strata, n_perm=999, seed=4)
    assert first == permutation_test(hits, tokens, labels, strata=strata, n_perm=999, seed=4)
    for chunk in (1, 13, 999):
        assert first == permutation_test(hits, tokens, labels, strata=strata, n_perm=999, seed=4, chunk=chunk)
    assert first != permutation_test(hits, tokens, labels, strata=strata, n_perm=999, seed=5)
    # no strata is one common stratum
    assert permutation_test(hits, tokens, labels, n_perm=999, seed=4) == permutation_test(
        hits, tokens, labels, strata=np.zeros(40), n_perm=999, seed=4
    )


def test_permutation_without_movable_labels_has_p_one():
    out = permutation_test([1, 2, 3, 4], [5, 5, 5, 5], np.array([True, True, False, False]),
                           strata=["x", "x", "y", "y"], n_perm=50)
    assert out["p_value"] == 1.0 and out["observed"] == pytest.approx(1000 * (3 / 10 - 7 / 10))


def test_permutation_argument_errors():
    with pytest.raises(ValueError, match=r"^labels=.*boolean"):
        permutation_test([1, 2], [3, 4], [1, 0])
    with pytest.raises(ValueError, match=r"^labels=.*tokens > 0"):
        permutation_test([1, 2], [0, 4], np.array([True, False]))
    with pytest.raises(ValueError, match=r"^n_perm=0: expected"):
        permutation_test([1, 2], [3, 4], np.array([True, False]), n_perm=0)
    with pytest.raises(ValueError, match=r"^strata="):
        permutation_test([1, 2], [3, 4], np.array([True, False]), strata=[1])
    with pytest.raises(ValueError, match=r"^tokens=.*>= 0"):
        permutation_test([1, 2], [3, -4], np.array([True, False]))
