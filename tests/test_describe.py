"""Corpus description: counts per depth, example-thread choice, tree drawing layout."""

import pandas as pd
import pyarrow as pa
import pytest

from analysis.describe import (
    comments_per_depth,
    corpus_numbers,
    document_token_counts,
    first_subtrees,
    pick_example_thread,
    tree_layout,
)


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
    sizes = c.groupby("thread_id").size()
    assert pick_example_thread(sizes) == "t"
    assert pick_example_thread(sizes, requested="u") == "u"
    assert pick_example_thread(pd.Series({"b": 2, "a": 2, "c": 1})) == "a"  # a tie goes to the smallest id
    with pytest.raises(ValueError, match="example_thread"):  # a thread whose comments were all set aside
        pick_example_thread(pd.Series({"t": 3, "empty": 0}), requested="empty")
    assert pick_example_thread(pd.Series({"empty": 0})) == ""
    with pytest.raises(ValueError, match="example_thread"):
        pick_example_thread(sizes, requested="nope")


def test_corpus_numbers_from_per_shard_token_counts_by_hand():
    row = lambda t, c, d, s, m: {"thread_id": t, "comment_id": c, "doc": d, "sentence": s, "is_mwe": m}  # noqa: E731
    shard_1 = pd.DataFrame([row("t1", "c1", "comment", 0, True), row("t1", "c1", "comment", 0, False),
                            row("t1", "c1", "comment", 1, False), row("t1", "", "article", 0, True),
                            row("t1", "", "article", 0, True), row("t1", "", "article", 1, False),
                            row("t1", "", "article", 2, False)])
    shard_2 = pd.DataFrame([row("t2", "c1", "comment", 0, False), row("t2", "c1", "comment", 0, False)])
    arrow = lambda df: pa.Table.from_pandas(df, preserve_index=False)  # noqa: E731  (shards as the rule reads them)
    docs = pd.concat([document_token_counts(arrow(shard_1)), document_token_counts(arrow(shard_2)),
                      document_token_counts(arrow(shard_2.iloc[:0]))], ignore_index=True)
    comments = pd.DataFrame({"thread_id": ["t1", "t2"], "comment_id": ["c1", "c1"], "depth": [1, 1],
                             "author_id": ["a", ""]})
    threads = pd.DataFrame({"thread_id": ["t1", "t2"], "source": ["s", "s"], "article_text": ["text", ""]})
    n = corpus_numbers(comments, threads, docs)
    # by hand: comment t1/c1 has 3 tokens in sentences {0, 1}, 1 MWE; the article 4 tokens in {0, 1, 2}, 2 MWEs;
    # comment t2/c1 2 tokens in {0}
    assert (n["n_tokens"], n["n_comment_tokens"], n["n_article_tokens"]) == (9, 5, 4)
    assert (n["n_sentences"], n["n_mwe_tokens"], n["median_tokens_per_comment"]) == (6, 3, 2.5)
    assert (n["n_threads_with_article"], n["n_authors"], n["n_comments_without_author"]) == (1, 1, 1)
