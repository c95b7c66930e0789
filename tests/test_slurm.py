"""The SLURM path without a cluster: profiles/slurm and profiles/slurm-local, start.sh's
slurm.conf, the placeholder check of workflow/rules/common.smk and the results comparison
.ci/run uses. (.ci/run itself runs the sample on a real one-node SLURM cluster.)
"""

import os
import subprocess
import sys
from importlib.util import find_spec
from pathlib import Path

import pytest
import yaml
from helpers import with_sample_dictionaries
from test_workflow import ROOT, run_workflow

PROFILES = ROOT / "profiles"
START = PROFILES / "slurm-local" / "start.sh"
SAME_RESULTS = PROFILES / "slurm-local" / "same_results.py"


def profile(name: str) -> dict:
    return yaml.safe_load((PROFILES / name / "config.yaml").read_text(encoding="utf-8"))


def start_sh(*args: str, state: Path, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", str(START), *args], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "SLURM_LOCAL_STATE": str(state), **env})


def conf_lines(text: str) -> dict[str, str]:
    """slurm.conf as {key: rest of line}; the NodeName/PartitionName lines as their key=value pairs."""
    found = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            key, value = line.split("=", 1)
            found[key] = value
    return found


def words(value: str) -> dict[str, str]:
    first, *rest = value.split()
    return {"name": first, **dict(w.split("=", 1) for w in rest)}


# --- start.sh's slurm.conf -------------------------------------------------------------------------------------------

def test_slurm_conf_node_is_this_machine(tmp_path):
    done = start_sh("conf", state=tmp_path / "state")
    assert done.returncode == 0, done.stderr
    conf = conf_lines(done.stdout)
    node = words(conf["NodeName"])
    # second method: the CPUs this process may run on, and the physical memory in MiB from sysconf
    assert int(node["CPUs"]) == len(os.sched_getaffinity(0))
    assert int(node["RealMemory"]) == os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") // 2**20
    assert node["name"] == os.uname().nodename.split(".")[0]
    partition = words(conf["PartitionName"])
    assert partition["name"] == "threadscope" and partition["Nodes"] == node["name"]
    assert not (tmp_path / "state").exists()  # `conf` only prints


def test_slurm_conf_needs_no_cgroups_and_keeps_finished_jobs_for_squeue(tmp_path):
    conf = conf_lines(start_sh("conf", state=tmp_path).stdout)
    assert conf["ProctrackType"] == "proctrack/linuxproc" and conf["TaskPlugin"] == "task/none"
    # the profile's first poll is 1 s after submission and the plugin's longest pause 180 s
    assert int(conf["MinJobAge"]) >= 3 * 180


def test_slurm_conf_writes_only_under_its_state_folder(tmp_path):
    state = tmp_path / "state"
    conf = conf_lines(start_sh("conf", state=state, SLURM_LOCAL_PARTITION="p1", SLURM_LOCAL_PORT="7000").stdout)
    paths = {key: token for key, value in conf.items() for token in value.replace("=", " ").split()
             if token.startswith("/")}
    assert set(paths) == {"AuthInfo", "StateSaveLocation", "SlurmdSpoolDir", "SlurmctldPidFile", "SlurmdPidFile",
                          "SlurmctldLogFile", "SlurmdLogFile"}
    assert all(path.startswith(f"{state}/") for path in paths.values()), paths
    assert words(conf["PartitionName"])["name"] == "p1"
    assert (conf["SlurmctldPort"], conf["SlurmdPort"]) == ("7000", "7001")


def test_start_sh_unknown_command_is_one_clear_line(tmp_path):
    done = start_sh("restart", state=tmp_path)
    assert done.returncode == 1
    assert done.stderr.strip() == "slurm-local: unknown command 'restart': expected start, stop, conf or env"


def test_stop_without_a_cluster_stops_nothing(tmp_path):
    (tmp_path / "slurmd.pid").write_text(f"{os.getpid()}\n")  # a live pid that is not slurmd: never signalled
    done = start_sh("stop", state=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""


# --- the profiles ----------------------------------------------------------------------------------------------------

def test_slurm_local_profile_names_the_partition_start_sh_makes(tmp_path):
    local = profile("slurm-local")
    conf = conf_lines(start_sh("conf", state=tmp_path).stdout)
    assert local["executor"] == "slurm"
    assert local["default-resources"]["slurm_partition"] == f"'{words(conf['PartitionName'])['name']}'"
    assert "slurm_account" not in local["default-resources"]  # no accounting database, no accounts
    # without slurmdbd sacct fails and the plugin would poll for ever
    assert local["slurm-status-command"] == "squeue"
    assert local["slurm-init-seconds-before-status-checks"] <= 5


def test_slurm_profile_polls_with_a_command_that_works_without_accounting():
    slurm = profile("slurm")
    assert slurm["slurm-status-command"] == "squeue"
    assert slurm["default-resources"] == {"slurm_account": "'my_account'", "slurm_partition": "'my_partition'"}


# Every key of both profiles is an option of Snakemake or the plugin: tests/test_cluster.py.


# --- the placeholder check (workflow/rules/common.smk) ---------------------------------------------------------------

def dry_run(tmp_path: Path, *extra: str) -> subprocess.CompletedProcess:
    config = with_sample_dictionaries({"sources": [{"id": "seed", "format": "scraped_text", "path": "data/seed"}],
                                       "results": str(tmp_path / "results")})
    return run_workflow(config, tmp_path, "-n", *extra)


PLACEHOLDER_ERROR = ("is still the placeholder '{}' of profiles/slurm/config.yaml: set your cluster's value there "
                     "(keep the inner quotes), or delete the line to use the cluster's default")


@pytest.mark.parametrize("args, line", [
    (["--default-resources", "slurm_partition='my_partition'"],
     "default-resources slurm_partition " + PLACEHOLDER_ERROR.format("my_partition")),
    (["--default-resources", "slurm_partition='short'", "slurm_account='my_account'"],
     "default-resources slurm_account " + PLACEHOLDER_ERROR.format("my_account")),
    (["--set-resources", "ingest:slurm_partition='my_partition'"],
     "set-resources ingest: slurm_partition " + PLACEHOLDER_ERROR.format("my_partition")),
])
def test_placeholder_partition_or_account_stops_before_submitting(tmp_path, args, line):
    done = dry_run(tmp_path, *args)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1] == f"threadscope stopped: {line}"
    assert "Job stats" not in done.stdout + done.stderr  # stopped while reading the workflow, no job planned


def test_real_partition_and_account_pass(tmp_path):
    done = dry_run(tmp_path, "--default-resources", "slurm_partition='my_partition_2'", "slurm_account='lab1'")
    assert done.returncode == 0, done.stderr[-3000:]
    assert "threadscope stopped" not in done.stderr


@pytest.mark.skipif(find_spec("snakemake_executor_plugin_slurm") is None,
                    reason="snakemake-executor-plugin-slurm is not installed (pip install -e '.[slurm]')")
def test_shipped_slurm_profile_stops_with_its_placeholders(tmp_path):
    done = dry_run(tmp_path, "--profile", str(PROFILES / "slurm"))
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1].startswith("threadscope stopped: default-resources slurm_")


# --- same_results.py: .ci/run's comparison ---------------------------------------------------------------------------

def tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def same_results(a: Path, b: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SAME_RESULTS), str(a), str(b)], capture_output=True, text=True,
                          timeout=60)


RUN = {"framing/rates.csv": "a,b\n1,2\n", "book/_build/html/index.html": "<p>x</p>", "logs/ingest.log": "12:00",
       "benchmarks/ingest.tsv": "s\n1.0\n", "book/_build/.doctrees/intro.doctree": "p1"}


def test_same_results_ignores_logs_benchmarks_and_the_sphinx_cache(tmp_path):
    a = tree(tmp_path / "a" / "results", RUN)
    b = tree(tmp_path / "b" / "results", {**RUN, "logs/ingest.log": "12:05", "benchmarks/ingest.tsv": "s\n9.0\n",
                                          "book/_build/.doctrees/intro.doctree": "p2", "logs/extra.log": ""})
    done = same_results(a, b)
    assert done.returncode == 0, done.stdout
    assert done.stdout.splitlines() == [f"same_results: 2 files of {a} and {b} are identical "
                                        "(logs, benchmarks, Sphinx cache excluded)"]


def test_same_results_lists_every_difference(tmp_path):
    a = tree(tmp_path / "a", {**RUN, "framing/index.csv": "x\n"})
    b = tree(tmp_path / "b", {**RUN, "framing/rates.csv": "a,b\n1,3\n", "book/_build/html/extra.html": ""})
    done = same_results(a, b)
    assert done.returncode == 1
    assert done.stdout.splitlines() == [f"only in {b}: book/_build/html/extra.html", f"only in {a}: framing/index.csv",
                                        "differs: framing/rates.csv", "same_results: 3 files compared, 3 differ"]
