"""Tests of the benchmark tools (benchmarks/) and of the fast paths they measure.

The generator is checked for determinism and for the structure it promises;
the runner's log parsing and pass/fail logic on hand-made input. The fast
paths of tokenization, Punkt and the bootstrap are checked against a second
method: the definition they shortcut (sentence-by-sentence matching, plain
Punkt, the explicit weight matrix).
"""

from __future__ import annotations

import csv
import hashlib
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import generate_corpus  # noqa: E402
import run as runner  # noqa: E402

from analysis import tokenization  # noqa: E402
from analysis.config import check_config  # noqa: E402
from analysis.ingest.sources import read_source  # noqa: E402
from analysis.stats import bootstrap_weights, replicate_sums  # noqa: E402

SHARED = ROOT.parent / "shared" / "data"


def digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def rows(folder: Path) -> list[dict[str, str]]:
    out = []
    for path in sorted((folder / "comments").glob("part-*.csv")):
        with path.open(encoding="utf-8", newline="") as f:
            out += [dict(r, _file=path.name) for r in csv.DictReader(f)]
    return out


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Path:
    """300 comments in 7 threads, 3 threads a file, from the seed thread only (../shared ignored)."""
    out = tmp_path_factory.mktemp("corpus") / "c"
    generate_corpus.generate(n_comments=300, n_threads=7, seed=5, out=out, threads_per_file=3,
                             shared=Path("/nonexistent/shared"))
    return out


# ---------------------------------------------------------------- generator


def test_same_arguments_give_the_same_bytes(small, tmp_path):
    again = tmp_path / "c"
    generate_corpus.generate(n_comments=300, n_threads=7, seed=5, out=again, threads_per_file=3,
                             shared=Path("/nonexistent/shared"))
    a, b = digest(small), digest(again)
    assert a.keys() == b.keys()
    # the config names its own folder; everything else is byte for byte the same
    assert {k: v for k, v in a.items() if k != "config.yaml"} == {k: v for k, v in b.items() if k != "config.yaml"}
    other = tmp_path / "other-seed"
    generate_corpus.generate(n_comments=300, n_threads=7, seed=6, out=other, threads_per_file=3,
                             shared=Path("/nonexistent/shared"))
    assert digest(other)["comments/part-00000.csv"] != a["comments/part-00000.csv"]


def test_counts_files_and_whole_threads(small):
    r = rows(small)
    assert len(r) == 300
    threads = {x["thread_id"] for x in r}
    assert len(threads) == 7
    # 7 threads, 3 a file: files of 3, 3 and 1 threads, each thread in one file
    files = sorted({x["_file"] for x in r})
    assert files == ["part-00000.csv", "part-00001.csv", "part-00002.csv"]
    file_of = {}
    for x in r:
        assert file_of.setdefault(x["thread_id"], x["_file"]) == x["_file"]
    per_file = {f: len({t for t, g in file_of.items() if g == f}) for f in files}
    assert per_file == {"part-00000.csv": 3, "part-00001.csv": 3, "part-00002.csv": 1}
    assert len({x["comment_id"] for x in r}) == 300


def test_reply_trees_are_trees_in_time_order(small):
    r = rows(small)
    by_id = {x["comment_id"]: x for x in r}
    seen: set[str] = set()
    for x in r:  # rows are in thread, then time order
        if x["parent_id"]:
            parent = by_id[x["parent_id"]]
            assert parent["comment_id"] in seen  # the parent came earlier
            assert parent["thread_id"] == x["thread_id"]
            assert parent["created_at"] < x["created_at"]  # ISO times compare as text
        seen.add(x["comment_id"])
    for t in {x["thread_id"] for x in r}:
        times = [x["created_at"] for x in r if x["thread_id"] == t]
        assert times == sorted(times) and len(set(times)) == len(times)
        assert next(x for x in r if x["thread_id"] == t)["parent_id"] == ""  # a thread opens with a top-level comment


def test_texts_are_real_seed_comments_and_authors_are_pseudonyms(small):
    pool, titles, counts = generate_corpus.read_pool(Path("/nonexistent/shared"))
    assert counts == {"seed": len(pool)}
    r = rows(small)
    assert {x["text"] for x in r} <= set(pool)
    assert {x["title"] for x in r} <= set(titles)
    named = [x["author"] for x in r if x["author"]]
    assert all(a.startswith("user") and a[4:].isdigit() for a in named)
    # heavy-tailed activity: the most active author wrote more than the median author
    per_author = pd.Series(named).value_counts()
    assert per_author.iloc[0] > per_author.median()


def test_reply_tree_depths_by_hand():
    rng = np.random.default_rng(0)
    parent, depth = generate_corpus.reply_tree(200, rng)
    assert parent[0] == -1 and depth[0] == 1
    for k in range(1, 200):
        assert (parent[k] == -1 and depth[k] == 1) or (0 <= parent[k] < k and depth[k] == depth[parent[k]] + 1)
    sizes = generate_corpus.thread_sizes(1000, 40, rng)
    assert sizes.sum() == 1000 and sizes.min() >= 1 and len(sizes) == 40


def test_parse_count():
    assert generate_corpus.parse_count("10k") == 10_000
    assert generate_corpus.parse_count("1M") == 1_000_000
    assert generate_corpus.parse_count("2500") == 2500
    assert generate_corpus.parse_count("1.5k") == 1500


def test_config_is_valid_and_the_workflow_reads_the_corpus(small):
    cfg = yaml.safe_load((small / "config.yaml").read_text(encoding="utf-8"))
    assert cfg["results"] == str((small / "results").resolve())
    assert cfg["n_shards"] == 2
    assert "shard_by" not in cfg["sources"][0]
    check_config(cfg)  # the schema and the column mapping
    result = read_source(cfg["sources"][0])
    assert len(result.records) == 300 and len(result.rejects) == 0
    assert result.records["thread_id"].nunique() == 7


def test_shard_by_file_only_with_the_flag(tmp_path):
    generate_corpus.generate(n_comments=20, n_threads=2, seed=1, out=tmp_path, shard_by_file=True,
                             shared=Path("/nonexistent/shared"))
    cfg = yaml.safe_load((tmp_path / "config.yaml").read_text(encoding="utf-8"))
    assert cfg["sources"][0]["shard_by"] == "file"


def test_default_sizes():
    # about 10,000 comments a file; about 50,000 comments a shard, even, at least 2
    assert generate_corpus.default_threads_per_file(1_000_000, 10_000) == 100
    assert generate_corpus.default_threads_per_file(5_000, 1_000) == 2_000
    assert generate_corpus.default_n_shards(10_000) == 2
    assert generate_corpus.default_n_shards(1_000_000) == 20
    assert generate_corpus.default_n_shards(1_050_000) == 22


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/data is absent")
def test_pool_reads_the_shared_sets():
    pool, _, counts = generate_corpus.read_pool(SHARED)
    # CreateDebate 3,051 posts, SFU 1,121 comments, FrAC 391 comment sentences (data README)
    assert counts["createdebate"] == 3051 and counts["sfu"] == 1121 and counts["frac"] == 391
    assert len(pool) == sum(counts.values())


# ---------------------------------------------------------------- runner


LOG = """\
[Mon Nov 23 22:16:00 2026]
localrule ingest:
    input: x
    jobid: 4
[Mon Nov 23 22:16:01 2026]
localrule shard:
    jobid: 3
[Mon Nov 23 22:16:05 2026]
Finished jobid: 4 (Rule: ingest)
[Mon Nov 23 22:16:05 2026]
rule shard:
    jobid: 5
[Mon Nov 23 22:16:07 2026]
Finished jobid: 3 (Rule: shard)
[Mon Nov 23 22:16:10 2026]
Finished jobid: 5 (Rule: shard)
"""


def test_rule_times_from_a_log(tmp_path):
    log = tmp_path / "run.log"
    log.write_text(LOG, encoding="utf-8")
    # ingest 00->05; shard job 3 01->07, job 5 05->10
    assert runner.rule_times(log) == {"ingest": [5.0], "shard": [6.0, 5.0]}


def test_pass_and_fail():
    table = runner.Table()
    assert table.add("s", "time", 5.0, "s", target=10.0)["pass"] is True
    assert table.add("s", "time", 12.0, "s", target=10.0, baseline=4.0)["ratio"] == 3.0
    assert table.rows[-1]["pass"] is False
    # a target on the ratio to the baseline, higher is better
    row = table.add("s", "speed", 300.0, "tok/s", baseline=1000.0, target=1 / 3, higher_is_better=True, target_on_ratio=True)
    assert row["ratio"] == 0.3 and row["pass"] is False
    assert table.add("s", "x", 1.0, "s")["pass"] is None  # no target


def test_process_tree_sees_this_process():
    import os

    tree = runner._process_tree(os.getpid())
    assert tree[0][0] == os.getpid() and tree[0][1] > 0


def test_run_measured_times_each_process_of_the_tree(tmp_path):
    # a parent that waits 0.2 s, then runs a child that sleeps 1 s: each is timed by the span it was seen alive
    child = f"{sys.executable} -c 'import time; time.sleep(1.0)'"
    cmd = ["sh", "-c", f"sleep 0.2; {child}"]
    out = runner.run_measured(cmd, log=tmp_path / "log", interval=0.05)
    spans = out["span_by_rule"]
    child_span = sum(v for k, v in spans.items() if k.startswith(Path(sys.executable).name))
    assert 0.85 <= child_span <= 1.3, spans
    assert 1.05 <= spans["sh -c"] <= out["wall"] + 0.01, spans


# ---------------------------------------------------------------- fast paths against their definitions


VARIED = [
    "The civil war. Civil War again... U.S. and e.g. the U.N.; war.The end. . . ok",
    "He said “stop.” Then?! left (really.)Next line\n\nNew paragraph, Dr. Aziz’s view",
    "x\x1cy \x1c end. A\u2028B  ❤️ 👨‍👩‍👧 🇸🇾 @user #tag http://a.org/b(c). 3.5 1,000",
    "a" * 1500 + ". " + "-" * 1100 + " the free  syrian army",
    "",
    "   ",
]


def texts_for_equivalence() -> list[str]:
    texts = list(VARIED)
    if SHARED.is_dir():
        texts += generate_corpus.read_pool(SHARED)[0][:1500]
    else:
        texts += generate_corpus.read_pool(None)[0]
    return texts


def test_chunk_fast_path_equals_sentence_by_sentence_definition(monkeypatch):
    texts = texts_for_equivalence()
    docs = pd.DataFrame({"thread_id": "t", "comment_id": [f"c{i}" for i in range(len(texts))], "doc": "comment", "text": texts})
    params = tokenization.train_punkt(texts)
    mwes = [("civil", "war"), ("free", "syrian", "army"), ("u.s.", "and"), ("gun", "control")]
    options = dict(mwes=mwes, stem=True, stopwords=tokenization.stopword_set("english"))
    fast = tokenization.tokenize_documents(docs, punkt=tokenization.punkt_from_params(params), **options)
    monkeypatch.setattr(tokenization, "_chunk_aligned", lambda text, sentences: False)  # every document the slow way
    slow = tokenization.tokenize_documents(docs, punkt=tokenization.punkt_from_params(params), **options)
    assert len(fast) > 1000
    pd.testing.assert_frame_equal(fast, slow)


def test_memo_punkt_equals_plain_punkt():
    from nltk.tokenize.punkt import PunktSentenceTokenizer

    texts = texts_for_equivalence()
    params = tokenization.train_punkt(texts)
    memo = tokenization.punkt_from_params(params)
    plain = PunktSentenceTokenizer(memo._params)  # NLTK's own, with its own patterns and no memory
    for text in texts + texts:  # the second pass answers from memory
        assert list(memo.span_tokenize(text)) == list(plain.span_tokenize(text))


def test_token_table_equals_the_conformed_frame():
    from analysis import columns

    docs = pd.DataFrame({"thread_id": "t", "comment_id": ["a", "b", "c"], "doc": "comment", "text": VARIED[:3]})
    options = dict(punkt=tokenization.punkt_from_params(tokenization.train_punkt([])), mwes=[("civil", "war")], stem=True,
                   stopwords=tokenization.stopword_set("english"))
    table = tokenization.token_table(docs, **options)
    assert table.num_rows > 50
    assert table.equals(columns.conform(tokenization.tokenize_documents(docs, **options), "tokens"))
    assert table.schema.equals(columns.conform(columns.empty("tokens"), "tokens").schema)


def test_replicate_sums_equal_the_weight_matrix_product():
    rng = np.random.default_rng(2)
    values = rng.random((50, 3)) * (rng.random((50, 3)) < 0.5)
    values[7] = 0  # a cluster that contributes nothing is still drawn
    w = bootstrap_weights(50, n_boot=40, seed=9)
    expected = w.astype(np.float64) @ values
    got = replicate_sums(sp.csr_array(values), n_boot=40, seed=9, chunk=7)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)
