"""Corpus description: counts per depth, example-thread choice, tree drawing layout."""

import pandas as pd
import pytest

from analysis.describe import comments_per_depth, first_subtrees, pick_example_thread, tree_layout


def thread(rows, tid="t"):
    """rows: (comment_id, parent_id, depth, position, record)."""
    return pd.DataFrame(
        [{"thread_id": tid, "comment_id": c, "parent_id": p, "depth": d, "position": pos, "record": r, "author_id": ""}
         for c, p, d, pos, r in rows]
    )


# a(1) -> b(2) -> c(3); a -> d(2); e(1); f(1) -> g(2)
T = thread([("a", "", 1, 1, 1), ("b", "a", 2, 1, 2), ("c", "b", 3, 1, 3), ("d", "a", 2, 2, 4),
            ("e", "", 1, 2, 5), ("f", "", 1, 3, 6), ("g", "f", 2, 1, 7)])


def test_comments_per_depth_fills_gaps():
    c = pd.DataFrame({"depth": [1, 1, 3]})
    out = comments_per_depth(c)
    assert out["depth"].tolist() == [1, 2, 3]
    assert out["n_comments"].tolist() == [2, 0, 1]
    assert out["share"].tolist() == [0.6667, 0.0, 0.3333]


def test_tree_layout_by_hand():
    lay = tree_layout(T).set_index("comment_id")
    # leaves in reading order: c=0, d=1, e=2, g=3; b over c; a over mean(b, d); f over g
    assert lay.loc["c", "x"] == 0 and lay.loc["d", "x"] == 1 and lay.loc["e", "x"] == 2 and lay.loc["g", "x"] == 3
    assert lay.loc["b", "x"] == 0 and lay.loc["a", "x"] == 0.5 and lay.loc["f", "x"] == 3
    assert lay.loc["c", "y"] == 3


def test_first_subtrees_takes_whole_discussions():
    assert sorted(first_subtrees(T, max_comments=4)["comment_id"]) == ["a", "b", "c", "d"]
    assert sorted(first_subtrees(T, max_comments=5)["comment_id"]) == ["a", "b", "c", "d", "e"]
    # next subtree (f, g) would pass 6: stop before it
    assert len(first_subtrees(T, max_comments=6)) == 5
    # the first subtree alone is larger than the limit: cut in reading order, still connected
    assert sorted(first_subtrees(T, max_comments=2)["comment_id"]) == ["a", "b"]


def test_pick_example_thread():
    c = pd.concat([T, thread([("x", "", 1, 1, 1)], tid="u")])
    assert pick_example_thread(c) == "t"
    assert pick_example_thread(c, requested="u") == "u"
    with pytest.raises(ValueError, match="example_thread"):
        pick_example_thread(c, requested="nope")
