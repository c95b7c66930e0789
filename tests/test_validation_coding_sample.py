"""Rule coding_sample's function (analysis.validation.coding_sample): Parquet shards in, sample, sheets and codebook
out."""

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from test_validation_sampling import KEYS, make_corpus, one_pass_sample

from analysis.matcher import document_texts
from analysis.validation.coding_sample import coding_sample, documents_with_text
from analysis.validation.sheets import codebook, coding_sheets


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return make_corpus(tmp_path_factory)


def test_coding_sample_reads_shards_and_gives_the_sample_sheets_and_codebook(corpus, tmp_path):
    lx, docs, matches = corpus
    comments = docs[["thread_id", "comment_id", "text"]].assign(parent_id="")
    comments.loc[(comments["thread_id"] == "t1") & (comments["comment_id"] == "3"), "parent_id"] = "1"
    comments.loc[(comments["thread_id"] == "t2") & (comments["comment_id"] == "2"), "parent_id"] = "1"
    threads = pd.DataFrame({"thread_id": ["t1", "t2", "t3"], "article_text": ""})
    parts = [docs["thread_id"].isin(["t1", "t3"]), docs["thread_id"] == "t2"]
    files = {name: [] for name in ("docs", "matches", "comments", "threads")}
    for i, part in enumerate(parts):
        keys = set(zip(docs.loc[part, "thread_id"], docs.loc[part, "comment_id"]))
        in_part = [k in keys for k in zip(matches["thread_id"], matches["comment_id"])]
        tables = {"docs": docs.loc[part, KEYS], "matches": matches[in_part],
                  "comments": comments[part.to_numpy()][["thread_id", "comment_id", "parent_id", "text"]],
                  "threads": threads[threads["thread_id"].isin(docs.loc[part, "thread_id"])]}
        for name, table in tables.items():
            path = tmp_path / f"{name}-{i}.parquet"
            arrow = pa.Table.from_pandas(table.reset_index(drop=True), preserve_index=False)
            # string columns as the workflow writes them (pandas gives large_string)
            schema = pa.schema([f.with_type(pa.string()) if f.type == pa.large_string() else f for f in arrow.schema])
            pq.write_table(arrow.cast(schema), path)
            files[name].append(str(path))
    out = coding_sample(**files, lexicons=[lx], coders=["ann", "bob"], per_stratum=3, seed=5)
    want = one_pass_sample(docs, matches, frames=["war", "tax"], per_stratum=3, seed=5, lexicons=lx)
    pd.testing.assert_frame_equal(out.sample, want)
    assert list(out.sheets) == ["ann", "bob"]
    sheets = coding_sheets(want, coders=["ann", "bob"], context=comments, lexicons=lx, seed=5)
    for coder in ("ann", "bob"):
        pd.testing.assert_frame_equal(out.sheets[coder], sheets[coder])
    by_id = out.sheets["ann"].set_index("item_id")
    assert by_id.loc["war:t1:3:comment", "context"] == "The civil war goes on."  # a near miss: drawn
    assert by_id.loc["tax:t2:2:comment", "context"] == "Taxes are high."
    assert out.codebook == codebook(lx)


def test_documents_with_text_gives_the_texts_of_document_texts():
    """The Arrow join of texts to documents against the dict of analysis.matcher.document_texts, on awkward keys."""
    comments = pd.DataFrame({"thread_id": ["a", "a", "b", "a:b", "a", "c", "3:a"],
                             "comment_id": ["1", "2", "1", "", "1", "x\x00y", "b"],
                             "text": ["one", "two", "b1", "colon", "one again", "nul", "prefix"]})
    threads = pd.DataFrame({"thread_id": ["a", "b", "c", "c", "d", "d"],
                            "article_text": ["art a", "", "art c", "", "first", "second"]})
    keys = [("a", "1", "comment"), ("a", "2", "comment"), ("a", "b", "comment"), ("a:b", "", "comment"),
            ("a", "", "article"), ("b", "", "article"), ("c", "", "article"), ("a", "1", "article"),
            ("z", "", "article"), ("c", "x\x00y", "comment"), ("a", "1", "title"), ("d", "", "article"),
            ("3:a", "b", "comment"), ("3", "a:b", "comment"), ("b", "1", "comment")]
    texts = document_texts(comments, threads)
    want = [texts.get(k, "") for k in keys]
    assert want[:7] == ["one again", "two", "", "colon", "art a", "", "art c"] and want[11] == "second"
    docs = pa.table({k: [key[j] for key in keys] for j, k in enumerate(["thread_id", "comment_id", "doc"])})
    for d in (docs, pa.table({k: docs.column(k).dictionary_encode() for k in docs.column_names})):
        got = documents_with_text(d, pa.Table.from_pandas(comments), pa.Table.from_pandas(threads))
        assert got.column("text").to_pylist() == want
        assert got.select(["thread_id", "comment_id", "doc"]).to_pylist() == docs.to_pylist()
    none = documents_with_text(docs, pa.Table.from_pandas(comments.iloc[:0]), pa.Table.from_pandas(threads.iloc[:0]))
    assert none.column("text").to_pylist() == [""] * len(keys)
