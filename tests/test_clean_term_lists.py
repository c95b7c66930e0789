"""Issue 15 item 5 (clean term lists) and issue 17 finding 2 (no personal data as terms), on hand-made tokens."""

import pandas as pd
import pyarrow as pa

from analysis.keyness import group_term_counts, keyness_by_grouping, repeated_documents, term_mask


def _tokens_and_docs():
    """Two comments per side; each side's noise (URL, number, handle, placeholder, pseudonym) is in one comment."""
    rows = [
        ("c1", ["war", "https://www.bloomberg.com/news/x", "32,000", "@zephyr", "<email>"]),
        ("c2", ["war", "peace", "u0123456789", "@u0123456789", "2013"]),
        ("c3", ["terror", "bloomberg.com", "10%", "<phone>", "<profile>"]),
        ("c4", ["terror", "peace", "$5", "@quill"]),
    ]
    tokens = pd.DataFrame([{"thread_id": "t", "comment_id": c, "doc": "comment", "norm": n, "is_stopword": False}
                           for c, norms in rows for n in norms])
    docs = pd.DataFrame({"thread_id": ["t"] * 4, "comment_id": ["c1", "c2", "c3", "c4"], "doc": ["comment"] * 4,
                         "side": ["pro", "pro", "con", "con"]})
    return pa.Table.from_pandas(tokens, preserve_index=False), docs


def test_noise_and_redacted_tokens_are_no_terms_by_default():
    tokens, docs = _tokens_and_docs()
    counts, groups, terms = group_term_counts(tokens, docs, by="side")
    # by hand: only the words remain; con has terror x2, peace x1; pro has war x2, peace x1
    assert groups == ["con", "pro"] and terms == ["peace", "terror", "war"]
    assert counts.toarray().tolist() == [[1, 2, 0], [1, 0, 2]]


def test_the_switch_keeps_urls_numbers_and_handles_but_never_personal_placeholders():
    tokens, docs = _tokens_and_docs()
    _, _, terms = group_term_counts(tokens, docs, by="side", drop_noise=False)
    assert terms == sorted(["$5", "10%", "2013", "32,000", "@quill", "@zephyr", "bloomberg.com",
                            "https://www.bloomberg.com/news/x", "peace", "terror", "war"])


def test_keyness_table_has_no_noise_term():
    tokens, docs = _tokens_and_docs()
    table = keyness_by_grouping([(tokens, docs)], groupings=["side"], min_count=1)
    assert set(table["term"]) == {"peace", "terror", "war"}
    # terms.ignore: a token the data uses as a placeholder is no term (case-folded)
    table = keyness_by_grouping([(tokens, docs)], groupings=["side"], min_count=1, ignore=["TERROR"])
    assert set(table["term"]) == {"peace", "war"}


def test_term_mask_by_hand():
    terms = ["war", "U.S.", "#syria", "1st", "9/11", "www.example.org", "Alice", "alice", ",", "<phone>"]
    assert [t for t, k in zip(terms, term_mask(terms, ignore=["Alice"])) if k] == ["war", "U.S.", "#syria", "1st"]
    # ignored tokens are left out also when noise is kept (case-folded: IDX and idx alike)
    assert [t for t, k in zip(["IDX", "idx", "war"], term_mask(["IDX", "idx", "war"], drop_noise=False,
                                                              ignore=["idx"])) if k] == ["war"]
    assert [t for t, k in zip(terms, term_mask(terms, drop_noise=False)) if k] == [
        "war", "U.S.", "#syria", "1st", "9/11", "www.example.org", "Alice", "alice"]
    # a data set's own placeholders in angle brackets (MPOLD's <url>) are never terms; words and brackets alone are
    own = ["<url>", "<user>", "<رابط>", "<", "url", "<3", "<a1>"]
    assert [t for t, k in zip(own, term_mask(own, drop_noise=False)) if k] == ["url", "<3", "<a1>"]


def _shard(rows):
    """Tokens and docs of (comment id, side, norms) rows: one thread per shard."""
    tokens = pd.DataFrame([{"thread_id": "t", "comment_id": c, "doc": "comment", "norm": n, "is_stopword": False}
                           for c, _, norms in rows for n in norms])
    docs = pd.DataFrame({"thread_id": "t", "comment_id": [c for c, _, _ in rows], "doc": "comment",
                         "side": [s for _, s, _ in rows]})
    return pa.Table.from_pandas(tokens, preserve_index=False), docs


def test_repeated_posts_count_once_within_and_across_shards():
    first = _shard([("c1", "pro", ["war", "war", "peace"]), ("c2", "pro", ["war", "war", "peace"]),
                    ("c3", "con", ["terror", "peace"]), ("c5", "con", ["peace", "war", "war"])])
    second = _shard([("c4", "con", ["war", "war", "peace"]), ("c6", "pro", ["terror", "peace"])])
    repeats, seen = repeated_documents(first[0])
    assert list(repeats) == [False] * 3 + [True] * 3 + [False] * 5  # c2 repeats c1; c5 (other order) does not
    again, _ = repeated_documents(second[0], seen=seen)
    assert list(again) == [True] * 3 + [True] * 2  # c4 repeats c1, c6 repeats c3, from the first shard
    table = keyness_by_grouping([first, second], groupings=["side"], min_count=1)
    # by hand, counting c1, c3 and c5 only: pro = war 2, peace 1; con = terror 1, peace 2, war 2
    pro = table[table["group"] == "pro"]
    assert {t: c for t, c in zip(pro["term"], pro["count_a"]) if c} == {"war": 2, "peace": 1}
    assert {t: c for t, c in zip(pro["term"], pro["count_b"]) if c} == {"terror": 1, "peace": 2, "war": 2}
    counts, groups, terms = group_term_counts(first[0], first[1], by="side", exclude=repeats)
    assert groups == ["con", "pro"] and terms == ["peace", "terror", "war"]
    assert counts.toarray().tolist() == [[2, 1, 2], [1, 0, 2]]


def test_repeated_posts_are_listed_in_the_integrity_report(tmp_path):
    from analysis.ingest.canonical import ingest
    from analysis.ingest.integrity import repeated_posts
    from analysis.ingest.tables import read_table

    rows = [("1", "", "t1", "Buy gold now!"), ("2", "1", "t1", "No."), ("3", "", "t1", "  Buy gold now! "),
            ("4", "", "t1", "Buy gold now!"), ("5", "", "t2", "Buy gold now!"), ("6", "", "t2", ""),
            ("7", "", "t1", "buy GOLD now!")]
    pd.DataFrame(rows, columns=["id", "parent", "thread", "body"]).to_csv(tmp_path / "r.csv", index=False)
    result = read_table([str(tmp_path / "r.csv")], fmt="csv",
                        mapping={"id": "id", "parent_id": "parent", "thread_id": "thread", "text": "body"})
    out = ingest(result, source="r", fmt="csv", n_shards=1, salt="s")
    # by hand: in t1, 3 and 4 repeat 1 (spaces at the ends aside), 7 differs in case; t2's copy is another
    # thread's; empty 6 never repeats
    assert out.report["repeated_posts"] == 2
    assert out.report["repeated_post_list"] == ["r:t1/3 = r:t1/1", "r:t1/4 = r:t1/1"]
    assert len(out.comments) == 6  # kept: a repeat is data, not an error
    listed = repeated_posts(out.comments)
    assert list(listed["comment_id"]) == ["3", "4"] and set(listed["first_comment_id"]) == {"1"}
