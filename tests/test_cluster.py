"""The workflow under a cluster executor, on one machine.

The unchanged workflow runs with ``--executor cluster-generic`` through the
local-cluster profile (profiles/local-cluster/): its submit command returns a
job id at once and runs the job in the background, detached, as a scheduler
would; its status command is polled for running/success/failed. The checks:
the book is built, the results are byte for byte those of a plain local run of
the same config, every job was submitted with its rule's threads, memory and
runtime, and the unit of work is the shard, not the comment.
"""

import json
import re
import subprocess
from collections import Counter
from importlib.util import find_spec
from pathlib import Path

import pytest
import yaml
from helpers import with_sample_dictionaries
from test_workflow import ROOT, SNAKEMAKE, run_workflow

from analysis.provenance import public_path

PROFILES = ROOT / "profiles"
LOCAL_CLUSTER = PROFILES / "local-cluster"
N_SHARDS = 2
# Snakemake gives a rule that declares no mem_mb a default of 1000 or more, which
# would look declared; under this default of 1 (for runtime too) it shows.
UNDECLARED = 1
# Results compared byte for byte: tables and records (figures through their data CSVs);
# not book/ (a build) nor logs/ (times).
TABLES = {".csv", ".json", ".jsonl", ".parquet", ".md", ".yaml"}


def small_config(results: Path, sources: list | None = None) -> dict:
    sources = sources or [{"id": "seed", "format": "scraped_text", "path": "data/seed"}]
    return with_sample_dictionaries({"sources": sources, "results": str(results), "n_shards": N_SHARDS})


def run_on_local_cluster(config: dict, tmp: Path, monkeypatch, *targets: str) -> subprocess.CompletedProcess:
    """The workflow through the local-cluster profile; jobs are recorded in tmp/spool."""
    assert find_spec("snakemake_executor_plugin_cluster_generic"), \
        "snakemake-executor-plugin-cluster-generic is missing: pip install -e '.[test]'"
    monkeypatch.setenv("LOCAL_CLUSTER_SPOOL", str(tmp / "spool"))
    return run_workflow(config, tmp, *targets, "--profile", str(LOCAL_CLUSTER),
                        "--default-resources", f"mem_mb={UNDECLARED}", f"runtime={UNDECLARED}")


def submitted(spool: Path) -> list[dict]:
    """One record per submission, written by profiles/local-cluster/submit.py."""
    return [json.loads(line) for line in (spool / "submitted.jsonl").read_text(encoding="utf-8").splitlines()]


def tables(results: Path) -> dict[str, bytes]:
    """The result files by relative path; a run's own results folder (provenance names it) reads <results>."""
    public = public_path(results).encode()  # outside the project a path is shown by its last two parts
    return {p.relative_to(results).as_posix(): p.read_bytes().replace(str(results).encode(), b"<results>")
            .replace(public, b"<results>")
            for p in sorted(results.rglob("*"))
            if p.is_file() and p.suffix in TABLES and p.relative_to(results).parts[0] not in {"book", "logs"}}


def first_difference(a: bytes, b: bytes) -> tuple:
    """The first differing line (local, cluster) of two text files; for binary files, the first byte offset."""
    if b"\0" in a + b:
        return next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b))), "binary"
    pairs = zip(a.decode(errors="replace").splitlines() + [""], b.decode(errors="replace").splitlines() + [""])
    return next(((x, y) for x, y in pairs if x != y), ("same lines", "different line ends"))


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """The same small config run twice: plainly, and through the local cluster."""
    local = tmp_path_factory.mktemp("local")
    done = run_workflow(small_config(local / "results"), local)
    assert done.returncode == 0, done.stderr[-5000:]
    cluster = tmp_path_factory.mktemp("cluster")
    with pytest.MonkeyPatch.context() as mp:
        done = run_on_local_cluster(small_config(cluster / "results"), cluster, mp)
    assert done.returncode == 0, done.stderr[-5000:]
    return local / "results", cluster / "results", cluster / "spool", done.stdout + done.stderr


@pytest.mark.workflow
def test_book_is_built_by_submitted_jobs(runs):
    _, results, spool, log = runs
    assert (results / "book" / "_build" / "html" / "index.html").is_file()
    records = submitted(spool)
    # Snakemake took each job id from the submit command's stdout and polled its status to the end
    reported = re.findall(r"Submitted job \d+ with external jobid '(\d+)'", log)
    assert sorted(reported) == sorted(r["jobid"] for r in records)
    assert all((spool / f"{r['jobid']}.exit").read_text().strip() == "0" for r in records)


@pytest.mark.workflow
def test_results_equal_a_local_run_byte_for_byte(runs):
    local, cluster, _, _ = runs
    expected, got = tables(local), tables(cluster)
    assert {"framing/rates.csv", "polarization/summary.json", "describe_corpus/numbers.json",
            "convokit/utterances.jsonl", "tokens/shard-000.parquet"} <= expected.keys()
    assert sorted(got) == sorted(expected)
    differing = {name: first_difference(expected[name], got[name]) for name in expected if got[name] != expected[name]}
    assert differing == {}, differing


@pytest.mark.workflow
def test_every_job_carried_its_rules_resources(runs):
    _, _, spool, log = runs
    records = submitted(spool)
    # every job that ran was submitted, except the target-only rule `all` (no script)
    ran = Counter(re.findall(r"Finished jobid: \d+ \(Rule: (\w+)\)", log))
    assert ran.pop("all") == 1
    assert Counter(r["rule"] for r in records) == ran
    for r in records:
        assert isinstance(r["threads"], int) and r["threads"] >= 1, r
        assert r["mem_mb"] != UNDECLARED and r["runtime"] != UNDECLARED, f"rule {r['rule']} declares no mem_mb/runtime"
    # the same rule asks for the same, whichever shard
    by_rule = {}
    for r in records:
        by_rule.setdefault(r["rule"], set()).add((r["threads"], r["mem_mb"], r["runtime"]))
    assert all(len(asked) == 1 for asked in by_rule.values()), by_rule


@pytest.mark.workflow
def test_shards_are_the_unit_of_work(runs):
    _, _, spool, _ = runs
    records = submitted(spool)
    assert {name for r in records for name in r["wildcards"]} <= {"source", "shard"}  # no job per thread or comment
    per_shard = {}
    for r in records:
        if "shard" in r["wildcards"]:
            per_shard.setdefault(r["rule"], []).append(r["wildcards"]["shard"])
    assert {"shard", "annotate"} <= per_shard.keys()
    expected = [f"{i:03d}" for i in range(N_SHARDS)]
    assert {rule: sorted(shards) for rule, shards in per_shard.items()} == {rule: expected for rule in per_shard}


@pytest.mark.workflow
def test_failed_job_is_reported_failed(tmp_path, monkeypatch):
    bad = tmp_path / "broken.parquet"
    bad.write_bytes(b"this is not a parquet file\n")
    config = small_config(tmp_path / "results", [{"id": "broken", "format": "parquet", "path": str(bad),
                                                  "columns": {"id": "id", "text": "text"}}])
    target = str(tmp_path / "results" / "ingest_report.json")
    done = run_on_local_cluster(config, tmp_path, monkeypatch, target)
    assert done.returncode != 0
    assert "Error in rule ingest" in done.stderr, done.stderr[-5000:]
    [record] = submitted(tmp_path / "spool")
    assert record["rule"] == "ingest"
    assert (tmp_path / "spool" / f"{record['jobid']}.exit").read_text().strip() != "0"
    assert f"external_jobid: {record['jobid']}" in done.stderr


def snakemake_options() -> str:
    return subprocess.run([SNAKEMAKE, "--help"], capture_output=True, text=True, timeout=120, check=True).stdout


def test_profile_keys_are_snakemake_options():
    """Every key of the profiles is a command-line option of this Snakemake and its plugins.

    The SLURM plugin's own options (slurm-*) are checked only where it is installed.
    """
    options = snakemake_options()
    slurm_installed = find_spec("snakemake_executor_plugin_slurm") is not None
    for profile in ("default", "local-cluster", "slurm", "slurm-local"):
        config = yaml.safe_load((PROFILES / profile / "config.yaml").read_text(encoding="utf-8"))
        for key in config:
            if key.startswith("slurm-") and not slurm_installed:
                continue
            assert re.search(rf"(?<![\w-])--{re.escape(key)}(?![\w-])", options), f"{profile}: --{key} is no option"
    slurm = yaml.safe_load((PROFILES / "slurm" / "config.yaml").read_text(encoding="utf-8"))
    assert slurm["executor"] == "slurm"
    assert {"slurm_account", "slurm_partition"} <= slurm["default-resources"].keys()
    assert not {"mem_mb", "runtime"} & slurm["default-resources"].keys()  # the rules declare their own
