"""Polarization with any number of groups and within strata (issue 15): the K-group leave-out estimator against a
brute-force implementation of its definition, per-stratum and pooled estimates and the between-strata estimate on
examples worked by hand, group values chosen in the config, and the K-group figure."""

import itertools

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from analysis.groups import map_groups
from analysis.network import cross_share_baseline
from analysis.polarization import (
    POOLED,
    leave_out_multigroup,
    leave_out_partisanship,
    partisanship_by_stratum,
    partisanship_multigroup,
)


def brute_force(counts: np.ndarray, labels: list) -> float:
    """The definition, author by author and term by term: the mean over groups (equal weights) of the mean over the
    group's authors of Σ_j q_ij · P(own group | term j), the posterior with equal priors from the groups' term
    frequencies with author i left out of its own group (a term nobody else uses: 1/K)."""
    names = sorted(set(labels))
    k = len(names)
    per_group = {g: [] for g in names}
    for i, g in enumerate(labels):
        m_i = counts[i].sum()
        score = 0.0
        for j in range(counts.shape[1]):
            if counts[i, j] == 0:
                continue
            freq = {}
            for h in names:
                members = [a for a in range(len(labels)) if labels[a] == h and not (h == g and a == i)]
                total = sum(counts[a].sum() for a in members)
                freq[h] = sum(counts[a, j] for a in members) / total
            den = sum(freq.values())
            post = freq[g] / den if den > 0 else 1.0 / k
            score += counts[i, j] / m_i * post
        per_group[g].append(score)
    return sum(np.mean(v) for v in per_group.values()) / k


@pytest.mark.parametrize("k,seed", [(2, 0), (3, 1), (3, 2), (4, 3), (4, 4)])
def test_multigroup_estimator_equals_its_definition(k, seed):
    rng = np.random.default_rng(seed)
    n, t = 6 * k, 9
    counts = rng.poisson(0.8, size=(n, t)) * (rng.random((n, t)) < 0.6)
    counts[:, 0] += 1  # every author has a token
    labels = [f"g{i % k}" for i in rng.permutation(n)]
    assert leave_out_multigroup(sp.csr_array(counts), labels) == pytest.approx(brute_force(counts, labels), abs=1e-9)
    fractional = counts * rng.uniform(0.5, 2.0, size=counts.shape)  # non-integer weights of terms
    assert leave_out_multigroup(fractional, labels) == pytest.approx(brute_force(fractional, labels), abs=1e-9)


def test_two_groups_is_the_leave_out_estimator():
    rng = np.random.default_rng(5)
    counts = rng.poisson(1.0, size=(20, 15)) + (np.arange(15) == 0)
    g = rng.random(20) < 0.5
    g[:2], g[2:4] = True, False
    assert leave_out_multigroup(counts, np.where(g, "R", "D")) == pytest.approx(leave_out_partisanship(counts, g),
                                                                                abs=1e-12)


def test_missing_labels_are_left_out_not_a_group():
    rng = np.random.default_rng(6)
    counts = rng.poisson(1.0, size=(12, 6)) + 1
    labels = ["a", "b", "c"] * 3 + [None, "", np.nan]
    full = leave_out_multigroup(counts[:9], labels[:9])
    assert leave_out_multigroup(counts, labels) == pytest.approx(full, abs=1e-12)


@pytest.mark.parametrize("k", [3, 4])
def test_shuffled_labels_give_about_one_over_k(k):
    rng = np.random.default_rng(10 + k)
    counts = sp.csr_array(rng.poisson(0.3, size=(40 * k, 200)))  # no group speaks differently
    labels = np.repeat([f"g{i}" for i in range(k)], 40)
    res = partisanship_multigroup(counts, labels, n_perm=100, n_boot=20, seed=1)
    assert res["chance"] == pytest.approx(1 / k)
    assert abs(res["baseline_mean"] - 1 / k) < 0.01
    assert abs(res["estimate"] - 1 / k) < 0.02 and res["p_value"] > 0.01
    # separated vocabularies (each group its own 4 terms, used by all its speakers): exactly 1, far above chance
    sep = np.zeros((8 * k, 4 * k))
    for i in range(8 * k):
        sep[i, 4 * (i % k) : 4 * (i % k) + 4] = rng.integers(1, 4, size=4)
    res = partisanship_multigroup(sep, [f"g{i % k}" for i in range(8 * k)], n_perm=50, n_boot=20, seed=2)
    assert res["estimate"] == pytest.approx(1.0, abs=1e-12)
    assert res["baseline_high"] < 0.6 and res["p_value"] == pytest.approx(1 / 51)


def test_strata_and_pooled_estimate_by_hand():
    """Topic A: two R speakers say only x, two D speakers only y: each speaker's leave-out posterior of its own
    group is 1, so π = 1. Topic B: six speakers all say z: the posterior is ½, π = ½. Topic C has one group only:
    no estimate. Pooled over A and B, weighted by speakers: (4·1 + 6·½) / 10 = 0.7."""
    rows = [("A", "R", [2, 0, 0]), ("A", "R", [1, 0, 0]), ("A", "D", [0, 3, 0]), ("A", "D", [0, 1, 0])]
    rows += [("B", g, [0, 0, n]) for g, n in [("R", 1), ("R", 2), ("R", 1), ("D", 4), ("D", 1), ("D", 2)]]
    rows += [("C", "R", [1, 1, 1]), ("C", "R", [2, 0, 1])]
    strata = [r[0] for r in rows]
    labels = [r[1] for r in rows]
    counts = np.array([r[2] for r in rows])
    table = partisanship_by_stratum(counts, labels, strata, n_perm=30, n_boot=30, seed=0).set_index("stratum")
    assert table.loc["A", "estimate"] == pytest.approx(1.0, abs=1e-12)
    assert table.loc["B", "estimate"] == pytest.approx(0.5, abs=1e-12)
    assert np.isnan(table.loc["C", "estimate"]) and "fewer than 2 groups" in table.loc["C", "reason"]
    assert table.loc[POOLED, "estimate"] == pytest.approx(0.7, abs=1e-12)
    assert table.loc[POOLED, "n_speakers"] == 10 and table.loc[POOLED, "n_strata"] == 2
    assert table.loc["B", "baseline_mean"] == pytest.approx(0.5, abs=1e-12)  # shuffled within B: still ½
    # shuffling within A can only keep or break the separation: the baseline is below 1 and A's p is not tiny
    # (4 speakers have 3 distinct splits), so the pooled p is bounded below too
    assert table.loc["A", "baseline_mean"] < 1.0 and table.loc["A", "p_value"] > 0.2


def test_between_strata_estimate_by_hand():
    """The between-strata row: the leave-out estimator on each speaker's comments per stratum (topic choice).
    R's speakers comment only in A, D's only in B: 1. Everyone equally in both: ½."""
    from analysis.polarization_report import polarization_report

    def run(topic_of):
        authors = [f"u{i}" for i in range(4) for _ in range(2)]
        side = ["R" if a in ("u0", "u1") else "D" for a in authors]
        topic = [topic_of(a, k) for a, k in zip(authors, [0, 1] * 4)]
        c = pd.DataFrame({"thread_id": [f"t{x}" for x in topic], "comment_id": [f"c{i}" for i in range(8)],
                          "parent_id": [""] * 8, "author_id": authors, "side": side, "topic": topic})
        tokens = pd.DataFrame([(t, k, "comment", w, False) for t, k, s in zip(c["thread_id"], c["comment_id"], side)
                               # comment i says its words i + 1 times: no two posts alike (a repeat counts once)
                               for w in (["x", "y"] if s == "R" else ["y", "z"]) * (int(k[1:]) + 1)],
                              columns=["thread_id", "comment_id", "doc", "norm", "is_stopword"])
        docs = c[["thread_id", "comment_id"]].assign(doc="comment", n_tokens=2)
        stance = c[["thread_id", "comment_id"]].assign(doc="comment", n_pro=0, n_anti=0, score=np.nan,
                                                       label="abstain", n_uncivil=0)
        matches = pd.DataFrame(columns=["thread_id", "comment_id", "doc", "frame", "term", "counted"])
        rep = polarization_report(c, docs, stance, batches(tokens), batches(matches), **OPTIONS, salt="s",
                                  strata=["topic"])
        part = rep.partisanship
        return part[(part["tokens"] == "all tokens")].set_index("stratum")

    apart = run(lambda a, k: "A" if a in ("u0", "u1") else "B")
    assert apart.loc["(between strata)", "estimate"] == pytest.approx(1.0, abs=1e-12)
    mixed = run(lambda a, k: "AB"[k])
    assert mixed.loc["(between strata)", "estimate"] == pytest.approx(0.5, abs=1e-12)
    # within each topic R says x,y and D says y,z: each speaker's leave-out posterior: ½·1 + ½·½ = ¾
    for topic in "AB":
        assert mixed.loc[topic, "estimate"] == pytest.approx(0.75, abs=1e-12)
    assert mixed.loc[POOLED, "estimate"] == pytest.approx(0.75, abs=1e-12)
    assert mixed.loc["(whole corpus)", "estimate"] == pytest.approx(0.75, abs=1e-12)


OPTIONS = {"groups": "column", "group_column": "side", "unit": "auto", "min_known_share": 0.5, "min_term_count": 1,
           "top_terms": 5, "n_boot": 20, "n_perm": 20, "seed": 1, "min_clusters": 2, "er_alpha": 1.3, "er_bins": 10,
           "rwc_k": 2, "stance_mapping": {}}


def batches(df: pd.DataFrame) -> list:
    import pyarrow as pa
    return pa.Table.from_pandas(df, preserve_index=False).to_batches(max_chunksize=50)


def test_group_values_choose_and_merge_labels_and_drop_small_groups():
    g = pd.Series(["pro", "for", "anti", "other", "", None, "nan", "anti", "pro", "x"], dtype=object)
    out, done = map_groups(g, values={"pro": ["pro", "for"], "anti": ["anti"]}, min_size=2)
    assert out.tolist() == ["pro", "pro", "anti", "", "", "", "", "anti", "pro", ""]
    assert done["unlisted"] == {"other": 1, "x": 1}
    out, done = map_groups(g, min_size=2)  # every label its own group; singletons and missing labels out
    assert set(out) == {"pro", "anti", ""} and done["too_small"] == {"for": 1, "other": 1, "x": 1}


def test_cross_share_baseline_by_hand():
    """Authors a1, a2 (group A) and b1, b2 (B); replies a1->b1, b1->a1, a2->a1: cross share 2/3. Shuffling the
    labels gives each of the 6 ways to choose the two A's with equal chance; with A = {a1,a2}: 2/3, {a1,b1}: 1/3
    (only a2->a1 crosses), {a1,b2}: 1 (all cross), and each complement the same, so the baseline is 2/3 exactly."""
    pairs = pd.DataFrame({"child_author": ["a1", "b1", "a2"], "parent_author": ["b1", "a1", "a1"],
                          "child_group": ["A", "B", "A"], "parent_group": ["B", "A", "A"], "thread_id": ["t"] * 3})
    res = cross_share_baseline(pairs, n_perm=3000, seed=0)
    assert res["observed"] == pytest.approx(2 / 3)
    shares = []
    for chosen in itertools.combinations(["a1", "a2", "b1", "b2"], 2):
        lab = {x: ("A" if x in chosen else "B") for x in ["a1", "a2", "b1", "b2"]}
        shares.append(np.mean([lab[c] != lab[p] for c, p in [("a1", "b1"), ("b1", "a1"), ("a2", "a1")]]))
    assert sorted(shares) == pytest.approx(sorted([2 / 3, 1 / 3, 1, 2 / 3, 1 / 3, 1]))
    # b2 takes part in no reply: the shuffle is among a1, a2, b1 only (2 A's, 1 B): shares 2/3, 1/3, 1 -> mean 2/3
    assert res["baseline_mean"] == pytest.approx(np.mean(shares), abs=0.02)


def three_group_corpus(k: int = 3, *, topics: int = 0):
    """Comments of 6 speakers per group, each group with its own words (and shared ones), replies at random; with
    ``topics``, each comment has a topic and the groups are labelled per topic."""
    rng = np.random.default_rng(k)
    n = 12 * k
    authors = [f"u{i % (6 * k):02d}" for i in range(n)]
    side = [f"g{int(a[1:]) % k}" for a in authors]
    parents = [""] * 6 + [f"c{rng.integers(0, i)}" for i in range(6, n)]
    c = pd.DataFrame({"thread_id": [f"t{i % 3}" for i in range(n)], "comment_id": [f"c{i}" for i in range(n)],
                      "parent_id": parents, "author_id": authors, "side": side})
    c["parent_id"] = [p if p == "" or c.loc[int(p[1:]), "thread_id"] == t else ""
                      for p, t in zip(c["parent_id"], c["thread_id"])]
    if topics:
        c["topic"] = [f"topic{(i // 2) % topics}" for i in range(n)]
    tok_rows = [(t, cid, "comment", w, False) for t, cid, s in zip(c["thread_id"], c["comment_id"], side)
                for w in rng.choice([f"{s}w{j}" for j in range(3)] + ["guns", "people"], size=10)]
    tokens = pd.DataFrame(tok_rows, columns=["thread_id", "comment_id", "doc", "norm", "is_stopword"])
    docs = c[["thread_id", "comment_id"]].assign(doc="comment", n_tokens=10)
    stance = c[["thread_id", "comment_id"]].assign(doc="comment", n_pro=0, n_anti=0, score=np.nan, label="abstain",
                                                   n_uncivil=[int(x) for x in rng.integers(0, 2, size=n)])
    matches = pd.DataFrame(columns=["thread_id", "comment_id", "doc", "frame", "term", "counted"])
    return c, docs, stance, batches(tokens), batches(matches)


@pytest.mark.parametrize("k", [3, 4])
def test_more_than_two_groups_report_and_figures(tmp_path, k):
    """Regression (issue 15, item 4): with three or more groups the figures job failed with KeyError 'n_authors_R'.
    The table has the K-group row (chance 1/K) and every pair."""
    from analysis import figures
    from analysis.polarization_report import polarization_report

    rep = polarization_report(*three_group_corpus(k), **OPTIONS, salt="s")
    part = rep.partisanship[rep.partisanship["tokens"] == "all tokens"]
    assert part["group_a"].iloc[0] == f"(all {k} groups)" and part["chance"].iloc[0] == pytest.approx(1 / k)
    assert part["estimate"].iloc[0] > part["baseline_high"].iloc[0]
    assert len(part) == 1 + k * (k - 1) // 2
    figures.partisanship(tmp_path / "partisanship", part=rep.partisanship, terms=rep.terms, dictionaries="d")
    figures.reply_network(tmp_path / "reply_network", edges=rep.edges, incivility=rep.incivility,
                          network=rep.network, dictionaries="d", seed=1)
    assert (tmp_path / "partisanship.svg").exists() or list(tmp_path.glob("partisanship*"))


def test_strata_in_the_report_and_its_figures(tmp_path):
    from analysis import figures
    from analysis.polarization_report import polarization_report

    rep = polarization_report(*three_group_corpus(2, topics=2), **OPTIONS, salt="s", strata=["topic"])
    part = rep.partisanship[rep.partisanship["tokens"] == "all tokens"].set_index("stratum")
    assert {"(whole corpus)", "topic0", "topic1", POOLED, "(between strata)"} <= set(part.index)
    w = part.loc[["topic0", "topic1"], "n_speakers"]
    pooled = (part.loc[["topic0", "topic1"], "estimate"] * w).sum() / w.sum()
    assert part.loc[POOLED, "estimate"] == pytest.approx(pooled, abs=1e-12)
    net = rep.network[rep.network["quantity"] == "cross_share"].set_index("stratum")
    assert {"(whole corpus)", POOLED} <= set(net.index) and net["baseline_mean"].drop("(whole corpus)").notna().all()
    assert "stratum" in rep.incivility
    assert rep.summary["strata"] == ["topic"] and "partisanship_within_strata" in rep.summary
    figures.partisanship(tmp_path / "partisanship", part=rep.partisanship, terms=rep.terms, dictionaries="d")
    figures.reply_network(tmp_path / "reply_network", edges=rep.edges, incivility=rep.incivility,
                          network=rep.network, dictionaries="d", seed=1)


def test_partisanship_figure_with_an_estimate_outside_its_interval(tmp_path):
    """A percentile interval of the (biased) leave-out statistic need not contain its estimate (seen within a
    thread stratum); matplotlib refuses negative error bars, so the figures job failed."""
    from analysis import figures

    part = pd.DataFrame([{"tokens": "all tokens", "stratum": "t1", "group_a": "a | b", "group_b": "",
                          "estimate": 0.49, "ci_low": 0.495, "ci_high": 0.52, "baseline_mean": 0.5,
                          "baseline_low": 0.48, "baseline_high": 0.51, "chance": 0.5, "n_speakers": 10,
                          "level": 0.95, "n_boot": 10, "n_perm": 10}])
    figures.partisanship(tmp_path / "partisanship", part=part, terms=pd.DataFrame(), dictionaries="d")


def test_missing_label_texts_are_never_a_group_and_author_thread_units():
    """Regression: a group column read as text holds 'nan', 'None' or blanks for missing labels; each was a group of
    its own ('nan' speakers polarized against 'pro' ones)."""
    from analysis.groups import speaker_groups, speakers

    c = pd.DataFrame({"thread_id": ["t1", "t1", "t2", "t2", "t2"], "comment_id": ["1", "2", "3", "4", "5"],
                      "parent_id": [""] * 5, "author_id": ["ua", "ub", "ua", "uc", "ud"],
                      "side": ["pro", "nan", " ", "None", "anti "]})
    ids, unit, why = speakers(c, unit="author_thread")
    assert unit == "author_thread" and ids.tolist() == ["ua@t1", "ub@t1", "ua@t2", "uc@t2", "ud@t2"]
    g = speaker_groups(c, ids, source="column", column="side")
    assert g.to_dict() == {"ua@t1": "pro", "ub@t1": "", "ua@t2": "", "uc@t2": "", "ud@t2": "anti"}


def test_pooled_interval_survives_small_strata():
    """Strata of 2 + 2 speakers: half of a stratum's bootstrap draws repeat one speaker of a group (no leave-out
    frequencies, NaN); before, one such stratum made nearly every pooled replicate NaN and the pooled interval
    empty (seen with strata by thread on real forum data)."""
    rng = np.random.default_rng(7)
    n_strata = 12
    counts = rng.poisson(1.0, size=(4 * n_strata, 8)) + (np.arange(8) == 0)
    labels = ["R", "R", "D", "D"] * n_strata
    strata = np.repeat([f"s{i:02d}" for i in range(n_strata)], 4)
    table = partisanship_by_stratum(counts, labels, strata, n_perm=20, n_boot=40, seed=3).set_index("stratum")
    assert (table.drop(POOLED)["n_boot_valid"] < 40).all()  # every stratum has invalid replicates
    pooled = table.loc[POOLED]
    assert pooled["n_boot_valid"] == 40 and pooled["ci_low"] <= pooled["ci_high"]
