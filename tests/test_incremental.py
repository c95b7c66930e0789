"""Incremental runs: with shard_by: file and a frozen Punkt model, adding a thread reruns one shard and the aggregates.

The first tests check the pieces without Snakemake (which file goes to which
shard, that reading one shard of files at a time gives the tables of reading
the source whole, the errors for threads spanning files); the workflow tests
run Snakemake on a small multi-file corpus, add one thread file and ask
Snakemake (``--summary``) which jobs it would run, then run them.
"""

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml
from helpers import with_sample_dictionaries

from analysis import io
from analysis.errors import InputError
from analysis.ingest.canonical import combine_reports, ingest, threads_in_several_shards
from analysis.ingest.sources import check_threads_in_one_file, files_by_shard, read_source, resolve_paths, source_root
from analysis.provenance import public_path
from analysis.punkt import train_punkt
from analysis.sharding import shard_of, shard_of_path

ROOT = Path(__file__).resolve().parents[1]
SNAKEMAKE = shutil.which("snakemake", path=str(Path(sys.executable).parent)) or shutil.which("snakemake")
COLUMNS = {"id": "comment_id", "parent_id": "parent_id", "thread_id": "thread_id", "author": "author",
           "created_at": "created_at", "text": "text", "title": "title"}
FIELDS = ["comment_id", "parent_id", "thread_id", "author", "created_at", "text", "title", "side"]
SENTENCES = [
    "The civil war began as an uprising against the regime.",
    "No, it is terrorism, plain and simple, and ISIS proves it.",
    "Dr. Smith said the rebels were armed by foreign powers.",
    "This is a proxy war between Russia and the U.S. and nothing else.",
    "Refugees pay the price of every airstrike.",
    "You are an idiot if you believe the regime.",
    "The uprising was peaceful at first, then the terrorists came.",
    "Foreign intervention made the civil war longer.",
]


def thread_rows(t: int, n: int = 6) -> list[dict]:
    """One invented thread: n comments, a small reply tree, text with frame terms."""
    rows = []
    for j in range(n):
        rows.append({
            "comment_id": f"t{t}c{j}", "parent_id": "" if j in (0, 3) else f"t{t}c{j - 1}", "thread_id": f"t{t}",
            "author": f"user{(t * 7 + j * 3) % 11}", "created_at": f"2021-0{1 + t % 9}-{10 + j:02d} 10:00:00",
            "text": " ".join(SENTENCES[(t + j + k) % len(SENTENCES)] for k in range(2)) + f" @user{(t + j) % 11} yes.",
            "title": f"Thread {t}" if j == 0 else "", "side": "pro" if (t + j) % 2 else "con",
        })
    return rows


def write_csv(path: Path, rows: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, FIELDS)
        w.writeheader()
        w.writerows(rows)
    return path


def corpus(folder: Path, threads=range(12)) -> Path:
    for t in threads:
        write_csv(folder / f"thread{t:03d}.csv", thread_rows(t))
    return folder


def source(folder: Path, shard_by: str = "file") -> dict:
    return {"id": "gen", "format": "csv", "path": str(folder), "shard_by": shard_by, "columns": COLUMNS}


# ------------------------------------------------------------------ pieces


def test_a_file_goes_to_the_shard_of_its_path_relative_to_the_source(tmp_path):
    assert shard_of_path("a/b.csv", 7) == shard_of("file:a/b.csv", 7)
    assert [shard_of_path(f"thread{t:03d}.csv", 4) for t in range(6)] == [
        shard_of_path(f"thread{t:03d}.csv", 4) for t in range(6)]  # a pure function of the path
    assert source_root("data/x") == Path("data/x") and source_root("data/x/**/*.csv") == Path("data/x")
    assert source_root("data/x/t*.csv") == Path("data/x")
    a = files_by_shard(source(corpus(tmp_path / "a")), 4)
    assert sorted(p for part in a for p in part) == resolve_paths(str(tmp_path / "a"), "csv")  # a partition
    for i, part in enumerate(a):
        assert all(shard_of_path(Path(p).name, 4) == i for p in part)
    # the same corpus elsewhere, as a folder or a glob, is sharded the same way
    shutil.copytree(tmp_path / "a", tmp_path / "moved" / "b")
    b = files_by_shard(source(tmp_path / "moved" / "b") | {"path": str(tmp_path / "moved" / "b" / "*.csv")}, 4)
    assert [[Path(p).name for p in part] for part in a] == [[Path(p).name for p in part] for part in b]
    # adding a file adds it to one shard and moves nothing else
    write_csv(tmp_path / "a" / "thread100.csv", thread_rows(100))
    c = files_by_shard(source(tmp_path / "a"), 4)
    grown = [i for i in range(4) if c[i] != a[i]]
    assert len(grown) == 1 and sorted(set(c[grown[0]]) - set(a[grown[0]])) == [str(tmp_path / "a" / "thread100.csv")]
    assert sum(map(len, a)) == 12 and all(a), "12 files over 4 shards: each shard has some (else pick other names)"


def ingest_by_file(src: dict, n_shards: int):
    parts = []
    for i, files in enumerate(files_by_shard(src, n_shards)):
        result = read_source(src, files=files)
        check_threads_in_one_file(result, source=src["id"])
        parts.append(ingest(result, source=src["id"], fmt=src["format"], n_shards=n_shards, salt="s", shard=i))
    return parts


def test_reading_a_shard_of_files_at_a_time_gives_the_tables_of_reading_whole(tmp_path):
    src = source(corpus(tmp_path / "c"))
    rows = thread_rows(3)
    rows[4]["parent_id"] = "nope"          # an orphan (and the comment below it)
    rows.append(dict(rows[1], text="dup"))  # a duplicate id
    write_csv(tmp_path / "c" / "thread003.csv", rows)
    whole = ingest(read_source(src), source="gen", fmt="csv", n_shards=4, salt="s")
    parts = ingest_by_file(src, 4)
    key = ["thread_id", "comment_id"]
    for table in ("comments", "threads", "mentions", "quarantine"):
        a = getattr(whole, table).drop(columns="shard", errors="ignore")
        b = pd.concat([getattr(p, table) for p in parts], ignore_index=True).drop(columns="shard", errors="ignore")
        sort = key if table != "threads" else ["thread_id"]
        sort = sort + (["start"] if table == "mentions" else []) if table != "quarantine" else ["file", "record"]
        pd.testing.assert_frame_equal(a.sort_values(sort).reset_index(drop=True),
                                      b.sort_values(sort).reset_index(drop=True))
    # each part holds its shard only, and every thread lies in the shard of its file
    for i, p in enumerate(parts):
        assert set(p.comments["shard"]) <= {i} and set(p.threads["shard"]) <= {i}
        assert all(shard_of_path(Path(f).name, 4) == i for f in p.comments["file"])
    report = combine_reports([p.report for p in parts], authors=whole.report["authors"])
    assert {k: v for k, v in report.items() if k != "shards"} == whole.report
    reasons = report["quarantined_by_reason"]
    assert reasons["duplicate_id"] == 1 and reasons["orphan_parent"] == 1


def test_shard_outputs_are_byte_identical_on_a_rerun(tmp_path):
    src = source(corpus(tmp_path / "c", range(4)))
    digests = []
    for run in ("one", "two"):
        out = ingest_by_file(src, 2)[0]
        io.write_table(out.comments, tmp_path / run / "comments.parquet", "comments", metadata=out.metadata)
        io.write_table(out.mentions, tmp_path / run / "mentions.parquet", "mentions")
        io.write_json(out.report, tmp_path / run / "report.json")
        names = ("comments.parquet", "mentions.parquet", "report.json")
        digests.append([(tmp_path / run / n).read_bytes() for n in names])
    assert digests[0] == digests[1]


def test_an_empty_shard_is_empty_tables(tmp_path):
    src = source(corpus(tmp_path / "c", range(1)))
    out = ingest(read_source(src, files=[]), source="gen", fmt="csv", n_shards=4, salt="s", shard=2)
    assert out.comments.empty and out.threads.empty and out.report["records_read"] == 0
    io.write_table(out.comments, tmp_path / "c.parquet", "comments", metadata=out.metadata)


def test_a_thread_spanning_files_stops_with_both_files_named(tmp_path):
    folder = corpus(tmp_path / "c", range(2))
    rows = thread_rows(0)
    write_csv(folder / "more.csv", [dict(r, comment_id=r["comment_id"] + "x", parent_id="") for r in rows[:2]])
    src = source(folder)
    with pytest.raises(InputError) as err:
        check_threads_in_one_file(read_source(src, files=resolve_paths(str(folder), "csv")), source="gen")
    message = str(err.value)
    assert "\n" not in message and "'t0'" in message and "more.csv" in message and "thread000.csv" in message
    assert "shard_by: thread" in message
    # across shards: the same thread id in two shards' threads tables
    threads = pd.DataFrame({"source": "gen", "thread_id": ["gen:a", "gen:b", "gen:a"], "shard": [0, 1, 2]})
    assert list(threads_in_several_shards(threads)["shard"]) == [0, 2]
    assert threads_in_several_shards(threads.iloc[:2]).empty


# ------------------------------------------------------------------ the workflow

workflow = pytest.mark.workflow


def run(config: dict, tmp: Path, *extra: str, timeout: int = 900) -> subprocess.CompletedProcess:
    cfg = tmp / "config.yaml"
    cfg.write_text(yaml.safe_dump(with_sample_dictionaries(config)), encoding="utf-8")
    cmd = [SNAKEMAKE, "--cores", "2", "--configfile", str(cfg), "--nolock", *extra]
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout)


def planned(config: dict, tmp: Path) -> dict[str, set[str]]:
    """Rule -> the output files Snakemake would (re)make, from ``--summary`` (a tab-separated table)."""
    done = run(config, tmp, "--summary")
    assert done.returncode == 0, done.stderr[-3000:]
    rows = list(csv.reader(done.stdout.splitlines(), delimiter="\t"))
    header = rows[0]
    assert {"output_file", "rule", "plan"} <= set(header), header
    out: dict[str, set[str]] = {}
    for row in rows[1:]:
        rec = dict(zip(header, row))
        if rec.get("plan") and rec["plan"] != "no update":
            out.setdefault(rec["rule"], set()).add(rec["output_file"])
    return out


def shard_of_output(path: str) -> str | None:
    name = Path(path).name
    return name[len("shard-"):len("shard-") + 3] if name.startswith("shard-") else None


PER_SHARD_DIRS = ["ingest/gen/comments", "ingest/gen/threads", "ingest/gen/mentions", "ingest/gen/quarantine",
                  "ingest/gen/lines", "ingest/gen/report", "comments", "threads", "mentions", "quotes", "tokens",
                  "framing/matches", "framing/docs", "stance"]


def snapshot(results: Path) -> dict[str, tuple[bytes, int]]:
    return {str(p.relative_to(results)): (p.read_bytes(), p.stat().st_mtime_ns)
            for d in PER_SHARD_DIRS for p in sorted((results / d).glob("shard-*"))}


@pytest.fixture(scope="module")
def incremental(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("incremental")
    data = corpus(tmp / "data")
    texts = [r["text"] for t in range(12) for r in thread_rows(t)]
    io.write_json(train_punkt(texts), tmp / "frozen_punkt.json")
    config = {"sources": [source(tmp / "data")], "results": str(tmp / "results"), "n_shards": 4,
              "tokenize": {"punkt_model": str(tmp / "frozen_punkt.json")},
              "polarization": {"group_column": "side"}}
    done = run(config, tmp)
    assert done.returncode == 0, done.stderr[-5000:]
    before = snapshot(tmp / "results")
    # the new thread's file and the shard it must fall in, from the paths alone
    new = write_csv(data / "thread100.csv", thread_rows(100))
    k = f"{shard_of_path('thread100.csv', 4):03d}"
    plan = planned(config, tmp)
    done = run(config, tmp)
    assert done.returncode == 0, done.stderr[-5000:]
    return {"tmp": tmp, "config": config, "results": tmp / "results", "before": before, "plan": plan, "shard": k,
            "new": new, "after": snapshot(tmp / "results"), "log": done.stderr}


@workflow
def test_adding_a_thread_plans_one_shard_and_the_aggregates(incremental):
    plan, k = incremental["plan"], incremental["shard"]
    per_shard = {rule: outs for rule, outs in plan.items() if any(shard_of_output(o) for o in outs)}
    # exactly these per-shard rules, each for shard k only
    assert set(per_shard) == {"ingest_shard", "shard", "quotes", "annotate"}, plan.keys()
    for rule, outs in per_shard.items():
        assert {shard_of_output(o) for o in outs} == {k}, (rule, outs)
    # one job each: every output of a per-shard rule is one of that rule's outputs for one shard
    assert len(plan["ingest_shard"]) == 6 and len(plan["shard"]) == 3 and len(plan["quotes"]) == 1
    assert len(plan["annotate"]) == 4  # tokens, frame matches, frame hits, stance of shard k
    # the frozen sentence model is not retrained; the aggregates are redone
    assert "train_punkt" not in plan and "ingest" not in plan
    assert {"ingest_report", "describe_corpus", "frame_rates", "book", "export_convokit"} <= set(plan)


@workflow
def test_the_rerun_adds_the_thread_and_leaves_other_shards_untouched(incremental):
    results, k = incremental["results"], incremental["shard"]
    before, after = incremental["before"], incremental["after"]
    assert set(before) == set(after)
    for name in before:
        if shard_of_output(name) != k:
            assert after[name] == before[name], f"{name} was rewritten"  # same bytes, same mtime
        elif name.startswith(("ingest/gen/comments", "comments", "tokens")):
            assert after[name][1] > before[name][1], f"{name} was not redone"
    comments = pd.read_parquet(results / "comments")
    assert set(comments.loc[comments["thread_id"] == "gen:t100", "shard"]) == {int(k)}
    assert (comments["thread_id"] == "gen:t100").sum() == 6
    tokens = pd.read_parquet(results / "tokens" / f"shard-{k}.parquet")
    assert "gen:t100" in set(tokens["thread_id"])
    threads = pd.read_csv(results / "describe_corpus" / "threads.csv")
    assert "gen:t100" in set(threads["thread_id"]) and len(threads) == 13
    report = json.loads((results / "ingest_report.json").read_text())
    gen = report["sources"][0]
    assert (gen["records_read"], gen["comments_kept"], gen["threads"], gen["shards"]) == (78, 78, 13, 4)
    # files are named without the machine's folders (outside the project: the last two parts)
    assert public_path(incremental["new"]) in gen["files"] and len(gen["files"]) == 13
    # the book reports the frozen model, copied by train_punkt
    frozen = json.loads((incremental["tmp"] / "frozen_punkt.json").read_text())
    assert json.loads((results / "punkt.json").read_text()) == frozen
    assert (results / "book" / "_build" / "html" / "index.html").is_file()
    done = run(incremental["config"], incremental["tmp"], "--dry-run")
    assert done.returncode == 0 and "Nothing to be done" in done.stdout + done.stderr


@workflow
def test_default_shard_by_thread_reads_each_source_in_one_job(tmp_path):
    data = corpus(tmp_path / "data", range(5))
    by_file = {"sources": [source(data)], "results": str(tmp_path / "file"), "n_shards": 3}
    by_thread = {"sources": [{k: v for k, v in source(data).items() if k != "shard_by"}],
                 "results": str(tmp_path / "thread"), "n_shards": 3}
    plan = planned(by_thread, tmp_path)
    assert {"ingest", "train_punkt"} <= set(plan) and "ingest_shard" not in plan
    assert len(plan["ingest"]) == 3 * 3 + 3  # one job writes every shard of the source, its quarantine, lines, report
    tables = {}
    for name, config in (("thread", by_thread), ("file", by_file)):
        targets = [f"{config['results']}/{t}/shard-{s:03d}.parquet" for t in ("comments", "threads") for s in range(3)]
        done = run(config, tmp_path, *targets, f"{config['results']}/ingest_report.json")
        assert done.returncode == 0, done.stderr[-3000:]
        # one table from the shard files (a shard that no file falls in has no metadata columns)
        shards = sorted((Path(config["results"]) / "comments").glob("shard-*.parquet"))
        tables[name] = io.read_tables(shards).drop(columns="shard")
        tables[name] = tables[name].sort_values(["thread_id", "comment_id"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(tables["thread"], tables["file"])
    assert (tmp_path / "thread" / "ingest" / "gen" / "report.json").is_file()
    assert len(list((tmp_path / "file" / "ingest" / "gen" / "report").glob("shard-*.json"))) == 3
    for name in ("thread", "file"):
        report = json.loads((tmp_path / name / "ingest_report.json").read_text())["sources"][0]
        assert (report["records_read"], report["threads"]) == (30, 5)


@workflow
def test_threads_spanning_files_stop_the_run_naming_the_files(tmp_path):
    data = corpus(tmp_path / "data", range(3))
    # find two extra file names: one in the shard of thread000.csv, one in another shard
    same = next(f"x{i}.csv" for i in range(100) if shard_of_path(f"x{i}.csv", 2) == shard_of_path("thread000.csv", 2))
    other = next(f"y{i}.csv" for i in range(100) if shard_of_path(f"y{i}.csv", 2) != shard_of_path("thread000.csv", 2))
    for name, expect in ((same, "ingest_shard"), (other, "ingest_report")):
        extra = write_csv(data / name, [dict(thread_rows(0)[0], comment_id="late", parent_id="")])
        config = {"sources": [source(data)], "results": str(tmp_path / f"results-{expect}"), "n_shards": 2}
        done = run(config, tmp_path, f"{config['results']}/ingest_report.json")
        assert done.returncode != 0
        line = next((ln for ln in done.stderr.splitlines() if "must lie in one file" in ln), "")
        assert name in line and "thread000.csv" in line and "thread 't0' of source 'gen'" in line, done.stderr[-3000:]
        assert f"Error in rule {expect}" in done.stderr
        extra.unlink()


@workflow
@pytest.mark.parametrize("model, message", [("missing.json", "no Punkt parameters file"),
                                            ("RESULTS/punkt.json", "this run's own output")])
def test_punkt_model_mistakes_stop_before_any_job(tmp_path, model, message):
    data = corpus(tmp_path / "data", range(2))
    (tmp_path / "results").mkdir()
    (tmp_path / "results" / "punkt.json").write_text("{}")
    model = str(tmp_path / model.replace("RESULTS", "results"))
    config = {"sources": [source(data)], "results": str(tmp_path / "results"), "tokenize": {"punkt_model": model}}
    done = run(config, tmp_path, "--dry-run")
    out = done.stdout + done.stderr  # a dry run logs to stdout
    assert done.returncode != 0 and "tokenize.punkt_model" in out and message in out


@workflow
def test_a_frozen_punkt_model_that_is_not_one_stops_train_punkt(tmp_path):
    data = corpus(tmp_path / "data", range(2))
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"abbrev_types": []}))
    config = {"sources": [source(data)], "results": str(tmp_path / "results"), "tokenize": {"punkt_model": str(bad)}}
    done = run(config, tmp_path, str(tmp_path / "results" / "punkt.json"))
    assert done.returncode != 0 and "not Punkt parameters" in done.stderr
    assert os.fspath(bad) in done.stderr
