"""Two clean runs give identical bytes; a run killed mid-way and started again gives the same results."""

import hashlib
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
import yaml
from helpers import with_sample_dictionaries
from test_workflow import ROOT, SNAKEMAKE, run_workflow

pytestmark = pytest.mark.workflow

#: Not results: Snakemake's logs and Sphinx's pickled build environment (it holds file times).
SKIP = ("logs/", "benchmarks/", "book/_build/.doctrees/")  # benchmarks: timings, not results


def digests(results: Path) -> dict[str, str]:
    out = {}
    for path in sorted(results.rglob("*")):
        rel = path.relative_to(results).as_posix()
        if path.is_file() and not rel.startswith(SKIP):
            out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def differences(a: dict, b: dict) -> list[str]:
    return sorted({k for k in a.keys() | b.keys() if a.get(k) != b.get(k)})


@pytest.fixture(scope="module")
def config(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("repro")
    return with_sample_dictionaries({"sources": [{"id": "seed", "format": "scraped_text", "path": "data/seed"}],
                                     "results": str(tmp / "results"), "n_shards": 2}), tmp


@pytest.fixture(scope="module")
def first_run(config):
    cfg, tmp = config
    done = run_workflow(cfg, tmp)
    assert done.returncode == 0, done.stderr[-5000:]
    kept = tmp / "first"
    shutil.move(cfg["results"], kept)
    return digests(kept)


def test_two_clean_runs_give_identical_bytes(config, first_run):
    cfg, tmp = config
    done = run_workflow(cfg, tmp)
    assert done.returncode == 0, done.stderr[-5000:]
    second = digests(Path(cfg["results"]))
    kinds = {Path(k).suffix for k in first_run}
    assert {".parquet", ".csv", ".json", ".png", ".svg", ".pdf", ".html", ".md"} <= kinds  # tables, figures, book text
    assert differences(first_run, second) == []
    shutil.rmtree(cfg["results"])


def test_killed_run_resumes_to_the_same_results(config, first_run):
    cfg, tmp = config
    cfg_file = tmp / "config.yaml"
    cfg_file.write_text(yaml.safe_dump(cfg), encoding="utf-8")
    results = Path(cfg["results"])
    shutil.rmtree(results, ignore_errors=True)
    proc = subprocess.Popen([SNAKEMAKE, "--cores", "2", "--configfile", str(cfg_file), "--nolock"], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    marker = results / "tokens" / "shard-000.parquet"  # mid-run: tokens exist, framing and the book do not yet
    deadline = time.monotonic() + 600
    while not marker.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert proc.poll() is None, "the run finished before it could be killed"
    os.killpg(proc.pid, signal.SIGKILL)  # the run and every job it started, with no chance to clean up
    proc.wait()
    assert not (results / "book" / "_build" / "html" / "index.html").exists()
    done = run_workflow(cfg, tmp)
    assert done.returncode == 0, done.stderr[-5000:]
    assert differences(first_run, digests(results)) == []
