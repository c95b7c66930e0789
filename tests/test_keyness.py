"""Keyness: Fightin' Words log-odds, Dunning's G², and the tidy keyness table.

Expected values are written out from the formulas with plain Python math.
"""

import math
from collections import Counter

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
import scipy.sparse as sp
from scipy.stats import chi2, chi2_contingency

from analysis.keyness import direction, g_squared, g_squared_pvalue, group_term_counts, keyness, log_odds_dirichlet


def g2_textbook(a, b, n_i, n_j):
    """2 * sum O ln(O/E) over the 2x2 table [[a, b], [n_i - a, n_j - b]], 0 ln 0 = 0."""
    table = [[a, b], [n_i - a, n_j - b]]
    total = n_i + n_j
    rows = [a + b, total - a - b]
    cols = [n_i, n_j]
    g = 0.0
    for r in range(2):
        for c in range(2):
            o = table[r][c]
            e = rows[r] * cols[c] / total
            if o > 0:
                g += o * math.log(o / e)
    return 2 * g


# ---------------------------------------------------------------- log-odds with a Dirichlet prior


def test_log_odds_matches_the_formula_written_out():
    yi, yj, alpha = [10, 3, 0], [4, 6, 2], [0.5, 1.5, 1.0]
    n_i, n_j, a0 = sum(yi), sum(yj), sum(alpha)
    out = log_odds_dirichlet(np.array(yi), np.array(yj), prior=np.array(alpha))
    assert list(out.columns) == ["delta", "var", "z"]
    for w in range(3):
        delta = math.log((yi[w] + alpha[w]) / (n_i + a0 - yi[w] - alpha[w])) - math.log(
            (yj[w] + alpha[w]) / (n_j + a0 - yj[w] - alpha[w])
        )
        var = 1 / (yi[w] + alpha[w]) + 1 / (yj[w] + alpha[w])
        assert out.loc[w, "delta"] == pytest.approx(delta, rel=1e-12, abs=1e-12)
        assert out.loc[w, "var"] == pytest.approx(var, rel=1e-12)
        assert out.loc[w, "z"] == pytest.approx(delta / math.sqrt(var), rel=1e-12, abs=1e-12)


def test_log_odds_scalar_prior_is_a_flat_prior():
    flat = log_odds_dirichlet([5, 1, 0], [2, 2, 3], prior=0.5)
    explicit = log_odds_dirichlet([5, 1, 0], [2, 2, 3], prior=np.full(3, 0.5))
    pd.testing.assert_frame_equal(flat, explicit)


def test_swapping_groups_negates_delta_and_z_and_keeps_g2():
    yi, yj, alpha = np.array([12, 0, 7, 30]), np.array([3, 5, 7, 10]), np.array([1.0, 0.2, 2.0, 4.0])
    ij = log_odds_dirichlet(yi, yj, prior=alpha)
    ji = log_odds_dirichlet(yj, yi, prior=alpha)
    assert np.allclose(ji["delta"], -ij["delta"], rtol=0, atol=1e-14)
    assert np.allclose(ji["z"], -ij["z"], rtol=0, atol=1e-14)
    assert np.array_equal(ji["var"], ij["var"])
    assert np.allclose(g_squared(yi, yj), g_squared(yj, yi), rtol=1e-14, atol=0)
    assert np.array_equal(direction(yi, yj), -direction(yj, yi))


# ---------------------------------------------------------------- G²


def test_g2_is_zero_for_proportional_counts():
    # a=10, b=20, c=1000, d=2000: the word is 1/101 of both groups
    assert g_squared([10, 1000], [20, 2000]) == pytest.approx([0.0, 0.0], abs=1e-9)
    assert direction([10, 1000], [20, 2000]).tolist() == [0, 0]


def test_g2_matches_the_textbook_formula_and_scipy():
    yi, yj = [50, 950], [10, 1990]
    g = g_squared(yi, yj)
    expected = g2_textbook(50, 10, 1000, 2000)
    assert g[0] == pytest.approx(expected, rel=1e-12)
    assert g[1] == pytest.approx(expected, rel=1e-12)  # with two words both tables are the same table
    stat = chi2_contingency([[50, 10], [950, 1990]], correction=False, lambda_="log-likelihood")[0]
    assert g[0] == pytest.approx(stat, rel=1e-10)
    # chi²(1) upper tail: P(Z² > x) = erfc(sqrt(x / 2))
    assert g_squared_pvalue(g)[0] == pytest.approx(math.erfc(math.sqrt(expected / 2)), rel=1e-9)
    grid = np.array([0.0, 1e-8, 0.5, 3.841458820694124, 10.0, 50.0, 300.0])
    assert np.allclose(g_squared_pvalue(grid), chi2.sf(grid, df=1), rtol=1e-10, atol=0)
    assert g_squared_pvalue([3.841458820694124])[0] == pytest.approx(0.05, rel=1e-9)
    assert direction(yi, yj).tolist() == [1, -1]


def test_g2_with_a_zero_cell_uses_0_log_0():
    yi, yj = [0, 100, 40], [7, 50, 3]
    g = g_squared(yi, yj)
    assert np.isfinite(g).all()
    for w in range(3):
        assert g[w] == pytest.approx(g2_textbook(yi[w], yj[w], sum(yi), sum(yj)), rel=1e-12)


def test_zero_counts_do_not_give_inf_or_nan():
    yi, yj = np.array([0, 0, 5, 9]), np.array([3, 0, 0, 9])
    out = log_odds_dirichlet(yi, yj, prior=np.array([0.1, 0.1, 0.1, 0.1]))
    assert np.isfinite(out.to_numpy()).all()
    assert out.loc[1, "delta"] == pytest.approx(math.log(0.1 / 14.3) - math.log(0.1 / 12.3))
    assert np.isfinite(g_squared(yi, yj)).all() and g_squared(yi, yj)[1] == 0.0


def test_measure_argument_errors():
    with pytest.raises(ValueError, match=r"^prior=.*expected pseudo-counts > 0"):
        log_odds_dirichlet([1, 2], [3, 4], prior=np.array([1.0, 0.0]))
    with pytest.raises(ValueError, match=r"^prior=.*one pseudo-count per word"):
        log_odds_dirichlet([1, 2], [3, 4], prior=np.array([1.0, 1.0, 1.0]))
    with pytest.raises(ValueError, match=r"^counts_j=.*expected the length"):
        g_squared([1, 2], [3])
    with pytest.raises(ValueError, match=r"^counts_i=.*counts >= 0"):
        g_squared([-1, 2], [3, 4])
    with pytest.raises(ValueError, match=r"^g2=.*>= 0"):
        g_squared_pvalue([-1.0])


# ---------------------------------------------------------------- the keyness table

COUNTS = np.array(
    [
        [10, 5, 0, 20, 3, 1, 40],
        [2, 8, 7, 20, 1, 0, 35],
        [0, 1, 9, 3, 6, 2, 50],
    ]
)
TERMS = ["v", "w", "x", "y", "z", "rare", "the"]


def test_one_vs_rest_equals_the_group_against_the_sum_of_the_others():
    out = keyness(sp.csr_matrix(COUNTS), groups=["A", "B", "C"], terms=TERMS, min_count=1)
    corpus = COUNTS.sum(axis=0)
    for g, name in enumerate("ABC"):
        rest = corpus - COUNTS[g]
        lo = log_odds_dirichlet(COUNTS[g], rest, prior=corpus.astype(float))  # default prior: corpus counts
        g2 = g_squared(COUNTS[g], rest)
        rows = out[out["group"] == name].set_index("term").loc[TERMS]
        assert (rows["group_a"] == name).all() and (rows["group_b"] == "(rest)").all()
        assert np.allclose(rows["log_odds"], lo["delta"], rtol=1e-12, atol=1e-12)
        assert np.allclose(rows["z"], lo["z"], rtol=1e-12, atol=1e-12)
        assert np.allclose(rows["g2"], g2, rtol=1e-12, atol=1e-12)
        assert rows["count_a"].tolist() == COUNTS[g].tolist()
        assert rows["count_b"].tolist() == rest.tolist()
        # ... and equals the pairwise comparison of the group with the pooled others
        pair = keyness(np.vstack([COUNTS[g], rest]), groups=[name, "rest"], terms=TERMS, comparison="pairwise",
                       min_count=1)
        pair = pair.set_index("term").loc[TERMS]
        for col in ("log_odds", "z", "g2", "g2_p", "freq_a", "freq_b"):
            assert np.allclose(rows[col], pair[col], rtol=1e-12, atol=1e-12)


def test_pairwise_rows_and_labels():
    out = keyness(COUNTS, groups=["A", "B", "C"], terms=TERMS, comparison="pairwise", min_count=1)
    assert out["group"].unique().tolist() == ["A vs B", "A vs C", "B vs C"]
    bc = out[out["group"] == "B vs C"].set_index("term").loc[TERMS]
    assert (bc["group_a"] == "B").all() and (bc["group_b"] == "C").all()
    lo = log_odds_dirichlet(COUNTS[1], COUNTS[2], prior=COUNTS.sum(axis=0).astype(float))
    assert np.allclose(bc["z"], lo["z"], rtol=1e-12, atol=1e-12)
    assert bc["direction"].tolist() == direction(COUNTS[1], COUNTS[2]).tolist()


def test_prior_scale_sets_alpha0():
    corpus = COUNTS.sum(axis=0)
    out = keyness(COUNTS, groups=["A", "B", "C"], terms=TERMS, prior_scale=10.0, min_count=1)
    rows = out[out["group"] == "A"].set_index("term").loc[TERMS]
    lo = log_odds_dirichlet(COUNTS[0], corpus - COUNTS[0], prior=10.0 * corpus / corpus.sum())
    assert np.allclose(rows["log_odds"], lo["delta"], rtol=1e-12, atol=1e-12)


def test_frequencies_are_per_1000_tokens_of_the_whole_group():
    out = keyness(COUNTS, groups=["A", "B", "C"], terms=TERMS, min_count=5)
    row = out[(out["group"] == "A") & (out["term"] == "v")].iloc[0]
    assert row["freq_a"] == pytest.approx(1000 * 10 / COUNTS[0].sum())
    assert row["freq_b"] == pytest.approx(1000 * 2 / COUNTS[1:].sum())


def test_min_count_filters_terms_without_changing_the_numbers():
    full = keyness(COUNTS, groups=["A", "B", "C"], terms=TERMS, min_count=1)
    out = keyness(COUNTS, groups=["A", "B", "C"], terms=TERMS, min_count=7)
    # corpus counts: v 12, w 14, x 16, y 43, z 10, rare 3, the 125
    assert set(out["term"]) == {"v", "w", "x", "y", "z", "the"}
    assert (set(keyness(COUNTS, groups=["A", "B", "C"], terms=TERMS, min_count=12)["term"])
            == {"v", "w", "x", "y", "the"})
    merged = out.merge(full, on=["group", "term"], suffixes=("", "_full"))
    assert len(merged) == len(out)
    for col in ("log_odds", "z", "g2", "freq_a", "freq_b"):
        assert np.array_equal(merged[col], merged[f"{col}_full"])


def test_rows_are_sorted_by_group_then_z_descending_and_top_keeps_the_ends():
    out = keyness(COUNTS, groups=["A", "B", "C"], terms=TERMS, min_count=1)
    assert out["group"].tolist() == ["A"] * 7 + ["B"] * 7 + ["C"] * 7
    # comparisons follow the order of the rows, not the alphabet
    relabelled = keyness(COUNTS, groups=["C", "A", "B"], terms=TERMS, min_count=1)
    assert relabelled["group"].tolist() == ["C"] * 7 + ["A"] * 7 + ["B"] * 7
    for _, rows in out.groupby("group"):
        assert (np.diff(rows["z"].to_numpy()) <= 0).all()
    top = keyness(COUNTS, groups=["A", "B", "C"], terms=TERMS, min_count=1, top=2)
    assert len(top) == 6
    for name, rows in top.groupby("group"):
        assert rows["term"].tolist() == out[out["group"] == name]["term"].tolist()[:2]
    pair = keyness(COUNTS, groups=["A", "B", "C"], terms=TERMS, min_count=1, comparison="pairwise", top=2)
    full = keyness(COUNTS, groups=["A", "B", "C"], terms=TERMS, min_count=1, comparison="pairwise")
    for name, rows in pair.groupby("group"):
        terms = full[full["group"] == name]["term"].tolist()
        assert rows["term"].tolist() == terms[:2] + terms[-2:]  # both sides of the comparison


def test_two_groups_one_vs_rest_reports_the_mirror():
    out = keyness(COUNTS[:2], groups=["A", "B"], terms=TERMS, min_count=1)
    a = out[out["group"] == "A"].set_index("term").loc[TERMS]
    b = out[out["group"] == "B"].set_index("term").loc[TERMS]
    assert np.allclose(a["z"], -b["z"], rtol=0, atol=1e-12)
    assert np.allclose(a["g2"], b["g2"], rtol=1e-12, atol=1e-12)
    assert (a["count_a"].to_numpy() == b["count_b"].to_numpy()).all()


def test_keyness_zero_counts_are_finite_and_counts_keep_integer_type():
    out = keyness(COUNTS, groups=["A", "B", "C"], terms=TERMS, min_count=1, comparison="pairwise")
    numbers = out[["freq_a", "freq_b", "log_odds", "z", "g2", "g2_p"]].to_numpy(dtype=float)
    assert np.isfinite(numbers).all()
    assert out["count_a"].dtype == np.int64 and out["direction"].dtype == np.int8


def test_keyness_argument_errors():
    kw = {"groups": ["A", "B", "C"], "terms": TERMS}
    with pytest.raises(ValueError, match=r"^groups=.*expected 3"):
        keyness(COUNTS, groups=["A", "B"], terms=TERMS)
    with pytest.raises(ValueError, match=r"^terms=.*unique"):
        keyness(COUNTS, groups=["A", "B", "C"], terms=["v"] * 7)
    with pytest.raises(ValueError, match=r"^comparison='all': expected"):
        keyness(COUNTS, comparison="all", **kw)
    with pytest.raises(ValueError, match=r"^min_count=0: expected"):
        keyness(COUNTS, min_count=0, **kw)
    with pytest.raises(ValueError, match=r"^prior_scale=-1.0: expected"):
        keyness(COUNTS, prior_scale=-1.0, **kw)
    with pytest.raises(ValueError, match=r"^top=0: expected"):
        keyness(COUNTS, top=0, **kw)
    with pytest.raises(ValueError, match=r"^counts=.*counts >= 0"):
        keyness(-COUNTS, **kw)
    with pytest.raises(ValueError, match=r"^counts=.*at least 2 groups"):
        keyness(COUNTS[:1], groups=["A"], terms=TERMS)


# ---------------------------------------------------------------- counts from the tokens table


def _hand_worked():
    """Four comments of one thread: tokens (a stopword, punctuation) and docs with a side (c4 has none: left out)."""
    tokens = pd.DataFrame(
        {
            "thread_id": ["t"] * 9,
            "comment_id": ["c1", "c1", "c1", "c2", "c2", "c2", "c3", "c3", "c4"],
            "doc": ["comment"] * 9,
            "norm": ["guns", "the", ",", "guns", "law", "guns", "law", "!", "orphan"],
            "is_stopword": [False, True, False, False, False, False, False, False, False],
        }
    )
    docs = pd.DataFrame(
        {"thread_id": ["t"] * 4, "comment_id": ["c1", "c2", "c3", "c4"], "doc": ["comment"] * 4,
         "side": ["pro", "pro", "con", None]}
    )
    return tokens, docs


def test_group_term_counts_counts_word_tokens_per_group():
    tokens, docs = _hand_worked()
    tokens = _arrow_tokens(tokens)
    counts, groups, terms = group_term_counts(tokens, docs, by="side")
    assert groups == ["con", "pro"] and terms == ["guns", "law"]  # no stopword, no punctuation
    assert counts.toarray().tolist() == [[0, 1], [3, 1]]
    _, _, with_stop = group_term_counts(tokens, docs, by="side", drop_stopwords=False)
    assert with_stop == ["guns", "law", "the"]
    with pytest.raises(ValueError, match=r"^by='nope': expected a column of docs"):
        group_term_counts(tokens, docs, by="nope")


# ---------------------------------------------------------------- per-shard counts, added up


def _arrow_tokens(df: pd.DataFrame):
    """Tokens as the workflow reads a shard: Arrow, with dictionary-encoded strings."""
    import pyarrow as pa
    import pyarrow.compute as pc

    table = pa.Table.from_pandas(df, preserve_index=False)
    for name in ("thread_id", "comment_id", "doc", "norm"):
        i = table.column_names.index(name)
        table = table.set_column(i, name, pc.dictionary_encode(table.column(name)))
    return table


def test_term_count_sum_of_shards_is_the_count_by_hand():
    """The hand-worked table of the test above, with its documents in two shards (c4, ungrouped, alone in the
    second)."""
    from analysis.keyness import TermCountSum

    tokens, docs = _hand_worked()
    total = TermCountSum()
    for ids in (["c1", "c3"], ["c2"], ["c4"]):
        part = group_term_counts(_arrow_tokens(tokens[tokens["comment_id"].isin(ids)]),
                                 docs[docs["comment_id"].isin(ids)], by="side")
        total.add(*part)
    counts, groups, terms = total.total()
    assert groups == ["con", "pro"] and terms == ["guns", "law"]
    assert counts.dtype == np.int64 and counts.toarray().tolist() == [[0, 1], [3, 1]]


def plain_count(tokens: pd.DataFrame, docs: pd.DataFrame, by: str) -> Counter:
    """(group, term) -> count, row by row: word tokens (a letter or digit), no stopwords, documents with a group."""
    group_of = {(d.thread_id, d.comment_id): d[by] for _, d in docs.iterrows() if pd.notna(d[by])}
    return Counter(
        (str(group_of[(r.thread_id, r.comment_id)]), r.norm) for r in tokens.itertuples()
        if (r.thread_id, r.comment_id) in group_of and not r.is_stopword and any(ch.isalnum() for ch in r.norm)
    )


def test_many_terms_per_group_are_counted_like_few():
    # more (group x term) cells than tokens: counted as a sparse matrix, not a dense table
    rng = np.random.default_rng(4)
    n = 40_000
    docs = pd.DataFrame({"thread_id": "t", "comment_id": [f"c{i}" for i in range(40)], "doc": "comment",
                         "side": ["a", "b", "c", "d"] * 10})
    tokens = pd.DataFrame({"thread_id": "t", "comment_id": [f"c{i}" for i in np.sort(rng.integers(0, 40, n))],
                           "doc": "comment", "norm": [f"w{i}" for i in rng.integers(0, 30_000, n)],
                           "is_stopword": False})
    counts, groups, terms = group_term_counts(_arrow_tokens(tokens), docs, by="side")
    assert len(groups) * len(terms) > max(n, 1 << 16)
    got = {(groups[g], terms[w]): int(v) for (g, w), v in counts.todok().items()}
    assert got == dict(plain_count(tokens, docs, "side"))


@pytest.mark.parametrize("seed", [1, 2])
def test_term_count_sum_of_shards_equals_a_plain_count(seed):
    """Random documents in three shards, several groupings: the sum of the shards equals a row-by-row Counter."""
    from analysis.keyness import TermCountSum

    rng = np.random.default_rng(seed)
    words = ["guns", "law", "the", "of", "rights", "2nd", ",", "!", "ban", "nra", "état"]
    rows, doc_rows = [], []
    for t in range(6):
        for c in range(rng.integers(1, 5)):
            cid = f"c{t}{c}"
            doc_rows.append({"thread_id": f"t{t}", "comment_id": cid, "doc": "comment",
                             "depth": int(rng.integers(1, 4)),
                             "side": [None, "pro", "con"][int(rng.integers(0, 3))]})
            for _i in range(rng.integers(0, 12)):
                w = words[int(rng.integers(0, len(words)))]
                rows.append({"thread_id": f"t{t}", "comment_id": cid, "doc": "comment", "norm": w,
                             "is_stopword": w in ("the", "of")})
    tokens, docs = pd.DataFrame(rows), pd.DataFrame(doc_rows)
    for by in ("depth", "side", "doc"):
        total = TermCountSum()
        for shard in ({"t0", "t1"}, {"t2", "t3", "t4"}, {"t5"}):
            total.add(*group_term_counts(_arrow_tokens(tokens[tokens["thread_id"].isin(shard)]),
                                         docs[docs["thread_id"].isin(shard)], by=by))
        counts, groups, terms = total.total()
        expected = plain_count(tokens, docs, by)
        got = {(groups[g], terms[w]): int(counts[g, w])
               for g in range(len(groups)) for w in range(len(terms)) if counts[g, w]}
        assert got == dict(expected)
        assert groups == sorted({g for g, _ in expected}) and terms == sorted({w for _, w in expected})
        # and exactly the one-pass counts of the whole
        one, one_groups, one_terms = group_term_counts(pa.Table.from_pandas(tokens, preserve_index=False), docs, by=by)
        assert (groups, terms) == (one_groups, one_terms) and (counts != one).nnz == 0


def test_keyness_by_grouping_over_shards_equals_keyness_of_all_counts():
    from analysis.keyness import keyness_by_grouping

    tokens, docs = _hand_worked()
    docs = docs.assign(one="x")  # a grouping with a single group: no rows
    shards = [(_arrow_tokens(tokens[tokens["comment_id"].isin(ids)]), docs[docs["comment_id"].isin(ids)])
              for ids in (["c1", "c3"], ["c2", "c4"])]
    out = keyness_by_grouping(iter(shards), groupings=["side", "one"], min_count=1)
    counts, groups, terms = group_term_counts(_arrow_tokens(tokens), docs, by="side")
    expected = keyness(counts, groups=groups, terms=terms, comparison="one_vs_rest", min_count=1).assign(by="side")
    pd.testing.assert_frame_equal(out, expected)
    with pytest.raises(ValueError, match="by='nope'"):
        keyness_by_grouping(iter(shards), groupings=["nope"], min_count=1)
    empty = keyness_by_grouping(iter(shards), groupings=["one"], min_count=1)
    assert empty.empty and list(empty.columns) == ["by", "group", "term"]
