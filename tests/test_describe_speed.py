"""Fast paths of the corpus description against straightforward second methods (brute force, pandas lambdas)."""

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from analysis.describe import document_token_counts, thread_summary

KEYS = ["thread_id", "comment_id", "doc"]


def token_rows(seed=0, n_threads=4):
    """Tokens grouped by document, sentences in order, as a tokenizer shard stores them (some articles)."""
    rng = np.random.default_rng(seed)
    rows = []
    for t in range(n_threads):
        docs = ([("", "article")] if t % 2 == 0 else []) + [(f"c{t}{i}", "comment") for i in range(rng.integers(1, 5))]
        for cid, doc in docs:
            sentence = 0
            for _ in range(rng.integers(1, 12)):
                sentence += int(rng.integers(0, 2))
                rows.append({"thread_id": f"t{t}", "comment_id": cid, "doc": doc, "sentence": sentence,
                             "is_mwe": bool(rng.random() < 0.3)})
    return pd.DataFrame(rows)


def brute_force(tokens: pd.DataFrame) -> pd.DataFrame:
    """Count by hand, one Python dict per document."""
    seen: dict = {}
    for r in tokens.itertuples(index=False):
        d = seen.setdefault((r.thread_id, r.comment_id, r.doc), {"n": 0, "s": set(), "m": 0})
        d["n"] += 1
        d["s"].add(r.sentence)
        d["m"] += int(r.is_mwe)
    return pd.DataFrame([{"thread_id": k[0], "comment_id": k[1], "doc": k[2], "n_tokens": v["n"],
                          "n_sentences": len(v["s"]), "n_mwe": v["m"]} for k, v in seen.items()])


def hash_grouping(table: pa.Table) -> pd.DataFrame:
    """A second method: Arrow's hash ``group_by`` (any row order): count, distinct sentences, sum of is_mwe."""
    counts = table.group_by(KEYS, use_threads=False).aggregate(
        [("sentence", "count"), ("sentence", "count_distinct"), ("is_mwe", "sum")]
    )
    plain = [c.cast(c.type.value_type) if pa.types.is_dictionary(c.type) else c for c in counts.columns[:3]]
    out = pa.table(plain + counts.columns[3:], names=counts.column_names).to_pandas()
    out.columns = [*KEYS, "n_tokens", "n_sentences", "n_mwe"]
    return out


def arrow(df: pd.DataFrame) -> pa.Table:
    return pa.Table.from_pandas(df, preserve_index=False)


def first_token_order(tokens: pd.DataFrame) -> list:
    return list(dict.fromkeys(tokens[KEYS].apply(tuple, axis=1)))


def same(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    norm = lambda d: d.sort_values(KEYS).reset_index(drop=True).astype(  # noqa: E731
        {"thread_id": str, "comment_id": str, "doc": str, "n_tokens": "int64", "n_sentences": "int64",
         "n_mwe": "int64"})
    return norm(a).equals(norm(b))


def test_run_lengths_match_brute_force_and_hash_grouping(tmp_path):
    tokens = token_rows()
    table = arrow(tokens)
    fast = document_token_counts(table)
    assert same(fast, brute_force(tokens))
    assert same(fast, hash_grouping(table))
    assert fast[KEYS].apply(tuple, axis=1).tolist() == first_token_order(tokens)
    # as the rule reads a shard: keys dictionary-encoded, several row groups (a dictionary per chunk), a
    # document cut by a row-group boundary
    pq.write_table(table, tmp_path / "s.parquet", row_group_size=7)
    read = pq.read_table(tmp_path / "s.parquet", columns=[*KEYS, "sentence", "is_mwe"], read_dictionary=KEYS)
    assert read.column("comment_id").num_chunks > 1
    out = document_token_counts(read)
    assert pd.api.types.is_string_dtype(out["comment_id"]) and same(out, fast)
    chunked = pa.concat_tables([table.slice(0, 9), table.slice(9)])  # plain strings in two chunks
    assert chunked.column("thread_id").num_chunks == 2 and same(document_token_counts(chunked), fast)


def test_documents_in_several_runs_or_sentences_out_of_order():
    tokens = token_rows(seed=1)
    moved = pd.concat([tokens.iloc[3:], tokens.iloc[:3]], ignore_index=True)  # first document split in two runs
    shuffled = tokens.sample(frac=1, random_state=0).reset_index(drop=True)
    for rows in (moved, shuffled):
        out = document_token_counts(arrow(rows))
        assert same(out, brute_force(rows)) and same(out, hash_grouping(arrow(rows)))
        assert out[KEYS].apply(tuple, axis=1).tolist() == first_token_order(rows)
    # one document, sentence numbers 1, 0, 1: run-length counting of sentence changes would say 3
    back = pd.DataFrame({"thread_id": "t", "comment_id": "c", "doc": "comment", "sentence": [1, 0, 1], "is_mwe": False})
    assert document_token_counts(arrow(back))["n_sentences"].tolist() == [2]
    with pytest.raises(ValueError, match="null"):
        document_token_counts(arrow(back.assign(sentence=[1, None, 1])))


def test_one_document_and_empty_shard():
    one = pd.DataFrame({"thread_id": "t", "comment_id": "c", "doc": "comment", "sentence": [0, 0, 2],
                        "is_mwe": [True, False, True]})
    assert document_token_counts(arrow(one))[["n_tokens", "n_sentences", "n_mwe"]].values.tolist() == [[3, 2, 2]]
    empty = document_token_counts(pa.Table.from_pandas(one.iloc[:0], preserve_index=False))
    assert empty.empty and list(empty.columns) == [*KEYS, "n_tokens", "n_sentences", "n_mwe"]


def thread_summary_lambdas(comments: pd.DataFrame, threads: pd.DataFrame) -> pd.DataFrame:
    """The straightforward version: a Python function per thread."""
    g = comments.groupby("thread_id")
    out = threads[["thread_id", "source", "title", "n_comments"]].set_index("thread_id")
    out["max_depth"] = g["depth"].max()
    out["n_authors"] = g["author_id"].agg(lambda a: a[a != ""].nunique())
    out["n_top_level"] = g["depth"].agg(lambda d: int((d == 1).sum()))
    out = out.fillna(0).astype({"max_depth": int, "n_authors": int, "n_top_level": int})
    return out.reset_index().sort_values(["n_comments", "thread_id"], ascending=[False, True]).reset_index(drop=True)


def test_thread_summary_matches_per_thread_lambdas():
    rng = np.random.default_rng(3)
    n = 200
    comments = pd.DataFrame({"thread_id": rng.choice(["a", "b", "c", "d"], n),
                             "depth": rng.integers(1, 5, n).astype("int32"),
                             "author_id": rng.choice(["", "u1", "u2", "u3"], n)})
    comments.loc[comments["thread_id"] == "d", "author_id"] = ""  # a thread whose authors are all unknown
    comments.loc[comments["thread_id"] == "c", "depth"] = 2  # a thread without a top-level comment
    threads = pd.DataFrame({"thread_id": ["a", "b", "c", "d", "e"], "source": "s", "title": ["A", "B", "C", "D", "E"],
                            "n_comments": [5, 7, 5, 1, 0]})  # e: a thread without comments
    fast = thread_summary(comments, threads)
    pd.testing.assert_frame_equal(fast, thread_summary_lambdas(comments, threads))
    row = fast.set_index("thread_id")
    assert row.loc["d", "n_authors"] == 0 and row.loc["e", "max_depth"] == 0 and row.loc["c", "n_top_level"] == 0
    one = comments[comments["thread_id"] == "a"]  # one thread
    pd.testing.assert_frame_equal(thread_summary(one, threads.iloc[:1]), thread_summary_lambdas(one, threads.iloc[:1]))
