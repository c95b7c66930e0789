"""Frame rates, framing index, article-vs-comments test and reply dynamics against hand counts."""

import itertools

import numpy as np
import pandas as pd
import pytest

from analysis.frame_dynamics import frame_uptake, reply_pairs, transition_matrix
from analysis.frame_rates import article_vs_comments, choose_cluster, cluster_codes, frame_rates, framing_index


def docs_frame(rows):
    """rows: (thread, comment, doc, group, n_tokens, hits_a, hits_b)."""
    d = pd.DataFrame(rows, columns=["thread_id", "comment_id", "doc", "g", "n_tokens", "hits_a", "hits_b"])
    d["author_id"] = ""
    d["doc_key"] = np.arange(len(d))
    return d


def test_rate_is_pooled_ratio_and_single_cluster_has_no_interval():
    d = docs_frame([("t1", "c1", "comment", "x", 100, 2, 0), ("t1", "c2", "comment", "x", 50, 1, 0),
                    ("t2", "c3", "comment", "y", 50, 0, 0)])
    out = frame_rates(d, frames=["a"], by="g", min_clusters=2, n_boot=200, seed=1).set_index("group")
    assert out.loc["x", "rate"] == pytest.approx(1000 * 3 / 150)
    assert out.loc["y", "rate"] == 0
    assert out.loc["x", "n_clusters"] == 1 and np.isnan(out.loc["x", "ci_low"])  # one thread: no interval
    assert out.loc["x", "unit"].startswith("thread")


def test_cluster_bootstrap_matches_exhaustive_enumeration():
    # three threads, (hits, tokens): (1, 10), (3, 10), (0, 20); every one of the 27 resamples is equally likely
    h, n = np.array([1.0, 3.0, 0.0]), np.array([10.0, 10.0, 20.0])
    exact = [1000 * h[list(idx)].sum() / n[list(idx)].sum() for idx in itertools.product(range(3), repeat=3)]
    d = docs_frame([("t1", "c1", "comment", "x", 10, 1, 0), ("t2", "c2", "comment", "x", 10, 3, 0),
                    ("t3", "c3", "comment", "x", 20, 0, 0)])
    out = frame_rates(d, frames=["a"], by="g", min_clusters=3, n_boot=20000, seed=3).iloc[0]
    assert out["rate"] == pytest.approx(1000 * 4 / 40)
    assert out["se"] == pytest.approx(np.std(exact, ddof=0), rel=0.03)
    # the exact bootstrap distribution is discrete: 0 and 300 each have probability 1/27 > 2.5%
    lo, hi = np.quantile(exact, [0.025, 0.975], method="inverted_cdf")
    assert (lo, hi) == (0.0, 300.0)
    assert out["ci_low"] == pytest.approx(lo, abs=1e-9) and out["ci_high"] == pytest.approx(hi, abs=1e-9)


def test_too_few_threads_fall_back_to_documents():
    d = docs_frame([("t1", f"c{i}", "comment", "x", 10, i % 2, 0) for i in range(6)])
    unit, reason = choose_cluster(d, preferred="thread_id", min_clusters=10)
    assert unit == "doc_key" and "only 1 thread" in reason
    out = frame_rates(d, frames=["a"], by="g", min_clusters=10, n_boot=500, seed=0).iloc[0]
    assert out["n_clusters"] == 6 and out["ci_low"] < out["rate"] < out["ci_high"]


def test_framing_index_by_hand():
    d = docs_frame([("t", "c1", "comment", "x", 10, 3, 1), ("t", "c2", "comment", "x", 10, 0, 2),
                    ("t", "c3", "comment", "x", 10, 0, 0)])
    out = framing_index(d, pair=("a", "b"), by="g", n_boot=100, seed=0).iloc[0]
    assert out["pooled"] == pytest.approx((3 - 3) / 6)
    assert out["doc_mean"] == pytest.approx(((3 - 1) / 4 + (0 - 2) / 2) / 2)
    assert out["n_docs_using"] == 2


def test_article_vs_comments_exact_p_value():
    d = docs_frame([("t", "", "article", "x", 10, 2, 0)] + [("t", f"c{i}", "comment", "x", 10, 0, 0) for i in range(3)])
    out = article_vs_comments(d, frames=["a"], n_perm=4000, seed=5).iloc[0]
    assert out["rate_article"] == 200 and out["rate_comments"] == 0 and out["difference"] == 200
    # the article label lands on the article in 1 of 4 equally likely placements: exact p = 1/4
    assert out["p_value"] == pytest.approx(0.25, abs=0.02)


def pairs_example():
    # child/parent use of frame a in four reply pairs, two threads
    return pd.DataFrame({"thread_id": ["t1", "t1", "t2", "t2"], "kind": "reply",
                         "child_a": [True, True, True, False], "parent_a": [True, True, False, False],
                         "child_b": [False, False, False, True], "parent_b": [False, False, True, False]})


def test_uptake_by_hand():
    out = frame_uptake(pairs_example(), frames=["a", "b"], min_clusters=2, n_boot=200, seed=0).set_index("frame")
    # P(child a | parent a) = 2/2, P(child a) = 3/4
    assert out.loc["a", "uptake"] == pytest.approx(1 - 3 / 4)
    # parent uses b once, child then does not use b: 0/1 - 1/4
    assert out.loc["b", "uptake"] == pytest.approx(0 - 1 / 4)
    assert out.loc["a", "n_pairs"] == 4 and out.loc["a", "n_both"] == 2


def test_transition_matrix_by_hand():
    t = transition_matrix(pairs_example(), frames=["a", "b"]).set_index(["parent_frame", "reply_frame"])
    assert t.loc[("a", "a"), "probability"] == 1.0
    assert t.loc[("b", "a"), "probability"] == 1.0  # the one parent using b got a reply using a
    assert t.loc[("(no frame)", "b"), "probability"] == 1.0
    assert t.loc[("(no frame)", "(no frame)"), "probability"] == 0.0


def test_reply_pairs_links_children_to_parents_and_article():
    docs = pd.DataFrame({"thread_id": "t", "comment_id": ["", "c1", "c2"], "doc": ["article", "comment", "comment"],
                         "hits_a": [1, 0, 2]})
    comments = pd.DataFrame({"thread_id": "t", "comment_id": ["c1", "c2"], "parent_id": ["", "c1"]})
    p = reply_pairs(docs, comments, frames=["a"]).set_index("kind")
    assert p.loc["article", "parent_a"] and not p.loc["article", "child_a"]
    assert not p.loc["reply", "parent_a"] and p.loc["reply", "child_a"]


def test_author_clusters_keep_unknown_authors_apart():
    d = docs_frame([("t", f"c{i}", "comment", "x", 10, i % 2, 0) for i in range(12)])
    d["author_id"] = ["u1", "u1", "u2", "u2"] + [""] * 8
    unit, reason = choose_cluster(d, preferred="author_id", min_clusters=5)
    assert unit == "author_id"
    codes = cluster_codes(d, "author_id")
    assert len(set(codes)) == 2 + 8  # two authors, and each unknown-author comment alone
    out = frame_rates(d, frames=["a"], by="g", cluster="author_id", min_clusters=5, n_boot=100, seed=0).iloc[0]
    assert out["n_clusters"] == 10 and out["unit"].startswith("authors")


def test_reply_measures_leave_out_pairs_where_a_frame_is_not_measured():
    """A missing hits_<frame> (a language without a dictionary for the frame) is not 'no use': the pair is left
    out for that frame, and out of the transition matrix, which needs every frame on both sides."""
    from analysis.frame_dynamics import frame_uptake, reply_pairs, transition_matrix

    comments = pd.DataFrame({"thread_id": "t", "comment_id": ["p", "r1", "r2", "r3"],
                             "parent_id": ["", "p", "p", "r2"]})
    docs = pd.DataFrame({"thread_id": "t", "comment_id": ["p", "r1", "r2", "r3"], "doc": "comment",
                         "hits_f": pd.array([1, 1, None, 0], dtype="Int64"), "hits_g": [0, 2, 1, 1]})
    pairs = reply_pairs(docs, comments, frames=["f", "g"])
    # the job reads hits as nullable booleans (uses or not, missing where not measured): the same pairs
    as_bool = docs.assign(**{h: (docs[h].fillna(0) > 0).astype("boolean").mask(docs[h].isna())
                             for h in ("hits_f", "hits_g")})
    pd.testing.assert_frame_equal(reply_pairs(as_bool, comments, frames=["f", "g"]), pairs)
    # by hand: pairs (r1, p), (r2, p), (r3, r2); f is measured in the first only (r2 has no f)
    assert pairs["measured_f"].tolist() == [True, False, False] and pairs["measured_g"].all()
    up = frame_uptake(pairs, frames=["f", "g"], n_boot=50, min_clusters=1).set_index("frame")
    assert (up.loc["f", "n_pairs"], up.loc["f", "n_parent_uses"], up.loc["f", "n_both"]) == (1, 1, 1)
    # g over all three pairs: parents p (0), p (0), r2 (1); replies r1, r2, r3 all use g
    assert (up.loc["g", "n_pairs"], up.loc["g", "n_parent_uses"], up.loc["g", "n_reply_uses"]) == (3, 1, 3)
    tm = transition_matrix(pairs, frames=["f", "g"]).set_index(["parent_frame", "reply_frame"])
    assert tm.loc[("f", "f"), "n_parent"] == 1 and tm["n_both"].sum() == 2  # one pair: r1 uses f and g
