"""Integrity checks on tiny hand-made reply trees (expected values worked out by hand)."""

import numpy as np
import pandas as pd
import pytest

from analysis.ingest.integrity import check_integrity, depths


def recs(rows):
    """rows: (comment_id, parent_id, text) in one thread 't'."""
    return pd.DataFrame(
        {
            "file": "f.csv",
            "record": range(1, len(rows) + 1),
            "thread_id": "t",
            "comment_id": [r[0] for r in rows],
            "parent_id": [r[1] for r in rows],
            "text": [r[2] for r in rows],
            "rule": "record",
        }
    )


def reasons(q):
    return dict(zip(q["record"], q["reason"]))


def test_clean_tree_keeps_everything():
    kept, q = check_integrity(recs([("a", "", "x"), ("b", "a", "y"), ("c", "b", "z")]))
    assert list(kept["comment_id"]) == ["a", "b", "c"]
    assert q.empty
    assert not kept["is_placeholder"].any()


def test_each_reason_once_and_counts_balance():
    rows = [
        ("a", "", "root"),        # 1 kept
        ("", "a", "no id"),       # 2 missing_id
        ("a", "", "again"),       # 3 duplicate_id
        ("b", "zz", "orphan"),    # 4 orphan_parent
        ("c", "b", "below"),      # 5 quarantined_ancestor (parent b is an orphan)
        ("d", "e", "loop1"),      # 6 reply_cycle
        ("e", "d", "loop2"),      # 7 reply_cycle
        ("f", "d", "under loop"), # 8 quarantined_ancestor
        ("g", "a", "   "),        # 9 empty_text (leaf)
        ("h", "h", "self"),       # 10 reply_cycle (replies to itself)
    ]
    kept, q = check_integrity(recs(rows))
    assert list(kept["comment_id"]) == ["a"]
    assert reasons(q) == {
        2: "missing_id",
        3: "duplicate_id",
        4: "orphan_parent",
        5: "quarantined_ancestor",
        6: "reply_cycle",
        7: "reply_cycle",
        8: "quarantined_ancestor",
        9: "empty_text",
        10: "reply_cycle",
    }
    assert len(kept) + len(q) == len(rows)
    assert q.loc[q["record"] == 3, "detail"].item() == "first seen at record 1"


def test_empty_comment_with_replies_is_a_placeholder():
    rows = [("a", "", ""), ("b", "a", ""), ("c", "b", "text"), ("d", "a", "")]
    kept, q = check_integrity(recs(rows))
    # a and b have text below them (c); d is an empty leaf
    assert dict(zip(kept["comment_id"], kept["is_placeholder"])) == {"a": True, "b": True, "c": False}
    assert reasons(q) == {4: "empty_text"}


def test_removed_text_reason():
    r = recs([("a", "", "x"), ("b", "a", "")])
    kept, q = check_integrity(r, removed=pd.Series([False, True]))
    assert reasons(q) == {2: "removed"}


def test_orphans_can_be_attached():
    kept, q = check_integrity(recs([("a", "zz", "x"), ("b", "a", "y")]), orphans="attach")
    assert q.empty
    assert kept.loc[0, "rule"] == "record+orphan_attached"


def test_parent_must_be_in_same_thread():
    r = recs([("a", "", "x"), ("b", "a", "y")])
    r.loc[1, "thread_id"] = "other"
    kept, q = check_integrity(r)
    assert reasons(q) == {2: "orphan_parent"}
    assert "thread other" in q.loc[0, "detail"]


def test_bad_option():
    with pytest.raises(ValueError, match="orphans="):
        check_integrity(recs([("a", "", "x")]), orphans="drop")


def test_depths_by_hand():
    # 0 root; 1,2 children of 0; 3 child of 2; 4 root
    parent = np.array([-1, 0, 0, 2, -1])
    assert depths(parent).tolist() == [1, 2, 2, 3, 1]


def test_long_chain_is_not_a_cycle():
    n = 3000
    rows = [("c0", "", "t")] + [(f"c{i}", f"c{i-1}", "t") for i in range(1, n)]
    kept, q = check_integrity(recs(rows))
    assert len(kept) == n and q.empty


def test_duplicate_ids_are_found_within_a_thread():
    # a comment is known by (thread, id): pages of scraped text all number their comments c1, c2, ...
    r = recs([("c1", "", "x"), ("c2", "c1", "y"), ("c1", "", "x2"), ("c2", "c1", "y2"), ("c2", "", "again")])
    r.loc[[2, 3], "thread_id"] = "u"
    kept, q = check_integrity(r)
    assert list(zip(kept["thread_id"], kept["comment_id"])) == [("t", "c1"), ("t", "c2"), ("u", "c1"), ("u", "c2")]
    assert reasons(q) == {5: "duplicate_id"}
    assert q.loc[0, "detail"] == "first seen at record 2"
    assert kept.loc[3, "parent_id"] == "c1"  # and u's c2 hangs from u's c1, not t's
