"""Tests of the benchmark tools (benchmarks/) and of the fast paths they measure.

The generator is checked for determinism and for the structure it promises;
the runner's reading of Snakemake's benchmark files on hand-written files, its pass/fail
logic, and its process-tree memory on processes of known size. The fast
paths of tokenization, Punkt and the bootstrap are checked against a second
method: the definition they shortcut (sentence-by-sentence matching, plain
Punkt, the explicit weight matrix).
"""

from __future__ import annotations

import csv
import hashlib
import subprocess
import sys
import time
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

from analysis.config import check_config  # noqa: E402
from analysis.ingest.sources import read_source  # noqa: E402
from analysis.io import usage_path  # noqa: E402
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
    by_id = {x["comment_id"]: x for x in r}
    assert {x["text"] for x in r if not x["parent_id"]} <= set(pool)
    # a reply is a pool text, or opens with a run of its parent's text (a quote) followed by a blank line
    quoting = [x for x in r if x["parent_id"] and x["text"] not in set(pool)]
    assert all(x["text"].split("\n\n")[0] in by_id[x["parent_id"]]["text"] for x in quoting)
    replies = sum(1 for x in r if x["parent_id"])
    assert 0.6 < len(quoting) / replies < 0.95  # P_QUOTE = 0.78
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


def write_tsv(path: Path, rows: list[str]) -> None:
    """A usage record as a job writes it (analysis.io.write_usage): its header, then its line."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\t".join(runner.BENCHMARK_COLUMNS) + "\n" + "".join(r + "\n" for r in rows), encoding="utf-8")


def test_benchmark_files_read_as_one_row_per_job(tmp_path):
    bench = tmp_path / "benchmarks"
    write_tsv(bench / "ingest" / "createdebate.tsv", ["5.5\t260.5\t5.25"])
    write_tsv(bench / "annotate" / "000.tsv", ["2.0\t90.0\t1.75"])
    write_tsv(bench / "annotate" / "001.tsv", ["3.0\t110.0\t2.5"])
    write_tsv(bench / "train_punkt.tsv", ["0.2\t60.0\t0.0"])
    (bench / "notes.txt").write_text("not a benchmark file")
    jobs = runner.read_benchmarks(tmp_path)
    assert list(jobs.columns) == ["rule", "job", *runner.BENCHMARK_COLUMNS]
    assert list(jobs["rule"]) == ["annotate", "annotate", "ingest", "train_punkt"]
    assert list(jobs["job"]) == ["annotate/000", "annotate/001", "ingest/createdebate", "train_punkt"]
    assert list(jobs["s"]) == [2.0, 3.0, 5.5, 0.2]
    assert list(jobs["max_rss"]) == [90.0, 110.0, 260.5, 60.0]
    rules = runner.by_rule(jobs)
    assert list(rules.index) == ["ingest", "annotate", "train_punkt"]  # slowest first
    assert rules.loc["annotate"].to_dict() == {"jobs": 2, "s": 5.0, "longest": 3.0, "cpu": 4.25, "max_rss": 110.0}
    assert rules.loc["train_punkt", "cpu"] == 0.0 and rules.loc["train_punkt", "max_rss"] == 60.0
    notes = runner.rule_notes("run", jobs, top=2)
    assert notes[0] == "run, slowest rules (summed job s / jobs / longest job s): ingest 5.5/1/5.5, annotate 5.0/2/3.0"
    assert notes[1] == "run, CPU by rule (s): ingest 5.2, annotate 4.2"
    # 260.5 MiB = 0.27 GB, 110 MiB = 0.12 GB
    assert notes[2] == "run, largest job by rule (peak RSS, GB): ingest 0.27, annotate 0.12"


def test_benchmark_files_since_a_time_are_the_last_runs_jobs(tmp_path):
    import os

    bench = tmp_path / "benchmarks"
    write_tsv(bench / "annotate" / "000.tsv", ["2.0\t1\t1"])
    write_tsv(bench / "annotate" / "001.tsv", ["3.0\t1\t1"])
    os.utime(bench / "annotate" / "000.tsv", (1000.0, 1000.0))  # written by an earlier run
    assert list(runner.read_benchmarks(tmp_path, since=2000.0)["job"]) == ["annotate/001"]
    assert len(runner.read_benchmarks(tmp_path)) == 2


#: A job as the rules' scripts are: it logs to <results>/logs/<rule>/<wildcards>.log, then works. It burns about
#: 0.6 s of CPU, holds a 300 MiB buffer and waits for a child that burns about 0.4 s.
USAGE_JOB = """\
import subprocess, sys, time
from analysis import io
io.setup_logging(sys.argv[1], "job")
buffer = bytearray(300 * 2**20)
for i in range(0, len(buffer), 4096):
    buffer[i] = 1
end = time.process_time() + 0.6
while time.process_time() < end:
    pass
child = "import time\\nend = time.process_time() + 0.4\\nwhile time.process_time() < end: pass"
subprocess.run([sys.executable, "-c", child])
time.sleep(0.5)
"""


def test_a_job_that_logs_writes_its_usage_record_the_runner_reads(tmp_path):
    script = tmp_path / "job.py"
    script.write_text(USAGE_JOB, encoding="utf-8")
    log = tmp_path / "results" / "logs" / "annotate" / "007.log"
    started = time.monotonic()
    subprocess.run([sys.executable, str(script), str(log)], check=True, cwd=Path(__file__).resolve().parents[1])
    elapsed = time.monotonic() - started
    jobs = runner.read_benchmarks(tmp_path / "results")
    assert list(jobs["job"]) == ["annotate/007"] and list(jobs["rule"]) == ["annotate"]
    job = jobs.iloc[0]
    assert 1.0 <= job["cpu_time"] < elapsed + 0.5  # 0.6 s own + 0.4 s of the waited-for child
    assert 0.5 + 1.0 <= job["s"] <= elapsed  # the sleep and the CPU work, within the process's life
    assert 300 <= job["max_rss"] < 600  # the buffer, in MiB
    assert runner.by_rule(jobs).loc["annotate", "jobs"] == 1


def test_a_log_outside_a_logs_folder_records_nothing():
    assert usage_path("/r/logs/ingest/seed.log") == Path("/r/benchmarks/ingest/seed.tsv")
    assert usage_path("/data/logs/r/logs/book.log") == Path("/data/logs/r/benchmarks/book.tsv")  # the last logs/
    assert usage_path("/tmp/job.log") is None


def test_no_benchmark_files_is_an_empty_table_and_a_note(tmp_path):
    jobs = runner.read_benchmarks(tmp_path / "results")
    assert jobs.empty and list(jobs.columns) == ["rule", "job", *runner.BENCHMARK_COLUMNS]
    [note] = runner.rule_notes("sample", jobs)
    assert note.startswith("sample: no per-rule figures") and "usage records" in note
    assert runner.by_rule(jobs).empty


def test_pass_and_fail():
    table = runner.Table()
    assert table.add("s", "time", 5.0, "s", target=10.0)["pass"] is True
    assert table.add("s", "time", 12.0, "s", target=10.0, baseline=4.0)["ratio"] == 3.0
    assert table.rows[-1]["pass"] is False
    # a target on the ratio to the baseline, higher is better
    row = table.add("s", "speed", 300.0, "tok/s", baseline=1000.0, target=1 / 3, higher_is_better=True,
                    target_on_ratio=True)
    assert row["ratio"] == 0.3 and row["pass"] is False
    assert table.add("s", "x", 1.0, "s")["pass"] is None  # no target


ALLOCATE = """
import subprocess, sys, time
mib, child_mib = int(sys.argv[1]), int(sys.argv[2])
block = b"x" * (mib * 2**20)  # written, so resident
kid = subprocess.Popen([sys.executable, sys.argv[0], sys.argv[2], "-1"]) if child_mib >= 0 else None
print("ready", flush=True)
time.sleep(float(sys.argv[3]) if len(sys.argv) > 3 else 60)
"""


def allocating(tmp_path: Path, mib: int, child_mib: int) -> list[str]:
    script = tmp_path / "allocate.py"
    script.write_text(ALLOCATE, encoding="utf-8")
    return [sys.executable, str(script), str(mib), str(child_mib)]


def tree_memory_of(cmd: list[str]) -> tuple[int, int | None]:
    """``runner.tree_memory`` of a process started with ``cmd`` (and its child), once both have allocated."""
    import time

    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline() == "ready\n"
        time.sleep(0.5)  # the grandchild's allocation (it prints ready to the same pipe)
        return runner.tree_memory(proc.pid)
    finally:
        runner.stop_tree(proc.pid)
        proc.wait()


def test_tree_memory_sums_a_process_and_its_child(tmp_path):
    # parent 120 MiB + child 60 MiB, against the same two processes allocating nothing
    rss, pss = tree_memory_of(allocating(tmp_path, 120, 60))
    rss0, pss0 = tree_memory_of(allocating(tmp_path, 0, 0))
    assert pss is not None and pss0 is not None, "no PSS on this kernel"
    assert abs((pss - pss0) - 180 * 2**20) < 20 * 2**20, (pss, pss0)
    assert abs((rss - rss0) - 180 * 2**20) < 20 * 2**20, (rss, rss0)
    assert runner.tree_memory(2**22 + 12345) == (0, 0)  # no such process: nothing


def test_run_measured_peak_memory_and_time(tmp_path):
    cmd = allocating(tmp_path, 100, -1) + ["1.0"]  # 100 MiB for 1 s, no child
    out = runner.run_measured(cmd, log=tmp_path / "log", interval=0.05)
    assert 1.0 <= out["wall"] <= 5.0 and out["stopped"] is None
    assert 100 * 2**20 <= out["tree_pss"] <= out["tree_rss"] < 200 * 2**20, out
    with pytest.raises(RuntimeError, match="exit 3"):
        runner.run_measured([sys.executable, "-c", "raise SystemExit(3)"], log=tmp_path / "log2")


def test_run_measured_stops_a_tree_over_the_memory_limit(tmp_path):
    out = runner.run_measured(allocating(tmp_path, 100, 20), log=tmp_path / "log", mem_limit=50e6, interval=0.05)
    assert out["stopped"].startswith("stopped at") and out["wall"] < 30
    assert out["tree_pss"] > 50e6


# ---------------------------------------------------------------- fast paths against their definitions


def test_replicate_sums_equal_the_weight_matrix_product():
    rng = np.random.default_rng(2)
    values = rng.random((50, 3)) * (rng.random((50, 3)) < 0.5)
    values[7] = 0  # a cluster that contributes nothing is still drawn
    w = bootstrap_weights(50, n_boot=40, seed=9)
    expected = w.astype(np.float64) @ values
    got = replicate_sums(sp.csr_array(values), n_boot=40, seed=9, chunk=7)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


def test_release_memory_switches_arrow_to_the_system_allocator():
    # in a child process: the allocator is process-wide and is set once per job
    code = ("import pyarrow as pa; from analysis import io; before = pa.default_memory_pool().backend_name; "
            "io.setup_logging(None, 'x', release_memory=True); print(before, pa.default_memory_pool().backend_name)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out[1] == "system" and out[0] != "system"
