"""Issue 17, finding 7: a user error's one line is where users look - last on the console and in the rule's log."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
SNAKEMAKE = shutil.which("snakemake", path=str(Path(sys.executable).parent)) or shutil.which("snakemake")
pytestmark = pytest.mark.workflow
DICTIONARIES = {"lexicons": ["data/lexicons/syria_frames.yaml"],
                "polarization": {"stance_lexicon": "data/lexicons/syria_stance.yaml"}}


def snakemake(config: dict, tmp_path: Path, *extra: str) -> subprocess.CompletedProcess:
    cfg = tmp_path / "config.yaml"
    cfg.write_text(yaml.safe_dump(config), encoding="utf-8")
    return subprocess.run([SNAKEMAKE, "--cores", "1", "--configfile", str(cfg), "--nolock", *extra], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)


def tail(text: str, n: int = 6) -> str:
    return "\n".join(text.strip().splitlines()[-n:])


def test_a_bad_input_ends_with_its_one_line_on_the_console_and_in_the_rule_log(tmp_path):
    data = tmp_path / "forum.csv"
    data.write_text("id,body\n1,hello world\n2,another comment\n", encoding="utf-8")
    results = tmp_path / "results"
    config = {"sources": [{"id": "tiny", "format": "csv", "path": str(data), "columns": {"id": "id", "text": "text"}}],
              "results": str(results), "n_shards": 1, **DICTIONARIES}
    done = snakemake(config, tmp_path, str(results / "ingest_report.json"))
    assert done.returncode != 0
    expected = "['text'] not found"  # the reader's message names the file and the missing column
    last = tail(done.stderr)
    assert expected in last and str(data) in last, last
    assert "Traceback" not in done.stderr  # a user error, not a crash
    log = (results / "logs" / "ingest" / "tiny.log").read_text(encoding="utf-8")
    assert expected in log and str(data) in log


def test_a_config_error_is_the_last_line_without_a_traceback(tmp_path):
    config = {"sources": [{"id": "x", "path": "data/seed", "format": "scraped_text"}], "n_shards": "two",
              "results": str(tmp_path / "results"), **DICTIONARIES}
    done = snakemake(config, tmp_path, "--dry-run")
    assert done.returncode != 0
    last = done.stderr.strip().splitlines()[-1]
    assert "config key 'n_shards'" in last and "integer" in last, tail(done.stderr)
    assert 'File "' not in done.stderr


def test_a_clean_run_prints_no_schema_warnings(tmp_path):
    done = subprocess.run([SNAKEMAKE, "--cores", "1", "--dry-run", "--nolock", "--config",
                           f"results={tmp_path / 'results'}"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, tail(done.stderr, 20)
    out = done.stdout + done.stderr
    assert "JSON Schema" not in out and "No validator found" not in out
