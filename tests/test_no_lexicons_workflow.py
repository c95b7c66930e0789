"""End to end: a config with no frame dictionaries (``lexicons: []``) runs to a built book (issue 15, "lexicons: []
runs to a built book"; issue 16 item 4, "nothing empty dressed as a result"), on the sample (one article) and on a
generated corpus of three groups without article text. The framing chapter says in one sentence why its measures are
missing, with no figure, table or cite block of them; keyness and polarization, which need no frame, still run."""

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from test_polarization_groups_workflow import generated_corpus

ROOT = Path(__file__).resolve().parents[1]
SNAKEMAKE = shutil.which("snakemake", path=str(Path(sys.executable).parent)) or shutil.which("snakemake")
pytestmark = pytest.mark.workflow

NO_FRAMES = {"lexicons": [], "framing": {"index_pairs": []}}
WHY = "this run has no frame dictionary (config key lexicons is empty)"


def _sample(tmp_path: Path) -> dict:
    return {"results": str(tmp_path / "results"), **NO_FRAMES}


def _three_groups_without_article(tmp_path: Path) -> dict:
    data = tmp_path / "corpus.csv"
    generated_corpus(data, 3)
    return {
        "sources": [{"id": "gen", "format": "csv", "path": str(data),
                     "columns": {"id": "comment_id", "parent_id": "parent_id", "thread_id": "thread_id",
                                 "author": "user", "created_at": "posted", "text": "body", "title": "thread_title"}}],
        "results": str(tmp_path / "results"), "n_shards": 1,
        "polarization": {"group_column": "camp", "n_boot": 50, "n_perm": 50,
                         "stance_lexicon": "data/lexicons/syria_stance.yaml"},
        **NO_FRAMES,
    }


def _text(page: Path) -> str:
    """The visible text of a built page's main part."""
    html = page.read_text(encoding="utf-8")
    main = html[html.find("<main"):html.find("</main>")]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))


@pytest.mark.parametrize("make_config", [_sample, _three_groups_without_article])
def test_no_frame_dictionaries_build_the_book(tmp_path, make_config):
    config = make_config(tmp_path)
    cfg = tmp_path / "config.yaml"
    cfg.write_text(yaml.safe_dump(config), encoding="utf-8")
    done = subprocess.run([SNAKEMAKE, "--cores", "2", "--configfile", str(cfg), "--nolock"], cwd=ROOT,
                          capture_output=True, text=True, timeout=1200)
    assert done.returncode == 0, done.stderr[-5000:]
    results = tmp_path / "results"
    numbers = json.loads((results / "framing" / "numbers.json").read_text())
    assert numbers["n_frames"] == 0 and numbers["frames"] == {} and WHY in numbers["not_available"][0]
    html = results / "book" / "_build" / "html"
    for page in html.glob("*.html"):
        assert "{{" not in page.read_text(encoding="utf-8"), page.name
    framing = _text(html / "framing.html")
    assert "Not available for this corpus: frame rates, the framing index" in framing and WHY in framing
    for absent in ("Framing index", "Frames down reply chains", "Hits per 1,000 word tokens", "n/a"):
        assert absent not in framing
    framing_html = (html / "framing.html").read_text(encoding="utf-8")
    # the one figure that may be left, keyness, needs no frame: at most its cite block, and no frame figure
    assert framing_html.count("Cite this figure") == framing_html.count("threadscope:keyness") // 2 <= 1
    for fig_id in ("frame_rates", "frame_rates_by_group", "framing_over_time", "framing_index", "frame_transitions"):
        assert f"threadscope:{fig_id}" not in framing_html and f"fig-{fig_id.replace('_', '-')}" not in framing_html
    assert "Keyness" in framing
    assert "no frame dictionary" in _text(html / "evidence.html")
    assert "no frame dictionary" in _text(html / "validation.html")
    assert WHY in _text(html / "intro.html")
    if "sources" in config:  # three camps: partisanship on all tokens needs no frame
        polar = _text(html / "polarization.html")
        assert "(all 3 groups)" in polar
        summary = json.loads((results / "polarization" / "summary.json").read_text())
        assert sorted(summary["groups"]) == ["camp0", "camp1", "camp2"]
