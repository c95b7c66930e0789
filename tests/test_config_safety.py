"""Issue 17, finding 6: config values that do harm are refused with one short line naming the key."""

import copy
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from analysis.config import check_config
from analysis.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = yaml.safe_load((ROOT / "config" / "config.yaml").read_text(encoding="utf-8"))


def config(**changes) -> dict:
    cfg = copy.deepcopy(SAMPLE)
    cfg.update(changes)
    return cfg


def refused(cfg: dict) -> ConfigError:
    with pytest.raises(ConfigError) as err:
        check_config(cfg)
    assert "\n" not in str(err.value)
    return err.value


@pytest.fixture(autouse=True)
def in_project(monkeypatch):
    monkeypatch.chdir(ROOT)  # the workflow runs from the project folder; results are judged from there


@pytest.mark.parametrize("results", ["", "  ", "/", ".", "./", "..", "../..", str(ROOT), "data", "book",
                                     "book/out", "workflow/x", "config", "analysis/.."])
def test_results_that_the_book_step_could_wipe_are_refused(results):
    err = refused(config(results=results))
    assert err.key == "results"


def test_results_may_not_hold_a_source_or_be_a_file(tmp_path):
    data = tmp_path / "in"
    data.mkdir()
    src = [{"id": "x", "format": "csv", "path": str(data / "*.csv"), "columns": {"text": "t"}}]
    assert refused(config(sources=src, results=str(data))).key == "results"
    assert refused(config(sources=src, results=str(tmp_path))).key == "results"
    (tmp_path / "afile").write_text("x")
    assert refused(config(results=str(tmp_path / "afile"))).key == "results"


def test_results_of_its_own_are_fine(tmp_path):
    for results in ("results", "results/mycorpus", str(tmp_path / "run1")):
        assert check_config(config(results=results))["results"] == results


@pytest.mark.parametrize("change,key", [
    ({"n_shards": 1001}, "n_shards"),  # shard names have three digits: 000-999
    ({"framing": {"n_boot": 10**9}}, "framing.n_boot"),
    ({"framing": {"n_perm": 10**12}}, "framing.n_perm"),
    ({"polarization": {"n_boot": 10**6}}, "polarization.n_boot"),
    ({"framing": {"seed": -1}}, "framing.seed"),  # numpy refuses negative seeds
    ({"validation": {"seed": 2**40}}, "validation.seed"),
    ({"book": {"tree_max_comments": 10**7}}, "book.tree_max_comments"),
])
def test_schema_bounds_match_what_the_workflow_can_do(change, key):
    assert refused(config(**change)).key == key


def test_thousand_shards_is_the_most_the_shard_names_allow():
    assert check_config(config(n_shards=1000))["n_shards"] == 1000


def test_a_dictionary_path_to_any_file_does_not_print_the_file(tmp_path):
    secret = tmp_path / "passwd"
    secret.write_text("".join(f"user{i}:x:{i}:{i}:secret-{i}:/home/u{i}:/bin/sh\n" for i in range(40)))
    paths = [str(secret)] + (["/etc/passwd"] if Path("/etc/passwd").is_file() else [])
    for path in paths:
        err = refused(config(lexicons=[path]))
        assert err.key == "lexicons" and path in str(err)
        assert "secret-" not in str(err) and ":x:" not in str(err) and len(str(err)) < 300


def test_a_long_bad_value_is_quoted_as_a_short_excerpt():
    err = refused(config(orphans="drop" + "x" * 100_000))
    assert err.key == "orphans" and len(str(err)) < 400 and "dropxx" in str(err)


def test_unknown_keys_are_listed_shortly():
    err = refused(config(framing={f"key{i}" * 50: 1 for i in range(1000)}))
    assert err.key == "framing" and len(str(err)) < 700


def test_a_yaml_alias_bomb_gives_one_short_line_in_little_memory(tmp_path):
    # a billion-laughs value: nine levels of ten aliases each
    levels = ["lol"] * 10
    text = "title: &a0 [" + ", ".join(levels) + "]\n"
    for i in range(1, 10):
        text += f"t{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]\n"
    bomb_file = tmp_path / "bomb.yaml"
    bomb_file.write_text(text)
    probe = f"""
import json, resource, sys, yaml, copy
resource.setrlimit(resource.RLIMIT_AS, (3 * 2**30, 3 * 2**30))
sys.path.insert(0, {str(ROOT)!r})
from analysis.config import check_config
from analysis.errors import ConfigError
bomb = yaml.safe_load(open({str(bomb_file)!r}))["t9"]
cfg = yaml.safe_load(open({str(ROOT / "config" / "config.yaml")!r}))
cfg["book"] = {{"title": bomb}}
try:
    check_config(cfg)
    out = {{"key": None, "message": ""}}
except ConfigError as exc:
    out = {{"key": exc.key, "message": str(exc)}}
# peak RSS of this process image (ru_maxrss would include pytest's, kept across exec)
hwm = [line for line in open("/proc/self/status") if line.startswith("VmHWM:")]
out["rss_mb"] = int(hwm[0].split()[1]) / 1024 if hwm else 0.0
print(json.dumps(out))
"""
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=300, cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr[-500:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["key"] and out["key"].startswith("book.title")
    assert len(out["message"]) < 600
    assert out["rss_mb"] < 400, out  # the whole interpreter with pandas; the bomb expanded would be gigabytes


@pytest.mark.parametrize("field,value", [("encoding", "no-such-codec"), ("timezone", "Mars/Olympus_Mons"),
                                         ("timezone", "+25:00")])
def test_unknown_encoding_or_time_zone_is_one_line_naming_the_key(field, value):
    src = {"id": "x", "format": "csv", "path": "data/x.csv", "columns": {"text": "t"}, field: value}
    err = refused(config(sources=[src]))
    assert err.key == f"sources[0].{field}" and value in str(err)


def test_known_encodings_and_time_zones_pass():
    src = {"id": "x", "format": "csv", "path": "data/x.csv", "columns": {"text": "t"}, "encoding": "cp1252",
           "timezone": "Europe/Berlin"}
    check_config(config(sources=[src]))
