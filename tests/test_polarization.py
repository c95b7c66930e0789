"""Leave-out partisanship and Esteban-Ray polarization.

Expected values come from the definitions written out here (plain loops over
authors and terms, group totals recomputed from scratch for every author) or
from hand calculations, never from the code's output.
"""

import math

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from analysis.polarization import (
    REST,
    esteban_ray,
    leave_out_partisanship,
    partisanship,
    partisanship_by_group,
    term_contributions,
)
from analysis.stats import bootstrap_weights

# ---------------------------------------------------------------- the definition, by brute force


def brute_force_parts(counts, groups, multiplicity=None):
    """Per-term summands of π̂_LO, by the definition (gentzkow2019measuring), with plain loops.

    ``counts`` is a dense list-of-lists; ``groups`` booleans (True = R).
    Authors without tokens are dropped. ``multiplicity`` (optional, one
    integer per author) repeats authors as in a bootstrap sample: a copy
    counts in the group totals and in the mean, and all copies of the
    author are left out of that author's own leave-out totals. Returns
    (summand per term, chance summand per term).
    """
    n, t = len(counts), len(counts[0])
    mult = [1] * n if multiplicity is None else list(multiplicity)
    authors = [i for i in range(n) if sum(counts[i]) > 0 and mult[i] > 0]
    r = [i for i in authors if groups[i]]
    d = [i for i in authors if not groups[i]]
    size_r = sum(mult[i] for i in r)
    size_d = sum(mult[i] for i in d)
    summand = [0.0] * t
    chance = [0.0] * t
    for i in authors:
        m_i = sum(counts[i])
        # recompute both groups' totals from scratch, leaving out author i (all copies)
        tot_r = [0.0] * t
        tot_d = [0.0] * t
        len_r = len_d = 0.0
        for k in authors:
            if k == i:
                continue
            for j in range(t):
                if groups[k]:
                    tot_r[j] += mult[k] * counts[k][j]
                else:
                    tot_d[j] += mult[k] * counts[k][j]
            if groups[k]:
                len_r += mult[k] * sum(counts[k])
            else:
                len_d += mult[k] * sum(counts[k])
        size = size_r if groups[i] else size_d
        for j in range(t):
            q_ij = counts[i][j] / m_i
            f_r = tot_r[j] / len_r
            f_d = tot_d[j] / len_d
            rho = 0.5 if f_r + f_d == 0 else f_r / (f_r + f_d)
            own = rho if groups[i] else 1.0 - rho
            summand[j] += 0.5 * mult[i] * q_ij * own / size
            chance[j] += 0.25 * mult[i] * q_ij / size
    return summand, chance


def brute_force(counts, groups, multiplicity=None):
    return sum(brute_force_parts(counts, groups, multiplicity)[0])


def random_counts(rng, n_authors, n_terms, *, density=0.3, partisan=0.0):
    """Sparse-ish integer counts with zeros (also empty rows); R authors tilt toward the first half of terms."""
    groups = rng.random(n_authors) < 0.5
    groups[:2], groups[2:4] = True, False
    base = rng.dirichlet(np.ones(n_terms) * 0.5)
    tilt = np.where(np.arange(n_terms) < n_terms // 2, 1.0 + partisan, 1.0 - partisan)
    counts = np.zeros((n_authors, n_terms), dtype=np.int64)
    for i in range(n_authors):
        p = base * (tilt if groups[i] else tilt[::-1])
        p = p / p.sum()
        counts[i] = rng.multinomial(rng.integers(1, 30), p)
        counts[i][rng.random(n_terms) > density * 3] = 0  # extra zeros
    counts[5] = 0  # an author without tokens
    return counts, groups


# ---------------------------------------------------------------- the estimator against the definition


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4])
def test_leave_out_matches_brute_force(seed):
    rng = np.random.default_rng(seed)
    counts, groups = random_counts(rng, 30, 40, partisan=0.4 * (seed % 3))
    expected = brute_force(counts.tolist(), groups.tolist())
    assert leave_out_partisanship(sp.csr_array(counts), groups) == pytest.approx(expected, abs=1e-9)
    # dense input, 0/1 labels and a csr_matrix give the same value
    assert leave_out_partisanship(counts, groups.astype(int)) == pytest.approx(expected, abs=1e-9)
    assert leave_out_partisanship(sp.csr_matrix(counts), groups) == pytest.approx(expected, abs=1e-9)


def test_leave_out_matches_brute_force_with_float_counts_and_singletons():
    rng = np.random.default_rng(11)
    counts = rng.random((25, 30)) * (rng.random((25, 30)) < 0.15)  # many terms used by one author only
    groups = np.arange(25) % 2 == 0
    expected = brute_force(counts.tolist(), groups.tolist())
    assert leave_out_partisanship(sp.coo_array(counts), groups) == pytest.approx(expected, abs=1e-9)


# blocks of non-zeros (several, and a row longer than a block) and batches of replicates: bit for bit against the
# plain one-pass definition in test_polarization_speed.py


def test_input_is_not_modified_and_duplicates_are_summed():
    dense = np.array([[1, 0, 2], [0, 3, 1], [2, 2, 0], [1, 0, 1]])
    groups = np.array([True, True, False, False])
    m = sp.csr_array(dense.astype(float))
    before = m.copy()
    leave_out_partisanship(m, groups)
    assert (m != before).nnz == 0
    # the same counts given as duplicate COO entries
    rows, cols = np.nonzero(dense)
    vals = dense[rows, cols]
    dup = sp.coo_array(
        (np.concatenate([vals - 0.5, np.full(len(vals), 0.5)]), (np.tile(rows, 2), np.tile(cols, 2))), shape=dense.shape
    )
    expected = leave_out_partisanship(dense, groups)
    assert leave_out_partisanship(dup.tocsr(), groups) == pytest.approx(expected, abs=1e-12)


def test_perfect_separation_is_one():
    # R authors only say "a", D authors only say "b". For i in R: q_i = (1, 0);
    # leave-out q^R_{-i} = (1, 0) (the other R authors), q^D = (0, 1), so
    # rho_{-i,a} = 1 / (1 + 0) = 1 and q_i . rho_{-i} = 1; symmetrically each D
    # author scores q_i . (1 - rho_{-i}) = 1 - 0 = 1. pi = 1/2 * 1 + 1/2 * 1 = 1.
    counts = np.array([[3, 0], [1, 0], [5, 0], [0, 2], [0, 7]])
    groups = np.array([True, True, True, False, False])
    assert leave_out_partisanship(counts, groups) == pytest.approx(1.0, abs=1e-15)


def test_hand_computed_small_example():
    # terms (a, b). R: r1 = (2, 0), r2 = (1, 1). D: d1 = (0, 2), d2 = (1, 1).
    # r1: q = (1, 0); leave-out R = r2 -> (1/2, 1/2); D = (1, 3)/4 = (1/4, 3/4)
    #     rho_a = (1/2) / (1/2 + 1/4) = 2/3 -> score 2/3
    # r2: q = (1/2, 1/2); leave-out R = r1 -> (1, 0); D = (1/4, 3/4)
    #     rho_a = 1 / (5/4) = 4/5, rho_b = 0 -> score 1/2 * 4/5 = 2/5
    # d1: q = (0, 1); leave-out D = d2 -> (1/2, 1/2); R = (3, 1)/4 = (3/4, 1/4)
    #     1 - rho_b = (1/2) / (1/2 + 1/4) = 2/3 -> score 2/3
    # d2: q = (1/2, 1/2); leave-out D = d1 -> (0, 1); R = (3/4, 1/4)
    #     1 - rho_a = 0, 1 - rho_b = 1 / (5/4) = 4/5 -> score 2/5
    # pi = 1/2 * (2/3 + 2/5)/2 + 1/2 * (2/3 + 2/5)/2 = (16/15)/2 = 8/15
    counts = np.array([[2, 0], [1, 1], [0, 2], [1, 1]])
    groups = np.array([True, True, False, False])
    assert leave_out_partisanship(counts, groups) == pytest.approx(8 / 15, abs=1e-15)


def test_labels_swapped_give_the_same_value():
    rng = np.random.default_rng(5)
    counts, groups = random_counts(rng, 30, 20, partisan=0.5)
    assert leave_out_partisanship(counts, ~groups) == pytest.approx(leave_out_partisanship(counts, groups), abs=1e-12)


def test_term_used_by_one_author_only_counts_as_chance():
    # author 0 alone uses term "c": both leave-out frequencies are 0, rho = 1/2 (0/0 convention)
    counts = np.array([[1, 0, 1], [1, 0, 0], [0, 1, 0], [0, 1, 0]])
    groups = np.array([True, True, False, False])
    # r0: q = (1/2, 0, 1/2); rho_a = 1 (only R says a), rho_c = 1/2 -> 1/2 + 1/4 = 3/4
    # r1: q = (1, 0, 0); leave-out R = r0 -> (1/2, 0, 1/2), D = (0, 1, 0) -> rho_a = 1 -> 1
    # d's: q = (0, 1, 0), leave-out D = the other d -> 1 - rho_b = 1 -> 1 each
    # pi = 1/2 * (3/4 + 1)/2 + 1/2 * 1 = 7/16 + 1/2 = 15/16
    assert leave_out_partisanship(counts, groups) == pytest.approx(15 / 16, abs=1e-15)
    table = term_contributions(counts, groups, ["a", "b", "c"]).set_index("term")
    assert table.loc["c", "contribution"] == pytest.approx(0.0, abs=1e-15)


def test_independent_labels_give_about_one_half():
    # 400 authors drawn from ONE multinomial; labels independent of the counts
    rng = np.random.default_rng(2024)
    n_terms = 300
    p = 1.0 / np.arange(1, n_terms + 1)
    p /= p.sum()
    counts = np.vstack([rng.multinomial(rng.integers(20, 200), p) for _ in range(400)])
    groups = rng.random(400) < 0.5
    value = leave_out_partisanship(sp.csr_array(counts), groups)
    assert abs(value - 0.5) < 0.02


def test_authors_without_tokens_are_dropped_and_small_groups_rejected():
    counts = np.array([[1, 0], [2, 1], [0, 0], [0, 3], [1, 2]])
    groups = np.array([True, True, True, False, False])
    assert leave_out_partisanship(counts, groups) == pytest.approx(
        leave_out_partisanship(counts[[0, 1, 3, 4]], groups[[0, 1, 3, 4]]), abs=1e-15
    )
    with pytest.raises(ValueError, match="at least 2 authors with tokens"):
        leave_out_partisanship(counts, np.array([True, False, True, False, False]))  # R has 1 author with tokens
    with pytest.raises(ValueError, match="groups="):
        leave_out_partisanship(counts, np.array([0, 1, 2, 1, 0]))
    with pytest.raises(ValueError, match="groups="):
        leave_out_partisanship(counts, groups[:3])
    with pytest.raises(ValueError, match="counts="):
        leave_out_partisanship(-counts, groups)


# ---------------------------------------------------------------- term contributions


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_term_contributions_sum_to_excess_and_match_definition(seed):
    rng = np.random.default_rng(100 + seed)
    counts, groups = random_counts(rng, 30, 40, partisan=0.5)
    terms = [f"t{j}" for j in range(40)]
    table = term_contributions(sp.csr_array(counts), groups, terms)
    pi = leave_out_partisanship(counts, groups)
    assert table["contribution"].sum() == pytest.approx(pi - 0.5, abs=1e-12)
    assert np.allclose(table["contribution"], table["part_R"] + table["part_D"], atol=1e-15)
    summand, chance = brute_force_parts(counts.tolist(), groups.tolist())
    by_term = table.set_index("term")
    for j, name in enumerate(terms):
        assert by_term.loc[name, "contribution"] == pytest.approx(summand[j] - chance[j], abs=1e-12)
    # sorted by contribution, descending
    assert (np.diff(table["contribution"].to_numpy()) <= 0).all()
    # favours: the group with the higher pooled relative frequency
    kept = counts.sum(axis=1) > 0
    c_r = counts[kept & groups].sum(axis=0)
    c_d = counts[kept & ~groups].sum(axis=0)
    for j, name in enumerate(terms):
        f_r, f_d = c_r[j] / c_r.sum(), c_d[j] / c_d.sum()
        assert by_term.loc[name, "freq_R"] == pytest.approx(f_r)
        assert by_term.loc[name, "favours"] == ("R" if f_r > f_d else "D" if f_r < f_d else "")
        assert by_term.loc[name, "n_authors"] == int((counts[:, j] > 0).sum())


def test_term_contributions_of_perfect_separation():
    # pi = 1, so the contributions sum to 1/2; by symmetry a and b each give 1/4
    counts = np.array([[3, 0], [1, 0], [0, 2], [0, 7]])
    groups = np.array([True, True, False, False])
    table = term_contributions(counts, groups, ["a", "b"]).set_index("term")
    assert table.loc["a", "contribution"] == pytest.approx(0.25)
    assert table.loc["b", "contribution"] == pytest.approx(0.25)
    assert table.loc["a", "favours"] == "R" and table.loc["b", "favours"] == "D"
    with pytest.raises(ValueError, match="terms="):
        term_contributions(counts, groups, ["a"])


# ---------------------------------------------------------------- inference


def test_bootstrap_replicates_follow_the_documented_resampling():
    rng = np.random.default_rng(8)
    counts, groups = random_counts(rng, 14, 10, partisan=0.6)
    kept = counts.sum(axis=1) > 0
    c, g = counts[kept], groups[kept]
    n_boot = 6
    s_r, s_d = (int(x) for x in np.random.SeedSequence(3).generate_state(2))
    w_r = bootstrap_weights(int(g.sum()), n_boot=n_boot, seed=s_r)
    w_d = bootstrap_weights(int((~g).sum()), n_boot=n_boot, seed=s_d)
    replicates = []
    for b in range(n_boot):
        mult = np.zeros(len(g), dtype=int)
        mult[np.flatnonzero(g)] = w_r[b]
        mult[np.flatnonzero(~g)] = w_d[b]
        replicates.append(brute_force(c.tolist(), g.tolist(), mult.tolist()))
    low, high = np.quantile(replicates, [0.1, 0.9])
    res = partisanship(counts, groups, n_boot=n_boot, n_perm=5, seed=3, level=0.8)
    assert res["n_boot_valid"] == n_boot
    assert res["ci_low"] == pytest.approx(low, abs=1e-9)
    assert res["ci_high"] == pytest.approx(high, abs=1e-9)


def test_permutation_baseline_follows_the_documented_shuffles():
    rng = np.random.default_rng(9)
    counts, groups = random_counts(rng, 16, 12, partisan=0.6)
    kept = counts.sum(axis=1) > 0
    c, g = counts[kept], groups[kept]
    perm_rng = np.random.default_rng(4)
    values = [brute_force(c.tolist(), perm_rng.permutation(g).tolist()) for _ in range(7)]
    observed = brute_force(c.tolist(), g.tolist())
    res = partisanship(counts, groups, n_boot=2, n_perm=7, seed=4)
    assert res["estimate"] == pytest.approx(observed, abs=1e-9)
    assert res["baseline_mean"] == pytest.approx(np.mean(values), abs=1e-9)
    assert res["p_value"] == pytest.approx((1 + sum(v >= observed - 1e-9 for v in values)) / 8)
    assert res["n_authors_R"] == int(g.sum()) and res["n_authors_D"] == int((~g).sum())
    assert res["n_dropped"] == int((~kept).sum())


def test_partisanship_on_partisan_data():
    # "real-ish" data: 300 authors with Zipfian vocabularies, each group over-using its own half of the terms
    rng = np.random.default_rng(77)
    n_terms = 400
    base = 1.0 / np.arange(1, n_terms + 1)
    rng.shuffle(base)
    groups = rng.random(300) < 0.4
    tilt = np.where(np.arange(n_terms) % 2 == 0, 1.6, 0.4)
    rows = []
    for i in range(300):
        p = base * (tilt if groups[i] else tilt[::-1])
        rows.append(rng.multinomial(rng.integers(10, 120), p / p.sum()))
    counts = sp.csr_array(np.vstack(rows))
    terms = [f"w{j}" for j in range(n_terms)]
    res = partisanship(counts, groups, terms=terms, n_boot=100, n_perm=100, seed=1)
    assert res["estimate"] > 0.55
    assert res["ci_low"] <= res["estimate"] <= res["ci_high"]
    assert abs(res["baseline_mean"] - 0.5) < 0.01  # shuffled labels: centred near chance
    assert res["baseline_high"] < res["estimate"]
    assert res["p_value"] == pytest.approx(1 / 101)
    assert res["contributions"]["contribution"].sum() == pytest.approx(res["estimate"] - 0.5, abs=1e-12)
    # deterministic per seed
    again = partisanship(counts, groups, n_boot=100, n_perm=100, seed=1)
    for key in ("estimate", "ci_low", "ci_high", "baseline_mean", "p_value"):
        assert again[key] == res[key]


def test_bootstrap_with_two_authors_per_group_skips_degenerate_replicates():
    counts = np.array([[3, 1], [2, 0], [0, 2], [1, 4]])
    groups = np.array([True, True, False, False])
    res = partisanship(counts, groups, n_boot=50, n_perm=10, seed=0)
    # a replicate is valid only if both groups draw both of their authors: probability 1/4
    assert 0 < res["n_boot_valid"] < 50


def test_partisanship_by_group_rows_equal_two_group_runs():
    rng = np.random.default_rng(12)
    counts = rng.poisson(0.8, size=(45, 25))
    labels = np.array(["x", "y", "z"], dtype=object)[np.arange(45) % 3]
    labels[0] = None  # unknown: left out
    labels[1] = ""
    one = partisanship_by_group(counts, labels, n_boot=20, n_perm=20, seed=2)
    assert list(one["group_a"]) == ["x", "y", "z"] and (one["group_b"] == REST).all()
    known = np.array([v not in (None, "") for v in labels])
    for _, row in one.iterrows():
        single = partisanship(counts[known], labels[known] == row["group_a"], n_boot=20, n_perm=20, seed=2)
        for key in ("estimate", "ci_low", "ci_high", "baseline_mean", "p_value"):
            assert row[key] == pytest.approx(single[key], abs=1e-12)
    pairs = partisanship_by_group(counts, labels, pairwise=True, n_boot=20, n_perm=20, seed=2)
    assert list(zip(pairs["group_a"], pairs["group_b"])) == [("x", "y"), ("x", "z"), ("y", "z")]
    sub = np.isin(labels, ["x", "z"])
    single = partisanship(counts[sub], labels[sub] == "x", n_boot=20, n_perm=20, seed=2)
    assert pairs.loc[1, "estimate"] == pytest.approx(single["estimate"], abs=1e-12)
    assert pairs.loc[1, "ci_low"] == pytest.approx(single["ci_low"], abs=1e-12)
    with pytest.raises(ValueError, match="fewer than 2"):
        partisanship_by_group(counts[:6], np.array(["x", "x", "x", "y", "y", "z"], dtype=object))


def test_partisanship_argument_checks():
    counts = np.array([[1, 0], [2, 1], [0, 3], [1, 2]])
    groups = np.array([True, True, False, False])
    bad = [({"n_boot": 0}, "n_boot"), ({"n_perm": 1.5}, "n_perm"), ({"level": 1}, "level"), ({"seed": -1}, "seed")]
    for kwargs, name in bad:
        with pytest.raises(ValueError, match=name):
            partisanship(counts, groups, **kwargs)


# ---------------------------------------------------------------- Esteban-Ray


def esteban_ray_by_definition(values, shares, alpha):
    return sum(
        shares[i] ** (1 + alpha) * shares[j] * abs(values[i] - values[j])
        for i in range(len(values))
        for j in range(len(values))
    )


def test_esteban_ray_two_points_by_hand():
    # half at 0, half at 1, alpha = 1: 2 * (0.5^2 * 0.5 * 1) = 0.25
    assert esteban_ray([0, 1], alpha=1.0) == pytest.approx(0.25)
    assert esteban_ray([0, 0, 1, 1], alpha=1.0) == pytest.approx(0.25)  # identical positions are one group
    # alpha = 0: Gini mean difference 2 * 0.5 * 0.5 * 1 = 0.5
    assert esteban_ray([0, 1], alpha=0.0) == pytest.approx(0.5)
    # shares 1/4 at 0, 3/4 at 2, alpha = 1.6:
    # (1/4)^2.6 * 3/4 * 2 + (3/4)^2.6 * 1/4 * 2
    expected = 0.25**2.6 * 0.75 * 2 + 0.75**2.6 * 0.25 * 2
    assert esteban_ray([0, 2, 2, 2], alpha=1.6) == pytest.approx(expected)
    assert esteban_ray([0, 2], alpha=1.6, weights=[1, 3]) == pytest.approx(expected)
    # scale (K) and the scale of positions multiply P
    assert esteban_ray([0, 20], alpha=1.0, scale=2.0) == pytest.approx(0.25 * 20 * 2)


def test_esteban_ray_single_point_is_zero():
    assert esteban_ray([3.5, 3.5, 3.5]) == 0.0
    assert esteban_ray([3.5, 3.5], bins=4) == 0.0


def test_esteban_ray_matches_definition_and_bins():
    rng = np.random.default_rng(3)
    y = rng.integers(0, 6, size=200).astype(float)
    w = rng.random(200)
    values = sorted(set(y))
    mass = [w[y == v].sum() for v in values]
    shares = [m / sum(mass) for m in mass]
    assert esteban_ray(y, alpha=1.3, weights=w) == pytest.approx(esteban_ray_by_definition(values, shares, 1.3))
    # bins: 4 equal-width bins over [0, 10] have midpoints 1.25, 3.75, 6.25, 8.75
    x = np.array([0.0, 1.0, 2.4, 3.0, 9.0, 10.0])
    # bins [0, 2.5): 0, 1, 2.4 -> 3/6 ; [2.5, 5): 3 -> 1/6 ; [5, 7.5): none ; [7.5, 10]: 9, 10 -> 2/6
    expected = esteban_ray_by_definition([1.25, 3.75, 8.75], [3 / 6, 1 / 6, 2 / 6], 1.0)
    assert esteban_ray(x, alpha=1.0, bins=4) == pytest.approx(expected)


def test_esteban_ray_argument_checks():
    for alpha in (-0.1, 1.7, True, "1"):
        with pytest.raises(ValueError, match="alpha"):
            esteban_ray([0, 1], alpha=alpha)
    with pytest.raises(ValueError, match="positions"):
        esteban_ray([])
    with pytest.raises(ValueError, match="positions"):
        esteban_ray([0, math.nan])
    with pytest.raises(ValueError, match="weights"):
        esteban_ray([0, 1], weights=[0, 0])
    with pytest.raises(ValueError, match="bins"):
        esteban_ray([0, 1], bins=0)
    assert isinstance(esteban_ray(pd.Series([0.0, 1.0])), float)
