"""Issue 17, finding 5 (empty input): a source that yields no comment ends in one error naming the source.

A header-only CSV, a scraped page with an article but no comment, and a CSV
whose every record is quarantined used to end in ``ValueError: n_clusters=0``
(or a permutation-test error) inside ``frame_rates``, naming no file.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml
from helpers import with_sample_dictionaries

from analysis.errors import InputError
from analysis.frame_rates import require_comments

ROOT = Path(__file__).resolve().parents[1]
SNAKEMAKE = shutil.which("snakemake", path=str(Path(sys.executable).parent)) or shutil.which("snakemake")
COLUMNS = {"id": "comment_id", "parent_id": "parent_id", "thread_id": "thread_id", "text": "body"}


def test_no_comment_is_one_error_naming_every_source():
    docs = pd.DataFrame({"doc": ["article"], "thread_id": ["p:1"], "n_tokens": [12]})
    sources = [{"id": "page", "path": "data/page"}, {"id": "forum", "path": "data/forum.csv"}]
    for table in (docs, docs.iloc[:0]):
        with pytest.raises(InputError) as err:
            require_comments(table, sources=sources, results="out")
        text = str(err.value)
        assert "\n" not in text
        assert "source 'page' (data/page)" in text and "source 'forum' (data/forum.csv)" in text
        assert "out/ingest_report.json" in text


def test_a_corpus_with_one_comment_passes():
    docs = pd.DataFrame({"doc": ["article", "comment"], "thread_id": ["p:1", "p:1"], "n_tokens": [12, 3]})
    assert require_comments(docs, sources=[{"id": "page", "path": "x"}]) is None


def _header_only(tmp: Path) -> dict:
    (tmp / "header.csv").write_text("comment_id,parent_id,thread_id,body\n", encoding="utf-8")
    return {"id": "hdr", "format": "csv", "path": str(tmp / "header.csv"), "columns": COLUMNS}


def _page_without_comments(tmp: Path) -> dict:
    (tmp / "page").mkdir()
    (tmp / "page" / "p.txt").write_text("A title\n\nThe article says something about the war. It has two "
                                        "sentences.\n", encoding="utf-8")
    return {"id": "page", "format": "scraped_text", "path": str(tmp / "page")}


def _all_quarantined(tmp: Path) -> dict:
    # every row lacks an id: all are quarantined as missing_id
    (tmp / "noid.csv").write_text("comment_id,parent_id,thread_id,body\n,,t1,first comment\n,,t1,second comment\n",
                                  encoding="utf-8")
    return {"id": "noid", "format": "csv", "path": str(tmp / "noid.csv"), "columns": COLUMNS}


@pytest.mark.workflow
@pytest.mark.parametrize("make_source", [_header_only, _page_without_comments, _all_quarantined])
def test_workflow_on_empty_input_stops_with_one_line_naming_the_source(tmp_path, make_source):
    source = make_source(tmp_path)
    results = tmp_path / "results"
    cfg = tmp_path / "config.yaml"
    config = with_sample_dictionaries({"sources": [source], "results": str(results), "n_shards": 1})
    cfg.write_text(yaml.safe_dump(config), encoding="utf-8")
    target = str(results / "framing" / "numbers.json")
    done = subprocess.run([SNAKEMAKE, target, "--cores", "1", "--configfile", str(cfg), "--nolock"], cwd=ROOT,
                          capture_output=True, text=True, timeout=900)
    assert done.returncode != 0
    assert "n_clusters" not in done.stderr and "expected observations with tokens" not in done.stderr
    line = f"source {source['id']!r} ({source['path']}): no comment was kept"
    assert line in done.stderr
